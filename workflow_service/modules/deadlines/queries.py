"""Read helpers on deadlines for the people who watch them."""
from __future__ import annotations

from datetime import datetime, timedelta

from ...core.workdays import SHANGHAI
from .operations import load_calendar

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
