from marshmallow import Schema, fields, validate


class TokenArgs(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class UnitSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    unit = fields.Nested(UnitSchema)
    roles = fields.Method("_roles")

    def _roles(self, user):
        return sorted(r.value for r in user.roles)


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(dump_default="Bearer")
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSchema)
