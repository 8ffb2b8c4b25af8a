from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.simple_procedure import operations as simple_ops
from ..modules.simple_procedure import queries
from ..modules.simple_procedure.schemas import (ConversionArgs, DecisionArgs, OpenSimpleArgs, SimpleListArgs,
                                                SimplePenaltyDetailSchema, SimplePenaltyPageSchema,
                                                SimplePenaltySchema)
from ..modules.steps.tasks import complete_task
from .auth import current_api_user

blp = Blueprint("simple_penalties", __name__, url_prefix="/api/v1/simple-penalties",
                description="简易程序（当场处罚，行政处罚法第五十一条、第五十二条）")


@blp.route("", methods=["POST"])
@blp.arguments(OpenSimpleArgs)
@blp.response(201, SimplePenaltySchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def open_record(args):
    """现场记录: two officers of the unit (with certificate numbers) record the violation found on the spot; the
    record waits for the on-the-spot decision or the conversion to the general procedure. Evidence files go to
    its case (`POST /api/v1/cases/{case_id}/evidence`)."""
    return simple_ops.open_record(current_api_user(), **args)


@blp.route("", methods=["GET"])
@blp.arguments(SimpleListArgs, location="query")
@blp.response(200, SimplePenaltyPageSchema)
def penalty_list(args):
    """On-the-spot penalties of my unit (overseers: and of the units below)."""
    items, total = queries.list_penalties(current_api_user(), status=args["status"], limit=args["limit"],
                                          offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:penalty_id>", methods=["GET"])
@blp.response(200, SimplePenaltyDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def penalty_detail(penalty_id):
    """A record with its open steps (备案, payment), running deadlines and the numbered decision."""
    return queries.detail(queries.visible_penalty(current_api_user(), penalty_id))


@blp.route("/<int:penalty_id>/decision", methods=["POST"])
@blp.arguments(DecisionArgs)
@blp.response(200, SimplePenaltyDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def decide(args, penalty_id):
    """当场作出处罚决定: refused (422, the reason in Chinese) beyond a warning or a fine of 200 yuan (citizen) /
    3,000 yuan (organisation), without certain facts, a legal basis or the certificates shown, a statement
    without its review, or collection on the spot outside 行政处罚法 Art 68–69. The numbered 当场行政处罚决定书
    is issued at once; the 备案 deadline (rule simple_procedure_filing) and, for a fine paid at a bank, the
    15-day payment deadline start."""
    user = current_api_user()
    row = queries.visible_penalty(user, penalty_id)
    data = {k: v for k, v in args.items() if v is not None}
    data["decided_at"] = args["decided_at"].isoformat()
    complete_task(user, queries.open_decision_task(row).id, {"converted": False, **data})
    return queries.detail(row)


@blp.route("/<int:penalty_id>/conversion", methods=["POST"])
@blp.arguments(ConversionArgs)
@blp.response(200, SimplePenaltyDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def convert(args, penalty_id):
    """转为一般程序: a general-procedure case is filed for the same party and facts; the evidence files move to it
    (with their SHA-256 recorded in both audit chains)."""
    user = current_api_user()
    row = queries.visible_penalty(user, penalty_id)
    complete_task(user, queries.open_decision_task(row).id, {"converted": True, "conversion_reason": args["reason"]})
    return queries.detail(row)
