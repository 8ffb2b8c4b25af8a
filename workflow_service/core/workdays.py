"""Working days and statutory periods (期间计算), in Asia/Shanghai.

Pure calendar arithmetic: no database, no Flask. The holiday data is passed in (the service seeds it
from `chinese_calendar` and lets an administrator import each new year's State Council notice).

The convention (see DOMAIN.md "Counting a period"):
- The event day itself is not counted (民法典 Art 201; 民事诉讼法 Art 85 by analogy).
- 行政处罚法 Art 85: its "2, 3, 5, 7 days" are working days: public holidays and weekends excluded,
  make-up working days (调休) included. N working days end at 24:00 of the N-th working day.
- Calendar days and months end at 24:00 of their last day; a last day that is not a working day
  moves to the next working day (民事诉讼法 Art 85; 民法典 Art 203). Months end on the corresponding
  day of the last month, or its last day when it has none (民法典 Art 202).
- Hours are clock time from the exact instant of the event.
- China publishes each year's holidays late in the year before. A year without official data is counted
  on weekdays only and every result touching it is provisional, to be recomputed once the notice is loaded.
"""
from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

UNITS = ("working_days", "calendar_days", "hours", "months")

# chinese_calendar names holidays in English only; the service shows Chinese.
_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class DayInfo:
    """An official override of the weekday rule: a holiday on a weekday, or a make-up day on a weekend.

    `name` is the holiday's name (for a make-up day: the holiday it makes up for)."""

    is_working_day: bool
    name: str | None = None


class HolidayCalendar:
    """Working-day arithmetic over official overrides; weekdays only where a year has no official data."""

    def __init__(self, days: Mapping[date, DayInfo], official_years: set[int]) -> None:
        self.days = dict(days)
        self.official_years = frozenset(official_years)

    def is_working_day(self, d: date) -> bool:
        info = self.days.get(d)
        if info is not None:
            return info.is_working_day
        return d.weekday() < 5

    def has_official_data(self, year: int) -> bool:
        return year in self.official_years

    def provisional_between(self, first: date, last: date) -> bool:
        """True when any year from `first` to `last` lacks official data."""
        return any(not self.has_official_data(y) for y in range(first.year, last.year + 1))

    def add_working_days(self, d: date, n: int) -> tuple[date, bool]:
        """The n-th working day after d (d itself not counted), and whether it is provisional."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = d
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day, self.provisional_between(d, day)

    def next_working_day_on_or_after(self, d: date) -> tuple[date, bool]:
        day = d
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day, self.provisional_between(d, day)


def official_days_from_chinese_calendar() -> tuple[dict[date, DayInfo], set[int]]:
    """Seed data: every weekday holiday and every weekend make-up day the library knows.

    The covered years are those between the first and the last year of its holiday table: that is the
    range the library itself accepts (it raises NotImplementedError outside it)."""
    from chinese_calendar import constants  # lazy: only seeding needs the library

    days: dict[date, DayInfo] = {}
    for d, raw in constants.holidays.items():
        if d.weekday() < 5:
            days[d] = DayInfo(False, _holiday_name(raw))
    for d, raw in constants.workdays.items():
        if d.weekday() >= 5:
            days[d] = DayInfo(True, _holiday_name(raw))
    years = [d.year for d in constants.holidays]
    return days, set(range(min(years), max(years) + 1))


def _holiday_name(raw: object) -> str | None:
    value = getattr(raw, "value", raw)  # an enum member in some versions, its plain value in others
    if isinstance(value, tuple):  # ("Spring Festival", "春节", n)
        return str(value[1] if len(value) > 1 else value[0])
    if value is None:
        return None
    return _CHINESE_NAMES.get(str(value), str(value))


@dataclass(frozen=True)
class Period:
    """A configured period, e.g. `Period.parse("7 working_days")`."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown period unit {self.unit!r}; expected one of {', '.join(UNITS)}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError(f"period amount must be a positive integer, got {self.amount!r}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Accepts "7 working_days", "7 working days", "1 working day", "24 hours", "3 months"."""
        match = re.fullmatch(r"\s*(\d+)\s*([a-z_ ]+?)\s*", text.lower())
        if not match:
            raise ValueError(f"cannot parse period {text!r}")
        unit = re.sub(r"[ _]+", "_", match.group(2))
        if not unit.endswith("s"):
            unit += "s"
        return cls(int(match.group(1)), unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"

    def due(self, start: datetime, calendar: HolidayCalendar) -> Due:
        return compute_due(start, self.amount, self.unit, calendar)


@dataclass(frozen=True)
class Due:
    due_at: datetime  # aware UTC; for day periods 24:00 Asia/Shanghai of last_day
    last_day: date | None  # in Asia/Shanghai; None for periods in hours
    provisional: bool  # a year consulted had no official holiday data


def compute_due(start: datetime, amount: int, unit: str, calendar: HolidayCalendar) -> Due:
    """When a period of `amount` `unit` that starts with the event at `start` runs out."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    Period(amount, unit)  # validates
    if unit == "hours":
        return Due(start.astimezone(timezone.utc) + timedelta(hours=amount), None, False)

    event_day = start.astimezone(SHANGHAI).date()
    if unit == "working_days":
        last_day, provisional = calendar.add_working_days(event_day, amount)
    else:
        if unit == "calendar_days":
            nominal = event_day + timedelta(days=amount)
        else:
            nominal = add_months(event_day, amount)
        last_day, _ = calendar.next_working_day_on_or_after(nominal)
        provisional = calendar.provisional_between(event_day, last_day)
    return Due(end_of_day_utc(last_day), last_day, provisional)


def add_months(d: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day (民法典 Art 202)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def end_of_day_utc(d: date) -> datetime:
    """24:00 of `d` in Asia/Shanghai, i.e. 00:00 of the next day, as aware UTC."""
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)
