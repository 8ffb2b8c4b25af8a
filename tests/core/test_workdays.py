"""Statutory periods across Chinese holidays (DOMAIN.md "Counting a period", "Working days")."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from workflow_service.core.workdays import (
    SHANGHAI,
    DayInfo,
    Due,
    HolidayCalendar,
    Period,
    compute_due,
    official_days_from_chinese_calendar,
)

UTC = timezone.utc


@pytest.fixture(scope="module")
def seed():
    return official_days_from_chinese_calendar()


@pytest.fixture(scope="module")
def calendar(seed):
    """The official data as of the 2026 notice: 2027 is not published yet.

    Restricted to <= 2026 so the tests keep their meaning once the library ships 2027."""
    days, years = seed
    return HolidayCalendar({d: i for d, i in days.items() if d.year <= 2026}, {y for y in years if y <= 2026})


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def end_of(d: date) -> datetime:
    """24:00 Asia/Shanghai of d, in UTC (16:00 UTC the same day)."""
    return datetime(d.year, d.month, d.day, 16, 0, tzinfo=UTC)


# --- the seed data -------------------------------------------------------------------------------

def test_library_covers_2004_to_2026_with_the_2026_state_council_notice(seed):
    days, years = seed
    assert set(range(2004, 2027)) <= years
    spring_festival = sorted(d for d, i in days.items() if i == DayInfo(False, "春节") and d.year == 2026)
    assert spring_festival == [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    assert days[date(2026, 2, 14)] == DayInfo(True, "春节")  # Saturday make-up day
    assert days[date(2026, 2, 28)] == DayInfo(True, "春节")  # Saturday make-up day
    national_day = sorted(d for d, i in days.items() if i == DayInfo(False, "国庆节") and d.year == 2026)
    assert national_day == [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
    assert days[date(2026, 9, 20)] == DayInfo(True, "国庆节")  # Sunday make-up day
    assert days[date(2026, 10, 10)] == DayInfo(True, "国庆节")  # Saturday make-up day


def test_weekend_holidays_are_not_overrides_and_weekdays_are_working_days(calendar):
    assert date(2026, 2, 15) not in calendar.days  # Sunday inside Spring Festival: a weekend anyway
    assert not calendar.is_working_day(date(2026, 2, 15))
    assert not calendar.is_working_day(date(2026, 2, 16))
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 3, 2))
    assert not calendar.is_working_day(date(2026, 3, 7))


# --- working days (行政处罚法 Art 85) ----------------------------------------------------------------

def test_seven_working_days_after_2026_09_28_end_on_13_october(calendar):
    due = compute_due(shanghai(2026, 9, 28, 10, 30), 7, "working_days", calendar)
    assert due == Due(end_of(date(2026, 10, 13)), date(2026, 10, 13), False)
    assert due.due_at.astimezone(SHANGHAI) == shanghai(2026, 10, 14, 0, 0)


def test_event_day_is_the_shanghai_day_not_the_utc_day(calendar):
    # 2026-09-27 17:00 UTC is already Monday 28 September 01:00 in Shanghai.
    due = compute_due(datetime(2026, 9, 27, 17, 0, tzinfo=UTC), 7, "working_days", calendar)
    assert due.last_day == date(2026, 10, 13)


def test_five_working_days_across_spring_festival_2026_count_the_14_february_make_up_day(calendar):
    # Fri 13, Sat 14 (make-up), holidays 15-23, Tue 24, Wed 25, Thu 26.
    due = compute_due(shanghai(2026, 2, 12, 9, 0), 5, "working_days", calendar)
    assert due == Due(end_of(date(2026, 2, 26)), date(2026, 2, 26), False)


def test_five_working_days_after_spring_festival_2026_count_the_28_february_make_up_day(calendar):
    # Wed 25, Thu 26, Fri 27, Sat 28 (make-up), Mon 2 March; without the make-up day: 3 March.
    due = compute_due(shanghai(2026, 2, 24, 9, 0), 5, "working_days", calendar)
    assert due.last_day == date(2026, 3, 2)


def test_three_working_days_from_an_event_during_spring_festival_start_after_it(calendar):
    due = compute_due(shanghai(2026, 2, 18, 11, 0), 3, "working_days", calendar)
    assert due.last_day == date(2026, 2, 26)


# --- calendar days and months (民事诉讼法 Art 85; 民法典 Art 201-203) -----------------------

def test_fifteen_calendar_days_ending_on_a_national_day_holiday_extend_to_8_october(calendar):
    # Nominal last day Wed 7 October, a holiday.
    due = compute_due(shanghai(2026, 9, 22, 15, 0), 15, "calendar_days", calendar)
    assert due == Due(end_of(date(2026, 10, 8)), date(2026, 10, 8), False)


def test_fifteen_calendar_days_ending_in_spring_festival_extend_to_24_february(calendar):
    # Nominal last day Fri 20 February, a holiday.
    due = compute_due(shanghai(2026, 2, 5, 15, 0), 15, "calendar_days", calendar)
    assert due.last_day == date(2026, 2, 24)


def test_fifteen_calendar_days_ending_on_a_saturday_extend_to_monday(calendar):
    due = compute_due(shanghai(2026, 3, 6, 15, 0), 15, "calendar_days", calendar)  # nominal Sat 21 Mar
    assert due.last_day == date(2026, 3, 23)


def test_fifteen_calendar_days_ending_on_a_make_up_saturday_are_not_extended(calendar):
    due = compute_due(shanghai(2026, 9, 25, 15, 0), 15, "calendar_days", calendar)  # Sat 10 Oct, make-up
    assert due.last_day == date(2026, 10, 10)


def test_ninety_calendar_days_after_filing_on_3_june_end_on_1_september(calendar):
    due = compute_due(shanghai(2026, 6, 3, 9, 0), 90, "calendar_days", calendar)
    assert due == Due(end_of(date(2026, 9, 1)), date(2026, 9, 1), False)


def test_ninety_calendar_days_ending_on_labour_day_holidays_extend_to_6_may(calendar):
    due = compute_due(shanghai(2026, 2, 3, 9, 0), 90, "calendar_days", calendar)  # nominal Mon 4 May
    assert due.last_day == date(2026, 5, 6)


def test_one_month_from_31_march_is_clamped_to_30_april(calendar):
    assert compute_due(shanghai(2026, 3, 31, 9, 0), 1, "months", calendar).last_day == date(2026, 4, 30)


def test_one_month_from_31_january_2026_ends_on_the_28_february_make_up_saturday(calendar):
    assert compute_due(shanghai(2026, 1, 31, 9, 0), 1, "months", calendar).last_day == date(2026, 2, 28)


def test_one_month_from_31_january_2024_is_clamped_to_the_leap_day(calendar):
    assert compute_due(shanghai(2024, 1, 31, 9, 0), 1, "months", calendar).last_day == date(2024, 2, 29)


def test_six_months_ending_on_national_day_extend_to_8_october(calendar):
    due = compute_due(shanghai(2026, 4, 1, 9, 0), 6, "months", calendar)
    assert due == Due(end_of(date(2026, 10, 8)), date(2026, 10, 8), False)


# --- hours (国务院令310 Art 5: hand over within 24 hours) ----------------------------------------------

def test_twenty_four_hours_are_exact_even_into_a_holiday(calendar):
    due = compute_due(shanghai(2026, 9, 30, 15, 20), 24, "hours", calendar)
    assert due == Due(datetime(2026, 10, 1, 7, 20, tzinfo=UTC), None, False)
    assert due.due_at.astimezone(SHANGHAI) == shanghai(2026, 10, 1, 15, 20)


# --- years without official data ---------------------------------------------------------------

def test_seven_working_days_into_2027_count_weekdays_only_and_are_provisional(calendar):
    # Tue 29, Wed 30, Thu 31 Dec, Fri 1 Jan (New Year not yet published), Mon 4, Tue 5, Wed 6.
    due = compute_due(shanghai(2026, 12, 28, 9, 0), 7, "working_days", calendar)
    assert due == Due(end_of(date(2027, 1, 6)), date(2027, 1, 6), True)


def test_fifteen_calendar_days_within_2027_are_provisional(calendar):
    due = compute_due(shanghai(2027, 3, 1, 9, 0), 15, "calendar_days", calendar)
    assert due == Due(end_of(date(2027, 3, 16)), date(2027, 3, 16), True)


def test_importing_the_2027_notice_changes_the_due_date_and_makes_it_final(calendar):
    # An administrator loads 2027 (fake data): Fri 1 and Mon 4 January off, Sat 2 January worked.
    imported = {
        date(2027, 1, 1): DayInfo(False, "元旦"),
        date(2027, 1, 2): DayInfo(True, "元旦"),
        date(2027, 1, 4): DayInfo(False, "元旦"),
    }
    with_2027 = HolidayCalendar({**calendar.days, **imported}, set(calendar.official_years) | {2027})
    # Tue 29, Wed 30, Thu 31, Sat 2 (make-up), Tue 5, Wed 6, Thu 7.
    due = compute_due(shanghai(2026, 12, 28, 9, 0), 7, "working_days", with_2027)
    assert due == Due(end_of(date(2027, 1, 7)), date(2027, 1, 7), False)
    assert with_2027.next_working_day_on_or_after(date(2027, 1, 1)) == (date(2027, 1, 2), False)
    assert calendar.next_working_day_on_or_after(date(2027, 1, 1)) == (date(2027, 1, 1), True)


# --- inputs ------------------------------------------------------------------------------------

def test_a_naive_start_is_refused(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_due(datetime(2026, 9, 28, 10, 30), 7, "working_days", calendar)


def test_unknown_units_and_non_positive_amounts_are_refused(calendar):
    with pytest.raises(ValueError):
        compute_due(shanghai(2026, 9, 28), 7, "weeks", calendar)
    with pytest.raises(ValueError):
        compute_due(shanghai(2026, 9, 28), 0, "working_days", calendar)


def test_periods_are_parsed_from_rule_configuration(calendar):
    assert Period.parse("7 working_days") == Period(7, "working_days")
    assert Period.parse("1 working day") == Period(1, "working_days")
    assert Period.parse(" 24 hours ") == Period(24, "hours")
    assert Period.parse("6 months") == Period(6, "months")
    assert str(Period(15, "calendar_days")) == "15 calendar_days"
    assert Period.parse("7 working days").due(shanghai(2026, 9, 28), calendar).last_day == date(2026, 10, 13)
    with pytest.raises(ValueError):
        Period.parse("seven days")
