from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..deadlines.schemas import NextDeadlineSchema
from ..tasks.schemas import TaskSchema
from .models import TransferStage, TransferStatus
from .operations import ANSWER_LABELS


class OpenTransferArgs(Schema):
    case_id = Id(load_default=None, allow_none=True)
    rectification_id = Id(load_default=None, allow_none=True)
    screening_id = Id(load_default=None, allow_none=True)
    party_name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    party_type = fields.String(load_default=None, validate=validate.OneOf(["organisation", "individual"]))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    transferred_violations = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=None,
                                         metadata={"description": "移送的违法行为序号（不填：全部）；罚款禁止仅及于这些行为"})


class PoliceAnswerArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(ANSWER_LABELS)),
                         metadata={"description": ", ".join(f"{k} {v}" for k, v in ANSWER_LABELS.items())})
    answered_at = fields.AwareDateTime(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    document_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    stage = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    review_days = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf([3, 7, 30]),
                                 metadata={"description": "公安机关告知的立案审查期限（自受理之日起3、7或30日）；"
                                                          "received 或 review_extended 时填写"})


class TransferListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in TransferStatus]))
    stage = fields.String(load_default=None, validate=validate.OneOf([s.value for s in TransferStage]))
    unit_id = Id(load_default=None)


class ReportArgs(Schema):
    start = fields.AwareDateTime(required=True, data_key="from")
    end = fields.AwareDateTime(required=True, data_key="to")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class TransferSchema(Schema):
    id = fields.Integer()
    transfer_number = fields.String()
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda t: t.unit.name)
    case_id = fields.Integer(allow_none=True)
    case_number = fields.String(allow_none=True)
    party_name = fields.String()
    party_type = fields.String()
    summary = fields.String()
    status = fields.String()
    stage = fields.String()
    stage_label = fields.String()
    next_deadline = fields.Nested(NextDeadlineSchema, allow_none=True)
    created_at = fields.AwareDateTime()
    approved_at = fields.AwareDateTime(allow_none=True)
    handed_over_at = fields.AwareDateTime(allow_none=True)
    police_case_opened_at = fields.AwareDateTime(allow_none=True)
    concluded_at = fields.AwareDateTime(allow_none=True)
    returned_case_id = fields.Integer(allow_none=True)


class TransferPageSchema(Schema):
    items = fields.List(fields.Nested(TransferSchema))
    total = fields.Integer()


class TransferDetailSchema(TransferSchema):
    police_answers = fields.List(fields.Dict())
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())
    fine_paid_for_offset = fields.Float(allow_none=True, metadata={"description": "行政处罚法 Art 35: offset against a criminal fine"})
    data = fields.Dict()


class ScreeningArgs(Schema):
    case_id = Id(load_default=None, allow_none=True)
    rectification_id = Id(load_default=None, allow_none=True)
    real_danger_facts = fields.String(load_default="", validate=validate.Length(max=4000),
                                      metadata={"description": "现实危险的具体事实（由承办人记录）"})
    monitoring_disabled = fields.Boolean(load_default=False)
    refused_stop_order = fields.Boolean(load_default=False)
    unlicensed_operation = fields.Boolean(load_default=False)
    unlicensed_activity = fields.String(load_default=None, allow_none=True,
                                        validate=validate.OneOf(["mining", "metal_smelting", "construction",
                                                                 "dangerous_goods", "other"]))
    deaths = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    serious_injuries = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    direct_loss = fields.Float(load_default=0, validate=validate.Range(min=0),
                               metadata={"description": "直接经济损失（元）：一百万元以上提示重大责任事故罪"})
    forced_risky_operation = fields.Boolean(load_default=False, metadata={"description": "强令、组织他人违章冒险作业"})
    accident_concealed = fields.Boolean(load_default=False, metadata={"description": "不报、谎报安全事故"})
    false_certificate = fields.Boolean(load_default=False, metadata={"description": "中介组织提供虚假证明文件"})
    illegal_explosives = fields.Boolean(load_default=False, metadata={"description": "非法制造、储存爆炸物（烟花爆竹）"})


class ScreeningSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    rectification_id = fields.Integer(allow_none=True)
    facts = fields.Dict()
    real_danger_facts = fields.String()
    result = fields.Dict()
    screened_at = fields.AwareDateTime()
