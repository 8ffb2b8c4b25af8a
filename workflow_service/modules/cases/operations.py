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
from ..deadlines.operations import compute_deadline, find_rule
from .models import BusinessSetting, Case, CaseSource, CaseStatus, DecisionExtension, ExtensionStatus
from .numbering import take_case_number
from .lookup import case_for_instance
from .parties import add_parties, check_co_parties, mirror_own_party, own_role, sync_rows

CASE_PROCESS = "case_handling"
# The decision limit runs from filing, on the rule version in force on the filing date (30 days before
# 2026-02-01 under 令77号 Art 31; 90 days, unverified, from then on); extensions and suspensions move it.
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


def file_case(actor, *, source: str, party_name: str, party_type: str, summary: str, extra: dict | None = None,
              enterprise_id: int | None = None, co_parties: list[dict] | None = None) -> Case:
    """立案登记: a handler opens a case in their unit; the case process starts with its filing task.
    `extra`: facts another process hands over with the case (a rectification's order and re-inspection);
    `enterprise_id`: the party's entry in the enterprise registry, already checked by the caller
    (enterprises.operations.file_case_for_enterprise);
    `co_parties`: the parties beside the case's own one (its 主要负责人 and the like: 双罚), each with a role."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅承办人可登记案件 (only case handlers file cases)")
    try:
        CaseSource(source)
    except ValueError:
        raise ValidationFailed("案件来源无效 (invalid source)", {"source": [f"one of {[s.value for s in CaseSource]}"]})
    co_parties = check_co_parties(party_type, co_parties)
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
    if co_parties:
        data["parties"] = [{"seq": 1, "role": own_role(party_type), "name": party_name, "type": party_type},
                           *({"seq": n, **{k: v for k, v in p.items() if v is not None}}
                             for n, p in enumerate(co_parties, start=2))]
    instance = pipeline.start(actor, process_id=CASE_PROCESS, unit=unit, title=f"{party_name}案",
                                       data=data)
    case = Case(
        case_number=take_case_number(unit, instance.started_at), instance_id=instance.id,
        unit_id=unit.id, source=source, party_name=party_name, party_type=party_type, summary=summary,
        violations=[], status=CaseStatus.open.value, created_at=instance.started_at, created_by_id=actor.id,
        enterprise_id=enterprise_id,
    )
    db.session.add(case)
    instance.business_key = case.case_number
    db.session.flush()
    add_parties(case, co_parties)
    record_event(actor, "case_filed", instance_id=instance.id,
                 details={"case_number": case.case_number, "party": party_name, "source": source,
                          **({"co_parties": [p["name"] for p in co_parties]} if co_parties else {}),
                          **({"enterprise_id": enterprise_id} if enterprise_id else {})})
    return case


def sync_case(record) -> None:
    """Step handler: the party and violations as the filing form last recorded them; closure."""
    if record.process_id != CASE_PROCESS:
        return
    if not record.process_completed and not record.changed("party", "violations", "parties"):
        return  # nothing the case row shows changed in this step: no read, no write
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == record.instance.id))
    if case is None:
        return
    snapshot, now = record.snapshot, record.now
    party = snapshot.data.get("party")
    if isinstance(party, dict) and party.get("name"):
        case.party_name = str(party["name"])[:200]
        case.party_type = str(party.get("type") or case.party_type)[:16]
        mirror_own_party(case)
    parties = snapshot.data.get("parties")
    if isinstance(parties, list) and record.changed("parties"):
        sync_rows(case, parties)
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
    case = case_for_instance(record.instance.id)
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
    """延期 approved at once by the principal head, for a decision limit whose rule version names no extension
    tiers (the version an administrator configures). Where the version names tiers (令77号 Art 31), an extension
    is a request approved in the unit of its tier (`request_extension`, `decide_extension`)."""
    case = _case_for_change(actor, case_id, Role.principal_head)
    if case.status != CaseStatus.open.value:
        raise Conflict("案件未在办理中 (the case is not open)", code="case_not_open")
    timers = _decision_timers(case)
    if not timers:
        raise Conflict("该案件没有进行中的决定期限 (no running decision deadline)", code="no_deadline")
    version = decision_rule_version(case)
    if version.extension_tiers:
        raise Conflict("该案适用的期限规则规定了分级延期审批，请提出延期申请，由相应负责人审批 (this limit is extended by a "
                       "request approved in its tier)", code="extension_needs_request",
                       details={"tiers": version.extension_tiers})
    _extend(case, actor, timers, days, reason, {"rule_version": version.id})
    return case


def _extend(case: Case, actor, timers: list[Timer], days: int, reason: str, details: dict) -> None:
    instance = lock_instance(case.instance_id)
    _adjust(case, "extension", timedelta(days=days), reason, actor)
    pipeline.reschedule_timers(instance, {t.engine_task_id: t.due_at + timedelta(days=days) for t in timers},
                                "extension_approved", actor)
    record_event(actor, "deadline_extended", instance_id=case.instance_id,
                 details={"rule": DECISION_RULE, "days": days, "reason": reason, **details})


# -- 延期审批: an extension by tiers ---------------------------------------------------------------------------------
TIER_NAMES = {"head": "本部门负责人", "superior": "上一级部门"}


def decision_rule_version(case: Case):
    """The decision limit's version this case runs on: the one its decision timers were computed with, or the
    one in force on its filing date."""
    version_id, start = db.session.execute(
        sa.select(Timer.rule_version_id, Timer.rule_start).where(
            Timer.instance_id == case.instance_id, Timer.rule_id == DECISION_RULE)
        .order_by(Timer.rule_version_id.is_(None), Timer.id).limit(1)).first() or (None, None)
    on = (start or case.created_at).astimezone(SHANGHAI).date()
    return find_rule(DECISION_RULE, province_code(case.unit), on, version_id=version_id)


def extended_days(case: Case) -> int:
    """Days the decision limit was extended by approved extensions (suspensions do not count toward a cap)."""
    seconds = db.session.scalar(sa.select(sa.func.sum(DeadlineAdjustment.shift_seconds)).where(
        DeadlineAdjustment.instance_id == case.instance_id, DeadlineAdjustment.rule_id == DECISION_RULE,
        DeadlineAdjustment.kind == "extension")) or 0
    return int(seconds) // 86400


def _approver_unit(case: Case, tier: str):
    if tier == "head":
        return case.unit
    if case.unit.parent is None:
        raise Conflict("本单位没有上一级部门，无从报请批准 (no higher department to approve)", code="no_superior")
    return case.unit.parent


def request_extension(actor, case_id: int, extend_to_days: int, reason: str) -> DecisionExtension:
    """A handler of the case asks to extend the decision limit to `extend_to_days` days from filing: the request
    goes to the tier whose cap covers it (the head first, then the next-higher department), with its own
    deadline; one request at a time; never beyond the last cap."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if case.unit_id != actor.unit_id or not (actor.has_role(Role.case_handler) or actor.has_role(Role.supervisor)):
        raise Forbidden("仅本案承办单位的承办人或分管负责人可提出延期申请 (only the case's unit asks for an extension)")
    if case.status != CaseStatus.open.value:
        raise Conflict("案件未在办理中 (the case is not open)", code="case_not_open")
    if not _decision_timers(case):
        raise Conflict("该案件没有进行中的决定期限 (no running decision deadline)", code="no_deadline")
    if db.session.scalar(sa.select(DecisionExtension.id).where(
            DecisionExtension.case_id == case.id, DecisionExtension.status == ExtensionStatus.pending.value)):
        raise Conflict("已有待审批的延期申请 (an extension request is already pending)", code="extension_pending")
    version = decision_rule_version(case)
    tiers = version.extension_tiers or []
    if not tiers:
        raise Conflict("该案适用的期限规则未规定延期 (the limit's rule version names no extension)",
                       code="no_extension_tiers")
    limit = version.amount + extended_days(case)
    tier = next((t for t in tiers if t["cap_days"] > limit), None)
    if tier is None:
        raise Conflict(f"决定期限已延长至 {limit} 日，已达最长期限，不得再延长 (the last cap is reached)",
                       code="extension_cap_reached", details={"limit_days": limit})
    if not limit < extend_to_days <= tier["cap_days"]:
        raise ValidationFailed(
            f"{TIER_NAMES.get(tier['tier'], tier['tier'])}批准的延期应延长至 {limit + 1}–{tier['cap_days']} 日"
            f"（自立案之日起；{version.legal_basis}）",
            {"extend_to_days": [f"{limit + 1} 至 {tier['cap_days']}"]}, code="extension_over_cap")
    now = clock().now()
    request = DecisionExtension(
        case_id=case.id, tier=tier["tier"], approver_unit_id=_approver_unit(case, tier["tier"]).id,
        rule_version_id=version.id, limit_days_before=limit, extend_to_days=extend_to_days, cap_days=tier["cap_days"],
        reason=reason, status=ExtensionStatus.pending.value, requested_by_id=actor.id, requested_at=now,
        due_at=compute_deadline("extension_approval", now, province_code(case.unit)).due.due_at)
    db.session.add(request)
    db.session.flush()
    record_event(actor, "extension_requested", instance_id=case.instance_id, details={
        "request": request.id, "tier": request.tier, "approver_unit": request.approver_unit.code,
        "from_days": limit, "to_days": extend_to_days, "cap_days": request.cap_days, "reason": reason,
        "due_at": request.due_at.isoformat(), "rule_version": version.id})
    return request


def may_decide_extension(actor, request: DecisionExtension) -> bool:
    """The head tier: the principal head of the case's unit; the superior tier: the principal head or a
    supervising head (分管负责人) of the next-higher department."""
    roles = (Role.principal_head,) if request.tier == "head" else (Role.principal_head, Role.supervisor)
    return bool(actor.is_active) and actor.unit_id == request.approver_unit_id and any(actor.has_role(r) for r in roles)


def decide_extension(actor, request_id: int, approved: bool, opinion: str) -> DecisionExtension:
    if not (actor.has_role(Role.principal_head) or actor.has_role(Role.supervisor)):
        raise Forbidden("仅负责人可审批延期申请 (only heads approve extensions)")
    request = db.session.get(DecisionExtension, request_id)
    if request is None:
        raise NotFound("延期申请不存在 (no such extension request)")
    if not may_decide_extension(actor, request):
        raise Forbidden(f"该延期申请应由{request.approver_unit.name}的负责人审批 (not yours to approve)")
    if request.status != ExtensionStatus.pending.value:
        raise Conflict("该延期申请已审批 (already decided)", code="extension_decided")
    if actor.id == request.requested_by_id:
        raise Forbidden("申请人不得审批本人的延期申请 (no one approves their own request)")
    case = request.case
    now = clock().now()
    request.status = (ExtensionStatus.approved if approved else ExtensionStatus.refused).value
    request.decided_by_id, request.decided_at, request.opinion = actor.id, now, opinion
    details = {"request": request.id, "tier": request.tier, "from_days": request.limit_days_before,
               "to_days": request.extend_to_days, "cap_days": request.cap_days, "opinion": opinion,
               "late": now > request.due_at}
    if approved:
        timers = _decision_timers(case)
        if case.status != CaseStatus.open.value or not timers:
            raise Conflict("案件已无进行中的决定期限 (no running decision deadline any more)", code="no_deadline")
        if request.limit_days_before != (limit := decision_rule_version(case).amount + extended_days(case)):
            raise Conflict("决定期限已变化，请重新申请 (the limit changed since the request)", code="extension_stale",
                           details={"limit_days": limit})
        _extend(case, actor, timers, request.extend_to_days - request.limit_days_before, request.reason,
                {**details, "rule_version": request.rule_version_id})
    else:
        record_event(actor, "extension_refused", instance_id=case.instance_id, details=details)
    db.session.flush()
    return request


def extension_requests(actor, *, scope: str = "mine", case_id: int | None = None,
                       visible: bool = False) -> list[DecisionExtension]:
    """`mine`: the pending requests this user may decide, most urgent first (their approval queue); `case`: every
    request of a case the caller already found visible to the user (`visible`)."""
    if scope != "case" and not (actor.has_role(Role.principal_head) or actor.has_role(Role.supervisor)):
        return []  # only heads approve: no query for everyone else's inbox
    query = sa.select(DecisionExtension)
    if scope == "case":
        if not visible:
            raise Forbidden("无权查看该案件 (not visible)")
        query = query.where(DecisionExtension.case_id == case_id)
    else:
        query = query.where(DecisionExtension.status == ExtensionStatus.pending.value,
                            DecisionExtension.approver_unit_id == actor.unit_id)
    rows = list(db.session.scalars(query.order_by(DecisionExtension.due_at, DecisionExtension.id)))
    return rows if scope == "case" else [r for r in rows if may_decide_extension(actor, r)]


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
