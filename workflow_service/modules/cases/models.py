"""Administrative penalty cases (行政处罚案件): the case row beside its process instance."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class CaseSource(str, enum.Enum):
    inspection = "inspection"                        # 检查发现
    complaint = "complaint"                          # 投诉举报
    referral = "referral"                            # 移送
    accident = "accident"                            # 事故调查
    overdue_rectification = "overdue_rectification"  # 逾期未整改
    returned_by_police = "returned_by_police"        # 司法机关移送 (the police or procuratorate found no crime)


class CaseStatus(str, enum.Enum):
    open = "open"            # 办理中
    suspended = "suspended"  # 中止: the decision deadline is paused
    closed = "closed"        # 已结案


class Case(db.Model):
    __tablename__ = "cases"

    id = sa.Column(sa.Integer, primary_key=True)
    case_number = sa.Column(sa.String(64), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    source = sa.Column(sa.String(32), nullable=False)
    party_name = sa.Column(sa.String(200), nullable=False)
    party_type = sa.Column(sa.String(16), nullable=False)  # organisation | individual
    summary = sa.Column(sa.Text, nullable=False)
    violations = sa.Column(JSONType, nullable=False, default=list)
    status = sa.Column(sa.String(16), nullable=False, default=CaseStatus.open.value)
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    suspended_at = sa.Column(UTCDateTime, nullable=True)
    # While suspended (中止) the decision deadline's timers are parked; their due times are kept here
    # and moved on by the length of the suspension when the case resumes.
    suspended_deadlines = sa.Column(JSONType, nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)

    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_cases_unit_status", "unit_id", "status", "created_at"),)


class BusinessSetting(db.Model):
    """Values officers tune per province, read by DMN decisions as inputs (never constants in a diagram)."""

    __tablename__ = "business_settings"

    id = sa.Column(sa.Integer, primary_key=True)
    key = sa.Column(sa.String(64), nullable=False)
    jurisdiction = sa.Column(sa.String(16), nullable=False, default="national")
    value = sa.Column(JSONType, nullable=False)
    basis = sa.Column(sa.String(500), nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (sa.UniqueConstraint("key", "jurisdiction", name="uq_business_settings_key"),)
