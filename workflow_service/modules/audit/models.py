"""Append-only audit events (全过程记录): one per state change, written in the same transaction."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id = sa.Column(sa.Integer, primary_key=True)
    occurred_at = sa.Column(UTCDateTime, nullable=False)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)  # None: the system (a timer)
    actor_name = sa.Column(sa.String(100), nullable=False)
    action = sa.Column(sa.String(64), nullable=False)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=True)
    task_id = sa.Column(sa.Integer, sa.ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True)
    details = sa.Column(JSONType, nullable=False, default=dict)

    __table_args__ = (
        sa.Index("ix_audit_events_instance", "instance_id", "id"),
        sa.Index("ix_audit_events_action", "action", "occurred_at"),
    )
