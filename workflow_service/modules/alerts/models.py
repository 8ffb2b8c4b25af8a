"""Alerts (预警 / 督办): warnings before a deadline and escalations after it."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core import presence
from ...core.db import UTCDateTime
from ...extensions import db


class AlertLevel(str, enum.Enum):
    warning = "warning"          # 预警: to the assignee, before the deadline
    escalation1 = "escalation1"  # 一级督办: to the supervisors of the case's unit, at the deadline
    escalation2 = "escalation2"  # 二级督办: to the supervisors of the unit above, later


class AlertTarget(str, enum.Enum):
    assignee = "assignee"                      # the task's assignee (or its role in the unit while unclaimed)
    supervisors = "supervisors"                # supervisors of the case's unit
    parent_supervisors = "parent_supervisors"  # supervisors of the unit above


@presence.track  # the locking statement of a step reads whether an instance has any (core/presence.py)
class Alert(db.Model):
    __tablename__ = "alerts"

    id = sa.Column(sa.Integer, primary_key=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    task_id = sa.Column(sa.Integer, sa.ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True)
    level = sa.Column(sa.String(16), nullable=False)
    title = sa.Column(sa.String(300), nullable=False)
    source_bpmn_id = sa.Column(sa.String(100), nullable=False)
    target_user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    target_role = sa.Column(sa.String(32), nullable=True)
    target_unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True)
    due_at = sa.Column(UTCDateTime, nullable=True)
    raised_at = sa.Column(UTCDateTime, nullable=False)
    cleared_at = sa.Column(UTCDateTime, nullable=True)
    # For an alert about a wait with no person's task (a message catch event: the police's answer), the engine
    # id of that waiting event: the alert is cleared when the wait ends (processes/projection.py).
    watched_engine_task_id = sa.Column(sa.String(36), nullable=True)

    instance = db.relationship("ProcessInstance")
    task = db.relationship("Task")

    __table_args__ = (
        sa.Index("ix_alerts_user", "target_user_id", "cleared_at"),
        sa.Index("ix_alerts_role_unit", "target_role", "target_unit_id", "cleared_at"),
        sa.Index("ix_alerts_task", "task_id", "cleared_at"),
        # The supervisors' view (scope=units) joins alerts to the instances of a unit tree: without this index
        # it scanned every alert in the country (bench/queries.py: p95 2.5x at 1M task rows on SQLite).
        sa.Index("ix_alerts_instance", "instance_id", "cleared_at"),
    )
