"""负责人集体讨论 (行政处罚法 Art 57): the heads' discussion, as its written record states it, is the step.

The record names the date, the chair, the heads who attended, who presented the case, each attendee's opinion
and the conclusion (DOMAIN.md, December 2026 review). The committee's online vote (committee.py) may help
prepare the discussion; its result is kept beside the record, never in its place.
"""
from __future__ import annotations

from datetime import datetime

from ...core.errors import ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from ..audit.operations import record_event
from ..users.models import Role
from ..users.units import not_working_in
from .legal import CASE_PROCESS

BASIS = "行政处罚法第五十七条"
CONCLUSION_LABELS = {"passed": "同意报请的处理意见", "rejected": "不同意，重新提出处理意见", "reopen": "另行讨论"}


def not_heads(usernames, unit_id: int) -> list[str]:
    """Of the named users, those who are not heads (负责人: supervisor or principal head) of the unit."""
    names = list(usernames)
    return sorted(set(not_working_in(names, unit_id, Role.supervisor))
                  & set(not_working_in(names, unit_id, Role.principal_head)))


def _record_discussion(actor, task, data, current):
    errors: dict[str, list[str]] = {}
    attendees = list(dict.fromkeys(data.get("discussion_attendees") or []))
    outsiders = not_heads(attendees, task.unit_id)
    if outsiders:
        errors["discussion_attendees"] = [f"不是本单位负责人：{', '.join(outsiders)}"]
    if data.get("discussion_chair") not in attendees:
        errors["discussion_chair"] = ["主持人须为出席的负责人"]
    opinions = {o["attendee"]: o["opinion"] for o in data.get("discussion_opinions") or []}
    missing = [a for a in attendees if a not in opinions]
    strangers = [a for a in opinions if a not in attendees]
    if missing or strangers:
        errors["discussion_opinions"] = ([f"缺少出席人员的意见：{', '.join(missing)}"] if missing else []) + (
            [f"未出席人员不能发表意见：{', '.join(strangers)}"] if strangers else [])
    try:
        held = datetime.fromisoformat(str(data.get("discussion_held_at")))
    except ValueError:
        held = None
    if held is not None and held.tzinfo is not None:
        if held > clock().now():
            errors["discussion_held_at"] = ["讨论时间不能晚于当前时间"]
        report = current.get("report_submitted_at")
        if report and held < datetime.fromisoformat(str(report)):
            errors["discussion_held_at"] = [f"讨论时间不能早于调查终结报告（{str(report)[:10]}）"]
    if errors:
        raise ValidationFailed(f"集体讨论记录不完整或不符合规定 (the record of the heads' discussion; {BASIS})", errors)
    record_event(actor, "collective_discussion_recorded", instance_id=task.instance_id, task_id=task.id, details={
        "held_at": data["discussion_held_at"], "chair": data["discussion_chair"], "attendees": attendees,
        "presenter": data["discussion_presenter"], "conclusion": data["discussion_conclusion"],
        "vote_result": current.get("collective_vote_result")})
    # The conclusion of the discussion, not the vote, decides where the case goes next.
    return {**data, "discussion_attendees": attendees, "collective_decision": data["discussion_conclusion"]}


# Connected by create_app (wiring.py).
DECLARED = Declarations()
DECLARED.task_rule(CASE_PROCESS, "record_collective_discussion")(_record_discussion)
