"""Deadline rules (法定期限规则) and the holiday calendar (节假日安排), both data an administrator maintains."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core import presence
from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class PeriodUnit(str, enum.Enum):
    working_days = "working_days"    # 工作日: 行政处罚法 Art 85 ("2, 3, 5, 7 days"); 行政强制法 Art 69 (within 10 days)
    calendar_days = "calendar_days"  # 自然日: extended to the next working day when the last day is not one
    hours = "hours"                  # 小时: clock time from the exact instant
    months = "months"                # 月


class DeadlineRule(db.Model):
    """A named statutory or configured period. Several rows may share a rule id: one per jurisdiction
    (national, or a province code) and effective period (版本: effective_from inclusive, effective_to exclusive);
    a period uses the version in force on the day it starts, the most specific jurisdiction first. A version a
    deadline was computed with is never changed in place (timers.rule_version_id records it): a change makes a
    new version from the day it is made, so running cases keep theirs."""

    __tablename__ = "deadline_rules"

    id = sa.Column(sa.Integer, primary_key=True)
    rule_id = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    amount = sa.Column(sa.Integer, nullable=False)
    unit = sa.Column(sa.String(16), nullable=False)
    runs_from = sa.Column(sa.String(200), nullable=False)
    legal_basis = sa.Column(sa.String(500), nullable=False)
    # H: read in the statute; M: secondary sources agree; L: unconfirmed (DOMAIN.md). M and L are configurable.
    confidence = sa.Column(sa.String(1), nullable=False)
    jurisdiction = sa.Column(sa.String(16), nullable=False, default="national")
    effective_from = sa.Column(sa.Date, nullable=False)
    effective_to = sa.Column(sa.Date, nullable=True)
    # A warning goes to the assignee this many hours before the deadline.
    warning_lead_hours = sa.Column(sa.Integer, nullable=False, default=24)
    # Level-2 escalation (to the unit above) this many hours after the deadline; level 1 is at the deadline.
    escalation2_after_hours = sa.Column(sa.Integer, nullable=False, default=48)
    note = sa.Column(sa.Text, nullable=True)
    # A limit that may be extended: [{"tier": "head"|"superior", "approver": "...", "cap_days": N}, ...] in order,
    # each tier's cap counted in calendar days from the period's start (e.g. 令77号 Art 31: 90, then 180).
    extension_tiers = sa.Column(JSONType, nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("rule_id", "jurisdiction", "effective_from", name="uq_deadline_rules_version"),
        sa.Index("ix_deadline_rules_lookup", "rule_id", "jurisdiction"),
    )


class CalendarDay(db.Model):
    """An exception to the Monday–Friday week: a holiday on a weekday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day = sa.Column(sa.Date, primary_key=True)
    is_working_day = sa.Column(sa.Boolean, nullable=False)
    name = sa.Column(sa.String(100), nullable=True)
    year = sa.Column(sa.Integer, nullable=False, index=True)


class CalendarYear(db.Model):
    """A year whose official arrangement (the State Council notice) is loaded; other years are provisional."""

    __tablename__ = "calendar_years"

    year = sa.Column(sa.Integer, primary_key=True)
    source = sa.Column(sa.String(200), nullable=False)
    imported_at = sa.Column(UTCDateTime, nullable=False)
    imported_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)


@presence.track  # the locking statement of a step reads whether an instance has any (core/presence.py)
class DeadlineAdjustment(db.Model):
    """An approved extension (延期) or a suspension (中止) that moves one rule's deadlines in one instance.

    Deadlines computed later in the same case (a task reached after the extension) are moved too.
    """

    __tablename__ = "deadline_adjustments"

    id = sa.Column(sa.Integer, primary_key=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            index=True)
    rule_id = sa.Column(sa.String(64), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)  # extension | suspension
    shift_seconds = sa.Column(sa.Integer, nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    approved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
