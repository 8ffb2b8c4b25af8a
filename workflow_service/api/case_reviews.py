from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.case_file_review.operations import review_case_files
from ..modules.case_file_review.schemas import CaseFileReviewArgs, CaseFileReviewSchema
from .auth import current_api_user

blp = Blueprint("case_reviews", __name__, url_prefix="/api/v1/case-reviews", description="案卷评查 (case-file review)")


@blp.route("", methods=["POST"])
@blp.arguments(CaseFileReviewArgs)
@blp.response(200, CaseFileReviewSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def review(args):
    """案卷评查: review one closed case (`case_id`), or the closed cases of a period in a unit's subtree —
    all of them or a random `sample`. Each gets a score and its defects with codes and descriptions."""
    return review_case_files(current_api_user(), **args)  # each reviewed case's audit chain records the review
