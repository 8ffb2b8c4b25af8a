"""Annual inspection plans (年度监督检查计划): drafted by a unit's 负责人, approved by its 正职负责人, filed with the
unit above (报上级备案), and measured at any date against what was inspected.

A target is a class inspected so many times per company (`times_per_company`: planned = times × the unit's
active companies of that class when the plan is approved) or a plain count (`count`), for one kind of
inspection: 重点检查, 一般检查 or 双随机抽查. The year's target is due by quarters (`quarter_shares`, cumulative
percent); a quarter that ended below its share is behind (预警), shown on the plan and on the supervision list
of the unit above.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.registry import registry
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..users.models import Role
from ..users.units import in_visible_units, sees_unit
from .models import Enterprise, EnterpriseStatus
from .plan_models import DrawItem, InspectionKind, InspectionPlan, PlanStatus, RandomDraw
from .queries import scheme_for_unit

PLANNER_ROLES = (Role.supervisor, Role.principal_head)
DEFAULT_QUARTER_SHARES = [25, 50, 75, 100]


def today() -> date:
    return clock().now().astimezone(SHANGHAI).date()


def _check_targets(targets: list[dict], scheme) -> list[dict]:
    if not isinstance(targets, list) or not targets:
        raise ValidationFailed("至少填写一项检查目标", {"targets": ["不能为空"]})
    codes = set(scheme.level_codes()) if scheme is not None else set()
    clean, problems, seen = [], {}, set()
    for i, target in enumerate(targets):
        kind = str(target.get("kind") or "")
        classification = target.get("classification") or None
        times, count = target.get("times_per_company"), target.get("count")
        if kind not in {k.value for k in InspectionKind}:
            problems[f"targets.{i}.kind"] = ["应为 key（重点检查）、general（一般检查）、random（双随机抽查）或 cases（立案查处）"]
        if classification is not None and classification not in codes:
            problems[f"targets.{i}.classification"] = [f"不在本省分类分级方案中（{'、'.join(sorted(codes)) or '未设置'}）"]
        if (times is None) == (count is None):
            problems[f"targets.{i}"] = ["按企业次数（times_per_company）或总数（count）二者填一项"]
        for name, value in (("times_per_company", times), ("count", count)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or not 0 < value <= (12 if name == "times_per_company" else 1_000_000)):
                problems[f"targets.{i}.{name}"] = ["应为正整数（每家每年至多 12 次）" if name == "times_per_company"
                                                   else "应为正整数"]
        if times is not None and classification is None:
            problems[f"targets.{i}.classification"] = ["按企业次数的目标须指定分类"]
        every = target.get("every_years") or 1
        if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 5:
            problems[f"targets.{i}.every_years"] = ["每几年一轮应为 1–5"]
        key = (kind, classification)
        if key in seen:
            problems[f"targets.{i}"] = ["同一检查方式和分类的目标重复"]
        seen.add(key)
        clean.append({"kind": kind, "classification": classification, "times_per_company": times,
                      "every_years": every if times is not None else None, "count": count})
    if problems:
        raise ValidationFailed("检查目标有误", problems)
    return clean


def _check_shares(shares) -> list[int]:
    shares = DEFAULT_QUARTER_SHARES if shares is None else shares
    ok = (isinstance(shares, list) and len(shares) == 4 and all(isinstance(s, int) and 0 <= s <= 100 for s in shares)
          and shares == sorted(shares) and shares[3] == 100)
    if not ok:
        raise ValidationFailed("季度进度比例有误", {"quarter_shares": ["四个累计百分比，逐季不减，第四季度为 100"]})
    return list(shares)


def _require_planner(actor, unit_id: int) -> None:
    if not (actor.is_officer and actor.unit_id == unit_id and any(actor.has_role(r) for r in PLANNER_ROLES)):
        raise Forbidden("仅本单位负责人可编制年度监督检查计划")


def create_plan(actor, *, year: int, title: str, targets: list[dict], quarter_shares=None,
                notes: str = "") -> InspectionPlan:
    _require_planner(actor, actor.unit_id)
    this_year = today().year
    if not this_year - 1 <= year <= this_year + 1:
        raise ValidationFailed("计划年度无效", {"year": [f"应为 {this_year - 1}–{this_year + 1} 年"]})
    if db.session.scalar(sa.select(InspectionPlan.id).filter_by(unit_id=actor.unit_id, year=year)):
        raise Conflict(f"本单位 {year} 年度监督检查计划已存在", {"year": ["已有计划"]})
    plan = InspectionPlan(unit_id=actor.unit_id, year=year, title=(title or "").strip()[:200] or f"{year}年度监督检查计划",
                          targets=_check_targets(targets, scheme_for_unit(actor.unit)),
                          quarter_shares=_check_shares(quarter_shares), notes=(notes or "")[:5000],
                          status=PlanStatus.draft.value, created_at=clock().now(), created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    record_event(actor, "inspection_plan_drafted", details={"plan_id": plan.id, "year": year})
    return plan


def get_plan(actor, plan_id: int) -> InspectionPlan:
    """The plan, for anyone who sees its unit (the unit above sees the plans filed with it, and those below)."""
    plan = db.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("监督检查计划不存在")
    if not sees_unit(actor, plan.unit):
        raise Forbidden("无权查看该监督检查计划")
    return plan


def update_plan(actor, plan_id: int, *, title=None, targets=None, quarter_shares=None, notes=None) -> InspectionPlan:
    plan = get_plan(actor, plan_id)
    _require_planner(actor, plan.unit_id)
    if plan.status != PlanStatus.draft.value:
        raise Conflict("计划已批准，不能修改", {"status": [plan.status]})
    if title is not None:
        plan.title = title.strip()[:200] or plan.title
    if targets is not None:
        plan.targets = _check_targets(targets, scheme_for_unit(plan.unit))
    if quarter_shares is not None:
        plan.quarter_shares = _check_shares(quarter_shares)
    if notes is not None:
        plan.notes = notes[:5000]
    db.session.flush()
    record_event(actor, "inspection_plan_updated", details={"plan_id": plan.id})
    return plan


def companies_by_class(unit_id: int) -> dict[str | None, int]:
    return dict(db.session.execute(
        sa.select(Enterprise.classification, sa.func.count()).where(
            Enterprise.unit_id == unit_id, Enterprise.status == EnterpriseStatus.active.value)
        .group_by(Enterprise.classification)).all())


def planned_for(target: dict, companies: int) -> int:
    return math.ceil(target["times_per_company"] * companies / (target.get("every_years") or 1))


def approve_plan(actor, plan_id: int) -> InspectionPlan:
    """批准: the unit's 正职负责人 approves the plan; per-company targets become counts over the companies of
    their class in the registry today."""
    plan = get_plan(actor, plan_id)
    if not (actor.is_officer and actor.unit_id == plan.unit_id and actor.has_role(Role.principal_head)):
        raise Forbidden("仅本单位正职负责人可批准年度监督检查计划")
    if plan.status != PlanStatus.draft.value:
        raise Conflict("计划已批准", {"status": [plan.status]})
    counts = companies_by_class(plan.unit_id)
    targets = []
    for target in plan.targets:
        target = dict(target)
        if target["times_per_company"] is not None:
            target["companies"] = counts.get(target["classification"], 0)
            target["planned"] = planned_for(target, target["companies"])
        else:
            target["planned"] = target["count"]
        targets.append(target)
    if not any(t["planned"] for t in targets):
        raise ValidationFailed("计划检查总数为零：名录中没有目标分类的单位", {"targets": ["计划数为 0"]})
    plan.targets = targets
    plan.status, plan.approved_at, plan.approved_by_id = PlanStatus.approved.value, clock().now(), actor.id
    db.session.flush()
    record_event(actor, "inspection_plan_approved", details={"plan_id": plan.id,
                                                             "planned": sum(t["planned"] for t in targets)})
    return plan


def file_plan(actor, plan_id: int) -> InspectionPlan:
    """报上级备案: the approved plan goes to the unit above, whose leadership sees it and acknowledges it."""
    plan = get_plan(actor, plan_id)
    _require_planner(actor, plan.unit_id)
    if plan.status != PlanStatus.approved.value:
        raise Conflict("只有已批准、未报备的计划可以报备", {"status": [plan.status]})
    plan.status, plan.filed_at, plan.filed_with_unit_id = PlanStatus.filed.value, clock().now(), plan.unit.parent_id
    db.session.flush()
    record_event(actor, "inspection_plan_filed", details={"plan_id": plan.id,
                                                          "filed_with_unit_id": plan.filed_with_unit_id})
    return plan


def acknowledge_plan(actor, plan_id: int) -> InspectionPlan:
    """备案确认 by a 负责人 of the unit the plan was filed with."""
    plan = get_plan(actor, plan_id)
    if not (actor.unit_id == plan.unit.parent_id and any(actor.has_role(r) for r in PLANNER_ROLES)):
        raise Forbidden("仅受理备案的上级单位负责人可确认备案")
    if plan.status != PlanStatus.filed.value or plan.filed_with_unit_id != actor.unit_id:
        raise Conflict("计划尚未报备", {"status": [plan.status]})
    if plan.acknowledged_at is not None:
        raise Conflict("已确认备案")
    plan.acknowledged_at, plan.acknowledged_by_id = clock().now(), actor.id
    db.session.flush()
    record_event(actor, "inspection_plan_acknowledged", details={"plan_id": plan.id})
    return plan


def list_plans(actor, *, year: int | None = None, limit: int = 50, offset: int = 0):
    query = sa.select(InspectionPlan).where(in_visible_units(InspectionPlan.unit_id, actor))
    if year:
        query = query.where(InspectionPlan.year == year)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(InspectionPlan.year.desc(), InspectionPlan.unit_id)
                               .limit(limit).offset(offset)).all()
    return list(items), total


# -- progress -------------------------------------------------------------------------------------------------
def draw_inspections(unit_id: int, start: date, end: date) -> list[dict]:
    """The built-in count source: drawn companies whose inspection is recorded done (双随机抽查)."""
    rows = db.session.execute(sa.select(DrawItem.enterprise_id, DrawItem.inspected_on).join(RandomDraw).where(
        RandomDraw.unit_id == unit_id, DrawItem.inspected_on.between(start, end))).all()
    return [{"enterprise_id": e, "kind": InspectionKind.random.value, "day": d} for e, d in rows]


def filed_cases(unit_id: int, start: date, end: date) -> list[dict]:
    """Cases the unit filed between the two days (Shanghai dates), for a 立案查处 target."""
    since = datetime.combine(start, time(0), tzinfo=SHANGHAI)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    rows = db.session.execute(sa.select(Case.enterprise_id, Case.created_at).where(
        Case.unit_id == unit_id, Case.created_at >= since, Case.created_at < until)).all()
    return [{"enterprise_id": e, "kind": InspectionKind.cases.value, "day": at.astimezone(SHANGHAI).date()}
            for e, at in rows]


def quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)


def progress(plan: InspectionPlan, at: date) -> dict:
    """How far the plan is on `at`: per target (planned, done, share) and per quarter (due, done by its end or by
    `at`, behind when a quarter that has ended fell short of its cumulative share). Inspections are counted from
    every connected source (registry().inspection_count_sources) and the draws of the unit."""
    start = date(plan.year, 1, 1)
    end = min(at, date(plan.year, 12, 31))
    done_rows: list[dict] = []
    if end >= start:
        done_rows = draw_inspections(plan.unit_id, start, end) + filed_cases(plan.unit_id, start, end)
        for _name, source in registry().inspection_count_sources:
            done_rows.extend(source(plan.unit_id, start, end))
    classes = dict(db.session.execute(sa.select(Enterprise.id, Enterprise.classification).where(
        Enterprise.id.in_({r["enterprise_id"] for r in done_rows} or {-1}))).all())
    targets = []
    for target in plan.targets:
        planned = target.get("planned")
        if planned is None:  # a draft: what approving today would plan
            planned = (planned_for(target, companies_by_class(plan.unit_id).get(target["classification"], 0))
                       if target["times_per_company"] is not None else target["count"])
        matching = [r for r in done_rows if r["kind"] == target["kind"] and (
            target["classification"] is None or classes.get(r["enterprise_id"]) == target["classification"])]
        quarters = []
        for q, share in enumerate(plan.quarter_shares, start=1):
            q_end = quarter_end(plan.year, q)
            due = math.ceil(planned * share / 100)
            done = sum(1 for r in matching if r["day"] <= min(q_end, end))
            ended = q_end < at
            quarters.append({"quarter": q, "ends_on": q_end, "due": due, "done": done, "ended": ended,
                             "behind": ended and done < due})
        done_total = len(matching)
        targets.append({**target, "planned": planned, "done": done_total,
                        "rate": round(100 * done_total / planned, 1) if planned else None, "quarters": quarters})
    planned_total = sum(t["planned"] for t in targets)
    done_total = sum(t["done"] for t in targets)
    behind = [{"kind": t["kind"], "classification": t["classification"], "quarter": q["quarter"],
               "due": q["due"], "done": q["done"]} for t in targets for q in t["quarters"] if q["behind"]]
    return {"plan_id": plan.id, "at": at, "planned": planned_total, "done": done_total,
            "rate": round(100 * done_total / planned_total, 1) if planned_total else None,
            "targets": targets, "behind": behind, "alert": bool(behind)}


def plans_behind(actor, at: date, limit: int = 50) -> list[tuple[InspectionPlan, dict]]:
    """This year's approved plans of the units the actor sees that have a quarter behind at `at` (预警), with
    their progress: the supervision page of the unit and of the units above."""
    rows = db.session.scalars(sa.select(InspectionPlan).where(
        in_visible_units(InspectionPlan.unit_id, actor), InspectionPlan.year == at.year,
        InspectionPlan.status != PlanStatus.draft.value).order_by(InspectionPlan.unit_id).limit(500)).all()
    behind = [(plan, progress(plan, at)) for plan in rows]
    return [(plan, p) for plan, p in behind if p["alert"]][:limit]
