"""Where the benchmarks meet the case process (bpmn/case_handling.bpmn): the report step shows the ranges and
checks the proposal; the legal review sees what was outside the range and any doubtful 首违不罚 claim."""
from __future__ import annotations

from ...core.registry import Declarations
from ..cases.queries import case_for_instance
from .operations import check_proposals, earlier_penalties, suggestions

CASE_PROCESS = "case_handling"

# Connected by create_app (wiring.py).
DECLARED = Declarations()


@DECLARED.task_rule(CASE_PROCESS, "investigation_report")
def _proposal_follows_the_benchmark(actor, task, data, current):
    case = case_for_instance(task.instance_id)
    return data if case is None else check_proposals(actor, case, data, current)


@DECLARED.task_view(CASE_PROCESS, "investigation_report")
def _report_view(task) -> dict:
    case = case_for_instance(task.instance_id)
    return {} if case is None else suggestions(case, (task.instance.data or {}).get("violations") or [])


@DECLARED.task_view(CASE_PROCESS, "legal_review", "legal_review_after_hearing")
def _legal_review_view(task) -> dict:
    case = case_for_instance(task.instance_id)
    data = task.instance.data or {}
    if case is None:
        return {}
    return {"discretion_findings": data.get("discretion_findings") or [],
            "first_violation_flags": data.get("first_violation_flags") or [],
            "company_history": earlier_penalties(case)}
