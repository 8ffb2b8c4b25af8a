from marshmallow import Schema, fields, validate

from ...core.ids import Id


class StatisticsArgs(Schema):
    period = fields.String(required=True, validate=validate.Length(min=4, max=7),
                           metadata={"description": "YYYY (year), YYYY-Qn (quarter) or YYYY-MM (month)"})
    unit_id = Id(load_default=None, metadata={"description": "root of the tree; default: my unit"})


class ExportArgs(StatisticsArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class StatisticsSchema(Schema):
    period = fields.Dict()
    unit_id = fields.Integer()
    columns = fields.List(fields.Dict(), metadata={"description": "figure keys with their Chinese labels, in order"})
    rows = fields.List(fields.Dict(), metadata={
        "description": "one per unit of the tree: figures (rolled up), own, stages (average days), flags"})
