"""Read helpers on deadlines for the people who watch them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ...core import presence
from ...core.errors import NotFound
from ...core.workdays import SHANGHAI
from ...extensions import db
from .models import DeadlineAdjustment, PeriodUnit
from .operations import find_rule, load_calendar

# A queue page shows at most a few dozen rows; counting more days than this is never useful.
_MAX_DAYS = 400


def working_days_left(due_at: datetime | None, now: datetime) -> int | None:
    """Working days from today (Asia/Shanghai) to the due day: 0 means due today, a negative number is how many
    working days the deadline has been missed by (weekends, public holidays and make-up working days counted
    as the holiday calendar says)."""
    if due_at is None:
        return None
    calendar = load_calendar()
    today = now.astimezone(SHANGHAI).date()
    # A period ends at 24:00 of its last day, stored as 00:00 of the next day: the last day is the day before.
    last = (due_at.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()
    if due_at <= now:
        if last == today:
            return -1 if now > due_at else 0
        first, stop, sign = last, min(today, last + timedelta(days=_MAX_DAYS)), -1
    else:
        first, stop, sign = today, min(last, today + timedelta(days=_MAX_DAYS)), 1
    count, day = 0, first
    while day < stop:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    if sign < 0:
        return -max(count, 1)
    return count


def deadline_shifts(instance_id: int) -> dict[str, timedelta]:
    """The approved extensions and suspensions of an instance, summed per rule (nothing to sum, and no query,
    when the statement that locked the instance found none: core/presence.py)."""
    if presence.none_known(db.session, DeadlineAdjustment, instance_id):
        return {}
    rows = db.session.execute(sa.select(DeadlineAdjustment.rule_id, sa.func.sum(DeadlineAdjustment.shift_seconds))
                              .where(DeadlineAdjustment.instance_id == instance_id)
                              .group_by(DeadlineAdjustment.rule_id))
    return {rule_id: timedelta(seconds=int(total)) for rule_id, total in rows}


@dataclass(frozen=True)
class Lateness:
    """How late work was against its deadline, counted as the deadline's rule counts."""

    amount: int
    unit: str  # working_days | calendar_days | hours


def lateness(rule_id: str | None, jurisdiction: str | None, due_at: datetime, done_at: datetime) -> Lateness | None:
    """None when done in time (before the deadline's end). A working-day rule counts the working days past the
    last day (at least one: done on the Saturday after a Friday deadline is one working day late, as the
    inbox shows it); an hour rule counts started hours; every other rule started calendar days."""
    if done_at <= due_at:
        return None
    unit = PeriodUnit.calendar_days.value
    if rule_id:
        try:
            unit = find_rule(rule_id, jurisdiction).unit
        except NotFound:
            pass
    if unit == PeriodUnit.working_days.value:
        return Lateness(-working_days_left(due_at, done_at), unit)
    late = done_at - due_at
    if unit == PeriodUnit.hours.value:
        return Lateness(math.ceil(late.total_seconds() / 3600), unit)
    return Lateness(math.ceil(late.total_seconds() / 86400), PeriodUnit.calendar_days.value)
