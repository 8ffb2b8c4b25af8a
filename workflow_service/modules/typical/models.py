"""Typical cases (典型案例): a supervisor marks a closed case with a write-up; each unit reports its typical cases
upward at the cadence its province sets, as a deadline with warning and escalation, and exports the report."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class TypicalCase(db.Model):
    __tablename__ = "typical_cases"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)   # the case's unit
    title = sa.Column(sa.String(300), nullable=False)
    write_up = sa.Column(sa.Text, nullable=False)
    marked_at = sa.Column(UTCDateTime, nullable=False)
    marked_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    report_id = sa.Column(sa.Integer, sa.ForeignKey("typical_reports.id", ondelete="SET NULL"), nullable=True)

    case = db.relationship("Case")
    unit = db.relationship("Unit")


class TypicalReport(db.Model):
    """One reporting period of one unit (报送期): its process runs the deadline of the province's cadence."""

    __tablename__ = "typical_reports"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    rule_id = sa.Column(sa.String(64), nullable=False)
    period_start = sa.Column(UTCDateTime, nullable=False)
    minimum = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="open")   # open | submitted
    submitted_at = sa.Column(UTCDateTime, nullable=True)
    submitted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    case_ids = sa.Column(JSONType, nullable=False, default=list)
    note = sa.Column(sa.Text, nullable=True)

    unit = db.relationship("Unit")
    instance = db.relationship("ProcessInstance")

    __table_args__ = (sa.UniqueConstraint("unit_id", "period_start", name="uq_typical_reports_period"),)
