"""Committee ballots (集体讨论网上表决, an aid to the heads' discussion), committees and legal review sign-offs."""
from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from ..extensions import db
from ..modules.cases import queries as case_queries
from ..modules.review import committee as committee_ops
from ..modules.review.legal import sign_off_status
from ..modules.review.models import Ballot, LegalReview
from ..modules.review.schemas import (BallotPageSchema, BallotSchema, CommitteeArgs, CommitteeSchema, MinutesSchema,
                                      RecusalArgs, SignOffSchema, VoteArgs)
from ..modules.users.models import Role, User
from .auth import current_api_user, requires_role

blp = Blueprint("ballots", __name__, url_prefix="/api/v1", description="法制审核与集体讨论 (legal review, committee)")


def _decorate(ballot: Ballot) -> Ballot:
    ballot.chair_username = db.session.get(User, ballot.rules["chair_id"]).username
    return ballot


@blp.route("/ballots/<int:ballot_id>", methods=["GET"])
@blp.response(200, BallotSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def ballot_detail(ballot_id):
    """A ballot: proposal, deadline, members (eligible, recused, who has voted); the result once closed."""
    ballot = committee_ops._ballot_for(current_api_user(), ballot_id)
    return _decorate(ballot)


@blp.route("/ballots/<int:ballot_id>/votes", methods=["POST"])
@blp.arguments(VoteArgs)
@blp.response(201, BallotSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def cast_vote(args, ballot_id):
    """Vote once (agree, disagree, abstain) with an opinion. A vote cannot be changed; recused members cannot vote."""
    user = current_api_user()
    return _decorate(committee_ops.vote(user, ballot_id, args["choice"], args["opinion"]))


@blp.route("/ballots/<int:ballot_id>/recusals", methods=["POST"])
@blp.arguments(RecusalArgs)
@blp.response(201, BallotSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def declare_conflict(args, ballot_id):
    """A member declares a conflict of interest (回避) and leaves the ballot without voting."""
    user = current_api_user()
    return _decorate(committee_ops.recuse(user, ballot_id, args["reason"]))


@blp.route("/ballots/<int:ballot_id>/close", methods=["POST"])
@blp.response(200, BallotSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def close_ballot(ballot_id):
    """The chair closes the ballot at or after its deadline; the votes cast so far decide (quorum permitting)."""
    user = current_api_user()
    return _decorate(committee_ops.close_by_chair(user, ballot_id))


@blp.route("/ballots/<int:ballot_id>/minutes", methods=["GET"])
@blp.response(200, MinutesSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def ballot_minutes(ballot_id):
    """The minutes (会议纪要): proposal, members present, recused and absent, each vote and opinion, the result."""
    return committee_ops.ballot_minutes(current_api_user(), ballot_id)


@blp.route("/cases/<int:case_id>/ballots", methods=["GET"])
@blp.response(200, BallotPageSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_ballots(case_id):
    """Every ballot of a case, oldest first."""
    user = current_api_user()
    case = case_queries.get_case(user, case_id)
    return {"items": [_decorate(b) for b in committee_ops.case_ballots(user, case)]}


@blp.route("/cases/<int:case_id>/legal-reviews", methods=["GET"])
@blp.response(200, SignOffSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def legal_reviews(case_id):
    """The legal review sign-offs of a case, newest first, and whether the latest still covers the case."""
    case = case_queries.get_case(current_api_user(), case_id)
    status = sign_off_status(case)
    reviews = list(db.session.scalars(sa.select(LegalReview).filter_by(case_id=case.id)
                                      .order_by(LegalReview.signed_at.desc(), LegalReview.id.desc())))
    return {**status, "changed": status.get("changed", []), "reviews": reviews}


@blp.route("/committees/<unit_code>", methods=["GET"])
@blp.response(200, CommitteeSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def committee_detail(unit_code):
    """A unit's case review committee: chair, members, quorum, decision and tie rules (for whoever sees the unit:
    its officers, and the supervisors, principal heads and administrators above it)."""
    return committee_ops.get_committee(current_api_user(), unit_code)


@blp.route("/committees/<unit_code>", methods=["PUT"])
@requires_role(Role.admin, message="仅管理员可设置案件审查委员会 (administrators of the unit tree only)")
@blp.arguments(CommitteeArgs)
@blp.response(200, CommitteeSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def committee_update(args, unit_code):
    """Set a unit's committee (administrators of the unit tree). Open ballots keep the rules they opened with."""
    return committee_ops.configure_committee(current_api_user(), unit_code, **args)
