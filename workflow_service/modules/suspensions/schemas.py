from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..tasks.schemas import TaskSchema
from .models import CLOSURE_GROUNDS, STATUS_LABELS, LicenceActionKind, SuspensionStatus


class OrderSuspensionArgs(Schema):
    party_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    scope = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                          metadata={"description": "停产停业的范围（全部或某车间、装置、场所）"})
    suspend_until = fields.Date(required=True, metadata={"description": "整顿期限（日期，至当日24:00）"})
    case_id = Id(load_default=None, allow_none=True)
    enterprise_id = Id(load_default=None, allow_none=True)


class ApplicationArgs(Schema):
    applied_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class LiftArgs(Schema):
    lifted_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ClosureRequestArgs(Schema):
    ground = fields.String(required=True, validate=validate.OneOf(list(CLOSURE_GROUNDS)),
                           metadata={"description": "安全生产法 Art 113: still_unsafe / repeated_penalties / "
                                                    "refused_suspension / other"})
    government = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ClosureAnswerArgs(Schema):
    approved = fields.Boolean(required=True)
    answered_at = fields.AwareDateTime(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SuspensionListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in SuspensionStatus]))


class SuspensionSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    party_name = fields.String()
    legal_basis = fields.String()
    scope = fields.String()
    ordered_at = fields.AwareDateTime()
    suspend_until = fields.AwareDateTime()
    status = fields.String()
    status_label = fields.Function(lambda r: STATUS_LABELS.get(r.status, r.status), metadata={"description": "状态（中文）"})
    applied_at = fields.AwareDateTime(allow_none=True)
    inspections = fields.List(fields.Dict())
    lifted_at = fields.AwareDateTime(allow_none=True)
    closure_ground = fields.String(allow_none=True)
    closure_government = fields.String(allow_none=True)
    closure_reason = fields.String(allow_none=True)
    closure_requested_at = fields.AwareDateTime(allow_none=True)
    closure_answer = fields.String(allow_none=True)
    closure_answered_at = fields.AwareDateTime(allow_none=True)


class SuspensionPageSchema(Schema):
    items = fields.List(fields.Nested(SuspensionSchema))
    total = fields.Integer()


class SuspensionDetailSchema(SuspensionSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())


class LicenceActionArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf([a.value for a in LicenceActionKind]),
                           metadata={"description": "suspend 暂扣 / revoke 吊销 / cancel 注销"})
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    suspend_until = fields.Date(load_default=None, allow_none=True, metadata={"description": "暂扣期限（日期）"})
    case_id = Id(load_default=None, allow_none=True)


class LicenceActionSchema(Schema):
    id = fields.Integer()
    licence_id = fields.Integer()
    licence_number = fields.Function(lambda a: a.licence.number)
    licence_type = fields.Function(lambda a: a.licence.type)
    licence_status = fields.Function(lambda a: a.licence.status)
    enterprise_name = fields.Function(lambda a: a.licence.enterprise.name)
    unit_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    action = fields.String()
    legal_basis = fields.String()
    decided_at = fields.AwareDateTime()
    suspend_until = fields.AwareDateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    returned_at = fields.AwareDateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema))


class LicenceActionPageSchema(Schema):
    items = fields.List(fields.Nested(LicenceActionSchema))
    total = fields.Integer()
