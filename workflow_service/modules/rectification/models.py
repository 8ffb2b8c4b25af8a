"""A rectification order (责令限期整改指令书) beside its process instance."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class RectificationStatus(str, enum.Enum):
    rectifying = "rectifying"                  # 整改中: the deadline runs
    reinspection_due = "reinspection_due"      # 待复查: applied for, or the deadline passed (not yet "overdue")
    passed = "passed"                          # 复查合格，结案
    failed = "failed"                          # 复查认定未整改：立案查处（从重与否由案件裁量）


class StopOrderKind(str, enum.Enum):
    production = "production"        # 责令停产停业
    construction = "construction"    # 责令停止施工
    equipment = "equipment"          # 责令停止使用相关设备、设施、场所
    remove_danger = "remove_danger"  # 责令立即采取排除危险的整改措施


class RectificationOrder(db.Model):
    __tablename__ = "rectification_orders"

    id = sa.Column(sa.Integer, primary_key=True)
    order_number = sa.Column(sa.String(64), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    party_name = sa.Column(sa.String(200), nullable=False)
    party_type = sa.Column(sa.String(16), nullable=False)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=True, index=True)  # 生产经营单位
    # 司法解释(二) Art 3: refusal is judged on whether the order had a legal basis, clear content and a
    # reasonable deadline — so all three are recorded as given.
    legal_basis = sa.Column(sa.Text, nullable=False)
    hidden_dangers = sa.Column(JSONType, nullable=False)   # [{"description", "major", "provision"}]
    required_actions = sa.Column(sa.Text, nullable=False)
    rectify_by = sa.Column(UTCDateTime, nullable=False)     # 24:00 Shanghai of the day the officer set
    major_hidden_danger = sa.Column(sa.Boolean, nullable=False, default=False)
    stop_order = sa.Column(JSONType, nullable=True)         # {"kind": StopOrderKind, "scope": "..."}
    stop_order_kind = sa.Column(sa.String(24), nullable=True)  # StopOrderKind, for counting
    fine_imposed = sa.Column(sa.Float, nullable=True)       # a fine already imposed for the violation (Art 112)
    source_case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    status = sa.Column(sa.String(24), nullable=False, default=RectificationStatus.rectifying.value)
    issued_at = sa.Column(UTCDateTime, nullable=False)
    issued_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    applied_at = sa.Column(UTCDateTime, nullable=True)
    reinspection = sa.Column(JSONType, nullable=True)       # the re-inspection as recorded, with its proof
    penalty_case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)

    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_rectification_orders_unit_issued", "unit_id", "issued_at"),
                      sa.Index("ix_rectification_orders_status", "status"))
