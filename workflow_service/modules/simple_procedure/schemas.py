from marshmallow import Schema, fields, validate

from ...core.schemas import PageArgs
from ..documents.schemas import DocumentSchema
from ..tasks.schemas import TaskSchema
from .models import SimpleStatus


class OfficerArgs(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    certificate_number = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                       metadata={"description": "执法证件号（行政处罚法第五十二条：出示执法证件）"})


class OpenSimpleArgs(Schema):
    party_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    party_type = fields.String(required=True, validate=validate.OneOf(["organisation", "individual"]))
    credit_code = fields.String(load_default=None, validate=validate.Length(max=64))
    address = fields.String(load_default=None, validate=validate.Length(max=300))
    legal_representative = fields.String(load_default=None, validate=validate.Length(max=100))
    place = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={"description": "现场地点"})
    officers = fields.List(fields.Nested(OfficerArgs), required=True, validate=validate.Length(min=1, max=10))
    violation_description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    provision = fields.String(required=True, validate=validate.Length(min=1, max=500),
                              metadata={"description": "违反的规定（法律条款）"})
    facts = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class DecisionArgs(Schema):
    """The on-the-spot decision (the form simple_decide_on_the_spot without `converted`)."""
    facts_certain = fields.Boolean(required=True)
    legal_basis = fields.String(required=True, validate=validate.Length(max=1000))
    penalty_kind = fields.String(required=True, validate=validate.OneOf(["warning", "fine"]))
    fine_amount = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1e8))
    certificates_shown = fields.Boolean(required=True)
    party_stated = fields.Boolean(load_default=False)
    statement_text = fields.String(load_default=None, validate=validate.Length(max=4000))
    statement_review = fields.String(load_default=None, validate=validate.Length(max=4000))
    decided_at = fields.AwareDateTime(required=True)
    payment_method = fields.String(load_default=None, validate=validate.OneOf(["bank", "on_the_spot"]))
    collection_reason = fields.String(load_default=None,
                                      validate=validate.OneOf(["small_fine", "hard_to_execute", "remote_area"]))
    receipt_number = fields.String(load_default=None, validate=validate.Length(max=100))


class ConversionArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SimpleListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in SimpleStatus]))


class SimplePenaltySchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda r: r.case.case_number)
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    party_name = fields.Function(lambda r: r.case.party_name)
    party_type = fields.Function(lambda r: r.case.party_type)
    place = fields.String()
    officers = fields.List(fields.Dict())
    status = fields.String()
    penalty_kind = fields.String(allow_none=True)
    fine_amount = fields.Float(allow_none=True)
    payment_method = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    filed_at = fields.AwareDateTime(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)
    converted_to_case_id = fields.Integer(allow_none=True)
    conversion_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class SimplePenaltyPageSchema(Schema):
    items = fields.List(fields.Nested(SimplePenaltySchema))
    total = fields.Integer()


class SimplePenaltyDetailSchema(SimplePenaltySchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())
    documents = fields.List(fields.Nested(DocumentSchema))
    converted_to_case_number = fields.String(allow_none=True)
    limits = fields.Dict(metadata={"description": "行政处罚法 Art 51: the on-the-spot ceilings (yuan)"})
