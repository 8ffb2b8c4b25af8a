from marshmallow import Schema, fields, validate, validates_schema

from ...core.ids import Id
from marshmallow.exceptions import ValidationError


class CaseFileReviewArgs(Schema):
    case_id = Id(load_default=None, metadata={"description": "review this one closed case"})
    unit_id = Id(load_default=None, metadata={"description": "a unit of your tree (default: yours); its subtree is reviewed"})
    closed_from = fields.Date(load_default=None, metadata={"description": "first day of the period (closure date)"})
    closed_to = fields.Date(load_default=None, metadata={"description": "last day of the period, included"})
    sample = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2000),
                            metadata={"description": "review a random sample of this many cases"})
    seed = fields.Integer(load_default=None, metadata={"description": "repeat an earlier sample"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data["closed_from"] and data["closed_to"] and data["closed_from"] > data["closed_to"]:
            raise ValidationError("must not be before closed_from", "closed_to")
        if data["case_id"] is not None and any(data[k] is not None for k in ("unit_id", "closed_from", "closed_to", "sample")):
            raise ValidationError("either one case or a selection, not both", "case_id")


class DefectSchema(Schema):
    code = fields.String()
    description = fields.String()
    points = fields.Integer()
    detail = fields.String()
    step = fields.String(metadata={"description": "the task concerned, where there is one"})


class CaseFileResultSchema(Schema):
    case_id = fields.Integer()
    case_number = fields.String()
    unit_id = fields.Integer()
    party_name = fields.String()
    closed_at = fields.AwareDateTime(allow_none=True)
    score = fields.Integer(metadata={"description": "100 minus the points of the defects, at least 0"})
    grade = fields.String(metadata={"description": "优秀 (>= 90), 合格 (>= 60), 不合格"})
    defects = fields.List(fields.Nested(DefectSchema))


class CaseFileReviewSchema(Schema):
    seed = fields.Integer(allow_none=True, metadata={"description": "the sample's seed (send it again to repeat the sample)"})
    reviewed = fields.Integer()
    average_score = fields.Float(allow_none=True)
    defects_by_code = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(CaseFileResultSchema))
