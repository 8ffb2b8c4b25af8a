from marshmallow import Schema, fields, validate

from ...core.schemas import PageArgs
from .models import DisclosureStatus, WithdrawalReason

STATUS_LABELS = {"published": "公示中", "withdrawing": "公示中", "withdrawn": "已撤回"}


class PublicSearchArgs(PageArgs):
    party = fields.String(load_default=None, validate=validate.Length(max=200), metadata={"description": "当事人（部分名称）"})
    unit = fields.String(load_default=None, validate=validate.Length(max=200),
                         metadata={"description": "作出决定的单位：代码（含下级单位）或部分名称"})
    violation = fields.String(load_default=None, validate=validate.Length(max=200), metadata={"description": "违法行为关键词"})
    date_from = fields.Date(load_default=None, metadata={"description": "决定日期起"})
    date_to = fields.Date(load_default=None, metadata={"description": "决定日期止"})


class PublicDisclosureSchema(Schema):
    """Only redacted, public fields. A withdrawn record shows its withdrawal notice instead of its content."""

    id = fields.Integer()
    status = fields.Method("_status")
    status_label = fields.Method("_label")
    decision_number = fields.String()
    party_name = fields.String()
    party_credit_code = fields.Method("_credit_code")
    violation = fields.Method("_content")
    legal_basis = fields.Method("_legal_basis")
    penalty = fields.Method("_penalty")
    deciding_body = fields.String()
    decision_date = fields.Date()
    published_at = fields.AwareDateTime()
    withdrawal_notice = fields.Method("_notice")
    withdrawn_at = fields.Method("_withdrawn_at")

    def _withdrawn(self, d) -> bool:
        return d.status == DisclosureStatus.withdrawn.value

    def _status(self, d):
        return "withdrawn" if self._withdrawn(d) else "published"

    def _label(self, d):
        return STATUS_LABELS.get(d.status, "")

    def _credit_code(self, d):
        return None if self._withdrawn(d) else (d.party_credit_code if d.party_type == "organisation" else None)

    def _content(self, d):
        return None if self._withdrawn(d) else d.violation

    def _legal_basis(self, d):
        return None if self._withdrawn(d) else d.legal_basis

    def _penalty(self, d):
        return None if self._withdrawn(d) else d.penalty

    def _notice(self, d):
        return d.withdrawal_notice if self._withdrawn(d) else None

    def _withdrawn_at(self, d):
        return d.withdrawn_at.isoformat() if self._withdrawn(d) and d.withdrawn_at else None


class PublicDisclosurePageSchema(Schema):
    items = fields.List(fields.Nested(PublicDisclosureSchema))
    total = fields.Integer()


class DisclosureListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in DisclosureStatus]))


class DisclosureSchema(Schema):
    """The officers' view (still only redacted text: the unredacted decision lives in the case)."""

    id = fields.Integer()
    case_id = fields.Integer()
    unit_id = fields.Integer()
    status = fields.String()
    decision_number = fields.String()
    party_name = fields.String()
    party_type = fields.String()
    party_credit_code = fields.String(allow_none=True)
    violation = fields.String()
    legal_basis = fields.String()
    penalty = fields.String()
    deciding_body = fields.String()
    decision_date = fields.Date()
    redactions = fields.Dict(metadata={"description": "items removed per kind (id_number, phone, address, bank_account, name, term)"})
    drafted_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)
    published_late = fields.Boolean()
    expires_at = fields.AwareDateTime(allow_none=True)
    not_published_reason = fields.String(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    withdrawal_notice = fields.String(allow_none=True)
    decision_changed_at = fields.AwareDateTime(allow_none=True)
    withdrawal_instance_id = fields.Integer(allow_none=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)
    expired_at = fields.AwareDateTime(allow_none=True)


class DisclosurePageSchema(Schema):
    items = fields.List(fields.Nested(DisclosureSchema))
    total = fields.Integer()


class WithdrawalArgs(Schema):
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in WithdrawalReason]),
                           metadata={"description": "changed 变更 / revoked 撤销 / void 确认无效 / illegal 确认违法"})
    explanation = fields.String(required=True, validate=validate.Length(min=1, max=1500),
                                metadata={"description": "理由（公开发布前自动脱敏）"})
    changed_at = fields.AwareDateTime(load_default=None, metadata={"description": "决定被变更/撤销/确认无效的时间；缺省为现在"})
