from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..evidence.schemas import EvidenceFileArgs
from ..tasks.schemas import TaskSchema
from .models import HazardStatus, InspectionSource, InspectionStatus, Measure, Severity


class ReporterArgs(Schema):
    name = fields.String(load_default=None, validate=validate.Length(max=100))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    contact = fields.String(load_default=None, validate=validate.Length(max=200))


class AssignInspectionArgs(Schema):
    enterprise_id = Id(load_default=None, metadata={"description": "生产经营单位（名录）：名称与信用代码取自名录"})
    draw_item_id = Id(load_default=None, metadata={"description": "双随机抽取结果：企业与抽中的执法人员取自抽取结果"})
    plan_kind = fields.String(load_default=None, validate=validate.OneOf(["key", "general", "random"]),
                              metadata={"description": "计入年度计划的检查类别：key 重点 / general 一般 / random 双随机"})
    company_name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    company_code = fields.String(load_default=None, validate=validate.Length(max=32),
                                 metadata={"description": "统一社会信用代码"})
    industry = fields.String(required=True, validate=validate.Length(min=1, max=32),
                             metadata={"description": "行业检查表：general / hazardous_chemicals / fireworks / "
                                                      "non_coal_mines / industry_trade"})
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in InspectionSource]),
                           metadata={"description": "plan 计划 / random 双随机 / complaint 举报投诉 / accident 事故 / routine 日常"})
    inspectors = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None,
                             validate=validate.Length(min=2, max=10),
                             metadata={"description": "两名以上持证执法人员（双随机：默认为抽中的执法人员）"})
    inspect_by = fields.Date(load_default=None, metadata={"description": "检查期限（默认30日）"})
    reporter = fields.Nested(ReporterArgs, load_default=None, allow_none=True,
                             metadata={"description": "举报人（保密：只存于检查记录，任何答复都不返回）"})
    source_note = fields.String(load_default=None, validate=validate.Length(max=4000))


class InspectionListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in InspectionStatus]))
    source = fields.String(load_default=None, validate=validate.OneOf([s.value for s in InspectionSource]))


class PhotoUploadArgs(EvidenceFileArgs):
    description = fields.String(load_default="", validate=validate.Length(max=500))


class PhotoSchema(Schema):
    id = fields.Integer()
    inspection_id = fields.Integer()
    description = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.AwareDateTime()


class HazardSchema(Schema):
    id = fields.Integer()
    ledger_number = fields.String()
    inspection_id = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    supervising_unit_id = fields.Integer(allow_none=True, metadata={"description": "挂牌督办的上级单位"})
    company_name = fields.String()
    description = fields.String()
    severity = fields.String(metadata={"description": "general 一般 / major 重大"})
    provision = fields.String()
    measure = fields.String()
    onsite_measure = fields.Dict(allow_none=True)
    rectify_by = fields.AwareDateTime(allow_none=True)
    status = fields.String(metadata={"description": "rectifying 整改中 / awaiting_closure 待上级审批销号 / closed 已销号"})
    overdue = fields.Boolean()
    found_at = fields.AwareDateTime()
    rectified_at = fields.AwareDateTime(allow_none=True)
    reinspection = fields.Dict(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    rectification_order_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)


class HazardPageSchema(Schema):
    items = fields.List(fields.Nested(HazardSchema))
    total = fields.Integer()


class HazardDetailSchema(HazardSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())


class LedgerArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in HazardStatus]))
    severity = fields.String(load_default=None, validate=validate.OneOf([s.value for s in Severity]))
    measure = fields.String(load_default=None, validate=validate.OneOf([m.value for m in Measure]))
    overdue = fields.Boolean(load_default=None, allow_none=True)
    supervised_by_me = fields.Boolean(load_default=False, metadata={"description": "本单位挂牌督办的重大隐患"})
    company = fields.String(load_default=None, validate=validate.Length(max=200))
    unit_id = Id(load_default=None)


class ClosureArgs(Schema):
    approved = fields.Boolean(required=True)
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    rectify_by = fields.Date(load_default=None, metadata={"description": "不同意销号时新的整改期限"})


class InspectionSchema(Schema):
    id = fields.Integer()
    inspection_number = fields.String()
    instance_id = fields.Integer()
    unit_id = fields.Integer()
    company_name = fields.String()
    company_code = fields.String(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    plan_kind = fields.String(allow_none=True)
    draw_item_id = fields.Integer(allow_none=True)
    industry = fields.String()
    source = fields.String()
    inspectors = fields.List(fields.String())
    reporter_recorded = fields.Function(lambda row: bool(row.reporter),
                                        metadata={"description": "举报人已登记（内容保密，不返回）"})
    source_note = fields.String(allow_none=True)
    inspect_by = fields.Date(allow_none=True)
    status = fields.String()
    inspected_at = fields.AwareDateTime(allow_none=True)
    recorded_at = fields.AwareDateTime(allow_none=True)
    checklist = fields.List(fields.Dict(), allow_none=True)
    findings = fields.Dict(allow_none=True)
    rectification_order_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


class InspectionPageSchema(Schema):
    items = fields.List(fields.Nested(InspectionSchema))
    total = fields.Integer()


class InspectionDetailSchema(InspectionSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    hidden_dangers = fields.List(fields.Nested(HazardSchema))
    photos = fields.List(fields.Nested(PhotoSchema))


class ChecklistSchema(Schema):
    industry = fields.String()
    name = fields.String()
    items = fields.List(fields.Dict())


class FactsStatisticsArgs(Schema):
    period = fields.String(required=True, validate=validate.Length(min=4, max=7),
                           metadata={"description": "YYYY, YYYY-Qn or YYYY-MM"})
    unit_id = Id(load_default=None, metadata={"description": "root of the roll-up; default: my unit"})
    all_units = fields.Boolean(load_default=False, metadata={"description": "every unit below, not only the next level"})


class FactsStatisticsSchema(Schema):
    period = fields.Dict()
    unit_id = fields.Integer()
    columns = fields.List(fields.Dict())
    plan_completion = fields.Dict(allow_none=True)
    rows = fields.List(fields.Dict())
