"""Issuing a rectification order (责令限期整改), keeping it in step with its process, and opening the penalty
case when the re-inspection (复查) finds it not complied with."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case, CaseSource
from ..cases.operations import file_case
from ..steps import pipeline
from ..users.models import Role
from .models import RectificationOrder, RectificationStatus, StopOrderKind

RECTIFICATION_PROCESS = "rectification"
STOP_ORDER_LABELS = {
    StopOrderKind.production: "责令停产停业", StopOrderKind.construction: "责令停止施工",
    StopOrderKind.equipment: "责令停止使用相关设备、设施、场所", StopOrderKind.remove_danger: "责令立即采取排除危险的整改措施",
}
# 安全生产法 Art 112: ordered to correct and fined, still refusing → the original fine again for every day,
# from the day after the order to correct.
CONTINUING_FINE_BASIS = "《安全生产法》第一百一十二条"
# A failed re-inspection opens the case; whether the non-compliance aggravates the penalty (从重) is decided in
# the case, by its discretion, not presumed here (DOMAIN.md, December 2026 review).
DISCRETION_BASIS = "复查认定逾期未整改或整改不到位：是否从重处罚由案件依法裁量（各地裁量基准）；不得以责令限期改正代替行政处罚"


def end_of_day(day: date) -> datetime:
    """24:00 Asia/Shanghai of `day` (the last moment of a deadline given as a date)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def issue_order(actor, *, party_name: str, party_type: str, legal_basis: str, hidden_dangers: list[dict],
                required_actions: str, rectify_by: date, major_hidden_danger: bool = False,
                stop_order: dict | None = None, fine_imposed: float | None = None,
                source_case_id: int | None = None, enterprise_id: int | None = None,
                article_fines_at_once: bool = False, no_case_reason: str | None = None) -> RectificationOrder:
    """责令限期整改: the officer records the basis, the hidden dangers, what must be done and the deadline.
    `enterprise_id`: the party's registry entry, checked by the caller (enterprises.operations)."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可下达整改指令 (only case handlers issue rectification orders)")
    now = clock().now()
    errors = {}
    today = now.astimezone(SHANGHAI).date()
    if rectify_by <= today:
        # 司法解释(二) Art 3: a reasonable deadline is part of what makes a refusal punishable.
        errors["rectify_by"] = [f"整改期限须晚于今日（{today.isoformat()}）"]
    major = major_hidden_danger or any(d.get("major") for d in hidden_dangers)
    if stop_order and not major:
        # 安全生产法 Art 65 / 刑法 Art 134-1 (2): the stop order is given because of a major hidden danger.
        errors["stop_order"] = ["责令停产停业、停止施工、停止使用须因存在重大事故隐患作出：请标明重大事故隐患"]
    source_case = None
    if source_case_id is not None:
        source_case = db.session.get(Case, source_case_id)
        if source_case is None or source_case.unit_id != actor.unit_id:
            errors["source_case_id"] = ["本单位无此案件"]
    if article_fines_at_once and source_case is None and not (no_case_reason or "").strip():
        # Where the article fines at once (e.g. 安全生产法 Art 102: 责令限期改正，处…罚款), an order to correct never
        # replaces the penalty case (不得以责令改正代替行政处罚): the order names its case, or records why there is none.
        errors["no_case_reason"] = ["该条款规定责令改正并处罚款：请关联已立案的案件，或记录不立案的理由"]
    if errors:
        raise ValidationFailed("整改指令不完整 (the rectification order is incomplete)", errors)
    deadline = end_of_day(rectify_by)
    order = {
        "legal_basis": legal_basis, "hidden_dangers": hidden_dangers, "required_actions": required_actions,
        "rectify_by_date": rectify_by.isoformat(), "major_hidden_danger": major, "stop_order": stop_order,
        "fine_imposed": fine_imposed, "article_fines_at_once": bool(article_fines_at_once),
        "no_case_reason": (no_case_reason or None) if source_case is None else None,
    }
    data = {"order": order, "party": {"name": party_name, "type": party_type},
            "rectify_by": deadline.isoformat(), "issued_by": actor.username}
    instance = pipeline.start(actor, process_id=RECTIFICATION_PROCESS, unit=actor.unit,
                                       title=f"{party_name}整改", data=data)
    row = RectificationOrder(
        order_number=f"{actor.unit.code}-ZG-{instance.started_at.year}-{instance.id:06d}", instance_id=instance.id,
        unit_id=actor.unit_id, party_name=party_name, party_type=party_type, legal_basis=legal_basis,
        hidden_dangers=hidden_dangers, required_actions=required_actions, rectify_by=deadline,
        major_hidden_danger=major, stop_order=stop_order,
        stop_order_kind=(stop_order or {}).get("kind"), fine_imposed=fine_imposed,
        source_case_id=source_case.id if source_case else None, status=RectificationStatus.rectifying.value,
        issued_at=now, issued_by_id=actor.id, enterprise_id=enterprise_id)
    db.session.add(row)
    db.session.flush()
    instance.business_key = row.order_number
    record_event(actor, "rectification_ordered", instance_id=instance.id, details={
        "order_number": row.order_number, "party": party_name, "rectify_by": rectify_by.isoformat(),
        "major_hidden_danger": major, "stop_order": stop_order, "article_fines_at_once": bool(article_fines_at_once),
        "case_number": source_case.case_number if source_case else None, "no_case_reason": order["no_case_reason"]})
    return row


def order_for_instance(instance_id: int) -> RectificationOrder | None:
    return db.session.scalar(sa.select(RectificationOrder).where(RectificationOrder.instance_id == instance_id))


def continuing_fine_offer(order: RectificationOrder, on: datetime) -> dict | None:
    """What 安全生产法 Art 112 allows when a fined company still refuses to correct: offered, not imposed."""
    if not order.fine_imposed:
        return None
    first_day = order.issued_at.astimezone(SHANGHAI).date() + timedelta(days=1)
    days = max(0, (on.astimezone(SHANGHAI).date() - first_day).days + 1)
    return {"basis": CONTINUING_FINE_BASIS, "daily_amount": order.fine_imposed, "from_date": first_day.isoformat(),
            "days_so_far": days, "amount_so_far": round(order.fine_imposed * days, 2),
            "note": "被责令改正且受到罚款处罚，拒不改正的，可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚（由承办人决定是否适用）"}


def open_case_for_failed_order(actor, order: RectificationOrder, reinspection: dict) -> Case:
    """A failed re-inspection opens the penalty case at once, in the same transaction, with the order, the
    re-inspection and the proof of non-compliance attached: the evidence a later transfer needs."""
    now = clock().now()
    evidence = {
        "order_number": order.order_number, "legal_basis": order.legal_basis, "hidden_dangers": order.hidden_dangers,
        "required_actions": order.required_actions, "rectify_by": order.rectify_by.isoformat(),
        "major_hidden_danger": order.major_hidden_danger, "stop_order": order.stop_order,
        "issued_at": order.issued_at.isoformat(), "applied_at": order.applied_at.isoformat() if order.applied_at else None,
        "reinspection": reinspection,
    }
    offer = continuing_fine_offer(order, now)
    extra = {
        "rectification": evidence,
        "circumstances_to_weigh": [{"code": "overdue_rectification", "label": "复查认定逾期未整改或整改不到位",
                                    "basis": DISCRETION_BASIS, "order_number": order.order_number,
                                    "found_at": reinspection.get("reinspected_at")}],
        "continuing_fine_offer": offer,
    }
    if order.stop_order and reinspection.get("order_still_refused"):
        extra["refused_stop_order"] = True
    summary = f"责令限期整改（{order.order_number}）经复查认定逾期未整改或整改不到位：{reinspection.get('reinspection_findings', '')}"
    case = file_case(actor, source=CaseSource.overdue_rectification.value, party_name=order.party_name,
                     party_type=order.party_type, summary=summary[:2000], extra=extra,
                     enterprise_id=order.enterprise_id)
    order.penalty_case_id = case.id
    record_event(actor, "case_opened_from_rectification", instance_id=case.instance_id, details={
        "order_number": order.order_number, "case_number": case.case_number, "aggravating": None,
        "continuing_fine_offered": offer is not None})
    return case


def sync_order(record) -> None:
    """Step handler: the order row follows its process (application, re-inspection, closure)."""
    if record.process_id != RECTIFICATION_PROCESS:
        return
    order = order_for_instance(record.instance.id)
    if order is None:
        return
    snapshot, now = record.snapshot, record.now
    data = snapshot.data
    if data.get("applied_at") and order.applied_at is None:
        order.applied_at = datetime.fromisoformat(str(data["applied_at"]))
    # (variables first set by a script: the projected data may carry an older copy of earlier ones)
    if data.get("reinspection_from") and order.status == RectificationStatus.rectifying.value:
        order.status = RectificationStatus.reinspection_due.value
    result = data.get("reinspection_result")
    if result and order.reinspection is None:
        order.reinspection = {k: data.get(k) for k in ("reinspected_at", "reinspection_result", "reinspection_findings",
                                                        "reinspectors", "proof_of_non_compliance",
                                                        "order_still_refused")}
        order.status = (RectificationStatus.passed if result == "passed" else RectificationStatus.failed).value
    if snapshot.completed and order.closed_at is None:
        order.closed_at = now



def get_order(order_id: int) -> RectificationOrder:
    order = db.session.get(RectificationOrder, order_id)
    if order is None:
        raise NotFound("整改指令不存在 (no such rectification order)")
    return order
