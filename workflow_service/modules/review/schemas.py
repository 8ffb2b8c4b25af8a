from marshmallow import Schema, fields, validate

from .committee import CHOICE_LABELS, RESULT_LABELS
from .models import TieRule


class VoteArgs(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(list(CHOICE_LABELS)),
                           metadata={"description": "agree 同意 | disagree 不同意 | abstain 弃权"})
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class RecusalArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CommitteeArgs(Schema):
    chair = fields.String(required=True, validate=validate.Length(min=1, max=64))
    members = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(min=1, max=100))
    quorum = fields.String(load_default="2/3", validate=validate.Length(max=16),
                           metadata={"description": "members who must vote, as a fraction of all members"})
    pass_ratio = fields.String(load_default="1/2", validate=validate.Length(max=16),
                               metadata={"description": "agreeing votes must exceed this fraction of votes cast"})
    tie_rule = fields.String(load_default=TieRule.chair_casting.value,
                             validate=validate.OneOf([t.value for t in TieRule]))


class PersonSchema(Schema):
    username = fields.Function(lambda u: u.username)
    name = fields.Function(lambda u: u.display_name)


class CommitteeSchema(Schema):
    unit_code = fields.Function(lambda c: c.unit.code)
    unit_name = fields.Function(lambda c: c.unit.name)
    chair = fields.Function(lambda c: c.chair.username)
    members = fields.Function(lambda c: sorted(m.user.username for m in c.members))
    quorum = fields.Function(lambda c: f"{c.quorum_numerator}/{c.quorum_denominator}")
    pass_ratio = fields.Function(lambda c: f"{c.pass_numerator}/{c.pass_denominator}")
    tie_rule = fields.String()
    updated_at = fields.DateTime()


class SeatSchema(Schema):
    username = fields.Function(lambda s: s.user.username)
    name = fields.Function(lambda s: s.user.display_name)
    status = fields.String()
    recusal_reason = fields.String(allow_none=True)
    voted = fields.Boolean()


class BallotSchema(Schema):
    """While the ballot is open, who has voted is shown, not how; the tally and votes come with the minutes."""

    id = fields.Integer()
    case_id = fields.Integer()
    round = fields.Integer()
    proposal = fields.String()
    status = fields.String()
    result = fields.String(allow_none=True)
    result_label = fields.Function(lambda b: RESULT_LABELS.get(b.result))
    # How members voted is not shown before the ballot closes (in the schema, not by blanking the mapped column:
    # the request that dumps this commits).
    tally = fields.Function(lambda b: b.tally if b.status != "open" else None, allow_none=True)
    opened_at = fields.DateTime()
    deadline_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_how = fields.String(allow_none=True)
    chair = fields.Function(lambda b: b.chair_username)
    seats = fields.Method("_seats")

    def _seats(self, ballot):
        voted = {v.user_id for v in ballot.votes}
        return [{"username": s.user.username, "name": s.user.display_name, "status": s.status,
                 "recusal_reason": s.recusal_reason, "voted": s.user_id in voted} for s in ballot.seats]


class BallotPageSchema(Schema):
    items = fields.List(fields.Nested(BallotSchema))


class MinutesSchema(Schema):
    class Meta:
        # The minutes are a document assembled by committee.minutes(); they are passed through as built.
        unknown = "include"

    ballot_id = fields.Integer()
    case_number = fields.String()
    result = fields.String()
    votes = fields.List(fields.Dict())
    present = fields.List(fields.Dict())
    recused = fields.List(fields.Dict())
    absent = fields.List(fields.Dict())
    proposal = fields.String()
    round = fields.Integer()
    tally = fields.Dict()
    rules = fields.Dict()
    chair = fields.Dict()
    closed_by = fields.Dict(allow_none=True)
    opened_at = fields.String()
    deadline_at = fields.String()
    closed_at = fields.String()
    closed_how = fields.String()
    result_label = fields.String()
    party_name = fields.String()
    case_id = fields.Integer()


class LegalReviewSchema(Schema):
    id = fields.Integer()
    stage = fields.String()
    reviewer = fields.Function(lambda r: r.reviewer.username)
    reviewer_name = fields.Function(lambda r: r.reviewer.display_name)
    checklist = fields.Dict()
    outcome = fields.String()
    opinion = fields.String()
    reasons = fields.String(allow_none=True)
    fingerprint = fields.String()
    signed_at = fields.DateTime()


class SignOffSchema(Schema):
    valid = fields.Boolean(metadata={"description": "a pass that still covers the case as it is now"})
    reason = fields.String(allow_none=True, metadata={"description": "not_reviewed | not_passed | changed_since_review"})
    changed = fields.List(fields.String())
    fingerprint = fields.String(metadata={"description": "the fingerprint of the case as it is now"})
    reviews = fields.List(fields.Nested(LegalReviewSchema))
