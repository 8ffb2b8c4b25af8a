from marshmallow import Schema, fields

from ...core.ids import Id


class VerifyArgs(Schema):
    case_id = Id(load_default=None)
    instance_id = Id(load_default=None)
    system = fields.Boolean(load_default=False, metadata={"description": "the system chain (administrators)"})


class BrokenLinkSchema(Schema):
    seq = fields.Integer(metadata={"description": "the place in the chain where it breaks"})
    event_id = fields.Integer(allow_none=True, metadata={"description": "the event found there (none: cut off the end)"})
    previous_event_id = fields.Integer(allow_none=True, metadata={"description": "the last event that verifies"})
    code = fields.String(metadata={"description": "altered | missing | relinked | duplicate | truncated | head_mismatch"})
    message = fields.String()


class ChainReportSchema(Schema):
    chain = fields.String()
    instance_id = fields.Integer(allow_none=True)
    events = fields.Integer()
    ok = fields.Boolean()
    first_broken = fields.Nested(BrokenLinkSchema, allow_none=True)
