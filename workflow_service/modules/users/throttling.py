"""Login throttling that slows guessing down without letting anyone lock a person out.

Failures are counted per (submitted username, source address), never per account alone: someone guessing
`admin`'s password from one machine locks only that machine's attempts at `admin`, and the real administrator
logs in from their own. Each lock lasts twice as long as the one before it (LOGIN_LOCK_MINUTES, then 2×, 4× …,
at most a day) until a success from that source clears the slate: the delay grows with persistence. A source
that fails on many different usernames within the window (password spraying) is refused for all of them.

Names that do not exist are counted exactly like names that do, and refused with the same answers (401, then
429 with the same details), so the answers tell nobody which usernames exist. Security times follow the real
time (`utcnow`), not the settable business clock: moving a demo forward must not lift a lock."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ...core.clock import utcnow
from ...core.errors import TooManyRequests
from ...core.services import setting
from ...extensions import db
from ..audit.operations import record_event
from .models import LoginThrottle

MAX_LOCK = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(minutes=setting("LOGIN_LOCK_MINUTES"))


def _refuse(until) -> None:
    raise TooManyRequests("登录失败次数过多，请稍后再试 (too many failed logins; try later)",
                          {"retry_after": until.isoformat()})


def check_allowed(username: str, source: str) -> LoginThrottle | None:
    """Refuse (429) an attempt from a locked (username, source) pair or a spraying source; the pair's row."""
    now = utcnow()
    row = db.session.scalar(sa.select(LoginThrottle).filter_by(username=username, source=source))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        _refuse(row.locked_until)
    since = now - _window()
    names = db.session.scalar(sa.select(sa.func.count(LoginThrottle.id)).where(
        LoginThrottle.source == source, LoginThrottle.last_failure_at > since))
    if names >= setting("LOGIN_SOURCE_MAX_NAMES"):
        _refuse(now + _window())
    return row


def record_failure(row: LoginThrottle | None, username: str, source: str) -> None:
    now = utcnow()
    if row is None:
        row = LoginThrottle(username=username, source=source, failures=0, locks=0)
        db.session.add(row)
    elif row.last_failure_at is not None and row.last_failure_at <= now - _window():
        row.failures = 0  # old failures are forgotten; the lock count (the delay) is not
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= setting("LOGIN_MAX_FAILURES"):
        row.locks += 1
        row.failures = 0
        row.locked_until = now + min(_window() * 2 ** (row.locks - 1), MAX_LOCK)
        record_event(None, "login_throttled", details={"username": username, "source": source,
                                                        "until": row.locked_until.isoformat()})
        # Rows of long-past attempts go (a spray of made-up names would otherwise only ever add rows).
        db.session.execute(sa.delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - 2 * MAX_LOCK,
            sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    db.session.flush()


def record_success(row: LoginThrottle | None) -> None:
    if row is not None:
        db.session.delete(row)
        db.session.flush()
