"""What a case looks like to the people who may see it: list, detail, deadlines, timeline."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound
from ...core.registry import registry
from ...core.workdays import SHANGHAI
from ...core.services import setting
from ...extensions import db
from ..audit.models import AuditEvent
from ..deadlines.operations import rule_versions
from ..tasks.models import Task, TaskStatus, late_label
from ..timers.models import Timer, TimerStatus
from ..users.models import User
from ..users.provinces import province_code
from ..users.units import in_visible_units, refusal_reason, sees_unit
from .documents import TASK_DOCUMENTS, action_label
from .lookup import case_for_instance  # noqa: F401 - where most callers look for it
from .models import Case
from .parties import several
from .party_rules import payment_due, unpaid


def can_view_case(user: User, case: Case) -> bool:
    """Officers of the case's unit; overseers of a unit above it (users/units.py)."""
    return sees_unit(user, case.unit)


def get_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if not can_view_case(user, case):
        raise Forbidden(refusal_reason(user, "无权查看该案件 (this case belongs to another unit)"))
    return case


def filing_bounds(filed_from: date | None, filed_to: date | None) -> tuple[datetime | None, datetime | None]:
    """A range of filing days (both included, in the service's time zone) as the instants `list_cases` takes."""
    zone = ZoneInfo(setting("TIMEZONE"))
    start = datetime.combine(filed_from, time(), zone) if filed_from else None
    end = datetime.combine(filed_to + timedelta(days=1), time(), zone) if filed_to else None
    return start, end


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_cases(user: User, *, unit_id=None, stage=None, overdue=None, status=None, now=None, limit=50, offset=0,
               q=None, filed_from=None, filed_to=None):
    """The cases the user sees, newest first. `q`: a case number (or its beginning) or part of the party's name;
    `filed_from`/`filed_to`: instants bounding the filing time (from inclusive, to exclusive)."""
    query = sa.select(Case).where(in_visible_units(Case.unit_id, user))
    if unit_id is not None:
        query = query.where(Case.unit_id == unit_id)
    if q:
        pattern = _like_escaped(q.strip())
        query = query.where(sa.or_(Case.case_number.like(f"{pattern}%", escape="\\"),
                                   Case.party_name.like(f"%{pattern}%", escape="\\")))
    if filed_from is not None:
        query = query.where(Case.created_at >= filed_from)
    if filed_to is not None:
        query = query.where(Case.created_at < filed_to)
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


def current_stages(cases: list[Case]) -> dict[int, list[str]]:
    """case id -> the names of the steps it stands at (its open tasks, or the message it waits for), for a list
    of cases in one query."""
    by_instance = {c.instance_id: c for c in cases}
    stages: dict[int, list[str]] = {c.id: [] for c in cases}
    if not by_instance:
        return stages
    rows = db.session.execute(sa.select(Task.instance_id, Task.name).where(
        Task.instance_id.in_(list(by_instance)), Task.status == TaskStatus.ready.value).order_by(Task.id))
    for instance_id, name in rows:
        names = stages[by_instance[instance_id].id]
        if name not in names:
            names.append(name)
    for case in cases:
        if not stages[case.id]:
            stages[case.id] = [e.get("name") for e in (case.instance.waiting_events or []) if e.get("name")]
    return stages


def open_stage_names(user: User) -> list[tuple[str, str]]:
    """(bpmn id, name) of the steps the user's visible cases stand at now: the choices of the list's stage filter."""
    visible = sa.select(Case.instance_id).where(in_visible_units(Case.unit_id, user))
    rows = db.session.execute(sa.select(Task.bpmn_id, sa.func.min(Task.name)).where(
        Task.status == TaskStatus.ready.value, Task.instance_id.in_(visible)).group_by(Task.bpmn_id))
    return sorted(((b, n) for b, n in rows), key=lambda r: r[1])


def open_tasks(case: Case) -> list[Task]:
    return list(db.session.scalars(sa.select(Task).where(Task.instance_id == case.instance_id,
                                                         Task.status == TaskStatus.ready.value).order_by(Task.id)))


def waiting_steps(case: Case) -> list[dict]:
    """Where the case stands when it waits for a message rather than a person (等待移送结果): each waiting event
    with its BPMN id, name and message, and what the module that sends the message says about it."""
    steps = []
    for event in case.instance.waiting_events or []:
        step = {"bpmn_id": event.get("bpmn_id"), "name": event.get("name"), "message": event.get("message")}
        # What the domain that sends the message says about the wait (wiring.py: the transfers module tells which
        # transfer, its stage and its next deadline).
        describe = registry().waiting_describers.get(step["message"])
        if describe is not None:
            step.update(describe(case) or {})
        steps.append(step)
    return steps


def deadlines(case: Case, include_fired: bool = False) -> list[dict]:
    """Every running deadline of the case with its rule and legal basis (`include_fired`: and those already
    run out, for the case page's full list)."""
    statuses = [TimerStatus.waiting.value] + ([TimerStatus.fired.value] if include_fired else [])
    # A deadline that ran out with its step still open still governs the case (an overdue payment is overdue
    # against the 15 days of 行政处罚法 Art 67): it stays in the list until the step is done.
    still_open = sa.select(Task.engine_task_id).where(Task.instance_id == case.instance_id,
                                                      Task.status == TaskStatus.ready.value)
    run_out = sa.and_(Timer.status == TimerStatus.fired.value, Timer.rule_kind == "deadline",
                      Timer.attached_engine_task_id.in_(still_open))
    timers = db.session.scalars(sa.select(Timer).where(Timer.instance_id == case.instance_id,
                                                       sa.or_(Timer.status.in_(statuses), run_out))
                                .order_by(Timer.due_at, Timer.id))
    result = []
    for timer in timers:
        # The version the period was computed with; for timers from before versions were recorded, the
        # national version in force on its start day. From the rules as this process keeps them, not a
        # read of the whole table at every case page.
        versions = rule_versions(timer.rule_id)
        rule = (next((r for r in versions if r.id == timer.rule_version_id), None)
                or _in_force([r for r in versions if r.jurisdiction == "national"], timer.rule_start))
        result.append({
            "timer": timer.bpmn_id, "name": timer.name, "kind": timer.rule_kind or "timer", "due_at": timer.due_at,
            "rule_id": timer.rule_id, "rule_name": rule.name if rule else None,
            "legal_basis": rule.legal_basis if rule else None, "provisional": timer.provisional,
            "unverified": bool(rule and rule.confidence == "L"), "status": timer.status,
        })
    return result


def _in_force(versions, start):
    """The version a timer's rule had on its start day (timers computed before versions were recorded)."""
    if not versions:
        return None
    if start is None:
        return max(versions, key=lambda r: r.effective_from)
    day = start.astimezone(SHANGHAI).date()
    found = [r for r in versions if r.effective_from <= day and (r.effective_to is None or r.effective_to > day)]
    return (found or sorted(versions, key=lambda r: r.effective_from))[-1]


def case_tasks(case: Case) -> list[Task]:
    """Every task of the case, open and done, in the order they arose."""
    return list(db.session.scalars(sa.select(Task).where(Task.instance_id == case.instance_id).order_by(Task.id)))


def fired_timer_steps(case: Case) -> set[str]:
    """The BPMN ids of the case's timers that have run out (for marking the diagram)."""
    return set(db.session.scalars(sa.select(Timer.bpmn_id).where(Timer.instance_id == case.instance_id,
                                                                 Timer.status == TimerStatus.fired.value)))


def timeline_count(case: Case) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.instance_id == case.instance_id))


def timeline(case: Case, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Every event of the case, in order: who, when, what, which task, which document or evidence file.
    `limit`/`offset` page it (the case page shows one page of a long record)."""
    query = (sa.select(AuditEvent).where(AuditEvent.instance_id == case.instance_id)
             .order_by(AuditEvent.seq, AuditEvent.id))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    events = list(db.session.scalars(query))
    task_ids = {e.task_id for e in events if e.task_id is not None}
    tasks = {t.id: t for t in db.session.execute(sa.select(Task.id, Task.bpmn_id, Task.name)
                                                 .where(Task.id.in_(task_ids)))} if task_ids else {}
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    result = []
    for event in events:
        task = tasks.get(event.task_id)
        details = event.details or {}
        document = None
        if event.action == "task_completed" and task is not None and task.bpmn_id in TASK_DOCUMENTS:
            title, number_key = TASK_DOCUMENTS[task.bpmn_id]
            data = details.get("data") or {}
            document = {"name": title, "number": data.get(number_key) if number_key else None}
        evidence = None
        if event.action.startswith("evidence_"):
            evidence = {k: details.get(k) for k in ("evidence_id", "kind", "filename", "sha256")}
        result.append({
            "id": event.id, "seq": event.seq, "occurred_at": event.occurred_at, "actor_name": event.actor_name,
            "actor_display_name": names.get(event.actor_id, "系统" if event.actor_id is None else event.actor_name),
            "action": event.action, "action_label": action_label(event.action),
            "task_id": event.task_id,
            "task": {"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name} if task is not None else None,
            "document": document, "evidence": evidence, "details": details, "hash": event.hash,
            # 超期 N 日办结: recorded with the completion (steps/tasks.py), as the deadline's rule counts.
            "late_label": late_label((details.get("late") or {}).get("amount"), (details.get("late") or {}).get("unit"))
            if event.action == "task_completed" else None,
        })
    return result


# 行政处罚法 Art 72: 3 % of the fine for each day of late payment, never more than the fine itself.
SURCHARGE_RATE_PER_DAY = 0.03


def surcharge(case: Case, now) -> dict | None:
    """The late-payment surcharge (加处罚款) accrued so far, or None when nothing is overdue."""
    data = case.instance.data or {}
    fine = float(data.get("total_fine") or 0)
    if fine <= 0 or data.get("paid"):
        return None
    if several(data) and data.get("party_services"):
        return _party_surcharges(case, data, now)
    due_at = db.session.scalar(sa.select(Timer.due_at).where(
        Timer.instance_id == case.instance_id, Timer.rule_id == "payment", Timer.rule_kind == "deadline"))
    if due_at is None:
        return None
    # 行政处罚法 Art 66: an approved deferral moves the day from which the surcharge runs.
    if data.get("deferral_approved") and data.get("deferral_until"):
        due_at = max(due_at, datetime.fromisoformat(str(data["deferral_until"])))
    if now < due_at:
        return None
    return _accrued(case, fine, due_at, now)


def _accrued(case: Case, fine: float, due_at: datetime, now) -> dict:
    days_late = (now - due_at).days + 1  # the first day after the last day of payment is day 1
    # 行政处罚法 Art 73(3): the days a reconsideration or lawsuit runs are not counted (wiring.py names the source).
    paused = 0
    for _, source in registry().surcharge_pause_sources:
        for start, end in source(case, now):
            start, end = max(start, due_at), min(end, now)
            if end > start:
                paused += (end - start).days + (1 if (end - start).seconds else 0)
    days_late = max(0, days_late - paused)
    amount = min(fine, round(fine * SURCHARGE_RATE_PER_DAY * days_late, 2))
    result = {"fine": fine, "payment_due_at": due_at, "days_late": days_late, "amount": amount,
              "capped": amount >= fine, "basis": "《行政处罚法》第七十二条"}
    if paused:
        result.update(paused_days=paused, basis="《行政处罚法》第七十二条、第七十三条第三款（复议、诉讼期间不计算加处罚款）")
    return result


def _party_surcharges(case: Case, data: dict, now) -> dict | None:
    """Several parties: each fine still owed accrues from the end of its own party's payment period (from its own
    service); the case's surcharge is their sum, each party's shown beside it."""
    province = province_code(case.unit)
    parties = []
    for owed in unpaid(data):
        due = payment_due(data, owed["seq"], province)
        if due is None or now < due.due_at:
            continue
        parties.append({"party": owed["seq"], "name": owed["name"],
                        **_accrued(case, float(owed["total_fine"]), due.due_at, now)})
    if not parties:
        return None
    fine, amount = sum(p["fine"] for p in parties), round(sum(p["amount"] for p in parties), 2)
    earliest = min(p["payment_due_at"] for p in parties)
    for p in parties:
        p["payment_due_at"] = p["payment_due_at"].isoformat()
    return {"fine": fine, "payment_due_at": earliest,
            "days_late": max(p["days_late"] for p in parties), "amount": amount, "capped": amount >= fine,
            "basis": parties[0]["basis"], "parties": parties}
