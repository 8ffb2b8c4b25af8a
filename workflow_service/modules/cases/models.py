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
    # The party as an entry of the enterprise registry (生产经营单位), when it is one: its page lists the case.
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=True, index=True)
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

    __table_args__ = (sa.Index("ix_cases_unit_status", "unit_id", "status", "created_at"),
                      # The case list's search: by party (a prefix uses the index) and by filing date.
                      sa.Index("ix_cases_party_name", "party_name"),
                      sa.Index("ix_cases_created_at", "created_at"))


class PartyRole(str, enum.Enum):
    unit = "unit"              # 单位 (the organisation itself)
    principal = "principal"    # 主要负责人 (双罚: 安全生产法 Art 94, 95 ...)
    other_head = "other_head"  # 其他负责人 / 安全生产管理人员
    individual = "individual"  # 个人 (a natural person as the party)


class CaseParty(db.Model):
    """当事人: the parties of a case, each with its own proposal, notice, hearing right, decision, service and
    payment (DOMAIN.md: 单位 and its 主要负责人, 双罚). Seq 1 is the case's own party, mirrored from
    cases.party_name / party_type; the others are added at filing (`co_parties`)."""

    __tablename__ = "case_parties"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    seq = sa.Column(sa.Integer, nullable=False)
    role = sa.Column(sa.String(16), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    type = sa.Column(sa.String(16), nullable=False)  # organisation | individual
    # 统一社会信用代码 for an organisation, 公民身份号码 for a person (modules/system/codes.py checks both)
    identification = sa.Column(sa.String(32), nullable=True)
    position = sa.Column(sa.String(100), nullable=True)  # 职务, e.g. 总经理
    address = sa.Column(sa.String(300), nullable=True)

    __table_args__ = (sa.UniqueConstraint("case_id", "seq", name="uq_case_parties_seq"),)


class CaseNumberSequence(db.Model):
    """The last case number (案件编号) given, per unit and year: numbers restart each year (…-2027-000001).
    Filing locks this row (SELECT ... FOR UPDATE) until its transaction ends, so two filings at the same instant
    take turns and never share a number; the unique constraint on cases.case_number is the second guard."""

    __tablename__ = "case_number_sequences"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    last_number = sa.Column(sa.Integer, nullable=False, default=0)

    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_case_number_sequences_key"),)


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


class ExtensionStatus(str, enum.Enum):
    pending = "pending"    # 待审批
    approved = "approved"  # 已批准
    refused = "refused"    # 不予批准


class DecisionExtension(db.Model):
    """延期审批: a request to extend a case's decision limit, approved in the unit its tier names — the
    department's head up to the first cap, the next-higher department up to the second (令77号 Art 31: 30 days,
    extendable to 90 and then 180) — within its own deadline (`extension_approval`)."""

    __tablename__ = "decision_extensions"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    tier = sa.Column(sa.String(16), nullable=False)          # head | superior
    approver_unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    rule_version_id = sa.Column(sa.Integer, nullable=False)  # the decision limit's version (deadline_rules.id)
    limit_days_before = sa.Column(sa.Integer, nullable=False)
    extend_to_days = sa.Column(sa.Integer, nullable=False)   # the new limit in days from filing
    cap_days = sa.Column(sa.Integer, nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=ExtensionStatus.pending.value)
    requested_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    requested_at = sa.Column(UTCDateTime, nullable=False)
    due_at = sa.Column(UTCDateTime, nullable=False)
    decided_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    decided_at = sa.Column(UTCDateTime, nullable=True)
    opinion = sa.Column(sa.Text, nullable=True)

    case = db.relationship("Case")
    approver_unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_decision_extensions_queue", "status", "approver_unit_id", "due_at"),)
