"""Simple-procedure rules enforced when a task is completed (行政处罚法 Art 51–52, 68–70)."""
from __future__ import annotations

from datetime import datetime

from ...core.errors import ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from .operations import (DECIDE_TASK, SIMPLE_PROCESS, check_conversion, check_on_the_spot_decision,
                         penalty_for_instance)

# Connected by create_app (wiring.py).
DECLARED = Declarations()


def _rule(bpmn_id: str):
    return DECLARED.task_rule(SIMPLE_PROCESS, bpmn_id)


def _at(value) -> datetime:
    return datetime.fromisoformat(str(value))


def _between_decision_and_now(field: str, value, current: dict) -> None:
    if _at(value) > clock().now():
        raise ValidationFailed("时间不能晚于当前时间 (a time in the future)", {field: ["不能晚于当前时间"]})
    if current.get("decided_at") and _at(value) < _at(current["decided_at"]):
        raise ValidationFailed("时间不能早于当场处罚决定 (before the decision)", {field: ["不能早于作出决定的时间"]})


@_rule(DECIDE_TASK)
def _eligible_for_the_simple_procedure(actor, task, data, current):
    if data.get("converted"):
        return check_conversion(data)
    row = penalty_for_instance(task.instance_id)
    return check_on_the_spot_decision(data, current, row.case.party_type, clock().now())


@_rule("report_for_filing")
def _filed_after_the_decision(actor, task, data, current):
    _between_decision_and_now("filed_at", data["filed_at"], current)
    return data


@_rule("record_onsite_payment")
def _paid_after_the_decision(actor, task, data, current):
    _between_decision_and_now("paid_at", data["paid_at"], current)
    return data
