from marshmallow import Schema, fields, validate

from ...core.schemas import PageArgs
from .models import ChallengeKind, ChallengeResult


class RecordChallengeArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ChallengeKind]),
                         metadata={"description": "reconsideration 行政复议 / lawsuit 行政诉讼"})
    body = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "复议机关或人民法院"})
    filed_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    party = fields.Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "description": "a case with several parties: the party (seq) that applied or sued; its periods run from "
                       "its own service of its decision"})


class ChallengeResultArgs(Schema):
    result = fields.String(required=True, validate=validate.OneOf([r.value for r in ChallengeResult]),
                           metadata={"description": "upheld 维持 / changed 变更 / revoked 撤销 / unlawful 确认违法 / "
                                                    "void 确认无效 / withdrawn 撤回"})
    decided_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class ChallengeListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "concluded"]))


class ChallengeSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda c: c.case.case_number)
    party_name = fields.Function(lambda c: c.case.party_name)
    unit_id = fields.Integer()
    kind = fields.String()
    body = fields.String()
    filed_at = fields.AwareDateTime()
    party_seq = fields.Integer(allow_none=True)
    late = fields.Boolean(metadata={"description": "filed after the statutory period (the body decides)"})
    note = fields.String()
    status = fields.String()
    result = fields.String(allow_none=True)
    result_at = fields.AwareDateTime(allow_none=True)
    result_note = fields.String(allow_none=True)
    disclosure_id = fields.Integer(allow_none=True, metadata={"description": "the disclosure being withdrawn"})


class ChallengePageSchema(Schema):
    items = fields.List(fields.Nested(ChallengeSchema))
    total = fields.Integer()
