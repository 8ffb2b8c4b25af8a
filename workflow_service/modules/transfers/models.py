"""A criminal transfer (涉嫌犯罪案件移送) beside its process instance, and the screenings that suggested one."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class TransferStatus(str, enum.Enum):
    pending = "pending"      # 移送中: from the report until the police or the department closes it
    refused = "refused"      # 不批准移送: the principal head refused, with reasons
    returned = "returned"    # 退回 / 不予立案后接受: handled administratively again
    concluded = "concluded"  # 刑事判决: the criminal case ended


class TransferStage(str, enum.Enum):
    report = "report"                                        # 专案组写出移送报告
    approval = "approval"                                    # 正职负责人审批（3日）
    handover = "handover"                                    # 批准后24小时内移送
    police_review = "police_review"                          # 公安机关审查（3日）
    materials_supplement = "materials_supplement"            # 补充材料（3日）
    evidence_handover = "evidence_handover"                  # 立案后移交涉案物品（3日）
    not_opened = "not_opened"                                # 不予立案：3日内复议或监督
    reconsideration = "reconsideration"                      # 公安机关复议（3日）
    reconsideration_upheld = "reconsideration_upheld"        # 复议维持：3日内提请检察监督
    procuratorate_supervision = "procuratorate_supervision"  # 检察机关立案监督
    criminal_proceedings = "criminal_proceedings"            # 刑事诉讼中，定期跟踪
    after_judgment = "after_judgment"                        # 判决后依法处理（单位处罚、吊销证照、从业禁止）
    refused = "refused"
    returned = "returned"
    concluded = "concluded"


class CriminalTransfer(db.Model):
    __tablename__ = "criminal_transfers"

    id = sa.Column(sa.Integer, primary_key=True)
    transfer_number = sa.Column(sa.String(64), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True)
    rectification_id = sa.Column(sa.Integer, sa.ForeignKey("rectification_orders.id"), nullable=True)
    screening_id = sa.Column(sa.Integer, sa.ForeignKey("crime_screenings.id"), nullable=True)
    party_name = sa.Column(sa.String(200), nullable=False)
    party_type = sa.Column(sa.String(16), nullable=False)
    summary = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=TransferStatus.pending.value)
    stage = sa.Column(sa.String(32), nullable=False, default=TransferStage.report.value)
    police_answers = sa.Column(JSONType, nullable=False, default=list)  # every answer, in order, with who recorded it
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    approved_at = sa.Column(UTCDateTime, nullable=True)
    handed_over_at = sa.Column(UTCDateTime, nullable=True)
    police_case_opened_at = sa.Column(UTCDateTime, nullable=True)
    concluded_at = sa.Column(UTCDateTime, nullable=True)
    # When the approved transfer suspended (中止) its penalty case's decision deadline; the case resumes when
    # the transfer ends (only a suspension the transfer made is lifted by it).
    case_suspended_at = sa.Column(UTCDateTime, nullable=True)
    # The penalty case started or resumed when the police or the procuratorate send the case back.
    returned_case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)

    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")
    case = db.relationship("Case", foreign_keys=[case_id])

    __table_args__ = (sa.Index("ix_criminal_transfers_unit_status", "unit_id", "status", "created_at"),)


class CrimeScreening(db.Model):
    """One run of the crime screening table over recorded facts: a suggestion, never a decision."""

    __tablename__ = "crime_screenings"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    rectification_id = sa.Column(sa.Integer, sa.ForeignKey("rectification_orders.id"), nullable=True)
    facts = sa.Column(JSONType, nullable=False)
    real_danger_facts = sa.Column(sa.Text, nullable=False)
    result = sa.Column(JSONType, nullable=False)
    screened_at = sa.Column(UTCDateTime, nullable=False)
    screened_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
