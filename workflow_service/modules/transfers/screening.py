"""Crime screening (涉嫌犯罪筛查): the facts a handler recorded, run through bpmn/crime_screening.dmn against the
three situations of 刑法 Art 134-1 (and casualties for the accident crimes). It suggests; people decide."""
from __future__ import annotations

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..processes.definitions import evaluate_straight_through
from ..users.provinces import province_code
from ..rectification.models import RectificationOrder, RectificationStatus
from ..users.models import Role
from .models import CrimeScreening

SCREENING_PROCESS = "crime_screening"
ACTIVITIES = ("mining", "metal_smelting", "construction", "dangerous_goods", "other")
REAL_DANGER_NOTE = ("“现实危险”无法定标准：由承办人记录具体事实，是否移送由负责人决定；本结果仅为提示"
                    "（《刑法》第一百三十四条之一；危害生产安全刑事案件司法解释（二））")


def _refused_stop_order(order: RectificationOrder) -> bool:
    """Situation 2 from the record: a stop order given for a major hidden danger, and a failed re-inspection
    that found the order still not carried out."""
    return bool(order.stop_order and order.major_hidden_danger and order.status == RectificationStatus.failed.value
                and (order.reinspection or {}).get("order_still_refused"))


def screen(actor, *, facts: dict, real_danger_facts: str, case_id: int | None = None,
           rectification_id: int | None = None) -> CrimeScreening:
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可进行筛查 (case handlers screen)")
    facts = dict(facts)
    derived = {}
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在 (no such case)")
        if case.unit_id != actor.unit_id:
            raise Forbidden("只能就本单位的案件操作 (this case belongs to another unit)")
        if (case.instance.data or {}).get("refused_stop_order"):
            derived["refused_stop_order"] = "案件记录：复查时仍拒不执行停产停业等决定"
    if rectification_id is not None:
        order = db.session.get(RectificationOrder, rectification_id)
        if order is None or order.unit_id != actor.unit_id:
            raise NotFound("本单位无此整改指令 (no such rectification order in your unit)")
        if _refused_stop_order(order):
            derived["refused_stop_order"] = (f"整改指令 {order.order_number}：因重大事故隐患责令"
                                             f"{(order.stop_order or {}).get('kind')}，复查仍拒不执行")
    for key in derived:
        facts[key] = True
    if facts.get("unlicensed_activity") not in (None, *ACTIVITIES):
        raise ValidationFailed("无效的作业类型", {"facts.unlicensed_activity": [f"one of {ACTIVITIES}"]})
    inputs = {"monitoring_disabled": bool(facts.get("monitoring_disabled")),
              "refused_stop_order": bool(facts.get("refused_stop_order")),
              "unlicensed_operation": bool(facts.get("unlicensed_operation")),
              "unlicensed_activity": facts.get("unlicensed_activity") or "",
              "deaths": int(facts.get("deaths") or 0), "serious_injuries": int(facts.get("serious_injuries") or 0),
              # the crimes the December 2026 review added (DOMAIN.md): 刑法 Art 134(2), 139-1, 229, 125
              "direct_loss": float(facts.get("direct_loss") or 0),
              "forced_risky_operation": bool(facts.get("forced_risky_operation")),
              "accident_concealed": bool(facts.get("accident_concealed")),
              "false_certificate": bool(facts.get("false_certificate")),
              "illegal_explosives": bool(facts.get("illegal_explosives"))}
    out = evaluate_straight_through(SCREENING_PROCESS, inputs, province_code(actor.unit))
    matches = [{"situation": s, "suggested_charge": c, "basis": b}
               for s, c, b in zip(out.get("situation") or [], out.get("suggested_charge") or [], out.get("basis") or [])]
    result = {"suggest_transfer": bool(matches), "matches": matches, "derived_from_record": derived,
              "real_danger_recorded": bool(real_danger_facts.strip()), "note": REAL_DANGER_NOTE}
    row = CrimeScreening(unit_id=actor.unit_id, case_id=case_id, rectification_id=rectification_id, facts=inputs,
                         real_danger_facts=real_danger_facts, result=result, screened_at=clock().now(),
                         screened_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(actor, "crime_screened", details={"screening_id": row.id, "case_id": case_id,
                                                  "rectification_id": rectification_id,
                                                  "situations": [m["situation"] for m in matches]})
    return row
