"""The hidden-danger ledger (隐患台账) as its processes move: a rectification order's re-inspection (复查) answers
the hidden dangers it covers, the higher level decides on closing a major one (挂牌督办 → 销号), and each ledger
line follows its process. Every step goes through the step pipeline (a follow-up step when a handler causes it)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..alerts.operations import clear_alerts_of_instance
from ..audit.operations import record_event
from ..rectification.models import RectificationOrder
from ..rectification.operations import end_of_day
from ..steps import pipeline
from ..steps.locking import lock_instance
from .models import HazardStatus, HiddenDanger, Severity
from .operations import CLOSERS, CLOSURE_MESSAGE, HAZARD_PROCESS, ORDER_RESULT_MESSAGE, hazard_for_instance


# -- the rectification order's re-inspection answers the hidden dangers it covers ----------------------------
def deliver_order_result(hazard_id: int, result: str, reinspected_at: str) -> None:
    hazard = db.session.get(HiddenDanger, hazard_id)
    instance = lock_instance(hazard.instance_id)
    if not any(w.get("message") == ORDER_RESULT_MESSAGE for w in instance.waiting_events or []):
        return
    pipeline.deliver_message(instance, ORDER_RESULT_MESSAGE, {"result": result, "reinspected_at": reinspected_at})


def follow_rectification(record) -> None:
    """Step handler: when a rectification order's re-inspection is recorded, the hidden dangers it covers take
    its result (a follow-up step of each hazard's process)."""
    if record.process_id != "rectification" or not record.changed("reinspection_result"):
        return
    result = record.new_data.get("reinspection_result")
    if not result:
        return
    order_id = db.session.scalar(sa.select(RectificationOrder.id).where(
        RectificationOrder.instance_id == record.instance.id))
    hazard_ids = db.session.scalars(sa.select(HiddenDanger.id).where(
        HiddenDanger.rectification_order_id == order_id, HiddenDanger.status == HazardStatus.rectifying.value))
    reinspected_at = str(record.new_data.get("reinspected_at") or record.now.isoformat())
    for hazard_id in hazard_ids:
        pipeline.queue_follow_up(deliver_order_result, hazard_id, result, reinspected_at)


# -- 挂牌督办: the higher level decides on closing a major hidden danger --------------------------------------
def decide_major_closure(actor, hazard_id: int, *, approved: bool, opinion: str,
                         rectify_by: date | None = None) -> HiddenDanger:
    """重大事故隐患销号: only a supervisor or principal head of the supervising (higher) unit approves it; a refusal
    sets the new deadline the rectification runs to."""
    hazard = db.session.get(HiddenDanger, hazard_id)
    if hazard is None:
        raise NotFound("隐患不存在 (no such hidden danger)")
    if hazard.severity != Severity.major.value or hazard.supervising_unit_id != actor.unit_id \
            or not any(actor.has_role(r) for r in CLOSERS):
        raise Forbidden("重大事故隐患由挂牌督办的上级单位负责人审批销号 (only the supervising higher level approves)")
    not_awaiting = Conflict("该隐患尚未整改完毕报请销号 (the hidden danger is not awaiting closure)",
                            code="not_awaiting_closure")
    if hazard.status != HazardStatus.awaiting_closure.value or hazard.instance_id is None:
        raise not_awaiting
    instance = lock_instance(hazard.instance_id)
    if not any(w.get("message") == CLOSURE_MESSAGE for w in instance.waiting_events or []):
        raise not_awaiting
    payload = {"approved": bool(approved), "opinion": opinion, "by": actor.username, "by_id": actor.id,
               "decided_at": clock().now().isoformat()}
    if not approved:
        today = clock().now().astimezone(SHANGHAI).date()
        if rectify_by is None or not today < rectify_by <= today + timedelta(days=3 * 366):
            raise ValidationFailed("不同意销号须限定新的整改期限 (a refusal sets a new deadline after today)",
                                   {"rectify_by": [f"须晚于今日（{today.isoformat()}），且不超过三年"]})
        payload["rectify_by"] = end_of_day(rectify_by).isoformat()
    pipeline.deliver_message(instance, CLOSURE_MESSAGE, payload, actor)
    record_event(actor, "major_hidden_danger_closure_decided", instance_id=instance.id, details={
        "ledger_number": hazard.ledger_number, "approved": bool(approved), "opinion": opinion,
        "rectify_by": payload.get("rectify_by")})
    return hazard


# -- the ledger line follows its process ---------------------------------------------------------------------
def sync_hazard(record) -> None:
    """Step handler: status, deadline, rectification and closure of a ledger line as its process stands."""
    if record.process_id != HAZARD_PROCESS:
        return
    hazard = hazard_for_instance(record.instance.id)
    if hazard is None and record.kind == "start" and record.instance.business_key:
        # the start step publishes before the ledger line knows its instance: found by its number
        hazard = db.session.scalar(sa.select(HiddenDanger).where(
            HiddenDanger.ledger_number == record.instance.business_key))
    if hazard is None:
        return
    hazard.instance_id = record.instance.id
    data = record.new_data
    if data.get("rectify_by"):
        hazard.rectify_by = datetime.fromisoformat(str(data["rectify_by"]))
    if data.get("rectified_at") and hazard.rectified_at is None:
        hazard.rectified_at = datetime.fromisoformat(str(data["rectified_at"]))
    if data.get("reinspection_result") and record.changed("reinspected_at", "reinspection_result"):
        hazard.reinspection = {k: data.get(k) for k in ("reinspected_at", "reinspection_result",
                                                        "reinspection_findings", "reinspectors")}
    decision = data.get("closure_decision")
    if isinstance(decision, dict) and decision.get("approved") and record.changed("closure_decision"):
        hazard.closure_approved_by_id = decision.get("by_id")
    if record.snapshot.completed:
        hazard.status = HazardStatus.closed.value
        hazard.closed_at = hazard.closed_at or record.now
        if record.process_completed:  # 销号 ends the 挂牌督办 and any deadline alert of the line
            clear_alerts_of_instance(record.instance.id, record.now)
    elif any(w.get("message") == CLOSURE_MESSAGE for w in record.instance.waiting_events or []):
        hazard.status = HazardStatus.awaiting_closure.value
    else:
        hazard.status = HazardStatus.rectifying.value
