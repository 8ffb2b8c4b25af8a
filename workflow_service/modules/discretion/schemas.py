from marshmallow import Schema, fields, validate

from ..enterprises.schemas import _FileUpload


class ImportBenchmarkArgs(Schema):
    """multipart: `file` (.csv or .xlsx, the template's columns), the title, the published document and the date
    it takes effect; `jurisdiction` is the administrator's province."""
    file = _FileUpload(required=True)
    jurisdiction = fields.String(required=True, validate=validate.Length(min=1, max=16))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    basis = fields.String(load_default="", validate=validate.Length(max=500))
    effective_from = fields.Date(required=True)


class BenchmarkListArgs(Schema):
    jurisdiction = fields.String(load_default=None, validate=validate.Length(max=16))


class BenchmarkSchema(Schema):
    id = fields.Integer()
    jurisdiction = fields.String()
    version = fields.Integer()
    title = fields.String()
    basis = fields.String()
    effective_from = fields.Date()
    source_filename = fields.String(allow_none=True)
    source_sha256 = fields.String(allow_none=True)
    imported_at = fields.AwareDateTime()
    item_count = fields.Function(lambda b: len(b.items))
    list_count = fields.Function(lambda b: len(b.entries))


class BenchmarkPageSchema(Schema):
    items = fields.List(fields.Nested(BenchmarkSchema))


class DiscretionItemSchema(Schema):
    code = fields.String()
    description = fields.String()
    provision = fields.String()
    penalty_basis = fields.String()
    ranges = fields.Dict(metadata={"description": "circumstance (minor/general/serious/severe) → {min, max, description, other}"})


class DiscretionEntrySchema(Schema):
    kind = fields.String(metadata={"description": "no_penalty 不予处罚 / lighter 从轻 / reduced 减轻"})
    code = fields.String()
    description = fields.String()
    provision = fields.String()
    conditions = fields.String()
    first_violation = fields.Boolean()


class BenchmarkDetailSchema(BenchmarkSchema):
    items = fields.List(fields.Nested(DiscretionItemSchema))
    entries = fields.List(fields.Nested(DiscretionEntrySchema))


class CaseDiscretionSchema(Schema):
    discretion_benchmark = fields.Dict(allow_none=True)
    discretion_suggestions = fields.List(fields.Dict())
    discretion_lists = fields.Dict()
    company_history = fields.List(fields.Dict())
    discretion_findings = fields.List(fields.Dict())
    first_violation_flags = fields.List(fields.Dict())
