from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.cases.queries import get_case
from ..modules.challenges import operations, queries
from ..modules.challenges.schemas import (ChallengeListArgs, ChallengePageSchema, ChallengeResultArgs,
                                          ChallengeSchema, RecordChallengeArgs)
from .auth import current_api_user

blp = Blueprint("challenges", __name__, url_prefix="/api/v1",
                description="行政复议、行政诉讼 (reconsideration and lawsuits against a decision)")


@blp.route("/cases/<int:case_id>/challenges", methods=["POST"])
@blp.arguments(RecordChallengeArgs)
@blp.response(201, ChallengeSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def record_challenge(args, case_id):
    """登记复议、诉讼 (handlers and heads of the case's unit): from the filing the late-payment surcharge is not
    counted (行政处罚法 Art 73(3)) and compulsory enforcement waits; one at a time (409)."""
    return operations.record_challenge(current_api_user(), case_id, **args)


@blp.route("/cases/<int:case_id>/challenges", methods=["GET"])
@blp.response(200, ChallengePageSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_challenges(case_id):
    """The case's reconsiderations and lawsuits."""
    case = get_case(current_api_user(), case_id)
    items = operations.challenges_of(case.id)
    return {"items": items, "total": len(items)}


@blp.route("/challenges", methods=["GET"])
@blp.arguments(ChallengeListArgs, location="query")
@blp.response(200, ChallengePageSchema)
def challenge_list(args):
    """Reconsiderations and lawsuits of the units I see."""
    items, total = queries.list_challenges(current_api_user(), status=args["status"], limit=args["limit"],
                                           offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/challenges/<int:challenge_id>/result", methods=["POST"])
@blp.arguments(ChallengeResultArgs)
@blp.response(200, ChallengeSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def record_result(args, challenge_id):
    """登记结果 (supervisors of the case's unit): changed, revoked, unlawful or void → the published disclosure is
    withdrawn or updated within 3 working days (行政处罚法 Art 48; the withdrawal process starts)."""
    return operations.record_result(current_api_user(), challenge_id, **args)
