"""Transfer rules enforced when a task is completed (国务院令第310号)."""
from __future__ import annotations

from datetime import datetime


from ...core.errors import Conflict, ValidationFailed
from ...core.services import clock
from ...core.registry import Declarations
from ..users.models import Role
from ..users.units import require_two_officers
from .operations import AWAIT_TRANSFER, CASE_PROCESS, TRANSFER_PROCESS, refuse_fine_while_transfer_pending

# Art 6: what travels with the transfer; a missing item blocks the hand-over. The item list and the test or
# appraisal reports only where the case has items or appraisals, and the administrative decisions already made
# (应急〔2019〕54号) where there are any: the officer says which the case does not have (DOMAIN.md, December 2026).
MATERIALS = {"transfer_letter": "涉嫌犯罪案件移送书", "investigation_report": "涉嫌犯罪案件情况的调查报告",
             "items_list": "涉案物品清单", "appraisal_reports": "有关检验报告或者鉴定意见",
             "other_materials": "其他有关涉嫌犯罪的材料", "administrative_decisions": "已作出的行政处罚决定等文书"}
ALWAYS_REQUIRED = ("transfer_letter", "investigation_report")


# Connected by create_app (wiring.py).
DECLARED = Declarations()


def _rule(bpmn_id: str, process: str = TRANSFER_PROCESS):
    return DECLARED.task_rule(process, bpmn_id)


@_rule("draft_decision", CASE_PROCESS)
@_rule("approve_decision", CASE_PROCESS)
def _no_fine_while_a_transfer_is_pending(actor, task, data, current):
    """国务院令310 Art 11: no fine on the transferred conduct while the police decide."""
    refuse_fine_while_transfer_pending(task.instance_id, current)
    return data


def _not_in_future(field: str, value) -> None:
    if datetime.fromisoformat(str(value)) > clock().now():
        raise ValidationFailed("时间不能晚于当前时间 (a time in the future)", {field: ["不能晚于当前时间"]})


@_rule("draft_transfer_report")
def _team_of_two_officers(actor, task, data, current):
    # Art 5: 2 or more enforcement officers form the team that writes the transfer report.
    require_two_officers(data.get("team"), task.unit_id, field="team",
                         message="专案组须由两名以上本单位执法人员组成（国务院令第310号第五条） (a team of two officers)")
    return data


@_rule("approve_transfer")
def _refusal_needs_reasons(actor, task, data, current):
    if not actor.has_role(Role.principal_head):
        raise ValidationFailed("仅正职负责人可审批移送 (only the principal head decides)", {"transfer_approved": ["无权审批"]})
    if not data["transfer_approved"] and not (data.get("refusal_reasons") or "").strip():
        # Art 5: a refusal is recorded with its reasons.
        raise ValidationFailed("不批准移送的，应当将不予批准的理由记录在案（国务院令第310号第五条）",
                               {"refusal_reasons": ["必填"]})
    return {**data, "approved_by": actor.username}


@_rule("hand_over")
def _materials_complete_and_procuratorate_copied(actor, task, data, current):
    _not_in_future("handed_over_at", data["handed_over_at"])
    absent = set(data.get("materials_not_applicable") or []) - set(ALWAYS_REQUIRED)
    missing = [label for key, label in MATERIALS.items()
               if not (data.get("materials") or {}).get(key) and key not in absent]
    errors = {}
    if missing:
        errors["materials"] = [f"缺少：{'、'.join(missing)}"]
    if not data.get("procuratorate_copied"):
        errors["procuratorate_copied"] = ["移送时应抄送同级人民检察院"]
    if errors:
        raise ValidationFailed("移送材料不全，不能移送（国务院令第310号第五条、第六条） (materials missing)", errors)
    return data


@_rule("supplement_materials")
def _supplemented(actor, task, data, current):
    _not_in_future("supplemented_at", data["supplemented_at"])
    return data


@_rule("hand_over_evidence")
def _evidence_handed_over(actor, task, data, current):
    _not_in_future("evidence_handed_over_at", data["evidence_handed_over_at"])
    return data


# Only instances started on the first version of case_handling.bpmn have a user task here (the current version
# waits in a message catch event that nobody can complete by hand); it follows the transfer's outcome.
@_rule(AWAIT_TRANSFER, CASE_PROCESS)
def _await_transfer_follows_the_transfer(actor, task, data, current):
    raise Conflict("该环节随移送程序的结果自动办结（公安机关立案、退回或不批准移送） (completed by the transfer's outcome)",
                   code="completed_by_transfer")
