from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..tasks.schemas import TaskSchema
from .models import RectificationStatus, StopOrderKind


class HiddenDangerArgs(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    major = fields.Boolean(load_default=False, metadata={"description": "重大事故隐患"})
    provision = fields.String(load_default=None, validate=validate.Length(max=500))


class StopOrderArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in StopOrderKind]),
                         metadata={"description": "production 停产停业 / construction 停止施工 / equipment 停止使用设备设施场所 / "
                                                  "remove_danger 立即采取排除危险的整改措施"})
    scope = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class IssueOrderArgs(Schema):
    party_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    party_type = fields.String(required=True, validate=validate.OneOf(["organisation", "individual"]))
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    hidden_dangers = fields.List(fields.Nested(HiddenDangerArgs), required=True, validate=validate.Length(min=1, max=100))
    required_actions = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    rectify_by = fields.Date(required=True, metadata={"description": "整改期限（日期，须晚于今日；至当日24:00）"})
    major_hidden_danger = fields.Boolean(load_default=False)
    stop_order = fields.Nested(StopOrderArgs, load_default=None, allow_none=True)
    fine_imposed = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0),
                                metadata={"description": "已对该违法行为作出的罚款（元）：拒不改正的可按日连续处罚（安全生产法第一百一十二条）"})
    source_case_id = Id(load_default=None, allow_none=True)
    enterprise_id = Id(load_default=None, allow_none=True,
                       metadata={"description": "the party from the enterprise registry (its name replaces party_name)"})
    article_fines_at_once = fields.Boolean(load_default=False, metadata={
        "description": "所依据的条款规定责令改正并处罚款（如安全生产法第一百零二条）：须关联案件或记录不立案理由"})
    no_case_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class OrderListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in RectificationStatus]))


class OrderSchema(Schema):
    id = fields.Integer()
    order_number = fields.String()
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    party_name = fields.String()
    party_type = fields.String()
    legal_basis = fields.String()
    hidden_dangers = fields.List(fields.Dict())
    required_actions = fields.String()
    rectify_by = fields.AwareDateTime()
    major_hidden_danger = fields.Boolean()
    stop_order = fields.Dict(allow_none=True)
    fine_imposed = fields.Float(allow_none=True)
    status = fields.String()
    issued_at = fields.AwareDateTime()
    applied_at = fields.AwareDateTime(allow_none=True)
    reinspection = fields.Dict(allow_none=True)
    penalty_case_id = fields.Integer(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class OrderPageSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema))
    total = fields.Integer()


class OrderDetailSchema(OrderSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())
    continuing_fine_offer = fields.Dict(allow_none=True, metadata={"description": "安全生产法 Art 112, offered to the handler"})
