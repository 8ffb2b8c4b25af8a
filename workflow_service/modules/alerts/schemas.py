from marshmallow import Schema, fields, validate

from ...core.ids import Id
from ...core.schemas import PageArgs


class AlertListArgs(PageArgs):
    include_cleared = fields.Boolean(load_default=False)
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "units"]),
                          metadata={"description": "mine: aimed at me; units: my unit tree (supervisors and principal heads)"})
    level = fields.String(load_default=None, validate=validate.OneOf(["warning", "escalation1", "escalation2"]))
    unit_id = Id(load_default=None)


class AlertSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    case_title = fields.Function(lambda a: a.instance.title)
    task_id = fields.Integer(allow_none=True)
    task_name = fields.Function(lambda a: a.task.name if a.task else None)
    unit_id = fields.Function(lambda a: a.instance.unit_id)
    level = fields.String()
    title = fields.String()
    target_user_id = fields.Integer(allow_none=True)
    target_role = fields.String(allow_none=True)
    target_unit_id = fields.Integer(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    raised_at = fields.AwareDateTime()
    cleared_at = fields.AwareDateTime(allow_none=True)
    overdue_seconds = fields.Integer(allow_none=True, metadata={"description": "how long past its due time"})


class AlertPageSchema(Schema):
    items = fields.List(fields.Nested(AlertSchema))
    total = fields.Integer()
