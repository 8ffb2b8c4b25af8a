"""Production suspensions (责令停产停业整顿) with the company's application to resume, the restart inspection and
the decision to lift; requests to the government to close a company (提请政府关闭, 安全生产法 Art 113); and
licence actions (暂扣/吊销/注销) against the registry's licences."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class SuspensionStatus(str, enum.Enum):
    suspended = "suspended"              # 停产停业整顿中
    inspection_due = "inspection_due"    # 已申请复产，待验收
    lift_pending = "lift_pending"        # 验收合格，待解除决定
    lifted = "lifted"                    # 已解除，恢复生产
    closed = "closed"                    # 政府批准关闭 (安全生产法 Art 113): the suspension ends with the company


STATUS_LABELS = {"suspended": "停产停业整顿中", "inspection_due": "待复产验收", "lift_pending": "验收合格待解除",
                 "lifted": "已恢复生产", "closed": "已关闭"}

# 安全生产法 Art 113: the grounds on which the department asks the government to close a company.
CLOSURE_GROUNDS = {
    "still_unsafe": "经停产停业整顿，仍不具备法律、行政法规和国家标准或者行业标准规定的安全生产条件",
    "repeated_penalties": "存在重大事故隐患，一百八十日内三次或者一年内四次受到《安全生产法》规定的行政处罚",
    "refused_suspension": "拒不执行负有安全生产监督管理职责的部门作出的停产停业整顿决定",
    "other": "法律、行政法规规定的其他情形",
}


class ProductionSuspension(db.Model):
    __tablename__ = "production_suspensions"

    id = sa.Column(sa.Integer, primary_key=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=True)
    party_name = sa.Column(sa.String(200), nullable=False)
    legal_basis = sa.Column(sa.Text, nullable=False)
    scope = sa.Column(sa.Text, nullable=False)
    ordered_at = sa.Column(UTCDateTime, nullable=False)
    suspend_until = sa.Column(UTCDateTime, nullable=False)   # 24:00 of the period's last day
    status = sa.Column(sa.String(16), nullable=False, default=SuspensionStatus.suspended.value)
    applied_at = sa.Column(UTCDateTime, nullable=True)
    inspections = sa.Column(JSONType, nullable=False, default=list)  # every restart inspection as recorded
    lifted_at = sa.Column(UTCDateTime, nullable=True)
    # 提请政府关闭 (Art 113)
    closure_ground = sa.Column(sa.String(24), nullable=True)
    closure_government = sa.Column(sa.String(200), nullable=True)
    closure_reason = sa.Column(sa.Text, nullable=True)
    closure_requested_at = sa.Column(UTCDateTime, nullable=True)
    closure_answer = sa.Column(sa.String(16), nullable=True)   # approved | refused
    closure_answered_at = sa.Column(UTCDateTime, nullable=True)
    closure_answer_note = sa.Column(sa.Text, nullable=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_production_suspensions_unit", "unit_id", "ordered_at"),)


class LicenceActionKind(str, enum.Enum):
    suspend = "suspend"  # 暂扣: for a period, then returned
    revoke = "revoke"    # 吊销
    cancel = "cancel"    # 注销


ACTION_LABELS = {"suspend": "暂扣", "revoke": "吊销", "cancel": "注销"}
ACTION_STATUS = {"suspend": "suspended", "revoke": "revoked", "cancel": "cancelled"}  # registry LicenceStatus


class LicenceAction(db.Model):
    __tablename__ = "licence_actions"

    id = sa.Column(sa.Integer, primary_key=True)
    licence_id = sa.Column(sa.Integer, sa.ForeignKey("enterprise_licences.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    action = sa.Column(sa.String(16), nullable=False)
    legal_basis = sa.Column(sa.Text, nullable=False)
    decided_at = sa.Column(UTCDateTime, nullable=False)
    suspend_until = sa.Column(UTCDateTime, nullable=True)      # 暂扣: 24:00 of the last day
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="SET NULL"), nullable=True)
    returned_at = sa.Column(UTCDateTime, nullable=True)
    decided_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    licence = db.relationship("Licence")
