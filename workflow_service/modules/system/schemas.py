from marshmallow import Schema, fields


class ClockArgs(Schema):
    advance = fields.String(load_default=None, metadata={"description": "ISO 8601 duration, e.g. P3D"})
    now = fields.AwareDateTime(load_default=None, metadata={"description": "an instant with its offset"})
    frozen = fields.Boolean(load_default=None, metadata={"description": "stop the clock at that instant"})


class ClockSchema(Schema):
    now = fields.AwareDateTime()
    settable = fields.Boolean()
    frozen = fields.Boolean()


class SweepSchema(Schema):
    fired = fields.Integer()
    failed = fields.Integer()
    incidents = fields.Integer()
