from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from .models import CREDIT_GROUNDS, STATUS_LABELS


class ListCompanyArgs(Schema):
    case_id = Id(required=True)
    ground = fields.String(required=True, validate=validate.OneOf(list(CREDIT_GROUNDS)))
    facts = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class RepairApplicationArgs(Schema):
    applied_at = fields.AwareDateTime(required=True)
    statement = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                              metadata={"description": "整改及履行情况、信用承诺"})


class RepairDecisionArgs(Schema):
    approved = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CreditEntryListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(list(STATUS_LABELS)))


class PublicListArgs(PageArgs):
    party = fields.String(load_default=None, validate=validate.Length(max=200))


class CreditEntrySchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    case_id = fields.Integer()
    party_name = fields.String()
    credit_code = fields.String(allow_none=True)
    ground = fields.String()
    ground_label = fields.Function(lambda e: CREDIT_GROUNDS.get(e.ground))
    facts = fields.String()
    decision_number = fields.String(allow_none=True)
    listed_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    repair_from = fields.AwareDateTime()
    status = fields.String()
    repair_applied_at = fields.AwareDateTime(allow_none=True)
    repair_decision = fields.String(allow_none=True)
    repair_decided_at = fields.AwareDateTime(allow_none=True)
    left_at = fields.AwareDateTime(allow_none=True)


class CreditEntryPageSchema(Schema):
    items = fields.List(fields.Nested(CreditEntrySchema))
    total = fields.Integer()


class PublicCreditEntrySchema(Schema):
    """What the public sees: the party, the ground, the deciding unit, the period (no officer's data)."""
    id = fields.Integer()
    party_name = fields.String()
    credit_code = fields.String(allow_none=True)
    ground_label = fields.Function(lambda e: CREDIT_GROUNDS.get(e.ground))
    decision_number = fields.String(allow_none=True)
    unit_name = fields.Function(lambda e: e.unit.name)
    listed_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()


class PublicCreditEntryPageSchema(Schema):
    items = fields.List(fields.Nested(PublicCreditEntrySchema))
    total = fields.Integer()
