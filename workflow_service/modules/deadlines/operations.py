"""Computing deadlines from the rule table and the holiday calendar; administering both."""
from __future__ import annotations

import threading
from importlib.metadata import version
from dataclasses import dataclass, make_dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...core.clock import as_utc
from ...core.db import read_once, transaction_memo
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI, DayInfo, Due, HolidayCalendar, compute_due, official_days_from_chinese_calendar
from ...extensions import db
from ..audit.operations import record_event
from ..timers.models import Timer
from ..users.models import Role
from .models import CalendarDay, CalendarYear, DeadlineRule, PeriodUnit
from .seed import rule_rows


@dataclass(frozen=True)
class Deadline:
    rule: "RuleVersion"
    start: datetime
    due: Due
    warning_at: datetime
    escalation2_at: datetime

    @property
    def basis(self) -> str:
        return self.rule.legal_basis


# -- the calendar and the rule table, cached per process and reloaded when they change -------------------
# Every engine step that starts a deadline needs both. One statement tells whether either changed since they
# were cached: the calendar by its imported years (count, last import), the rule table by its rows (count,
# last id, last change) and by sums of everything that computes a date (amount, unit, warning lead, level-2
# delay) — so an edit is seen even when the (settable) clock gave it the same or an earlier timestamp. A
# change made in this process also drops the cache at once (`forget`).
_cache_lock = threading.Lock()
_cache: dict = {"calendar_key": None, "calendar": None, "rules_key": None, "rules": None}

_R = DeadlineRule
_RULES_VERSION = sa.select(
    sa.func.count(_R.id), sa.func.max(_R.id), sa.func.max(_R.updated_at), sa.func.sum(_R.amount),
    sa.func.sum(_R.warning_lead_hours), sa.func.sum(_R.escalation2_after_hours), sa.func.sum(sa.func.length(_R.unit)),
    sa.func.sum(sa.func.length(_R.legal_basis))).subquery()
_VERSIONS = sa.select(
    sa.select(sa.func.count(CalendarYear.year)).scalar_subquery(),
    sa.select(sa.func.max(CalendarYear.imported_at)).scalar_subquery(),
    *_RULES_VERSION.c,
)


def _versions() -> tuple[tuple, tuple]:
    """(calendar version, rules version) of the session's database, read once per transaction (every deadline a
    step or a sweep computes asks for them)."""
    return read_once(db.session(), "deadline_versions", _read_versions)


def _read_versions() -> tuple[tuple, tuple]:
    row = db.session.execute(_VERSIONS).one()
    database = str(db.engine.url)
    return (database, row[0], str(row[1])), (database, *(str(v) for v in row[2:]))


def forget() -> None:
    """Drop the cached calendar and rules (after this process changed either), and this transaction's versions."""
    with _cache_lock:
        _cache.update(calendar_key=None, calendar=None, rules_key=None, rules=None)
    transaction_memo(db.session()).pop("deadline_versions", None)


def load_calendar(version: tuple | None = None) -> HolidayCalendar:
    key = version or _versions()[0]
    with _cache_lock:
        if _cache["calendar_key"] == key:
            return _cache["calendar"]
    days = {d.day: DayInfo(d.is_working_day, d.name) for d in db.session.scalars(sa.select(CalendarDay))}
    years = set(db.session.scalars(sa.select(CalendarYear.year)))
    calendar = HolidayCalendar(days, years)
    with _cache_lock:
        _cache.update(calendar_key=key, calendar=calendar)
    return calendar


# -- rules -----------------------------------------------------------------------------------------
# A rule as cached: the columns of a deadline_rules row, read-only and detached from any session.
RuleVersion = make_dataclass("RuleVersion", [c.name for c in DeadlineRule.__table__.columns], frozen=True)


def _rules(version: tuple | None = None) -> dict[str, list]:
    key = version or _versions()[1]
    with _cache_lock:
        if _cache["rules_key"] == key:
            return _cache["rules"]
    columns = [c.name for c in DeadlineRule.__table__.columns]
    rules: dict[str, list] = {}
    for row in db.session.execute(sa.select(*DeadlineRule.__table__.columns)):
        rules.setdefault(row.rule_id, []).append(RuleVersion(**{c: getattr(row, c) for c in columns}))
    with _cache_lock:
        _cache.update(rules_key=key, rules=rules)
    return rules


def rule_versions(rule_id: str | None) -> tuple:
    """Every version of a rule (every jurisdiction), from this process's copy: read again only when the rules
    changed."""
    return tuple(_rules().get(rule_id, ())) if rule_id else ()


def find_rule(rule_id: str, jurisdiction: str | None = None, on: date | None = None, *,
              version: tuple | None = None, version_id: int | None = None) -> RuleVersion:
    """The rule in force on `on`: a province's own version wins over the national one. `version_id`: the
    version a running period was computed with (timers.rule_version_id), used again while it exists."""
    if version_id is not None:
        for rule in _rules(version).get(rule_id, ()):
            if rule.id == version_id:
                return rule
    on = on or clock().now().astimezone(SHANGHAI).date()
    jurisdictions = {j for j in (jurisdiction, "national") if j}
    candidates = [r for r in _rules(version).get(rule_id, ())
                  if r.jurisdiction in jurisdictions and r.effective_from <= on
                  and (r.effective_to is None or r.effective_to > on)]
    if not candidates:
        raise NotFound(f"期限规则不存在 (no deadline rule {rule_id!r})", {"rule": ["期限规则不存在"]})
    candidates.sort(key=lambda r: (r.jurisdiction == "national", -r.effective_from.toordinal()))
    return candidates[0]


def compute_deadline(rule_id: str, start: datetime, jurisdiction: str | None = None, *,
                     version_id: int | None = None) -> Deadline:
    """The period of `rule_id` starting at `start`, on the rule's version in force on the start day (the
    filing date for the decision limit), or on `version_id` when a running period already has one."""
    if start.tzinfo is None:
        raise ValidationFailed("起算时间须带时区 (the start time needs an offset)", {"from": ["include an offset"]})
    calendar_version, rules_version = _versions()
    rule = find_rule(rule_id, jurisdiction, start.astimezone(SHANGHAI).date(), version=rules_version,
                     version_id=version_id)
    due = compute_due(start, rule.amount, rule.unit, load_calendar(calendar_version))
    return Deadline(rule=rule, start=as_utc(start), due=due,
                    warning_at=due.due_at - timedelta(hours=rule.warning_lead_hours),
                    escalation2_at=due.due_at + timedelta(hours=rule.escalation2_after_hours))


def list_rules() -> list[DeadlineRule]:
    return list(db.session.scalars(sa.select(DeadlineRule).order_by(DeadlineRule.rule_id, DeadlineRule.jurisdiction,
                                                                    DeadlineRule.effective_from)))


@dataclass(frozen=True)
class RuleWithVersions:
    """One rule id as people read it: the national version in force today, and every version by date."""

    current: DeadlineRule
    versions: list

    def __getattr__(self, name):
        return getattr(self.current, name)


def rules_with_versions(on: date | None = None) -> list[RuleWithVersions]:
    on = on or clock().now().astimezone(SHANGHAI).date()
    grouped: dict[str, list[DeadlineRule]] = {}
    for row in list_rules():
        grouped.setdefault(row.rule_id, []).append(row)
    result = []
    for rule_id, rows in grouped.items():
        national = [r for r in rows if r.jurisdiction == "national"] or rows
        in_force = [r for r in national if r.effective_from <= on and (r.effective_to is None or r.effective_to > on)]
        current = (in_force or sorted(national, key=lambda r: r.effective_from))[-1]
        result.append(RuleWithVersions(current, rows))
    return result


def _used(rule: DeadlineRule) -> bool:
    """Whether a deadline was computed with this version (a timer records it)."""
    return db.session.scalar(sa.select(Timer.id).where(Timer.rule_version_id == rule.id).limit(1)) is not None


# The columns that change a computed date: a version in use is never edited in them.
_COMPUTING = ("amount", "unit", "warning_lead_hours", "escalation2_after_hours")


def update_rule(actor, rule_id: str, changes: dict, jurisdiction: str = "national") -> DeadlineRule:
    """An administrator tunes a rule (e.g. a province's legal-review period); audited with before/after."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可修改期限规则 (administrators only)")
    rule = db.session.scalar(sa.select(DeadlineRule).where(DeadlineRule.rule_id == rule_id,
                                                           DeadlineRule.jurisdiction == jurisdiction)
                             .order_by(DeadlineRule.effective_from.desc()).limit(1))
    created = False
    if rule is None:
        base = find_rule(rule_id)
        rule = DeadlineRule(**{c.name: getattr(base, c.name) for c in DeadlineRule.__table__.columns if c.name != "id"})
        rule.jurisdiction = jurisdiction
        db.session.add(rule)
        created = True
    if "unit" in changes:
        try:
            PeriodUnit(changes["unit"])
        except ValueError:
            raise ValidationFailed("期限单位无效 (invalid unit)", {"unit": [f"one of {[u.value for u in PeriodUnit]}"]})
    today = clock().now().astimezone(SHANGHAI).date()
    new_version = None
    if not created and any(k in changes for k in _COMPUTING) and _used(rule):
        # Deadlines were computed with this version: it stays as it is for them, and the change is a new
        # version from today (a period that starts from today on uses it).
        if rule.effective_from >= today:
            raise Conflict("该版本已用于计算期限，不能修改；请于次日起生效新版本 (this version is in use; change it from "
                           "tomorrow)", code="rule_version_in_use")
        new_version = DeadlineRule(**{c.name: getattr(rule, c.name) for c in DeadlineRule.__table__.columns
                                      if c.name != "id"})
        new_version.effective_from = today
        rule.effective_to = today
        rule.updated_at = clock().now()
        db.session.add(new_version)
        rule = new_version
    before = {k: getattr(rule, k) for k in changes}
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.updated_at = clock().now()
    db.session.flush()
    forget()
    record_event(actor, "deadline_rule_changed", details={
        "rule": rule_id, "jurisdiction": jurisdiction, "created": created,
        "new_version_from": str(today) if new_version is not None else None,
        "before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in changes.items()}})
    return rule


def seed_rules() -> int:
    """The national versions of seed.py that the table lacks. A version overlapping a row already there (an
    administrator's or a migration's) is not added: the table's rows win."""
    existing = db.session.execute(sa.select(DeadlineRule.rule_id, DeadlineRule.effective_from,
                                            DeadlineRule.effective_to)
                                  .where(DeadlineRule.jurisdiction == "national")).all()
    now = clock().now()
    added = 0
    for row in rule_rows():
        if any(rule_id == row["rule_id"] and _overlap(start, end, row["effective_from"], row["effective_to"])
               for rule_id, start, end in existing):
            continue
        db.session.add(DeadlineRule(**row, updated_at=now))
        added += 1
    db.session.flush()
    forget()
    return added


def _overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


# -- the holiday calendar ----------------------------------------------------------------------------
def seed_calendar_from_library() -> list[int]:
    """Official arrangements for every year the chinese_calendar library covers (2004-2026 in 1.11)."""
    days, years = official_days_from_chinese_calendar()
    loaded = set(db.session.scalars(sa.select(CalendarYear.year)))
    added = sorted(years - loaded)
    source = f"chinesecalendar {version('chinesecalendar')}"
    now = clock().now()
    for year in added:
        for day, info in days.items():
            if day.year == year:
                db.session.add(CalendarDay(day=day, is_working_day=info.is_working_day, name=info.name, year=year))
        db.session.add(CalendarYear(year=year, source=source, imported_at=now))
    db.session.flush()
    forget()
    return added


def import_calendar_year(actor, year: int, holidays: list[dict], workdays: list[dict], source: str) -> CalendarYear:
    """Load a year's official arrangement (holidays and make-up working days); provisional deadlines of that
    year are recomputed by the caller (see steps/calendar.py)."""
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可导入节假日安排 (administrators only)")
    errors: dict[str, list[str]] = {}
    entries: dict[date, CalendarDay] = {}
    for kind, items, working in (("holidays", holidays, False), ("workdays", workdays, True)):
        for i, item in enumerate(items):
            day = item["date"]
            if day.year != year:
                errors.setdefault(f"{kind}.{i}.date", []).append(f"不在 {year} 年内 (not in {year})")
            elif day in entries:
                errors.setdefault(f"{kind}.{i}.date", []).append("日期重复 (duplicate date)")
            elif working and day.weekday() < 5:
                errors.setdefault(f"{kind}.{i}.date", []).append("调休上班日应为周末 (a make-up working day is a weekend day)")
            elif not working and day.weekday() >= 5:
                continue  # a holiday on a weekend changes nothing
            else:
                entries[day] = CalendarDay(day=day, is_working_day=working, name=item.get("name"), year=year)
    if errors:
        raise ValidationFailed("节假日安排有误 (the arrangement has errors)", errors)
    db.session.execute(sa.delete(CalendarDay).where(CalendarDay.year == year))
    db.session.add_all(entries.values())
    row = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source = source
    row.imported_at = clock().now()
    row.imported_by_id = getattr(actor, "id", None)
    db.session.add(row)
    db.session.flush()
    forget()
    record_event(actor, "calendar_imported", details={
        "year": year, "source": source, "holidays": len([e for e in entries.values() if not e.is_working_day]),
        "workdays": len([e for e in entries.values() if e.is_working_day])})
    return row
