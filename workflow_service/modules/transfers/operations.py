"""Transferring a suspected crime to the police (涉嫌犯罪案件移送, 行刑衔接): opening the transfer, recording the
police's answers as BPMN messages, keeping the transfer row in step, and handing the case back to the penalty
process when the police or the procuratorate send it back (国务院令第310号)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ... import engine as wf_engine
from ..alerts.operations import raise_alert
from ..audit.operations import record_event
from ..cases.models import BusinessSetting, Case, CaseParty, CaseSource, CaseStatus
from ..cases.operations import file_case, resume_decision_deadline, suspend_decision_deadline
from ..deadlines.operations import compute_deadline
from ..rectification.models import RectificationOrder
from ..steps import pipeline
from ..steps.locking import lock_instance
from ..steps.tasks import complete_task_for_process
from ..tasks.models import Task, TaskStatus
from ..timers.models import Timer, TimerStatus
from ..users.models import Role, User
from ..users.provinces import province_code
from ..users.units import integration_reaches, works_in
from .models import CrimeScreening, CriminalTransfer, TransferStage, TransferStatus

TRANSFER_PROCESS = "criminal_transfer"
CASE_PROCESS = "case_handling"
AWAIT_TRANSFER = "await_transfer"
# The penalty case waits at await_transfer (等待移送结果, a message catch event) for this message.
RESULT_MESSAGE = "transfer_result"
POLICE_MESSAGE = "police_answer"
ART_11 = "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第十一条"
# Why an approved transfer suspends (中止) the penalty case's decision deadline until the transfer ends: the
# administrative decision waits for the criminal side (see README, 行刑衔接: the basis and how sure it is).
SUSPENSION_BASIS = ("《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第十一条、第十三条；《关于加强行政执法与刑事"
                    "司法衔接工作的意见》（中办发〔2011〕8号）：移送时未作出行政处罚决定的，原则上待公安机关不予立案、撤销案件"
                    "或者司法机关作出处理后，再决定是否给予行政处罚")

# Which answers the police (or the procuratorate) can give at each stage of a transfer.
ANSWERS_BY_STAGE = {
    TransferStage.police_review.value: {"received", "review_extended", "materials_missing", "case_opened", "not_opened",
                                        "returned"},
    TransferStage.reconsideration.value: {"case_opened", "reconsideration_upheld"},
    TransferStage.procuratorate_supervision.value: {"case_opened", "returned"},
    TransferStage.criminal_proceedings.value: {"stage", "judgment", "returned"},
}
ANSWER_LABELS = {
    "received": "公安机关已受理", "materials_missing": "公安机关告知补充材料", "case_opened": "公安机关决定立案",
    "not_opened": "公安机关决定不予立案", "reconsideration_upheld": "公安机关复议维持不予立案",
    "returned": "不作犯罪处理，退回行政处理", "stage": "刑事诉讼进展", "judgment": "已作出刑事判决",
    "review_extended": "公安机关告知延长立案审查期限",
}
# The police's review of a transfer: 3 days from acceptance, 7 where leads must be checked, 30 for a major or
# complex case with county-level approval — as the police's notice states (deadline rules of each length).
REVIEW_WINDOWS = {3: "police_decision", 7: "police_decision_leads", 30: "police_decision_major"}


# -- opening a transfer -------------------------------------------------------------------------------------
def pending_transfer_for_case(case_id: int) -> CriminalTransfer | None:
    return db.session.scalar(sa.select(CriminalTransfer).where(
        CriminalTransfer.case_id == case_id, CriminalTransfer.status == TransferStatus.pending.value).limit(1))


def _paid_fine(case: Case | None) -> float | None:
    """行政处罚法 Art 35 / 国务院令310 Art 11: a fine paid before the transfer is offset against a criminal fine."""
    data = (case.instance.data or {}) if case is not None else {}
    if data.get("paid") and float(data.get("total_fine") or 0) > 0:
        return float(data.get("amount_paid") or data["total_fine"])
    return None


def _open(actor, unit, *, case: Case | None, party_name: str, party_type: str, summary: str,
          rectification=None, screening=None, created_by_id=None, transferred_violations=None) -> CriminalTransfer:
    data = {"party": {"name": party_name, "type": party_type}, "summary": summary,
            "case_number": case.case_number if case else None,
            # the case's violations (their numbers in the filing) whose conduct goes to the police: the no-fine
            # rule binds those only (DOMAIN.md, December 2026 review); none named: all of them
            "transferred_violations": sorted(set(transferred_violations or []))}
    offset = _paid_fine(case)
    if offset:
        data["fine_paid_for_offset"] = offset
    if case is not None and (case.instance.data or {}).get("rectification"):
        data["rectification"] = case.instance.data["rectification"]  # the order, re-inspection and proof
    if screening is not None:
        data["screening"] = {"id": screening.id, "result": screening.result, "facts": screening.facts,
                             "real_danger_facts": screening.real_danger_facts}
    instance = pipeline.start(actor, process_id=TRANSFER_PROCESS, unit=unit, title=f"{party_name}涉嫌犯罪移送",
                                       data=data)
    transfer = CriminalTransfer(
        transfer_number=f"{unit.code}-YS-{instance.started_at.year}-{instance.id:06d}", instance_id=instance.id,
        unit_id=unit.id, case_id=case.id if case else None, rectification_id=rectification.id if rectification else None,
        screening_id=screening.id if screening else None, party_name=party_name, party_type=party_type,
        summary=summary, status=TransferStatus.pending.value, stage=TransferStage.report.value, police_answers=[],
        created_at=instance.started_at, created_by_id=getattr(actor, "id", None) or created_by_id)
    db.session.add(transfer)
    db.session.flush()
    instance.business_key = transfer.transfer_number
    details = {"transfer_number": transfer.transfer_number, "case_number": data["case_number"]}
    if offset:
        details["fine_paid_for_offset"] = offset
    record_event(actor, "transfer_opened", instance_id=instance.id, details=details)
    if case is not None:
        record_event(actor, "transfer_opened", instance_id=case.instance_id, details=details)
    return transfer


def open_transfer(actor, *, case_id: int | None = None, rectification_id: int | None = None,
                  screening_id: int | None = None, party_name: str | None = None, party_type: str | None = None,
                  summary: str, transferred_violations: list[int] | None = None) -> CriminalTransfer:
    """A handler starts a transfer (from a case at any stage, a failed rectification, or a screening)."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可发起移送 (only case handlers start a transfer)")
    case = rectification = screening = None
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在 (no such case)")
        if case.unit_id != actor.unit_id:
            raise Forbidden("只能就本单位的案件操作 (this case belongs to another unit)")
        if pending_transfer_for_case(case.id) is not None:
            raise Conflict("该案件已在移送中 (this case is already being transferred)", code="transfer_pending")
    if rectification_id is not None:
        rectification = db.session.get(RectificationOrder, rectification_id)
        if rectification is None or rectification.unit_id != actor.unit_id:
            raise NotFound("本单位无此整改指令 (no such rectification order in your unit)")
        if case is None and rectification.penalty_case_id:
            case = db.session.get(Case, rectification.penalty_case_id)
    if screening_id is not None:
        screening = db.session.get(CrimeScreening, screening_id)
        if screening is None or screening.unit_id != actor.unit_id:
            raise NotFound("本单位无此筛查记录 (no such screening in your unit)")
    source = case or rectification
    party_name = party_name or (source.party_name if source else None)
    party_type = party_type or (source.party_type if source else None)
    if not party_name or party_type not in ("organisation", "individual"):
        raise ValidationFailed("请填写当事人 (who is the party?)", {"party_name": ["必填"], "party_type": ["必填"]})
    if transferred_violations and case is not None:
        count = len((case.instance.data or {}).get("violations") or case.violations or [])
        bad = [i for i in transferred_violations if not 1 <= i <= count]
        if bad:
            raise ValidationFailed("移送的违法行为序号不在本案中 (no such violation in the case)",
                                   {"transferred_violations": [f"应为 1 至 {count}"]})
    return _open(actor, actor.unit, case=case, party_name=party_name, party_type=party_type, summary=summary,
                 rectification=rectification, screening=screening, transferred_violations=transferred_violations)


def case_reached_transfer(record) -> None:
    """Step handler: 不得以行政处罚代替移送 — a penalty case that decides on a transfer opens the transfer process
    itself (a follow-up step)."""
    snapshot = record.snapshot
    if record.process_id != CASE_PROCESS or not _waits_for_transfer(snapshot.waiting_events,
                                                                    snapshot.ready_user_tasks):
        return
    pipeline.queue_follow_up(_open_for_case, record.instance.id, snapshot.data)


def _open_for_case(instance_id: int, data: dict) -> None:
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == instance_id))
    if case is None or pending_transfer_for_case(case.id) is not None:
        return
    snapshot_data = data
    reports = snapshot_data.get("proposals") or []
    summary = "；".join(str(p.get("reason") or p.get("facts") or "") for p in reports if p.get("outcome") == "transfer")
    # the violations whose proposal says transfer, exactly: the no-fine rule binds those and no other
    transferred = [p["violation_index"] for p in reports if p.get("outcome") == "transfer"
                   and isinstance(p.get("violation_index"), int) and not isinstance(p["violation_index"], bool)]
    _open(None, case.unit, case=case, party_name=case.party_name, party_type=case.party_type,
          summary=(summary or snapshot_data.get("facts") or case.summary)[:2000], created_by_id=case.created_by_id,
          transferred_violations=transferred)


def _waits_for_transfer(waiting_events, ready_user_tasks=()) -> bool:
    """At 等待移送结果: the message catch event; instances started on the first version of the diagram wait in a
    user task of the same id instead."""
    return (any(_field(w, "message") == RESULT_MESSAGE for w in waiting_events or ())
            or any(t.bpmn_id == AWAIT_TRANSFER for t in ready_user_tasks))


def _field(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


# -- the penalty case while a transfer is pending ------------------------------------------------------------
# Crimes without unit liability (刑法 Art 134, 134-1, 135, 139-1 punish persons): the company is still punished
# administratively for the same conduct, in the same case (不得选择性处罚; DOMAIN.md, December 2026 review).
NO_UNIT_LIABILITY = ("危险作业罪", "重大责任事故罪", "强令、组织他人违章冒险作业罪", "重大劳动安全事故罪",
                     "不报、谎报安全事故罪")


def _fine_binds(transfer: CriminalTransfer, proposal: dict, case_party_type: str | None) -> bool:
    """Whether the no-fine rule covers this proposal: its violation is one transferred (all, when none were named),
    and the fined party is the one the crime concerns: in a case with several parties, one of the parties the
    transfer report names (`transferred_parties`, their seqs; all, when none were named) — the unit is fined in
    the case when only its principal is transferred — and a company is spared where the crime has no unit
    liability."""
    data = transfer.instance.data or {}
    transferred = set(data.get("transferred_violations") or [])
    if transferred and proposal.get("violation_index") not in transferred:
        return False
    seq = proposal.get("party", 1)
    persons = set(data.get("transferred_parties") or [])
    case = db.session.get(Case, transfer.case_id) if transfer.case_id is not None else None
    case_data = (case.instance.data or {}) if case is not None else {}
    if not persons and len(case_data.get("parties") or []) > 1:
        # not named in the report: the parties whose proposals the case sent to the police
        persons = {p.get("party", 1) for p in case_data.get("proposals") or []
                   if isinstance(p, dict) and p.get("outcome") == "transfer"}
    if persons and seq not in persons:
        return False
    party_type = case_party_type
    if seq != 1 and transfer.case_id is not None:
        party_type = db.session.scalar(sa.select(CaseParty.type).where(
            CaseParty.case_id == transfer.case_id, CaseParty.seq == seq)) or party_type
    crime = str(data.get("suspected_crime") or "")
    return not (party_type == "organisation" and crime and any(c in crime for c in NO_UNIT_LIABILITY))


def refuse_fine_while_transfer_pending(instance_id: int, current: dict) -> None:
    """国务院令310 Art 11: no fine instead of the transfer while it is pending — on the conduct and the person
    transferred only; the case's other violations, and a company whose crime has no unit liability, are fined as
    usual. A warning, suspension of production and licence suspension or revocation remain possible. Called by
    the fine-deciding case rules."""
    if float(current.get("total_fine") or 0) <= 0:
        return
    transfer = db.session.scalar(
        sa.select(CriminalTransfer).join(Case, CriminalTransfer.case_id == Case.id)
        .where(Case.instance_id == instance_id, CriminalTransfer.status == TransferStatus.pending.value).limit(1))
    fined = [p for p in current.get("proposals") or []
             if p.get("outcome") == "penalty" and "fine" in (p.get("penalty_types") or []) and p.get("fine_amount")]
    party_type = (current.get("party") or {}).get("type")
    if transfer is not None and (not fined or any(_fine_binds(transfer, p, party_type) for p in fined)):
        raise Conflict(
            f"案件正在移送公安机关（{transfer.transfer_number}），移送期间不得作出罚款决定；警告、责令停产停业、暂扣或者吊销"
            f"许可证、执照仍可作出（{ART_11}） (no fine while the transfer is pending)",
            code="transfer_pending", details={"transfer_number": transfer.transfer_number, "basis": ART_11})


# -- the police's answers --------------------------------------------------------------------------------------
def _may_record(actor: User, transfer: CriminalTransfer) -> str:
    if integration_reaches(actor, transfer.unit):
        return "integration"
    if works_in(actor, transfer.unit_id, Role.case_handler):
        return "handler"
    raise Forbidden("无权登记该移送的答复 (only the unit's handlers or its integration account record answers)")


def record_police_answer(actor: User, transfer_id: int, *, kind: str, answered_at: datetime | None = None,
                         note: str = "", document_number: str | None = None, stage: str | None = None,
                         review_days: int | None = None) -> CriminalTransfer:
    """公安机关（或检察机关）的答复: recorded by a handler or posted by the integration account; delivered to the
    transfer process as the message `police_answer`. `review_days`: the review period the police's notice of
    acceptance (or of a longer review) states — 3, 7 or 30 days from acceptance; the waiting deadline and its
    escalations follow it."""
    transfer = db.session.get(CriminalTransfer, transfer_id)
    if transfer is None:
        raise NotFound("移送不存在 (no such transfer)")
    via = _may_record(actor, transfer)
    now = clock().now()
    answered_at = answered_at or now
    if answered_at > now:
        raise ValidationFailed("答复时间不能晚于当前时间 (answered in the future?)", {"answered_at": ["不能晚于当前时间"]})
    expected = ANSWERS_BY_STAGE.get(transfer.stage, set())
    if kind not in expected:
        raise Conflict(f"移送当前阶段（{transfer.stage}）不接受该答复 (this answer is not expected now)",
                       code="answer_not_expected", details={"stage": transfer.stage, "expected": sorted(expected)})
    if review_days is not None and review_days not in REVIEW_WINDOWS:
        raise ValidationFailed("立案审查期限应为3日、7日或30日 (the police review 3, 7 or 30 days)",
                               {"review_days": ["3、7 或 30"]})
    if review_days is not None and kind not in ("received", "review_extended"):
        raise ValidationFailed("仅受理或延长审查的告知载明审查期限 (only an acceptance states the review period)",
                               {"review_days": ["该答复不载明审查期限"]})
    instance = lock_instance(transfer.instance_id)
    data = instance.data or {}
    if kind == "review_extended":
        if not data.get("police_accepted_at"):
            raise Conflict("公安机关尚未受理，无从延长审查期限 (the police have not accepted the transfer yet)",
                           code="not_accepted")
        if review_days not in (7, 30):
            raise ValidationFailed("延长审查的告知应载明7日或30日 (a longer review is 7 or 30 days)",
                                   {"review_days": ["7 或 30"]})
    payload = {"kind": kind, "answered_at": answered_at.isoformat(), "note": note, "document_number": document_number,
               "stage": stage}
    if review_days is not None:
        payload["review_days"] = review_days
    entry = {**payload, "label": ANSWER_LABELS[kind], "recorded_at": now.isoformat(), "recorded_by": actor.username,
             "via": via}
    if kind == "materials_missing" and data.get("police_accepted_at"):
        notice = compute_deadline("materials_notice", datetime.fromisoformat(data["police_accepted_at"]))
        entry["late"] = answered_at > notice.due.due_at  # 24 hours from acceptance (国务院令310 Art 8)
    transfer.police_answers = [*(transfer.police_answers or []), entry]
    record_event(actor, "police_answer_recorded", instance_id=instance.id, details=entry)
    pipeline.deliver_message(instance, POLICE_MESSAGE, payload, actor)
    if entry.get("late"):
        _alert_supervisors_of_late_notice(instance, transfer, notice.due.due_at, answered_at, now)
    db.session.flush()
    return transfer


def _alert_supervisors_of_late_notice(instance, transfer, due_at, answered_at, now) -> None:
    """The police's overdue answers escalate to the supervisors (issue 5): a missing-materials notice later
    than 24 hours after acceptance (国务院令310 Art 8) is a level-1 escalation to the unit's supervisors, about
    the supplement step it opened (cleared when the materials are supplemented)."""
    signal = wf_engine.Signal(
        task_id="", bpmn_id="late_materials_notice", name="公安机关逾期告知补充材料", kind="police_late", code=None,
        properties={"alertLevel": "escalation1", "alertTarget": "supervisors", "forTask": "supplement_materials"},
        attached_to_task_id=None)
    alert = raise_alert(instance, signal, now)
    if alert is not None:
        record_event(None, "police_answer_late", instance_id=instance.id, details={
            "transfer_number": transfer.transfer_number, "rule": "materials_notice",
            "due_at": due_at.isoformat(), "answered_at": answered_at.isoformat()})


# -- keeping the row in step; the end of a transfer ----------------------------------------------------------
def _at(value):
    return datetime.fromisoformat(str(value)) if value else None


def sync_transfer(record) -> None:
    """Step handler: the transfer row follows its process; an approval suspends the case and the end of the
    transfer hands the case back (follow-up steps, after this one)."""
    if record.process_id != TRANSFER_PROCESS:
        return
    instance, snapshot, now = record.instance, record.snapshot, record.now
    transfer = db.session.scalar(sa.select(CriminalTransfer).where(CriminalTransfer.instance_id == instance.id))
    if transfer is None:
        return
    data = snapshot.data
    stage = _stage_of(instance, snapshot)
    if stage:
        transfer.stage = stage
    newly_approved = transfer.approved_at is None and data.get("approved_at")
    transfer.approved_at = transfer.approved_at or _at(data.get("approved_at"))
    if newly_approved:
        pipeline.queue_follow_up(_suspend_case, transfer, data)
    transfer.handed_over_at = transfer.handed_over_at or _at(data.get("handed_over_at"))
    transfer.police_case_opened_at = transfer.police_case_opened_at or _at(data.get("case_opened_at"))
    if snapshot.completed and transfer.status == TransferStatus.pending.value:
        outcome = data.get("transfer_outcome")
        transfer.status = {"refused": TransferStatus.refused, "returned": TransferStatus.returned,
                           "criminal": TransferStatus.concluded}.get(outcome, TransferStatus.concluded).value
        transfer.stage = {"refused": "refused", "returned": "returned"}.get(outcome, "concluded")
        transfer.concluded_at = now
        pipeline.queue_follow_up(_resume_case, transfer, outcome)
        pipeline.queue_follow_up(_hand_back, transfer, outcome, data)


# The step a person works on names the stage; while the process waits for the police, the rule of the
# deadline it waits under does. (Read from the structure; the projected data is also right since the engine
# merges task data by freshness, see engine/runtime.py _snapshot, but the structure cannot drift from it.)
_TASK_STAGES = {"draft_transfer_report": "report", "approve_transfer": "approval", "hand_over": "handover",
                "supplement_materials": "materials_supplement", "hand_over_evidence": "evidence_handover",
                "decide_after_not_opened": "not_opened", "decide_after_reconsideration": "reconsideration_upheld",
                "follow_up": "criminal_proceedings", "act_after_judgment": "after_judgment"}
_WAIT_STAGES = {"police_decision": "police_review", "police_decision_leads": "police_review",
                "police_decision_major": "police_review", "reconsideration_decision": "reconsideration",
                "police_followup": "procuratorate_supervision"}


def _stage_of(instance, snapshot) -> str | None:
    for task in snapshot.ready_user_tasks:
        if task.bpmn_id in _TASK_STAGES:
            return _TASK_STAGES[task.bpmn_id]
    waiting = {t.bpmn_id for t in snapshot.waiting_timers}
    if "followup_due" in waiting:
        return "criminal_proceedings"
    rule = db.session.scalar(sa.select(Timer.rule_id).where(
        Timer.instance_id == instance.id, Timer.bpmn_id == "due_await_police",
        Timer.status.in_([TimerStatus.waiting.value, TimerStatus.fired.value])).order_by(Timer.id.desc()).limit(1))
    if POLICE_MESSAGE in snapshot.waiting_messages and rule in _WAIT_STAGES:
        return _WAIT_STAGES[rule]
    return None


def _transfer_suspends_case(unit) -> bool:
    """Per province (business setting `transfer_suspends_case`, default yes): whether an approved transfer
    suspends the penalty case's decision deadline. The national rule is not explicit (confidence M)."""
    province = province_code(unit) or ""
    rows = {r.jurisdiction: r.value for r in db.session.scalars(sa.select(BusinessSetting).where(
        BusinessSetting.key == "transfer_suspends_case", BusinessSetting.jurisdiction.in_([province, "national"])))}
    value = rows.get(province, rows.get("national", True))
    return bool(value.get("enabled", True) if isinstance(value, dict) else value)


def _suspend_case(transfer: CriminalTransfer, data: dict) -> None:
    """中止: from the principal head's approval the penalty case's decision deadline (`decision_after_filing`)
    stops running while the case is with the police; it runs again when the transfer ends. Not for a case
    already decided (nothing left to decide) or already suspended for another reason."""
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is None or case.status != CaseStatus.open.value or not _transfer_suspends_case(case.unit):
        return
    case_data = case.instance.data or {}
    if case_data.get("decided_at") or case_data.get("no_penalty_decided_at"):
        return
    # 部分移送: the case decides its other violations (or the company) while the transfer runs; its decision
    # deadline keeps running for them
    if case_data.get("partial_transfer_started"):
        return
    approver = db.session.scalar(sa.select(User).where(User.username == data.get("approved_by"))) \
        if data.get("approved_by") else None
    suspend_decision_deadline(case, approver, f"移送公安机关（{transfer.transfer_number}）经正职负责人批准，案件中止",
                              details={"transfer_number": transfer.transfer_number, "basis": SUSPENSION_BASIS,
                                       "by": "criminal_transfer"})
    transfer.case_suspended_at = case.suspended_at


def _resume_case(transfer: CriminalTransfer, outcome: str | None) -> None:
    """The transfer has ended (sent back, a refusal to open accepted, or a judgment): the suspension it made
    ends, and the time it lasted moves the decision deadline (a deadline adjustment of kind suspension)."""
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is None or transfer.case_suspended_at is None or case.status != CaseStatus.suspended.value:
        return
    label = {"returned": "司法机关移送（不构成犯罪）", "criminal": "刑事案件办结"}.get(outcome or "criminal", outcome)
    resume_decision_deadline(case, None, f"移送结束（{transfer.transfer_number}：{label}），案件恢复办理",
                             details={"transfer_number": transfer.transfer_number, "outcome": outcome,
                                      "by": "criminal_transfer"})


def refuse_manual_resume(case: Case) -> None:
    """Resume guard (wiring.py): a case suspended by a pending transfer resumes when the transfer ends."""
    transfer = db.session.scalar(sa.select(CriminalTransfer).where(
        CriminalTransfer.case_id == case.id, CriminalTransfer.status == TransferStatus.pending.value,
        CriminalTransfer.case_suspended_at.is_not(None)).limit(1))
    if transfer is not None:
        raise Conflict(f"案件因移送公安机关（{transfer.transfer_number}）中止，移送结束后自动恢复 (suspended by a pending "
                       "transfer)", code="transfer_pending", details={"transfer_number": transfer.transfer_number})


def _deliver_result(case: Case, result: dict) -> bool:
    """The case waiting at 等待移送结果 moves on with the transfer's result, delivered as the message
    transfer_result (audited as message_delivered). False when the case is not waiting there (a transfer a
    handler opened while the case went on)."""
    case_instance = lock_instance(case.instance_id)
    if _waits_for_transfer(case_instance.waiting_events):
        pipeline.deliver_message(case_instance, RESULT_MESSAGE, result, None)
        return True
    # An instance started on the first version of the diagram waits in a user task of the same id.
    task = db.session.scalar(sa.select(Task).where(Task.instance_id == case.instance_id, Task.bpmn_id == AWAIT_TRANSFER,
                                                   Task.status == TaskStatus.ready.value))
    if task is None:
        return False
    task.instance = case_instance
    complete_task_for_process(task, result, by="criminal_transfer")
    return True


def _hand_back(transfer: CriminalTransfer, outcome: str | None, data: dict) -> None:
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    result = {"transfer_result": outcome or "criminal", "transfer_number": transfer.transfer_number}
    if outcome == "refused":
        result["transfer_refusal_reasons"] = data.get("refusal_reasons")
    if outcome == "criminal" or outcome is None:
        if case is not None:
            _deliver_result(case, result)
        return
    if case is not None and case.status != CaseStatus.closed.value \
            and (case.instance.data or {}).get("partial_transfer_started"):
        # 部分移送: the rest of the case is decided here, on its own path. The transferred conduct sent back (no
        # crime, administrative liability: 国务院令310 Art 13) or whose transfer the head refused is decided in a
        # case of its own (另案处理), so that this case's decision is not made twice; this case closes when its
        # decision is executed.
        _deliver_result(case, {**result, "split_case": True})
        alone, with_company = _undecided_transferred(transfer, case)
        if alone:
            split = _file_case_for_transferred_conduct(transfer, data, from_case=case, refused=outcome == "refused",
                                                       indices=alone)
            if split is not None:
                record_event(None, "transfer_split_case_filed", instance_id=case.instance_id, details={
                    "transfer_number": transfer.transfer_number, "outcome": outcome,
                    "case_number": split.case_number, "violations": alone})
        if with_company:
            # the company is punished in this case; the person whose conduct came back is not a party of it
            record_event(None, "case_return_needs_filing", instance_id=case.instance_id, details={
                "transfer_number": transfer.transfer_number, "outcome": outcome, "violations": with_company,
                "note": "单位已在本案处罚，移送的个人行为退回后由承办人依法另行立案"})
        return
    if outcome == "returned":
        result["returned_by_police"] = True
        # 国务院令310 Art 13; 司法解释(二) Art 11: no crime but administrative liability → the department
        # handles it: the penalty case resumes, or a new one starts, with that source.
        if case is not None and case.status != CaseStatus.closed.value:
            result["original_source"] = case.source
            case.source = CaseSource.returned_by_police.value
            _deliver_result(case, result)
            transfer.returned_case_id = case.id
            record_event(None, "case_returned_by_police", instance_id=case.instance_id,
                         details={"transfer_number": transfer.transfer_number, "resumed": True})
            return
        _file_case_for_transferred_conduct(transfer, data)
        return
    if case is not None:  # refused: the department handles the case itself
        _deliver_result(case, result)


def _undecided_transferred(transfer: CriminalTransfer, case: Case) -> tuple[list[int], list[int]]:
    """Of the violations a partial transfer took, those the case's report (as it stands now) still leaves to the
    police — a new report may have decided one here meanwhile — split into those the case does not punish at all
    and those whose company it punishes (the person's conduct went to the police)."""
    proposals = [p for p in (case.instance.data or {}).get("proposals") or [] if isinstance(p, dict)]
    alone, with_company = [], []
    for index in (transfer.instance.data or {}).get("transferred_violations") or []:
        outcomes = {p.get("outcome") for p in proposals if p.get("violation_index") == index}
        if "transfer" in outcomes:
            (with_company if "penalty" in outcomes else alone).append(index)
    return alone, with_company


def _file_case_for_transferred_conduct(transfer: CriminalTransfer, data: dict, *, from_case: Case | None = None,
                                       refused: bool = False, indices: list[int] | None = None) -> Case | None:
    """A penalty case for conduct that came back from a transfer: sent back by the police or the procuratorate
    (source 司法机关移送), or, split from a case that decided its other violations meanwhile (部分移送), refused by
    the head (the original case's source). Filed in the name of the handler who opened the transfer."""
    actor = db.session.get(User, transfer.created_by_id) if transfer.created_by_id else None
    if actor is None or not actor.has_role(Role.case_handler):
        record_event(None, "case_return_needs_filing", instance_id=transfer.instance_id,
                     details={"transfer_number": transfer.transfer_number})
        return None
    label = "不予移送" if refused else "司法机关移送"
    extra = {"returned_transfer": transfer.transfer_number, "rectification": data.get("rectification")}
    if from_case is not None:
        violations = (from_case.instance.data or {}).get("violations") or from_case.violations or []
        extra.update({"split_from_case": from_case.case_number,
                      "violations": [violations[i - 1] for i in indices or [] if 1 <= i <= len(violations)]})
    source = from_case.source if refused and from_case is not None else CaseSource.returned_by_police.value
    new_case = file_case(actor, source=source, party_name=transfer.party_name, party_type=transfer.party_type,
                         summary=f"{label}（{transfer.transfer_number}）：{transfer.summary}"[:2000], extra=extra)
    transfer.returned_case_id = new_case.id
    record_event(None, "transfer_refused_case_filed" if refused else "case_returned_by_police",
                 instance_id=new_case.instance_id,
                 details={"transfer_number": transfer.transfer_number, "resumed": False,
                          "split_from_case": from_case.case_number if from_case is not None else None})
    return new_case

