"""Rectification rules enforced when a task is completed."""
from __future__ import annotations

from datetime import datetime

from ...core.errors import ValidationFailed
from ...core.services import clock
from ...core.registry import Declarations
from ..users.units import require_two_officers
from .operations import RECTIFICATION_PROCESS, open_case_for_failed_order, order_for_instance


# Connected by create_app (wiring.py).
DECLARED = Declarations()


def _rule(bpmn_id: str):
    return DECLARED.task_rule(RECTIFICATION_PROCESS, bpmn_id)


def _not_in_future(field: str, value) -> None:
    if datetime.fromisoformat(str(value)) > clock().now():
        raise ValidationFailed("时间不能晚于当前时间 (a time in the future)", {field: ["不能晚于当前时间"]})


@_rule("await_rectification")
def _application_recorded(actor, task, data, current):
    _not_in_future("applied_at", data["applied_at"])
    return data


@_rule("reinspect")
def _reinspection_with_proof_opens_the_case(actor, task, data, current):
    _not_in_future("reinspected_at", data["reinspected_at"])
    # 行政处罚法 Art 42: the re-inspection that may open a penalty case is done by two officers of the unit.
    require_two_officers(data.get("reinspectors"), task.unit_id, field="reinspectors",
                         message="复查人员不少于两名本单位执法人员 (two officers of this unit re-inspect)")
    if data["reinspection_result"] != "failed":
        return data
    if not data.get("proof_of_non_compliance"):
        # 司法解释(二) Art 3: the proof of non-compliance is the evidence a refusal is judged on.
        raise ValidationFailed("复查不合格须附未整改的证明材料 (attach the proof of non-compliance)",
                               {"proof_of_non_compliance": ["至少一项证明材料"]})
    order = order_for_instance(task.instance_id)
    case = open_case_for_failed_order(actor, order, dict(data))
    return {**data, "penalty_case_id": case.id, "penalty_case_number": case.case_number}
