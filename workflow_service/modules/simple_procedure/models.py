"""On-the-spot penalties (简易程序 / 当场处罚, 行政处罚法 Art 51–52): the record beside its case row and process.

A simple-procedure penalty is a case (cases.Case: its number, party, evidence files and documents live there, so
the on-the-spot decision is issued and filed like any other document) whose process is bpmn/simple_procedure.bpmn
instead of the general procedure's."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class SimpleStatus(str, enum.Enum):
    recording = "recording"    # 现场调查：待当场作出决定（或转为一般程序）
    decided = "decided"        # 已当场作出决定：待备案、待缴款
    closed = "closed"          # 已备案且已缴款（或警告），办结
    converted = "converted"    # 已转为一般程序（证据随案移转）


class SimplePenalty(db.Model):
    __tablename__ = "simple_penalties"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    place = sa.Column(sa.String(300), nullable=False)
    # 行政处罚法 Art 52: two officers who show their enforcement certificates: [{"username", "certificate_number"}]
    officers = sa.Column(JSONType, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=SimpleStatus.recording.value)
    penalty_kind = sa.Column(sa.String(16), nullable=True)      # warning | fine
    fine_amount = sa.Column(sa.Float, nullable=True)
    payment_method = sa.Column(sa.String(16), nullable=True)    # on_the_spot | bank
    decided_at = sa.Column(UTCDateTime, nullable=True)
    filed_at = sa.Column(UTCDateTime, nullable=True)            # 备案 with the department (Art 52)
    paid_at = sa.Column(UTCDateTime, nullable=True)
    converted_to_case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    conversion_reason = sa.Column(sa.Text, nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)

    case = db.relationship("Case", foreign_keys=[case_id])
    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_simple_penalties_unit_created", "unit_id", "created_at"),)
