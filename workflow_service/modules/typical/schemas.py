from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs
from ..tasks.schemas import TaskSchema


class MarkTypicalArgs(Schema):
    case_id = Id(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    write_up = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                             metadata={"description": "案情简介、处理结果、典型意义"})


class SubmitReportArgs(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class ExportArgs(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class TypicalCaseSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda t: t.case.case_number)
    party_name = fields.Function(lambda t: t.case.party_name)
    unit_id = fields.Integer()
    title = fields.String()
    write_up = fields.String()
    marked_at = fields.AwareDateTime()
    report_id = fields.Integer(allow_none=True)


class TypicalCasePageSchema(Schema):
    items = fields.List(fields.Nested(TypicalCaseSchema))
    total = fields.Integer()


class TypicalReportSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda r: r.unit.name)
    instance_id = fields.Integer()
    rule_id = fields.String()
    period_start = fields.AwareDateTime()
    minimum = fields.Integer()
    transfer_minimum = fields.Integer(metadata={"description": "of them, transfer cases (移送司法机关) at least"})
    status = fields.String()
    submitted_at = fields.AwareDateTime(allow_none=True)
    case_ids = fields.List(fields.Integer())
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Dict())
    pending_cases = fields.Integer(metadata={"description": "typical cases not yet reported"})
    pending_transfer_cases = fields.Integer(metadata={"description": "of them, transfer cases (移送司法机关)"})


class TypicalReportPageSchema(Schema):
    items = fields.List(fields.Nested(TypicalReportSchema))
    total = fields.Integer()


class ListArgs(PageArgs):
    pass


class LevelCounts(Schema):
    county = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    city = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    province = fields.Integer(required=True, validate=validate.Range(min=0, max=100))


class MinimumArgs(LevelCounts):
    transfers = fields.Nested(LevelCounts, load_default=None, metadata={
        "description": "of each period's typical cases, how many at least are transfer cases (移送司法机关), by level; "
                       "left out, the current ones stay"})


class MinimumSchema(LevelCounts):
    transfers = fields.Nested(LevelCounts)
    jurisdiction = fields.String()
