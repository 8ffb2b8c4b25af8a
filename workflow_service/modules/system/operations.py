"""Moving the settable clock (测试/演示时钟)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from ...core.errors import Forbidden, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..users.models import Role
from .models import ClockState

_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """ISO 8601 durations in weeks, days, hours, minutes, seconds (months are ambiguous: refused)."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValidationFailed("时长格式无效 (invalid duration)", {"advance": ["use ISO 8601, e.g. P3D or PT4H"]})
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


_CLOCK_ROW = sa.select(ClockState.offset_seconds, ClockState.frozen_at).where(ClockState.id == 1)


def sync_clock() -> None:
    """Load the shared clock offset (one indexed row) before a request or a sweep uses the time."""
    service_clock = clock()
    if not service_clock.settable:
        return
    # Two columns, not the ORM row: every request of a settable-clock service starts here.
    row = db.session.execute(_CLOCK_ROW).first()
    if row is not None:
        service_clock.load(row.offset_seconds, row.frozen_at)


def move_clock(actor, *, advance: str | None = None, now: datetime | None = None,
               frozen: bool | None = None) -> datetime:
    service_clock = clock()
    if not service_clock.settable:
        raise Forbidden("时钟不可调整 (the clock is only settable when WFS_SETTABLE_CLOCK=1)", code="clock_not_settable")
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可调整时钟 (administrators only)")
    if (advance is None) == (now is None):
        raise ValidationFailed("请给出 advance 或 now 之一 (give exactly one of advance, now)",
                               {"advance": ["advance 与 now 须且只能给出其一"]})
    sync_clock()
    before = service_clock.now()
    if advance is not None:
        delta = parse_duration(advance)
        service_clock.set_now(before + delta, frozen=frozen)
    else:
        if now.tzinfo is None:
            raise ValidationFailed("时间须带时区 (a time zone is required)", {"now": ["须带时区，如 +08:00"]})
        service_clock.set_now(now, frozen=frozen)
    after = service_clock.now()
    row = db.session.get(ClockState, 1) or ClockState(id=1)
    row.offset_seconds = getattr(service_clock, "offset", timedelta(0)).total_seconds()
    row.frozen_at = service_clock.frozen_at
    row.updated_at = after
    db.session.add(row)
    record_event(actor, "clock_moved", details={"from": before.isoformat(), "to": after.isoformat()})
    db.session.flush()
    return after
