"""What a case looks like to the people who may see it: list, detail, deadlines, timeline."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound
from ...extensions import db
from ..audit.models import AuditEvent
from ..deadlines.models import DeadlineRule
from ..tasks.models import Task, TaskStatus
from ..timers.models import Timer, TimerStatus
from ..users.models import Role, Unit, User
from .models import Case


def _visible_units(user: User):
    """Own unit; supervisors, principal heads and administrators also see the units below theirs."""
    if any(user.has_role(r) for r in (Role.supervisor, Role.principal_head, Role.admin)):
        return sa.select(Unit.id).where(Unit.path.startswith(user.unit.path))
    return sa.select(Unit.id).where(Unit.id == user.unit_id)


def can_view_case(user: User, case: Case) -> bool:
    return db.session.scalar(_visible_units(user).where(Unit.id == case.unit_id)) is not None


def get_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if not can_view_case(user, case):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    return case


def list_cases(user: User, *, unit_id=None, stage=None, overdue=None, status=None, now=None, limit=50, offset=0):
    query = sa.select(Case).where(Case.unit_id.in_(_visible_units(user)))
    if unit_id is not None:
        query = query.where(Case.unit_id == unit_id)
    if status:
        query = query.where(Case.status == status)
    open_task = sa.select(Task.instance_id).where(Task.status == TaskStatus.ready.value)
    if stage:
        query = query.where(Case.instance_id.in_(open_task.where(Task.bpmn_id == stage)))
    if overdue:
        query = query.where(Case.instance_id.in_(open_task.where(Task.due_at < now)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Case.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def open_tasks(case: Case) -> list[Task]:
    return list(db.session.scalars(sa.select(Task).where(Task.instance_id == case.instance_id,
                                                         Task.status == TaskStatus.ready.value).order_by(Task.id)))


def deadlines(case: Case, include_fired: bool = False) -> list[dict]:
    """Every running deadline of the case with its rule and legal basis (`include_fired`: and those already
    run out, for the case page's full list)."""
    statuses = [TimerStatus.waiting.value] + ([TimerStatus.fired.value] if include_fired else [])
    timers = db.session.scalars(sa.select(Timer).where(Timer.instance_id == case.instance_id,
                                                       Timer.status.in_(statuses))
                                .order_by(Timer.due_at))
    rules = {r.rule_id: r for r in db.session.scalars(sa.select(DeadlineRule).where(DeadlineRule.jurisdiction == "national"))}
    result = []
    for timer in timers:
        rule = rules.get(timer.rule_id)
        result.append({
            "timer": timer.bpmn_id, "name": timer.name, "kind": timer.rule_kind or "timer", "due_at": timer.due_at,
            "rule_id": timer.rule_id, "rule_name": rule.name if rule else None,
            "legal_basis": rule.legal_basis if rule else None, "provisional": timer.provisional,
            "status": timer.status,
        })
    return result


def case_for_instance(instance_id: int) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.instance_id == instance_id))


def case_tasks(case: Case) -> list[Task]:
    """Every task of the case, open and done, in the order they arose."""
    return list(db.session.scalars(sa.select(Task).where(Task.instance_id == case.instance_id).order_by(Task.id)))


def fired_timer_steps(case: Case) -> set[str]:
    """The BPMN ids of the case's timers that have run out (for marking the diagram)."""
    return set(db.session.scalars(sa.select(Timer.bpmn_id).where(Timer.instance_id == case.instance_id,
                                                                 Timer.status == TimerStatus.fired.value)))


def timeline(case: Case) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.instance_id == case.instance_id)
                                   .order_by(AuditEvent.id)))


# 行政处罚法 Art 72: 3 % of the fine for each day of late payment, never more than the fine itself.
SURCHARGE_RATE_PER_DAY = 0.03


def surcharge(case: Case, now) -> dict | None:
    """The late-payment surcharge (加处罚款) accrued so far, or None when nothing is overdue."""
    data = case.instance.data or {}
    fine = float(data.get("total_fine") or 0)
    if fine <= 0 or data.get("paid"):
        return None
    due_at = db.session.scalar(sa.select(Timer.due_at).where(
        Timer.instance_id == case.instance_id, Timer.rule_id == "payment", Timer.rule_kind == "deadline"))
    if due_at is None:
        return None
    # 行政处罚法 Art 66: an approved deferral moves the day from which the surcharge runs.
    if data.get("deferral_approved") and data.get("deferral_until"):
        from datetime import datetime

        due_at = max(due_at, datetime.fromisoformat(str(data["deferral_until"])))
    if now < due_at:
        return None
    days_late = (now - due_at).days + 1  # the first day after the last day of payment is day 1
    amount = min(fine, round(fine * SURCHARGE_RATE_PER_DAY * days_late, 2))
    return {"fine": fine, "payment_due_at": due_at, "days_late": days_late, "amount": amount,
            "capped": amount >= fine, "basis": "《行政处罚法》第七十二条"}
