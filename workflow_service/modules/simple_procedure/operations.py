"""On-the-spot penalties (简易程序 / 当场处罚): opening the record, keeping it in step with its process, and turning
it into a general-procedure case that keeps its evidence.

行政处罚法 Art 51: facts certain (违法事实确凿) and a legal basis, and a warning or a fine of at most 200 yuan for a
citizen / 3,000 yuan for an organisation — otherwise the general procedure applies. Art 52: two officers show
their certificates, the party may state and defend on the spot, a numbered decision is handed over at once, and
the decision is filed (备案) with the officers' department. Art 68–70: collection on the spot only for fines of
100 yuan or less, or where it would be hard to collect afterwards (or in remote areas), against an official
receipt.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case, CaseSource, CaseStatus
from ..cases.operations import file_case
from ..evidence.models import EvidenceFile
from ..steps import pipeline
from ..users.models import Role
from ..users.units import require_two_officers
from .models import SimplePenalty, SimpleStatus

SIMPLE_PROCESS = "simple_procedure"
DECIDE_TASK = "decide_on_the_spot"
# 行政处罚法 Art 51: the ceilings of the simple procedure (yuan), by the kind of party.
SPOT_FINE_LIMITS = {"individual": 200, "organisation": 3000}
PARTY_LABELS = {"individual": "公民", "organisation": "法人或者其他组织"}
# 行政处罚法 Art 68: fines of 100 yuan or less may be collected on the spot.
SPOT_COLLECTION_LIMIT = 100
COLLECTION_REASONS = {
    "small_fine": "依法给予一百元以下罚款（《行政处罚法》第六十八条第一项）",
    "hard_to_execute": "不当场收缴事后难以执行（《行政处罚法》第六十八条第二项）",
    "remote_area": "在边远、水上、交通不便地区，当事人到指定银行缴纳确有困难并提出（《行政处罚法》第六十九条）",
}
SIMPLE_BASIS = "《中华人民共和国行政处罚法》第五十一条、第五十二条"


def _at(value) -> datetime:
    return datetime.fromisoformat(str(value))


def open_record(actor, *, party_name: str, party_type: str, place: str, officers: list[dict],
                violation_description: str, provision: str, facts: str, credit_code: str | None = None,
                address: str | None = None, legal_representative: str | None = None) -> SimplePenalty:
    """现场调查: two officers record the violation found on the spot; the process waits for the on-the-spot
    decision (or for the officers to turn the matter into a general-procedure case)."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可适用简易程序 (only case handlers impose penalties on the spot)")
    usernames = [o.get("username") for o in officers]
    errors = {}
    try:
        require_two_officers(usernames, actor.unit_id, field="officers",
                             message="当场处罚须由两名以上本单位执法人员实施（《行政处罚法》第五十二条）")
    except ValidationFailed as exc:
        errors.update(exc.details)
    if actor.username not in usernames:
        errors.setdefault("officers", []).append("记录人须为在场执法人员之一")
    if any(not (o.get("certificate_number") or "").strip() for o in officers):
        errors.setdefault("officers", []).append("须填写每名执法人员的执法证件号（《行政处罚法》第五十二条：出示执法证件）")
    if errors:
        raise ValidationFailed("当场处罚记录不完整：须两名以上本单位执法人员并出示执法证件（《行政处罚法》第五十二条）", errors)
    now = clock().now()
    party = {"name": party_name, "type": party_type, "credit_code": credit_code or "", "address": address or "",
             "legal_representative": legal_representative or ""}
    violations = [{"description": violation_description, "provision": provision}]
    data = {"procedure": "simple", "party": party, "violations": violations, "facts": facts, "place": place,
            "handlers": usernames, "officers": officers, "opened_at": now.isoformat(), "source": "inspection",
            "spot_fine_limit": SPOT_FINE_LIMITS[party_type]}
    instance = pipeline.start(actor, process_id=SIMPLE_PROCESS, unit=actor.unit, title=f"{party_name}当场处罚",
                              data=data)
    unit = actor.unit
    case = Case(case_number=f"{unit.code}-JY-{instance.started_at.year}-{instance.id:06d}", instance_id=instance.id,
                unit_id=unit.id, source=CaseSource.inspection.value, party_name=party_name, party_type=party_type,
                summary=f"简易程序：{violation_description}"[:2000], violations=violations,
                status=CaseStatus.open.value, created_at=now, created_by_id=actor.id)
    db.session.add(case)
    db.session.flush()
    instance.business_key = case.case_number
    row = SimplePenalty(case_id=case.id, instance_id=instance.id, unit_id=unit.id, place=place, officers=officers,
                        status=SimpleStatus.recording.value, created_at=now, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(actor, "simple_procedure_opened", instance_id=instance.id, details={
        "case_number": case.case_number, "party": party_name, "place": place,
        "officers": [{"username": o["username"], "certificate_number": o["certificate_number"]} for o in officers]})
    return row


def check_on_the_spot_decision(data: dict, current: dict, party_type: str, now: datetime) -> dict:
    """The refusals of Art 51–52 and 68–70, each with its reason in Chinese; returns the decision as the case
    documents read it (proposal, total fine, basis)."""
    errors: dict[str, list[str]] = {}
    limit = SPOT_FINE_LIMITS.get(party_type, SPOT_FINE_LIMITS["individual"])
    kind, amount = data.get("penalty_kind"), data.get("fine_amount")
    if not data.get("facts_certain"):
        errors["facts_certain"] = ["违法事实不确凿的，不得适用简易程序，应转为一般程序（《行政处罚法》第五十一条）"]
    if not (data.get("legal_basis") or "").strip():
        errors["legal_basis"] = ["须写明处罚依据：当场处罚须有法定依据（《行政处罚法》第五十一条）"]
    if kind not in ("warning", "fine"):
        errors["penalty_kind"] = ["简易程序只能给予警告或者罚款（《行政处罚法》第五十一条）"]
    elif kind == "fine":
        if not amount or amount <= 0:
            errors["fine_amount"] = ["请填写罚款数额"]
        elif amount > limit:
            errors["fine_amount"] = [
                f"罚款{amount:g}元超过当场处罚限额：对{PARTY_LABELS.get(party_type, '公民')}当场罚款不得超过{limit}元"
                f"（《行政处罚法》第五十一条），应转为一般程序办理"]
    if not data.get("certificates_shown"):
        errors["certificates_shown"] = ["执法人员应当向当事人出示执法证件（《行政处罚法》第五十二条）"]
    if data.get("party_stated") and not (data.get("statement_review") or "").strip():
        errors["statement_review"] = ["当事人当场陈述、申辩的，应当记录复核意见（《行政处罚法》第四十五条）"]
    decided = data.get("decided_at")
    if not decided:
        errors["decided_at"] = ["请填写当场作出决定的时间"]
    elif _at(decided) > now:
        errors["decided_at"] = ["不能晚于当前时间"]
    elif current.get("opened_at") and _at(decided) < _at(current["opened_at"]):
        errors["decided_at"] = ["不能早于现场记录时间"]
    if kind == "fine":
        method = data.get("payment_method")
        if method not in ("on_the_spot", "bank"):
            errors["payment_method"] = ["请选择缴纳方式：当场收缴或十五日内到指定银行缴纳"]
        elif method == "on_the_spot":
            reason = data.get("collection_reason")
            if reason not in COLLECTION_REASONS or (reason == "small_fine" and amount and amount > SPOT_COLLECTION_LIMIT):
                errors["collection_reason"] = [
                    "当场收缴罚款仅限一百元以下罚款、不当场收缴事后难以执行或边远地区缴款困难的情形"
                    "（《行政处罚法》第六十八条、第六十九条）；其他情形应自收到决定书之日起十五日内到指定银行缴纳"]
            if not (data.get("receipt_number") or "").strip():
                errors["receipt_number"] = ["当场收缴罚款须出具省级财政部门统一制发的专用票据，请填写票据号（《行政处罚法》第七十条）"]
    if errors:
        raise ValidationFailed("不符合当场处罚的条件 (the simple procedure does not apply: 行政处罚法第五十一条、第五十二条)",
                               errors)
    fine = float(amount) if kind == "fine" else 0.0
    paid_on_spot = kind == "fine" and data.get("payment_method") == "on_the_spot"
    return {**data, "converted": False, "total_fine": fine,
            "penalty_types": ["fine"] if kind == "fine" else ["warning"],
            "proposals": [{"violation_index": 1, "outcome": "penalty", "penalty_types": [kind],
                           "fine_amount": fine or None, "basis": data["legal_basis"]}],
            "decision_basis": data["legal_basis"], "statement": bool(data.get("party_stated")),
            "paid_on_spot": paid_on_spot, "needs_payment": kind == "fine" and not paid_on_spot,
            "paid_at": decided if paid_on_spot else None}


def check_conversion(data: dict) -> dict:
    if not (data.get("conversion_reason") or "").strip():
        raise ValidationFailed("转为一般程序须说明理由 (give the reason for the general procedure)",
                               {"conversion_reason": ["必填，例如：罚款数额超过当场处罚限额、事实需进一步调查"]})
    return {"converted": True, "conversion_reason": data["conversion_reason"], "facts_certain": False,
            "paid_on_spot": False, "needs_payment": False}


def penalty_for_instance(instance_id: int) -> SimplePenalty | None:
    return db.session.scalar(sa.select(SimplePenalty).where(SimplePenalty.instance_id == instance_id))


def get_penalty(penalty_id: int) -> SimplePenalty:
    row = db.session.get(SimplePenalty, penalty_id)
    if row is None:
        raise NotFound("当场处罚记录不存在 (no such on-the-spot penalty)")
    return row


def sync_penalty(record) -> None:
    """Step handler (wiring.py): the record follows its process; a conversion opens the general case."""
    if record.process_id != SIMPLE_PROCESS:
        return
    row = penalty_for_instance(record.instance.id)
    if row is None:
        return
    data = record.snapshot.data
    task = record.completed_task
    if task is not None and task.bpmn_id == DECIDE_TASK:
        if data.get("converted"):
            row.status = SimpleStatus.converted.value
            row.conversion_reason = data.get("conversion_reason")
            pipeline.queue_follow_up(convert_to_general_procedure, row.id, record.actor)
        else:
            row.status = SimpleStatus.decided.value
            row.penalty_kind = data.get("penalty_kind")
            row.fine_amount = data.get("fine_amount") if data.get("penalty_kind") == "fine" else None
            row.payment_method = data.get("payment_method") if data.get("penalty_kind") == "fine" else None
            row.decided_at = _at(data["decided_at"])
            if data.get("paid_on_spot"):
                row.paid_at = row.decided_at
            row.case.violations = data.get("violations") or []
    if data.get("filed_at") and row.filed_at is None:
        row.filed_at = _at(data["filed_at"])
    if data.get("paid_at") and row.paid_at is None:
        row.paid_at = _at(data["paid_at"])
    if record.snapshot.completed and row.closed_at is None:
        row.closed_at = record.now
        if row.status != SimpleStatus.converted.value:
            row.status = SimpleStatus.closed.value
        row.case.status = CaseStatus.closed.value
        row.case.closed_at = record.now


def convert_to_general_procedure(penalty_id: int, actor) -> Case:
    """Follow-up of the conversion step: a general-procedure case is filed for the same party and facts, and the
    evidence files collected on the spot move to it with their SHA-256 (recorded in both audit chains)."""
    row = db.session.get(SimplePenalty, penalty_id)
    data = row.instance.data or {}
    party = data.get("party") or {}
    general = file_case(actor, source=CaseSource.inspection.value, party_name=row.case.party_name,
                        party_type=row.case.party_type,
                        summary=f"由简易程序（{row.case.case_number}）转为一般程序：{row.conversion_reason or ''}"[:2000],
                        extra={"party": party, "violations": data.get("violations") or [],
                               "facts": data.get("facts") or "", "handlers": data.get("handlers") or [],
                               "converted_from_simple": {"case_number": row.case.case_number,
                                                         "reason": row.conversion_reason, "place": row.place}})
    files = list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.case_id == row.case_id)))
    for f in files:
        f.case_id = general.id
    row.converted_to_case_id = general.id
    moved = [{"evidence_id": f.id, "sha256": f.sha256, "filename": f.filename} for f in files]
    record_event(actor, "simple_procedure_converted", instance_id=row.instance_id, details={
        "to_case_number": general.case_number, "reason": row.conversion_reason, "evidence_moved": moved})
    record_event(actor, "case_opened_from_simple_procedure", instance_id=general.instance_id, details={
        "from_case_number": row.case.case_number, "reason": row.conversion_reason, "evidence_received": moved})
    db.session.flush()
    return general
