"""Inspections and the hidden-danger ledger as officers and supervisors see them; the departments' statistics
read from the facts table (facts.py), and a recount of the same figures from the raw rows (for the tests and for
an administrator who doubts a figure)."""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound
from ...core.services import clock
from ...core.workdays import SHANGHAI, end_of_day_utc
from ...extensions import db
from ..cases.models import Case
from ..enterprises.plan_models import InspectionPlan, PlanStatus
from ..processes.models import ProcessInstance
from ..rectification.models import RectificationOrder
from ..statistics.contributors import StatisticsContributor
from ..statistics.queries import Period, _root_unit, parse_period
from ..transfers.models import CriminalTransfer
from ..users.models import Unit, User
from ..users.units import in_visible_units, sees_unit, subtree_clause
from .facts import PENALTY_KINDS, SOURCE_FIGURES, month_of
from .models import (FACT_COLUMNS, HazardStatus, HiddenDanger, Inspection, InspectionFact, InspectionPhoto, Measure,
                     Severity)
from .operations import get_inspection

FIGURES = [key for key, _ in FACT_COLUMNS] + ["fines_yuan"]
DERIVED = (("hidden_danger_rectification_rate", "隐患整改率（%）"), ("major_closure_rate", "重大隐患销号率（%）"))
PLAN_COLUMNS = (("plan_due", "计划应完成检查数（截至期末）"), ("plan_done", "计划检查完成数（年初至期末）"),
                ("plan_completion_rate", "计划完成率（%）"))


def visible_inspection(user: User, inspection_id: int) -> Inspection:
    inspection = get_inspection(inspection_id)
    if not sees_unit(user, inspection.unit):
        raise Forbidden("无权查看该检查 (this inspection belongs to another unit)")
    return inspection


def list_inspections(user: User, *, status=None, source=None, limit=50, offset=0):
    query = sa.select(Inspection).where(in_visible_units(Inspection.unit_id, user))
    if status:
        query = query.where(Inspection.status == status)
    if source:
        query = query.where(Inspection.source == source)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(Inspection.id.desc()).limit(limit).offset(offset))), total


def hazards_of(inspection: Inspection) -> list[HiddenDanger]:
    return list(db.session.scalars(sa.select(HiddenDanger).where(HiddenDanger.inspection_id == inspection.id)
                                   .order_by(HiddenDanger.id)))


def _sees_hazard(user: User):
    """The units whose ledger the user sees, and the major hidden dangers their unit supervises (挂牌督办): the
    officers of the supervising unit follow them as the unit's own work."""
    if not user.is_officer:
        return sa.false()
    return sa.or_(in_visible_units(HiddenDanger.unit_id, user), HiddenDanger.supervising_unit_id == user.unit_id)


def visible_hazard(user: User, hazard_id: int) -> HiddenDanger:
    hazard = db.session.scalar(sa.select(HiddenDanger).where(HiddenDanger.id == hazard_id, _sees_hazard(user)))
    if hazard is None:
        if db.session.get(HiddenDanger, hazard_id) is not None:
            raise Forbidden("无权查看该隐患 (this hidden danger belongs to another unit)")
        raise NotFound("隐患不存在 (no such hidden danger)")
    return hazard


def ledger(user: User, *, status=None, severity=None, overdue=None, supervised_by_me=False, measure=None,
           company=None, unit_id=None, limit=50, offset=0):
    """隐患台账 with its filters: status (整改中/待销号/已销号), severity, overdue (open past its deadline), the
    ones my unit supervises (挂牌督办), measure, company name, unit."""
    query = sa.select(HiddenDanger).where(_sees_hazard(user))
    if status:
        query = query.where(HiddenDanger.status == status)
    if severity:
        query = query.where(HiddenDanger.severity == severity)
    if measure:
        query = query.where(HiddenDanger.measure == measure)
    if company:
        query = query.where(HiddenDanger.company_name.contains(company, autoescape=True))
    if unit_id:
        query = query.where(HiddenDanger.unit_id == unit_id)
    if supervised_by_me:
        query = query.where(HiddenDanger.supervising_unit_id == user.unit_id)
    if overdue is not None:
        late = sa.and_(HiddenDanger.status == HazardStatus.rectifying.value, HiddenDanger.rectify_by.isnot(None),
                       HiddenDanger.rectify_by < clock().now())
        query = query.where(late if overdue else sa.not_(late))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(HiddenDanger.id.desc()).limit(limit).offset(offset))
    return list(rows), total


# -- the departments' statistics, from the facts -------------------------------------------------------------
def _month_clause(period: Period):
    """The facts rows of the period: a year's own row (month 00), else its months."""
    first, after = month_of(period.start), month_of(period.end)
    if period.kind == "year" and first % 100 == 1 and after == first + 100:
        return InspectionFact.month == first - 1
    return sa.and_(InspectionFact.month >= first, InspectionFact.month < after, InspectionFact.month % 100 != 0)


def _own_facts(root: Unit, period: Period, *, by_child: bool = False, keys=FIGURES) -> list[tuple[int | None, str, list]]:
    """(unit id, path, figures in FIGURES order) of every unit of the tree with facts in the period, from one
    grouped read of the facts rows (a few per unit and month). `by_child`: grouped instead by the path of the
    root's direct subordinate each unit lies under (the root's own under its path; unit id None), so a national
    roll-up reads 35 rows, not 3,400."""
    sums = [sa.func.sum(getattr(InspectionFact, k)) for k in keys]
    if by_child:
        cut = len(root.path)
        position = sa.func.strpos if db.session.get_bind().dialect.name == "postgresql" else sa.func.instr
        key = sa.func.substr(Unit.path, 1, cut + position(sa.func.substr(Unit.path, cut + 1), "/"))
        query = sa.select(sa.null(), key, *sums).group_by(key)
    else:
        query = sa.select(InspectionFact.unit_id, Unit.path, *sums).group_by(InspectionFact.unit_id, Unit.path)
    rows = db.session.execute(query.join_from(InspectionFact, Unit, Unit.id == InspectionFact.unit_id).where(
        subtree_clause(root), _month_clause(period)))
    return [(r[0], r[1], [v or 0 for v in r[2:]]) for r in rows]


def _derive(f: dict) -> dict:
    found, major = f.get("hidden_dangers_found") or 0, f.get("major_found") or 0
    return {"hidden_danger_rectification_rate":
            round(100 * (f.get("hidden_dangers_rectified") or 0) / found, 1) if found else None,
            "major_closure_rate": round(100 * (f.get("major_closed") or 0) / major, 1) if major else None}


def roll_up(shown_ids: set[int], own: list[tuple[int, str, list]]) -> dict[int, list]:
    """The figures of each shown unit with those of every unit below it: each unit's own figures are added to
    the shown units on its materialized path ("/1/4/9/" names its ancestors)."""
    width = len(own[0][2]) if own else len(FIGURES)
    totals = {uid: [0] * width for uid in shown_ids}
    for _unit_id, path, figures in own:
        for part in path.strip("/").split("/"):
            target = totals.get(int(part))
            if target is not None:
                totals[int(part)] = [a + b for a, b in zip(target, figures)]
    return totals


def _roll_up_tree(units, own: list[tuple[int, str, list]]) -> dict[int, list]:
    """roll_up for a whole subtree: each unit's total is added once to its parent's, deepest first."""
    totals = {u.id: [0] * len(FIGURES) for u in units}
    for unit_id, _path, figures in own:
        if unit_id in totals:
            totals[unit_id] = list(figures)
    for unit in sorted(units, key=lambda u: u.path.count("/"), reverse=True):
        if unit.parent_id in totals:
            totals[unit.parent_id] = [a + b for a, b in zip(totals[unit.parent_id], totals[unit.id])]
    return totals


def _figures(values: list) -> dict:
    figures = dict(zip(FIGURES, values))
    figures = {k: (round(float(v), 2) if k == "fines_yuan" else int(v)) for k, v in figures.items()}
    return {**figures, **_derive(figures)}


def inspection_statistics(actor: User, period_text: str, unit_id: int | None = None, all_units: bool = False) -> dict:
    """The figures the departments report, for a unit and the units below it, for a month, quarter or year:
    the unit itself and its direct subordinates (or every unit below, `all_units`), rolled up from the monthly
    facts (bench/inspection_rollup.py: the national roll-up)."""
    period = parse_period(period_text)
    root = _root_unit(actor, unit_id)
    shown_query = sa.select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id, Unit.path).order_by(Unit.path)
    shown_query = shown_query.where(subtree_clause(root) if all_units
                                    else sa.or_(Unit.id == root.id, Unit.parent_id == root.id))
    shown = list(db.session.execute(shown_query))
    own = _own_facts(root, period, by_child=not all_units)
    if not all_units:  # each group is a subordinate's tree (or the root's own): named by its path
        ids = {u.path: u.id for u in shown}
        own = [(ids[path], path, figures) for _none, path, figures in own if path in ids]
    totals = _roll_up_tree(shown, own) if all_units else roll_up({u.id for u in shown}, own)
    own_by_unit = {uid: figures for uid, _path, figures in own} if all_units else {}
    plan = _plan_completion(root, period, shown, own if period.kind == "year" else None, all_units)
    rows = [{"unit_id": u.id, "unit_code": u.code, "unit_name": u.name, "level": u.level, "parent_id": u.parent_id,
             "figures": {**_figures(totals[u.id]), **plan[u.id]},
             **({"own": _figures(own_by_unit.get(u.id, [0] * len(FIGURES)))} if all_units else {}),
             "flags": {"zero_filing": False, "zero_penalty": totals[u.id][FIGURES.index("penalty_decisions")] == 0},
             "stages": []}  # the shape of the statistics exports (statistics/export.py); no stage times here
            for u in shown]
    return {"period": {"label": period.label, "kind": period.kind, "start": period.start.date().isoformat(),
                       "end": period.end.date().isoformat()},
            "unit_id": root.id,
            "columns": [{"key": k, "label": label} for k, label in FACT_COLUMNS] + [{"key": "fines_yuan", "label": "罚款金额（元）"}]
            + [{"key": k, "label": label} for k, label in DERIVED + PLAN_COLUMNS],
            "plan_completion": {"basis": "年度监督检查计划（已批准或已报备）按季度进度应完成的检查数，与年初至期末的计划检查、"
                                         "双随机抽查次数相比（各计划按类别的进度见该计划的进度页）"},
            "rows": rows}


def _plan_completion(root: Unit, period: Period, shown, year_facts, all_units: bool) -> dict[int, dict]:
    """Plan completion (计划完成率) of each shown unit with the units below it: the checks the approved annual
    plans (enterprises.plan_models) make due by the end of the period (their quarterly shares) against the
    inspections counted toward a plan (计划检查 and 双随机) from 1 January to the end of the period."""
    last_day = (period.end - timedelta(days=1)).date()
    quarter = (last_day.month - 1) // 3
    plans = db.session.execute(
        sa.select(InspectionPlan.targets, InspectionPlan.quarter_shares, Unit.path).join(Unit, Unit.id == InspectionPlan.unit_id)
        .where(subtree_clause(root), InspectionPlan.year == last_day.year,
               InspectionPlan.status.in_([PlanStatus.approved.value, PlanStatus.filed.value])))
    due_rows = []
    for targets, shares, path in plans:
        planned = sum(t.get("planned") or 0 for t in targets or [])
        due_rows.append((None, path, [math.ceil(planned * (shares or [25, 50, 75, 100])[quarter] / 100)]))
    counted = ("inspections_planned", "inspections_random")
    if year_facts is None:
        # From 1 January to the period's end: the year's row less the months after the period (none, when the
        # statistics of the current month are asked for); only the two figures a plan counts.
        year_start = period.start.replace(year=last_day.year, month=1, day=1)
        year_end = year_start.replace(year=last_day.year + 1)
        ids = {u.path: u.id for u in shown}
        done_rows = []
        for part, sign in ((Period("", "year", year_start, year_end), 1), (Period("", "month", period.end, year_end), -1)):
            if part.start >= part.end:
                continue
            for uid, path, figures in _own_facts(root, part, by_child=not all_units, keys=counted):
                if not all_units:
                    uid = ids.get(path)
                if uid is not None:
                    done_rows.append((uid, path, [sign * sum(figures)]))
    else:
        at = [FIGURES.index(k) for k in counted]
        done_rows = [(uid, path, [sum(figures[i] for i in at)]) for uid, path, figures in year_facts]
    shown_ids = {u.id for u in shown}
    due, done = _sum_up(shown_ids, due_rows), _sum_up(shown_ids, done_rows)
    return {uid: {"plan_due": due[uid], "plan_done": done[uid],
                  "plan_completion_rate": round(100 * done[uid] / due[uid], 1) if due[uid] else None}
            for uid in shown_ids}


def _sum_up(shown_ids: set[int], rows) -> dict[int, int]:
    return {uid: int(values[0]) for uid, values in roll_up(shown_ids, [(u, p, v) for u, p, v in rows]).items()}


# -- the same figures counted again from the raw rows ---------------------------------------------------------
def _within(moment, period: Period) -> bool:
    return moment is not None and period.start <= moment < period.end


def recount(unit_ids: list[int], period: Period) -> dict[int, dict]:
    """Each unit's OWN figures for the period counted from inspections, ledger lines, orders, cases and transfers
    themselves (slow, exact: what the facts must equal)."""
    own: dict[int, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    year_start = period.start.replace(month=1, day=1)
    firsts: dict[tuple, datetime] = {}
    for row in db.session.scalars(sa.select(Inspection).where(
            Inspection.unit_id.in_(unit_ids), Inspection.recorded_at.isnot(None),
            Inspection.recorded_at >= year_start, Inspection.recorded_at < period.end)):
        year = row.recorded_at.astimezone(period.start.tzinfo).year
        key = (row.unit_id, year, (row.company_code or row.company_name)[:200])
        firsts[key] = min(firsts.get(key, row.recorded_at), row.recorded_at)
        if not _within(row.recorded_at, period):
            continue
        f = own[row.unit_id]
        f["inspections"] += 1
        if row.source in SOURCE_FIGURES:
            f[SOURCE_FIGURES[row.source]] += 1
        hazards = (row.findings or {}).get("hidden_dangers") or []
        f["onsite_measures"] += sum(1 for h in hazards if h.get("measure") == Measure.on_site_measure.value)
        f["orders_from_inspections"] += int(row.rectification_order_id is not None)
        f["cases_from_inspections"] += int(row.case_id is not None)
    for (unit_id, _year, _key), first in firsts.items():
        if _within(first, period):
            own[unit_id]["companies_inspected"] += 1
    for hazard, started_at in db.session.execute(
            sa.select(HiddenDanger, ProcessInstance.started_at).join(ProcessInstance,
                                                                     ProcessInstance.id == HiddenDanger.instance_id)
            .where(HiddenDanger.unit_id.in_(unit_ids))):
        f = own[hazard.unit_id]
        major = hazard.severity == Severity.major.value
        if _within(started_at, period):
            f["hidden_dangers_found"] += 1
            f["major_found"] += int(major)
        if _within(hazard.rectified_at, period):
            f["hidden_dangers_rectified"] += 1
        if _within(hazard.closed_at, period):
            f["hidden_dangers_closed"] += 1
            f["major_closed"] += int(major)
    for unit_id, in db.session.execute(sa.select(RectificationOrder.unit_id).where(
            RectificationOrder.unit_id.in_(unit_ids), RectificationOrder.issued_at >= period.start,
            RectificationOrder.issued_at < period.end)):
        own[unit_id]["orders"] += 1
    for unit_id, in db.session.execute(sa.select(CriminalTransfer.unit_id).where(
            CriminalTransfer.unit_id.in_(unit_ids), CriminalTransfer.created_at >= period.start,
            CriminalTransfer.created_at < period.end)):
        own[unit_id]["transfers"] += 1
    for unit_id, data in db.session.execute(
            sa.select(Case.unit_id, ProcessInstance.data).join(ProcessInstance, Case.instance_id == ProcessInstance.id)
            .where(Case.unit_id.in_(unit_ids))):
        data = data or {}
        try:
            decided_at = datetime.fromisoformat(str(data.get("decided_at"))) if data.get("decided_at") else None
        except ValueError:
            decided_at = None
        if data.get("case_outcome") != "penalty" or not _within(decided_at, period):
            continue
        f = own[unit_id]
        f["penalty_decisions"] += 1
        kinds = set(data.get("penalty_types") or [])
        for kind in PENALTY_KINDS:
            f[f"penalties_{kind}"] += int(kind in kinds)
        f["principals_punished"] += int((data.get("party") or {}).get("type") == "individual")
        f["fines_yuan"] += float(data.get("total_fine") or 0)
    return dict(own)


def facts_for(unit_ids: list[int], period: Period) -> dict[int, dict]:
    """Each unit's own figures as the facts table holds them (what recount() must equal)."""
    cols = [sa.func.sum(getattr(InspectionFact, k)).label(k) for k in FIGURES]
    rows = db.session.execute(sa.select(InspectionFact.unit_id, *cols).where(
        InspectionFact.unit_id.in_(unit_ids), _month_clause(period))
        .group_by(InspectionFact.unit_id))
    return {r.unit_id: {k: (float(getattr(r, k) or 0) if k == "fines_yuan" else int(getattr(r, k) or 0))
                        for k in FIGURES} for r in rows}


# -- the figures this domain adds to the supervisors' statistics table (wiring.py) ----------------------------
_CONTRIBUTED = (("inspections", "检查次数"), ("companies_inspected", "检查企业数"), ("hidden_dangers_found", "发现隐患数"),
                ("hidden_dangers_rectified", "整改隐患数"), ("major_found", "重大隐患数"), ("major_closed", "重大隐患销号数"))


def _collect(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, dict]:
    period = Period("", "", start, end)
    return {uid: {k: f[k] for k, _ in _CONTRIBUTED} for uid, f in facts_for(unit_ids, period).items()}


STATISTICS = StatisticsContributor(
    name="inspections", columns=_CONTRIBUTED, collect=_collect,
    derived=(("hidden_danger_rectification_rate", "隐患整改率（%）"),),
    derive=lambda f: {"hidden_danger_rectification_rate": _derive(f)["hidden_danger_rectification_rate"]})


def photos_of(inspection: Inspection) -> list:
    return list(db.session.scalars(sa.select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection.id)
                                   .order_by(InspectionPhoto.id)))


# -- what the enterprise registry and the annual plans read from this domain (wiring.py) ----------------------
def plan_inspection_count(unit_id: int, start, end) -> list[dict]:
    """Inspections recorded by the unit between two days (inclusive), by the plan kind they count as (重点/一般/
    双随机). A drawn company's inspection is left out here: the draw counts it (draws.record_draw_inspection)."""
    # The unit's inspections of those days (ix_inspections_unit_recorded); a drawn one is skipped here, not in SQL:
    # "draw_item_id IS NULL" made SQLite read every undrawn inspection of the service through that column's
    # unique index, which it takes for one row.
    rows = db.session.execute(sa.select(Inspection.enterprise_id, Inspection.plan_kind, Inspection.recorded_at,
                                        Inspection.draw_item_id).where(
        Inspection.unit_id == unit_id, Inspection.recorded_at >= end_of_day_utc(start - timedelta(days=1)),
        Inspection.recorded_at < end_of_day_utc(end),
        Inspection.plan_kind.isnot(None)))
    return [{"enterprise_id": enterprise_id, "kind": kind, "day": recorded_at.astimezone(SHANGHAI).date()}
            for enterprise_id, kind, recorded_at, drawn in rows if drawn is None]


HAZARD_STATUS_LABELS = {"rectifying": "整改中", "awaiting_closure": "待上级审批销号", "closed": "已销号"}


def enterprise_history(actor: User, enterprise) -> list[dict]:
    """A company's inspections and hidden dangers on its registry page (newest first there)."""
    entries = []
    inspections = list(db.session.scalars(sa.select(Inspection).where(
        Inspection.enterprise_id == enterprise.id, in_visible_units(Inspection.unit_id, actor))))
    for row in inspections:
        entries.append({"kind": "inspection", "at": row.recorded_at or row.created_at,
                        "title": f"监督检查 {row.inspection_number}", "status": row.status, "ref": row.id,
                        "url": f"/inspections/{row.id}"})
    if inspections:
        for hazard in db.session.scalars(sa.select(HiddenDanger).where(
                HiddenDanger.inspection_id.in_([r.id for r in inspections]))):
            entries.append({"kind": "hidden_danger", "at": hazard.found_at,
                            "title": f"{'重大' if hazard.severity == 'major' else '一般'}事故隐患 {hazard.ledger_number}：{hazard.description}"[:200],
                            "status": HAZARD_STATUS_LABELS.get(hazard.status, hazard.status), "ref": hazard.id,
                            "url": f"/hidden-dangers?company={enterprise.name}"})
    return entries
