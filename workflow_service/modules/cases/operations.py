"""Filing a case, keeping its row in step with its process, and moving its decision deadline."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.models import DeadlineAdjustment
from ...core.registry import registry
from ..steps import pipeline
from ..steps.locking import lock_instance
from ..users.provinces import province_code
from ..timers.models import Timer, TimerStatus
from ..users.models import Role
from .models import BusinessSetting, Case, CaseSource, CaseStatus

CASE_PROCESS = "case_handling"
# The 90-day decision deadline (行政处罚法 Art 60) runs from filing; extensions and suspensions move it.
DECISION_RULE = "decision_after_filing"
# Parked timers of a suspended case wait here (far beyond any real deadline) until it resumes.
PARKED_UNTIL = datetime(2999, 1, 1, tzinfo=timezone.utc)

# "Large amount" thresholds for hearings (行政处罚法 Art 63(1)(1)(2)) and for the heads' collective discussion, as
# data per jurisdiction with versions by date (DOMAIN.md: the sector rule's default, 令77号 Art 33, is 20,000 yuan
# for an individual and 50,000 for an organisation; some provinces use 10,000 / 30,000; M confidence).
DEFAULT_LARGE_FINE = {"organisation": 50000, "individual": 20000, "confiscation_organisation": 50000,
                      "confiscation_individual": 20000, "collective_organisation": 50000}
DEFAULT_LARGE_FINE_SETTING = {"versions": [{"effective_from": None, "effective_to": None, **DEFAULT_LARGE_FINE,
                                            "basis": "安全生产违法行为行政处罚办法（2015年，令77号）第三十三条"}]}


def threshold_version(value: dict, on: date) -> dict:
    """The version of a threshold setting in force on a day. A setting stored before versions existed (a flat
    {"organisation": ..., "individual": ...}) is one version without dates; a value it leaves out takes the
    national default."""
    versions = value.get("versions") if isinstance(value, dict) and "versions" in value else [value or {}]
    day = on.isoformat()
    found = None
    for version in versions:
        start, end = version.get("effective_from"), version.get("effective_to")
        if (start is None or start <= day) and (end is None or day <= end):
            if found is None or (start or "") >= (found.get("effective_from") or ""):
                found = version
    if found is None:
        raise Conflict(f"{day} 没有生效的较大数额标准，请管理员设置 (no threshold version in force on {day})",
                       code="threshold_missing")
    return {**DEFAULT_LARGE_FINE, **{k: v for k, v in found.items() if v is not None}}


def large_fine_thresholds(province: str | None, on: date | None = None) -> dict:
    rows = {r.jurisdiction: r for r in db.session.scalars(
        sa.select(BusinessSetting).where(BusinessSetting.key == "large_fine_threshold",
                                         BusinessSetting.jurisdiction.in_([province or "", "national"])))}
    row = rows.get(province or "") or rows.get("national")
    on = on or clock().now().astimezone(SHANGHAI).date()
    return threshold_version(row.value if row else DEFAULT_LARGE_FINE_SETTING, on)


def threshold_data(thresholds: dict) -> dict:
    """The thresholds as the process data the review-needs table (bpmn/case_review_needs.dmn) reads."""
    return {"large_fine_org": thresholds["organisation"], "large_fine_individual": thresholds["individual"],
            "large_confiscation_org": thresholds["confiscation_organisation"],
            "large_confiscation_individual": thresholds["confiscation_individual"],
            "collective_fine_org": thresholds["collective_organisation"]}


def seed_settings() -> int:
    if db.session.scalar(sa.select(BusinessSetting).filter_by(key="large_fine_threshold", jurisdiction="national")):
        return 0
    db.session.add(BusinessSetting(key="large_fine_threshold", jurisdiction="national", value=DEFAULT_LARGE_FINE_SETTING,
                                   basis="国家默认：个人2万元、单位5万元（2015年部门规章第三十三条）；各省可按版本另行设置",
                                   updated_at=clock().now()))
    db.session.flush()
    return 1


def file_case(actor, *, source: str, party_name: str, party_type: str, summary: str, extra: dict | None = None) -> Case:
    """立案登记: a handler opens a case in their unit; the case process starts with its filing task.
    `extra`: facts another process hands over with the case (a rectification's order and re-inspection)."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅承办人可登记案件 (only case handlers file cases)")
    try:
        CaseSource(source)
    except ValueError:
        raise ValidationFailed("案件来源无效 (invalid source)", {"source": [f"one of {[s.value for s in CaseSource]}"]})
    unit = actor.unit
    thresholds = large_fine_thresholds(province_code(unit))
    data = {
        "case": {"source": source, "summary": summary},
        "party": {"name": party_name, "type": party_type},
        "source": source,
        "filed_by": actor.username,
        **threshold_data(thresholds),
        **(extra or {}),
    }
    instance = pipeline.start(actor, process_id=CASE_PROCESS, unit=unit, title=f"{party_name}案",
                                       data=data)
    case = Case(
        case_number=f"{unit.code}-{instance.started_at.year}-{instance.id:06d}", instance_id=instance.id,
        unit_id=unit.id, source=source, party_name=party_name, party_type=party_type, summary=summary,
        violations=[], status=CaseStatus.open.value, created_at=instance.started_at, created_by_id=actor.id,
    )
    db.session.add(case)
    instance.business_key = case.case_number
    db.session.flush()
    record_event(actor, "case_filed", instance_id=instance.id,
                 details={"case_number": case.case_number, "party": party_name, "source": source})
    return case


def sync_case(record) -> None:
    """Step handler: the party and violations as the filing form last recorded them; closure."""
    if record.process_id != CASE_PROCESS:
        return
    if not record.process_completed and not record.changed("party", "violations"):
        return  # nothing the case row shows changed in this step: no read, no write
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == record.instance.id))
    if case is None:
        return
    snapshot, now = record.snapshot, record.now
    party = snapshot.data.get("party")
    if isinstance(party, dict) and party.get("name"):
        case.party_name = str(party["name"])[:200]
        case.party_type = str(party.get("type") or case.party_type)[:16]
    violations = snapshot.data.get("violations")
    if isinstance(violations, list):
        case.violations = violations
    if snapshot.completed and case.status != CaseStatus.closed.value:
        case.status = CaseStatus.closed.value
        case.closed_at = now



def park_new_decision_timers(record) -> None:
    """Step handler: a step done while the case is suspended (中止) may start new decision-deadline timers (the
    next task's boundary timers count from the filing): they are parked like the running ones were, and
    recorded, so they neither fire during the suspension nor miss the move when it ends (a follow-up step)."""
    if record.process_id != CASE_PROCESS:
        return
    new = [t for t in record.timers_started
           if t.rule_id == DECISION_RULE and t.status == TimerStatus.waiting.value and t.due_at < PARKED_UNTIL]
    if not new:
        return
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == record.instance.id))
    if case is None or case.status != CaseStatus.suspended.value:
        return
    case.suspended_deadlines = {**(case.suspended_deadlines or {}),
                                **{t.engine_task_id: t.due_at.isoformat() for t in new}}
    pipeline.queue_follow_up(_park, record.instance.id, {t.engine_task_id: PARKED_UNTIL for t in new})


def _park(instance_id: int, due: dict) -> None:
    pipeline.reschedule_timers(lock_instance(instance_id), due, "case_suspended")


def _case_for_change(actor, case_id: int, *roles: Role) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if case.unit_id != actor.unit_id or not any(actor.has_role(r) for r in roles):
        raise Forbidden("无权办理该案件的此项审批 (not yours to approve)")
    return case


def _decision_timers(case: Case) -> list[Timer]:
    return list(db.session.scalars(sa.select(Timer).where(
        Timer.instance_id == case.instance_id, Timer.rule_id == DECISION_RULE,
        Timer.status == TimerStatus.waiting.value)))


def _adjust(case: Case, kind: str, shift: timedelta, reason: str, actor) -> None:
    db.session.add(DeadlineAdjustment(instance_id=case.instance_id, rule_id=DECISION_RULE, kind=kind,
                                      shift_seconds=int(shift.total_seconds()), reason=reason,
                                      approved_by_id=getattr(actor, "id", None), created_at=clock().now()))
    db.session.flush()


def extend_decision_deadline(actor, case_id: int, days: int, reason: str) -> Case:
    """延期: the principal head approves more time for the decision (行政处罚法 Art 60 "经批准延长")."""
    case = _case_for_change(actor, case_id, Role.principal_head)
    if case.status != CaseStatus.open.value:
        raise Conflict("案件未在办理中 (the case is not open)", code="case_not_open")
    timers = _decision_timers(case)
    if not timers:
        raise Conflict("该案件没有进行中的决定期限 (no running decision deadline)", code="no_deadline")
    instance = lock_instance(case.instance_id)
    _adjust(case, "extension", timedelta(days=days), reason, actor)
    pipeline.reschedule_timers(instance, {t.engine_task_id: t.due_at + timedelta(days=days) for t in timers},
                                "extension_approved", actor)
    record_event(actor, "deadline_extended", instance_id=case.instance_id,
                 details={"rule": DECISION_RULE, "days": days, "reason": reason})
    return case


def request_preservation(actor, case_id: int, items: list[dict], reason: str) -> Case:
    """申请先行登记保存证据 (行政处罚法 Art 56): a handler of the case asks, during the investigation, that evidence
    which may be lost be preserved; a head approves it (the case's approve_preservation task), and the handling
    decision is then due within 7 working days while the investigation goes on."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if case.unit_id != actor.unit_id or not actor.has_role(Role.case_handler):
        raise Forbidden("仅本单位承办人可申请先行登记保存 (only the unit's case handlers ask for a preservation)")
    if case.status != CaseStatus.open.value:
        raise Conflict("案件未在办理中 (the case is not open)", code="case_not_open")
    lock_instance(case.instance_id)
    pipeline.deliver_message(case.instance, "preservation_requested", {
        "items": items, "reason": reason, "requested_by": actor.username,
        "requested_at": clock().now().isoformat()}, actor)
    return case


def suspend_case(actor, case_id: int, reason: str) -> Case:
    """中止: the decision deadline stops running until the case resumes."""
    case = _case_for_change(actor, case_id, Role.principal_head, Role.supervisor)
    if case.status != CaseStatus.open.value:
        raise Conflict("案件未在办理中 (the case is not open)", code="case_not_open")
    return suspend_decision_deadline(case, actor, reason)


def suspend_decision_deadline(case: Case, actor, reason: str, details: dict | None = None) -> Case:
    """Park the running decision-deadline timers of an open case and mark it suspended (the approval or the
    cause is the caller's business: a supervisor's decision, or an approved criminal transfer)."""
    timers = _decision_timers(case)
    instance = lock_instance(case.instance_id)
    case.suspended_deadlines = {t.engine_task_id: t.due_at.isoformat() for t in timers}
    if timers:
        pipeline.reschedule_timers(instance, {t.engine_task_id: PARKED_UNTIL for t in timers}, "case_suspended", actor)
    case.status = CaseStatus.suspended.value
    case.suspended_at = clock().now()
    record_event(actor, "case_suspended", instance_id=case.instance_id, details={"reason": reason, **(details or {})})
    db.session.flush()
    return case


def resume_case(actor, case_id: int, reason: str) -> Case:
    case = _case_for_change(actor, case_id, Role.principal_head, Role.supervisor)
    if case.status != CaseStatus.suspended.value:
        raise Conflict("案件未中止 (the case is not suspended)", code="case_not_suspended")
    # Checks another domain declares (wiring.py): a transfer still pending keeps the case suspended until the
    # police or the procuratorate answer.
    for _name, guard in registry().resume_guards:
        guard(case)
    return resume_decision_deadline(case, actor, reason)


def resume_decision_deadline(case: Case, actor, reason: str, details: dict | None = None) -> Case:
    """End a suspension: the time it lasted is recorded as a deadline adjustment (so deadlines computed later
    in the case move too) and the parked timers come back moved by it."""
    now = clock().now()
    paused = now - case.suspended_at
    instance = lock_instance(case.instance_id)
    moved = {task_id: datetime.fromisoformat(due) + paused for task_id, due in (case.suspended_deadlines or {}).items()}
    still_waiting = {t.engine_task_id for t in _decision_timers(case)}
    moved = {k: v for k, v in moved.items() if k in still_waiting}
    _adjust(case, "suspension", paused, reason, actor)
    if moved:
        pipeline.reschedule_timers(instance, moved, "case_resumed", actor)
    record_event(actor, "case_resumed", instance_id=case.instance_id,
                 details={"reason": reason, "paused_days": round(paused.total_seconds() / 86400, 2), **(details or {})})
    case.status = CaseStatus.open.value
    case.suspended_at = None
    case.suspended_deadlines = None
    db.session.flush()
    return case
