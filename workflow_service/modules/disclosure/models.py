"""Disclosure records (行政处罚决定公示): only redacted text is ever stored here, so nothing read from this
table by the public pages can carry a natural person's personal data that redaction removed."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class DisclosureStatus(str, enum.Enum):
    draft = "draft"                  # 待审核: drafted from the decision, waiting for the reviewer
    published = "published"          # 已公示: public until expires_at
    not_published = "not_published"  # 不予公示: the reviewer recorded a lawful reason
    withdrawing = "withdrawing"      # 撤回中: the decision was changed/revoked/void; still public until withdrawn
    withdrawn = "withdrawn"          # 已撤回: only the withdrawal notice and its reason stay public
    expired = "expired"              # 已到期: the publication period ended; gone from the public pages


# What the public sees, by status (expired and draft records are never public).
PUBLIC_STATUSES = (DisclosureStatus.published.value, DisclosureStatus.withdrawing.value,
                   DisclosureStatus.withdrawn.value)


class WithdrawalReason(str, enum.Enum):
    changed = "changed"  # 变更
    revoked = "revoked"  # 撤销
    void = "void"        # 确认无效
    illegal = "illegal"  # 确认违法


WITHDRAWAL_LABELS = {"changed": "处罚决定被依法变更", "revoked": "处罚决定被依法撤销", "void": "处罚决定被确认无效",
                     "illegal": "处罚决定被确认违法"}


class Disclosure(db.Model):
    __tablename__ = "disclosures"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=DisclosureStatus.draft.value)
    # The published content (redacted).
    decision_number = sa.Column(sa.String(100), nullable=False)
    party_name = sa.Column(sa.String(200), nullable=False)
    party_type = sa.Column(sa.String(16), nullable=False)
    party_credit_code = sa.Column(sa.String(64), nullable=True)
    violation = sa.Column(sa.Text, nullable=False)
    legal_basis = sa.Column(sa.Text, nullable=False)
    penalty = sa.Column(sa.Text, nullable=False)
    deciding_body = sa.Column(sa.String(500), nullable=False)
    decision_date = sa.Column(sa.Date, nullable=False)
    decided_at = sa.Column(UTCDateTime, nullable=False)
    # How many items of each kind redaction removed (never the removed values themselves).
    redactions = sa.Column(JSONType, nullable=False, default=dict)
    drafted_at = sa.Column(UTCDateTime, nullable=False)
    published_at = sa.Column(UTCDateTime, nullable=True)
    published_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    # 安全生产法 Art 78: within 7 working days of the decision; True when published after that.
    published_late = sa.Column(sa.Boolean, nullable=False, default=False)
    expires_at = sa.Column(UTCDateTime, nullable=True)
    not_published_reason = sa.Column(sa.Text, nullable=True)
    # 行政处罚法 Art 48: withdrawal within 3 working days, with its reason made public.
    withdrawal_reason = sa.Column(sa.String(16), nullable=True)
    withdrawal_notice = sa.Column(sa.Text, nullable=True)
    decision_changed_at = sa.Column(UTCDateTime, nullable=True)
    withdrawal_instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="SET NULL"),
                                       nullable=True)
    withdrawn_at = sa.Column(UTCDateTime, nullable=True)
    withdrawn_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    expired_at = sa.Column(UTCDateTime, nullable=True)

    unit = db.relationship("Unit")
    case = db.relationship("Case")

    __table_args__ = (
        # The public list: published records by date; search narrows by unit.
        sa.Index("ix_disclosures_public", "status", "decision_date"),
        sa.Index("ix_disclosures_unit", "unit_id", "status", "decision_date"),
        sa.Index("ix_disclosures_expiry", "status", "expires_at"),
    )
