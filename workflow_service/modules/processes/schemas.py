from marshmallow import Schema, fields, validate


class DefinitionSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    name = fields.String()
    content_hash = fields.String()
    is_latest = fields.Boolean()
    deployed_at = fields.AwareDateTime()
    user_tasks = fields.List(fields.Dict())


class DeployArgs(Schema):
    files = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[\w.-]{1,100}\.(bpmn|dmn)$")),
                        values=fields.String(), required=True,
                        metadata={"description": "file name -> BPMN/DMN XML text"})


class DeployResultSchema(Schema):
    definition = fields.Nested(DefinitionSchema)
    created = fields.Boolean()


class StartArgs(Schema):
    process_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}$")),
                       load_default=dict)


class TimerSchema(Schema):
    id = fields.Integer()
    bpmn_id = fields.String()
    name = fields.String()
    due_at = fields.AwareDateTime()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)


class InstanceSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    title = fields.String()
    business_key = fields.String(allow_none=True)
    unit_id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    started_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)
