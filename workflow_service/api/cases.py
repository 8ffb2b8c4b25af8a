from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.cases import operations as case_ops
from ..modules.cases import queries
from ..modules.cases.schemas import (CaseDetailSchema, CaseListArgs, CasePageSchema, CaseSchema, ExtensionArgs,
                                     FileCaseArgs, PreservationRequestArgs, ReasonArgs, TimelineSchema)
from .auth import current_api_user

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="案件 (penalty cases)")


@blp.route("", methods=["POST"])
@blp.arguments(FileCaseArgs)
@blp.response(201, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def file_case(args):
    """File a case (立案登记) in the caller's unit: its process starts with the filing task."""
    return case_ops.file_case(current_api_user(), **args)


@blp.route("", methods=["GET"])
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePageSchema)
def case_list(args):
    """Cases of my unit (supervisors: and of the units below), filtered by unit, stage, overdue, status."""
    user = current_api_user()
    items, total = queries.list_cases(user, unit_id=args["unit_id"], stage=args["stage"], overdue=args["overdue"],
                                      status=args["status"], now=clock().now(), limit=args["limit"],
                                      offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:case_id>", methods=["GET"])
@blp.response(200, CaseDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_detail(case_id):
    """A case: party, violations, current stage, open tasks with due times, every deadline, the timeline."""
    user = current_api_user()
    case = queries.get_case(user, case_id)
    tasks = queries.open_tasks(case)
    case.open_tasks = tasks
    case.waiting = queries.waiting_steps(case)
    case.stage = [t.name for t in tasks] + [w["name"] for w in case.waiting]
    case.deadlines = queries.deadlines(case)
    case.timeline = queries.timeline(case)
    case.data = _process_data(case)
    case.surcharge = queries.surcharge(case, clock().now())
    return case


@blp.route("/<int:case_id>/timeline", methods=["GET"])
@blp.response(200, TimelineSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_timeline(case_id):
    """全过程记录: every event of the case in order — who, when, what, which task, which document or evidence
    file — each with its place and hash in the case's audit chain."""
    user = current_api_user()
    return {"items": queries.timeline(queries.get_case(user, case_id))}


def _process_data(case) -> dict:
    return case.instance.data or {}


@blp.route("/<int:case_id>/extension", methods=["POST"])
@blp.arguments(ExtensionArgs)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def extend(args, case_id):
    """延期: the principal head approves more days for the decision deadline (行政处罚法 Art 60)."""
    return case_ops.extend_decision_deadline(current_api_user(), case_id, args["days"], args["reason"])


@blp.route("/<int:case_id>/preservation-requests", methods=["POST"])
@blp.arguments(PreservationRequestArgs)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
def request_preservation(args, case_id):
    """申请先行登记保存证据 during the investigation: a head approves it, and the handling decision is due within
    7 working days (行政处罚法 Art 56)."""
    return case_ops.request_preservation(current_api_user(), case_id, args["items"], args["reason"])


@blp.route("/<int:case_id>/suspend", methods=["POST"])
@blp.arguments(ReasonArgs)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def suspend(args, case_id):
    """中止: the decision deadline stops running."""
    return case_ops.suspend_case(current_api_user(), case_id, args["reason"])


@blp.route("/<int:case_id>/resume", methods=["POST"])
@blp.arguments(ReasonArgs)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def resume(args, case_id):
    """恢复: the decision deadline runs on, moved by the length of the suspension."""
    return case_ops.resume_case(current_api_user(), case_id, args["reason"])
