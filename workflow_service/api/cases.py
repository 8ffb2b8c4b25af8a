from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.cases import operations as case_ops
from ..modules.cases import queries
from ..modules.documents.queries import parties_with_progress
from ..modules.documents.numbering import decision_number
from ..modules.enterprises import operations as enterprise_ops
from ..modules.tasks.schemas import TaskPageSchema
from ..modules.cases.schemas import (CaseDetailSchema, CaseListArgs, CasePageSchema, CaseSchema, ExtensionArgs,
                                     ExtensionDecisionArgs, ExtensionListSchema, ExtensionRequestArgs,
                                     ExtensionRequestSchema, FileCaseArgs, PreservationRequestArgs, ReasonArgs,
                                     TimelineSchema)
from .auth import current_api_user

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="案件 (penalty cases)")


@blp.route("", methods=["POST"])
@blp.arguments(FileCaseArgs)
@blp.response(201, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def file_case(args):
    """File a case (立案登记) in the caller's unit: its process starts with the filing task. The party is named,
    chosen from the enterprise registry (`enterprise_id`) or added to it (`enterprise`)."""
    if args["enterprise_id"] is not None or args["enterprise"] is not None:
        return enterprise_ops.file_case_for_enterprise(current_api_user(), **args)
    return case_ops.file_case(current_api_user(), source=args["source"], party_name=args["party_name"],
                              party_type=args["party_type"], summary=args["summary"], co_parties=args["co_parties"])


@blp.route("", methods=["GET"])
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePageSchema)
def case_list(args):
    """Cases of my unit (supervisors: and of the units below), searched by case number or party, filtered by
    filing dates, unit, stage, overdue, status; each with the steps it stands at."""
    user = current_api_user()
    filed_from, filed_to = queries.filing_bounds(args["filed_from"], args["filed_to"])
    items, total = queries.list_cases(user, unit_id=args["unit_id"], stage=args["stage"], overdue=args["overdue"],
                                      status=args["status"], now=clock().now(), limit=args["limit"],
                                      offset=args["offset"], q=args["q"], filed_from=filed_from, filed_to=filed_to)
    stages = queries.current_stages(items)
    for case in items:
        case.current_stages = stages[case.id]
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
    case.decision_number = decision_number(case.id)  # from the documents: issued, or reserved for the decision
    case.parties = parties_with_progress(case)
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


@blp.route("/<int:case_id>/tasks", methods=["GET"])
@blp.response(200, TaskPageSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_tasks(case_id):
    """待办: the case's open tasks with their due times and rules, as in the case detail's `open_tasks`, without the
    timeline, deadlines and documents around them (for a client that only looks for the next step)."""
    user = current_api_user()
    tasks = queries.open_tasks(queries.get_case(user, case_id))
    return {"items": tasks, "total": len(tasks)}


def _process_data(case) -> dict:
    return case.instance.data or {}


@blp.route("/<int:case_id>/extension", methods=["POST"])
@blp.arguments(ExtensionArgs)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def extend(args, case_id):
    """延期 at once by the principal head, where the case's decision-limit version names no extension tiers
    (as administrators configure it); a version with tiers (令77号 Art 31) answers 409: ask with
    `POST /cases/{id}/extension-requests`."""
    return case_ops.extend_decision_deadline(current_api_user(), case_id, args["days"], args["reason"])


@blp.route("/<int:case_id>/extension-requests", methods=["POST"])
@blp.arguments(ExtensionRequestArgs)
@blp.response(201, ExtensionRequestSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def request_extension(args, case_id):
    """延期申请: extend the decision limit to `extend_to_days` days from filing. It goes to the tier whose cap
    covers it — the department's head (e.g. to 90 days), then the next-higher department (to 180) — as an
    approval with its own deadline (rule `extension_approval`)."""
    return case_ops.request_extension(current_api_user(), case_id, args["extend_to_days"], args["reason"])


@blp.route("/<int:case_id>/extension-requests", methods=["GET"])
@blp.response(200, ExtensionListSchema)
def case_extension_requests(case_id):
    """The extension requests of a case, decided or not."""
    user = current_api_user()
    case = queries.get_case(user, case_id)
    return {"items": case_ops.extension_requests(user, scope="case", case_id=case.id, visible=True)}


@blp.route("/extension-requests", methods=["GET"])
@blp.response(200, ExtensionListSchema)
def extension_queue():
    """待审批的延期申请: the requests this user may approve, most urgent first."""
    return {"items": case_ops.extension_requests(current_api_user())}


@blp.route("/extension-requests/<int:request_id>/decision", methods=["POST"])
@blp.arguments(ExtensionDecisionArgs)
@blp.response(200, ExtensionRequestSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
def decide_extension(args, request_id):
    """审批延期申请: approved, the decision limit's running deadlines move to the new limit."""
    return case_ops.decide_extension(current_api_user(), request_id, args["approved"], args["opinion"])


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
