"""Input (*Args) and output (*Schema) of the registry, plans and draws."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from ...core.ids import Id
from ...core.schemas import PageArgs
from .models import EnterpriseStatus
from .plan_models import InspectionKind

_TEXT = validate.Length(max=300)


class LicenceArgs(Schema):
    type = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "许可证类型, e.g. 安全生产许可证"})
    number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    issuer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    status = fields.String(load_default="valid", validate=validate.OneOf(["valid", "suspended", "revoked",
                                                                          "cancelled"]))


class EnterpriseFieldsArgs(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String(validate=validate.Length(max=40),
                                metadata={"description": "统一社会信用代码 (GB 32100-2015, check character verified)"})
    address = fields.String(validate=_TEXT)
    region_code = fields.String(validate=validate.Length(max=12), metadata={"description": "行政区划代码 (GB/T 2260)"})
    industry_code = fields.String(validate=validate.Length(max=8),
                                  metadata={"description": "国民经济行业分类 GB/T 4754-2017, e.g. C2614"})
    legal_representative = fields.String(validate=validate.Length(max=100))
    principal = fields.String(validate=validate.Length(max=100), metadata={"description": "主要负责人"})
    principal_phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    scale = fields.String(allow_none=True, validate=validate.Length(max=16),
                          metadata={"description": "large | medium | small | micro (大型/中型/小型/微型)"})


class RegisterEnterpriseArgs(EnterpriseFieldsArgs):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(required=True, validate=validate.Length(max=40))
    region_code = fields.String(required=True, validate=validate.Length(max=12))
    industry_code = fields.String(required=True, validate=validate.Length(max=8))
    principal = fields.String(required=True, validate=validate.Length(max=100))
    classification = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16),
                                   metadata={"description": "a level of the province's 分类分级 scheme"})
    unit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32),
                              metadata={"description": "the supervising unit (default: mine)"})
    licences = fields.List(fields.Nested(LicenceArgs), load_default=list, validate=validate.Length(max=20))


class UpdateEnterpriseArgs(EnterpriseFieldsArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in EnterpriseStatus]))


class ClassifyArgs(Schema):
    classification = fields.String(required=True, allow_none=True, validate=validate.Length(max=16))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class LicenceStatusArgs(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["valid", "suspended", "revoked", "cancelled"]))


class EnterpriseSearchArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=100),
                      metadata={"description": "part of the name or of the credit code"})
    classification = fields.String(load_default=None, validate=validate.Length(max=16),
                                   metadata={"description": "a class, or `none` for 未分类"})
    region_code = fields.String(load_default=None, validate=validate.Length(max=12), metadata={"description": "prefix"})
    industry_code = fields.String(load_default=None, validate=validate.Length(max=8), metadata={"description": "prefix"})
    status = fields.String(load_default="active", validate=validate.OneOf([s.value for s in EnterpriseStatus]))
    unit_id = Id(load_default=None)


class _FileUpload(Upload):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("须上传文件 (send a file part with a filename)")
        return value


class ImportArgs(Schema):
    """multipart: `file` (.csv or .xlsx, the template's columns) and `unit_code` (default: mine)."""
    file = _FileUpload(required=True)
    unit_code = fields.String(load_default=None, validate=validate.Length(max=32))


class ImportResultSchema(Schema):
    imported = fields.Integer()
    rows = fields.Integer()
    file_sha256 = fields.String()
    unit_code = fields.String()


class LicenceSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    number = fields.String()
    issuer = fields.String(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date()
    status = fields.String()
    state = fields.String(metadata={"description": "status as read today: a valid licence past valid_to is expired"})


class EnterpriseSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda e: e.unit.name)
    province_code = fields.String()
    name = fields.String()
    credit_code = fields.String()
    address = fields.String()
    region_code = fields.String()
    industry_code = fields.String()
    legal_representative = fields.String()
    principal = fields.String()
    principal_phone = fields.String(allow_none=True)
    scale = fields.String(allow_none=True)
    classification = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseSchema))
    total = fields.Integer()


class ClassificationChangeSchema(Schema):
    previous = fields.String(allow_none=True)
    classification = fields.String(allow_none=True)
    reason = fields.String()
    changed_at = fields.AwareDateTime()
    changed_by = fields.Function(lambda c: c.changed_by.display_name if c.changed_by else None)


class HistoryEntrySchema(Schema):
    kind = fields.String(metadata={"description": "case | rectification | transfer | classification | ..."})
    at = fields.AwareDateTime()
    title = fields.String()
    status = fields.String(allow_none=True)
    ref = fields.Raw(allow_none=True)
    url = fields.String(allow_none=True)


class EnterpriseDetailSchema(EnterpriseSchema):
    licences = fields.List(fields.Nested(LicenceSchema))
    classification_changes = fields.List(fields.Nested(ClassificationChangeSchema))
    history = fields.List(fields.Nested(HistoryEntrySchema))


class SchemeLevelSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=16))
    label = fields.String(load_default=None, validate=validate.Length(max=50))


class SchemeArgs(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    levels = fields.List(fields.Nested(SchemeLevelSchema), required=True, validate=validate.Length(min=1, max=20))
    basis = fields.String(load_default=None, validate=validate.Length(max=500))


class SchemeSchema(Schema):
    province_code = fields.String()
    name = fields.String()
    levels = fields.List(fields.Nested(SchemeLevelSchema))
    basis = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime()
    history = fields.List(fields.Dict(), metadata={"description": "earlier versions, oldest first: name, levels, "
                                                                  "basis, from, until, replaced_by"})


# -- plans --------------------------------------------------------------------------------------------------
class TargetSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in InspectionKind]),
                         metadata={"description": "key 重点检查 | general 一般检查 | random 双随机抽查 | cases 立案查处"})
    classification = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    times_per_company = fields.Integer(load_default=None, allow_none=True)
    every_years = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "with times_per_company: one round every N years (1–5)"})
    count = fields.Integer(load_default=None, allow_none=True)
    planned = fields.Integer(dump_only=True)
    companies = fields.Integer(dump_only=True)


class PlanArgs(Schema):
    year = fields.Integer(required=True)
    title = fields.String(load_default="", validate=validate.Length(max=200))
    targets = fields.List(fields.Nested(TargetSchema), required=True, validate=validate.Length(min=1, max=50))
    quarter_shares = fields.List(fields.Integer(), load_default=None,
                                 metadata={"description": "cumulative percent due by each quarter's end"})
    notes = fields.String(load_default="", validate=validate.Length(max=5000))


class PlanUpdateArgs(Schema):
    title = fields.String(validate=validate.Length(max=200))
    targets = fields.List(fields.Nested(TargetSchema), validate=validate.Length(min=1, max=50))
    quarter_shares = fields.List(fields.Integer())
    notes = fields.String(validate=validate.Length(max=5000))


class PlanSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda p: p.unit.name)
    year = fields.Integer()
    title = fields.String()
    targets = fields.List(fields.Nested(TargetSchema))
    quarter_shares = fields.List(fields.Integer())
    notes = fields.String()
    status = fields.String(metadata={"description": "draft 草稿 | approved 已批准 | filed 已报备"})
    approved_at = fields.AwareDateTime(allow_none=True)
    approved_by = fields.Function(lambda p: p.approved_by.display_name if p.approved_by else None)
    filed_at = fields.AwareDateTime(allow_none=True)
    filed_with_unit = fields.Function(lambda p: p.filed_with_unit.name if p.filed_with_unit else None)
    acknowledged_at = fields.AwareDateTime(allow_none=True)


class PlanPageSchema(Schema):
    items = fields.List(fields.Nested(PlanSchema))
    total = fields.Integer()


class PlanListArgs(PageArgs):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class ProgressArgs(Schema):
    at = fields.Date(load_default=None, metadata={"description": "the day to measure at (default today)"})


class QuarterProgressSchema(Schema):
    quarter = fields.Integer()
    ends_on = fields.Date()
    due = fields.Integer()
    done = fields.Integer()
    ended = fields.Boolean()
    behind = fields.Boolean()


class TargetProgressSchema(TargetSchema):
    done = fields.Integer()
    rate = fields.Float(allow_none=True)
    quarters = fields.List(fields.Nested(QuarterProgressSchema))


class BehindSchema(Schema):
    kind = fields.String()
    classification = fields.String(allow_none=True)
    quarter = fields.Integer()
    due = fields.Integer()
    done = fields.Integer()


class ProgressSchema(Schema):
    plan_id = fields.Integer()
    at = fields.Date()
    planned = fields.Integer()
    done = fields.Integer()
    rate = fields.Float(allow_none=True)
    targets = fields.List(fields.Nested(TargetProgressSchema))
    behind = fields.List(fields.Nested(BehindSchema))
    alert = fields.Boolean(metadata={"description": "预警: a quarter that has ended fell behind its share"})


# -- draws --------------------------------------------------------------------------------------------------
class DrawArgs(Schema):
    title = fields.String(load_default="", validate=validate.Length(max=200))
    company_count = fields.Integer(required=True)
    officers_per_company = fields.Integer(load_default=2)
    classifications = fields.List(fields.String(validate=validate.Length(max=16)), load_default=list,
                                  validate=validate.Length(max=20))
    region_codes = fields.List(fields.String(validate=validate.Length(max=12)), load_default=list,
                               validate=validate.Length(max=50))
    plan_id = Id(load_default=None, allow_none=True)
    seed = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                         metadata={"description": "default: 128 random bits, recorded"})
    publish = fields.Boolean(load_default=True)
    exclude_already_drawn = fields.Boolean(load_default=False, metadata={
        "description": "with plan_id: leave out the companies earlier draws of the plan picked"})


class ReplaceOfficerArgs(Schema):
    user_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DrawInspectedArgs(Schema):
    day = fields.Date(required=True)
    ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class OfficerSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    certificate_number = fields.String(allow_none=True)


class DrawItemSchema(Schema):
    id = fields.Integer()
    rank = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda i: i.enterprise.name)
    credit_code = fields.Function(lambda i: i.enterprise.credit_code)
    officer_ids = fields.List(fields.Integer())
    drawn_officer_ids = fields.List(fields.Integer())
    officers = fields.List(fields.Nested(OfficerSchema))
    inspected_on = fields.Date(allow_none=True)


class ReplacementSchema(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    replaced_user_id = fields.Integer()
    replacement_user_id = fields.Integer()
    reason = fields.String()
    seed = fields.String()
    officer_candidates = fields.List(fields.String())
    replaced_at = fields.AwareDateTime()


class DrawSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda d: d.unit.name)
    plan_id = fields.Integer(allow_none=True)
    title = fields.String()
    method = fields.String()
    seed = fields.String()
    criteria = fields.Dict()
    company_count = fields.Integer()
    officers_per_company = fields.Integer()
    pool_size = fields.Function(lambda d: len(d.company_candidates))
    officer_pool_size = fields.Function(lambda d: len(d.officer_candidates))
    drawn_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)


class DrawDetailSchema(DrawSchema):
    company_candidates = fields.List(fields.String())
    officer_candidates = fields.List(fields.String())
    items = fields.List(fields.Nested(DrawItemSchema))
    replacements = fields.List(fields.Nested(ReplacementSchema))
    verified = fields.Boolean(metadata={"description": "re-running the method on the recorded seed and candidates "
                                                      "gives the recorded result"})


class DrawPageSchema(Schema):
    items = fields.List(fields.Nested(DrawSchema))
    total = fields.Integer()
