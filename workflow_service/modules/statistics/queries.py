"""The statistics of a unit tree for one period (month, quarter, year), in Asia/Shanghai.

Counted (each unit's own figures, then summed up the tree):
- cases filed: filing approved (立案, `filed_at`) in the period; cases closed: closed in the period;
- penalty decisions recorded in the period (`decided_at`), by penalty type, with the fines in yuan;
- no-penalty decisions (不予处罚) recorded in the period;
- overdue tasks: tasks whose deadline fell in the period (and has passed) and that were done after it or are
  still open; escalations: level-1 and level-2 alerts (督办) raised in the period;
- average days per stage: tasks completed in the period, from creation to completion, per BPMN task.
Flags on the rolled-up figures: 零立案 (no case filed) and 零处罚 (no penalty decision).

Cases are read with their projected process data (never a workflow), bounded by the unit tree and by
"open at some time in the period". See the README for the scale note.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..alerts.models import Alert
from ..cases.models import Case
from ..processes.models import ProcessInstance
from ..tasks.models import Task, TaskStatus
from ..users.models import Unit, User
from ..users.units import oversees, sees_unit, subtree_clause, unit_contains
from ...core.registry import registry

PENALTY_TYPES = (("warning", "警告"), ("fine", "罚款"), ("confiscation", "没收违法所得、非法财物"),
                 ("suspension", "责令停产停业"), ("licence", "暂扣或吊销许可证件"),
                 # 行政处罚法 Art 9 and 安全生产法 Art 92, 94, 113 (DOMAIN.md, December 2026 review)
                 ("public_criticism", "通报批评"), ("licence_suspension", "暂扣许可证件"),
                 ("qualification_downgrade", "降低资质等级"), ("licence_revocation", "吊销许可证件"),
                 ("restriction", "限制开展生产经营活动"), ("closure", "责令关闭"), ("practice_ban", "限制从业"),
                 ("certificate_revocation", "撤销资格证书"))
BASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("cases_filed", "立案数"), ("cases_closed", "结案数"), ("penalty_decisions", "行政处罚决定数"),
    *((f"penalties_{key}", label) for key, label in PENALTY_TYPES),
    ("fines_yuan", "罚款金额（元）"), ("no_penalty_decisions", "不予行政处罚决定数"),
    ("overdue_tasks", "逾期任务数"), ("late_completions", "超期办结数"), ("escalations", "督办数"),
)
# Averages over the case's life, computed after the roll-up from hidden sums (never an average of averages).
CASE_STAGE_COLUMNS = (("avg_days_to_decision", "立案至决定平均天数"), ("avg_days_to_closure", "决定至结案平均天数"))
_HIDDEN = ("_days_to_decision", "_n_to_decision", "_days_to_closure", "_n_to_closure")


@dataclass(frozen=True)
class Period:
    label: str
    kind: str  # month | quarter | year
    start: datetime
    end: datetime


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


def parse_period(text: str) -> Period:
    """"2026" (year), "2026-Q4" (quarter), "2026-10" (month); boundaries at midnight in Asia/Shanghai."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        raise ValidationFailed("统计期间无效 (period must be YYYY, YYYY-Qn or YYYY-MM)", {"period": ["例如 2026、2026-Q4、2026-10"]})
    year = int(match.group(1))
    if not 2000 <= year <= 2100:  # enforcement records of this service; also keeps datetime() in range
        raise ValidationFailed("统计期间无效 (the year must be between 2000 and 2100)", {"period": ["年份应在 2000 至 2100 之间"]})
    if match.group(2):
        first, months, kind = int(match.group(2)), 1, "month"
    elif match.group(3):
        first, months, kind = 3 * int(match.group(3)) - 2, 3, "quarter"
    else:
        first, months, kind = 1, 12, "year"
    last = first + months
    start = datetime(year, first, 1, tzinfo=SHANGHAI)
    end = datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1, tzinfo=SHANGHAI)
    return Period(match.group(0), kind, start, end)


def columns() -> list[tuple[str, str]]:
    cols = list(BASE_COLUMNS) + list(CASE_STAGE_COLUMNS)
    for contributor in registry().statistics_contributors:
        cols += list(contributor.columns) + list(contributor.derived)
    return cols


def _root_unit(actor: User, unit_id: int | None) -> Unit:
    if not oversees(actor):
        raise Forbidden("仅负责人可查看统计 (statistics are for supervisors)")
    unit = actor.unit if unit_id is None else db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在 (no such unit)")
    if not sees_unit(actor, unit):
        raise Forbidden("只能查看本单位及下级单位的统计 (only your unit and the units below it)")
    return unit


def _at(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _case_figures(unit_ids, period: Period, own) -> None:
    start, end = period.start, period.end
    rows = db.session.execute(
        sa.select(Case.unit_id, Case.closed_at, ProcessInstance.data).join(ProcessInstance, Case.instance_id == ProcessInstance.id)
        .where(Case.unit_id.in_(unit_ids), Case.created_at < end,
               sa.or_(Case.closed_at.is_(None), Case.closed_at >= start)))

    def within(moment) -> bool:
        return moment is not None and start <= moment < end

    for unit_id, closed_at, data in rows:
        data = data or {}
        figures = own[unit_id]
        filed_at, decided_at = _at(data.get("filed_at")), _at(data.get("decided_at"))
        any_decision = decided_at or _at(data.get("no_penalty_decided_at"))
        if within(filed_at):
            figures["cases_filed"] += 1
        if within(closed_at):
            figures["cases_closed"] += 1
            if any_decision:
                figures["_days_to_closure"] += (closed_at - any_decision).total_seconds() / 86400
                figures["_n_to_closure"] += 1
        if within(any_decision) and filed_at:
            figures["_days_to_decision"] += (any_decision - filed_at).total_seconds() / 86400
            figures["_n_to_decision"] += 1
        if within(decided_at) and data.get("case_outcome") == "penalty":
            figures["penalty_decisions"] += 1
            for kind in set(data.get("penalty_types") or []):
                if f"penalties_{kind}" in figures:
                    figures[f"penalties_{kind}"] += 1
            figures["fines_yuan"] += float(data.get("total_fine") or 0)
        if within(_at(data.get("no_penalty_decided_at"))):
            figures["no_penalty_decisions"] += 1


def _task_figures(unit_ids, period: Period, now, own, stages) -> None:
    start, end = period.start, period.end
    overdue = db.session.execute(
        sa.select(Task.unit_id, sa.func.count()).where(
            Task.unit_id.in_(unit_ids), Task.due_at >= start, Task.due_at < end, Task.due_at < now,
            sa.or_(sa.and_(Task.status == TaskStatus.ready.value),
                   sa.and_(Task.status == TaskStatus.completed.value, Task.completed_at > Task.due_at)))
        .group_by(Task.unit_id))
    for unit_id, count in overdue:
        own[unit_id]["overdue_tasks"] += count
    # Work done after its deadline, counted when it was done (the lateness is recorded with the completion,
    # whether the sweep or the completing step noticed the deadline first).
    late = db.session.execute(
        sa.select(Task.unit_id, sa.func.count()).where(
            Task.unit_id.in_(unit_ids), Task.late_amount.is_not(None), Task.completed_at >= start,
            Task.completed_at < end).group_by(Task.unit_id))
    for unit_id, count in late:
        own[unit_id]["late_completions"] += count
    escalations = db.session.execute(
        sa.select(ProcessInstance.unit_id, sa.func.count()).join(Alert, Alert.instance_id == ProcessInstance.id)
        .where(ProcessInstance.unit_id.in_(unit_ids), Alert.level.in_(["escalation1", "escalation2"]),
               Alert.raised_at >= start, Alert.raised_at < end)
        .group_by(ProcessInstance.unit_id))
    for unit_id, count in escalations:
        own[unit_id]["escalations"] += count
    done = db.session.execute(
        sa.select(Task.unit_id, Task.bpmn_id, Task.name, Task.created_at, Task.completed_at).where(
            Task.unit_id.in_(unit_ids), Task.status == TaskStatus.completed.value,
            Task.completed_at >= start, Task.completed_at < end))
    for unit_id, bpmn_id, name, created_at, completed_at in done:
        entry = stages[unit_id].setdefault(bpmn_id, {"name": name, "count": 0, "seconds": 0.0})
        entry["count"] += 1
        entry["seconds"] += (completed_at - created_at).total_seconds()


def _averaged(figures: dict) -> dict:
    figures["fines_yuan"] = round(figures["fines_yuan"], 2)
    for (key, _label), days, count in zip(CASE_STAGE_COLUMNS, ("_days_to_decision", "_days_to_closure"),
                                          ("_n_to_decision", "_n_to_closure")):
        figures[key] = round(figures[days] / figures[count], 1) if figures[count] else None
    for key in _HIDDEN:
        figures.pop(key)
    return figures


def unit_statistics(actor: User, period_text: str, unit_id: int | None, now) -> dict:
    period = parse_period(period_text)
    root = _root_unit(actor, unit_id)
    units = list(db.session.scalars(sa.select(Unit).where(subtree_clause(root)).order_by(Unit.path)))
    unit_ids = [u.id for u in units]
    summable = [key for key, _ in BASE_COLUMNS] + list(_HIDDEN) + [k for c in registry().statistics_contributors for k, _ in c.columns]
    own: dict[int, dict] = {u.id: {key: 0 for key in summable} for u in units}
    stages: dict[int, dict] = defaultdict(dict)
    _case_figures(unit_ids, period, own)
    _task_figures(unit_ids, period, now, own, stages)
    for contributor in registry().statistics_contributors:
        for uid, figures in (contributor.collect(unit_ids, period.start, period.end) or {}).items():
            if uid in own:
                for key, _label in contributor.columns:
                    own[uid][key] += figures.get(key) or 0
    rows = []
    for unit in units:
        below = [u for u in units if unit_contains(unit, u)]
        total = _averaged({key: sum(own[u.id][key] for u in below) for key in summable})
        for contributor in registry().statistics_contributors:
            if contributor.derive is not None:
                total.update(contributor.derive(dict(total)) or {})
        merged: dict[str, dict] = {}
        for u in below:
            for bpmn_id, entry in stages[u.id].items():
                slot = merged.setdefault(bpmn_id, {"name": entry["name"], "count": 0, "seconds": 0.0})
                slot["count"] += entry["count"]
                slot["seconds"] += entry["seconds"]
        rows.append({
            "unit_id": unit.id, "unit_code": unit.code, "unit_name": unit.name, "level": unit.level,
            "parent_id": unit.parent_id, "figures": total,
            "own": _averaged(dict(own[unit.id])),
            "stages": [{"bpmn_id": k, "name": v["name"], "count": v["count"],
                        "avg_days": round(v["seconds"] / v["count"] / 86400, 2)} for k, v in sorted(merged.items())],
            # 零立案、零处罚: flagged on what the unit and the units below it did in the period.
            "flags": {"zero_filing": total["cases_filed"] == 0, "zero_penalty": total["penalty_decisions"] == 0},
        })
    return {"period": {"label": period.label, "kind": period.kind, "start": period.start.date().isoformat(),
                       "end": period.end.date().isoformat()},
            "unit_id": root.id, "columns": [{"key": k, "label": label} for k, label in columns()], "rows": rows}
