from marshmallow import Schema, fields, validate


class TokenArgs(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class UnitSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    collective_discussion_every_case = fields.Boolean(metadata={"description": "每案负责人集体讨论（本单位规定）"})


class PresidingArgs(Schema):
    presides_over_work = fields.Boolean(required=True, metadata={"description": "主持工作的负责人（代行正职负责人职责）"})


class UnitPracticeArgs(Schema):
    collective_discussion_every_case = fields.Boolean(required=True)


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    unit = fields.Nested(UnitSchema)
    roles = fields.Method("_roles")
    active = fields.Boolean(metadata={"description": "false: deactivated (停用), no token or session works"})
    legal_qualification = fields.Boolean()
    certificate_number = fields.String(allow_none=True, metadata={"description": "行政执法证号"})
    certificate_valid_to = fields.Date(allow_none=True)
    presides_over_work = fields.Boolean(metadata={"description": "主持工作的负责人"})
    legal_review_appointed_on = fields.Date(allow_none=True, metadata={
        "description": "初次从事法制审核的日期 (行政处罚法 Art 58(2): from 2021-07-15 on, the qualification is required)"})

    def _roles(self, user):
        return sorted(r.value for r in user.roles)


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(dump_default="Bearer")
    expires_at = fields.AwareDateTime()
    user = fields.Nested(UserSchema)


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    total = fields.Integer()


class CreateUserArgs(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                              metadata={"description": "a unit of your own unit tree"})
    roles = fields.List(fields.String(validate=validate.Length(max=32)), required=True,
                        validate=validate.Length(min=1, max=8))
    legal_qualification = fields.Boolean(load_default=False)
    certificate_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32),
                                       metadata={"description": "执法证件号, printed beside the officer's signature"})
    legal_review_appointed_on = fields.Date(load_default=None, allow_none=True)


class LegalReviewerArgs(Schema):
    legal_qualification = fields.Boolean(required=True, metadata={"description": "取得法律职业资格"})
    legal_review_appointed_on = fields.Date(required=True, allow_none=True,
                                            metadata={"description": "初次从事法制审核的日期"})


class CreateUnitArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf(["province", "city", "county"]))
    parent_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                                metadata={"description": "your unit or one below it (top-level units: CLI only)"})


class CertificateArgs(Schema):
    number = fields.String(required=True, allow_none=True, validate=validate.Length(max=32),
                           metadata={"description": "行政执法证号; null withdraws it"})
    valid_to = fields.Date(load_default=None, allow_none=True)
