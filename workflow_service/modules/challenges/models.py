"""Reconsiderations and lawsuits against a penalty decision (行政复议 / 行政诉讼): that one was filed, with which body,
and its result."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import UTCDateTime
from ...extensions import db


class ChallengeKind(str, enum.Enum):
    reconsideration = "reconsideration"  # 行政复议: within 60 days of knowing the decision (行政复议法 Art 20)
    lawsuit = "lawsuit"                  # 行政诉讼: within 6 months (行政诉讼法 Art 46)


KIND_LABELS = {"reconsideration": "行政复议", "lawsuit": "行政诉讼"}


class ChallengeResult(str, enum.Enum):
    upheld = "upheld"        # 维持 / 驳回诉讼请求
    changed = "changed"      # 变更
    revoked = "revoked"      # 撤销
    unlawful = "unlawful"    # 确认违法
    void = "void"            # 确认无效
    withdrawn = "withdrawn"  # 申请人撤回 / 原告撤诉 (the decision stands)


RESULT_LABELS = {"upheld": "维持（驳回）", "changed": "变更", "revoked": "撤销", "unlawful": "确认违法", "void": "确认无效",
                 "withdrawn": "撤回申请（撤诉）"}
# Results that take the decision (or part of it) away: the disclosure is withdrawn or updated (行政处罚法 Art 48).
CORRECTING = {"changed": "changed", "revoked": "revoked", "unlawful": "illegal", "void": "void"}


class LegalChallenge(db.Model):
    __tablename__ = "legal_challenges"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    body = sa.Column(sa.String(200), nullable=False)        # 复议机关 / 人民法院
    filed_at = sa.Column(UTCDateTime, nullable=False)
    # Filed after the statutory period counted from the decision: recorded, the body decides whether to accept.
    late = sa.Column(sa.Boolean, nullable=False, default=False)
    # A case with several parties: the party (its seq) that applied or sued; its own service starts its periods.
    party_seq = sa.Column(sa.Integer, nullable=True)
    note = sa.Column(sa.Text, nullable=False, default="")
    status = sa.Column(sa.String(16), nullable=False, default="pending")  # pending | concluded
    result = sa.Column(sa.String(16), nullable=True)
    result_at = sa.Column(UTCDateTime, nullable=True)
    result_note = sa.Column(sa.Text, nullable=True)
    recorded_at = sa.Column(UTCDateTime, nullable=False)
    recorded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    result_recorded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    disclosure_id = sa.Column(sa.Integer, sa.ForeignKey("disclosures.id", ondelete="SET NULL"), nullable=True)

    case = db.relationship("Case")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_legal_challenges_unit_filed", "unit_id", "filed_at"),)
