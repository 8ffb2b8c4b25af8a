"""Deployed process definitions (one row per content version) and running process instances."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class ProcessDefinition(db.Model):
    __tablename__ = "process_definitions"

    id = sa.Column(sa.Integer, primary_key=True)
    process_id = sa.Column(sa.String(100), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    content_hash = sa.Column(sa.String(64), nullable=False)
    # The parsed specs, stored once here instead of inside every instance's state. Deferred: a step loads
    # them only when the engine has not parsed this version yet (processes/definitions.py).
    specs = sa.orm.deferred(sa.Column(JSONType, nullable=False))
    # Every file of the package the version came from (~680 KB): read only to draw a case's diagram.
    source_files = sa.orm.deferred(sa.Column(JSONType, nullable=False))
    user_tasks = sa.Column(JSONType, nullable=False)
    # The form a person fills to start this process by hand; None: only its domain starts it (a case is filed,
    # a transfer opened, a disclosure withdrawn), never the generic start.
    start_form_id = sa.Column(sa.String(100), nullable=True)
    is_latest = sa.Column(sa.Boolean, nullable=False, default=True)
    deployed_at = sa.Column(UTCDateTime, nullable=False)
    deployed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("process_id", "content_hash", name="uq_process_definitions_version"),
        sa.Index("ix_process_definitions_latest", "process_id", "is_latest"),
    )


class InstanceStatus(str, enum.Enum):
    running = "running"      # 办理中: waiting for people or timers
    completed = "completed"  # 已完成: reached an end event
    incident = "incident"    # 异常: a step failed repeatedly; an administrator must look


class ProcessInstance(db.Model):
    __tablename__ = "process_instances"

    id = sa.Column(sa.Integer, primary_key=True)
    definition_id = sa.Column(sa.Integer, sa.ForeignKey("process_definitions.id"), nullable=False, index=True)
    process_id = sa.Column(sa.String(100), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True)
    business_key = sa.Column(sa.String(100), nullable=True, index=True)
    title = sa.Column(sa.String(300), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=InstanceStatus.running.value)
    # Deferred: only an engine step (steps/locking.py) needs the serialized workflow; lists and pages that show
    # an instance's title must not fetch ~5-15 KB of state per row.
    state = sa.orm.deferred(sa.Column(sa.Text, nullable=False))
    serializer_version = sa.Column(sa.String(16), nullable=False)
    # The process data as of the last step, for reading a case without deserializing its workflow.
    data = sa.Column(JSONType, nullable=True)
    # Where the process stands waiting for a message when no person has a task ([{bpmn_id, name, message}]):
    # e.g. a penalty case waiting for the result of its criminal transfer (等待移送结果).
    waiting_events = sa.Column(JSONType, nullable=True)
    # Optimistic lock: every save bumps it; a save from a stale read fails instead of overwriting.
    version = sa.Column(sa.Integer, nullable=False, default=1)
    started_at = sa.Column(UTCDateTime, nullable=False)
    started_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    completed_at = sa.Column(UTCDateTime, nullable=True)
    # Read by the statement that locks an instance for an engine step (steps/locking.py), not stored:
    # whether it has any deadline adjustment (延期/中止) and any open alert; kept for the transaction by
    # core/presence.py, so a step of an instance with none skips summing the adjustments and clearing alerts.
    has_adjustments = sa.orm.query_expression()
    has_open_alerts = sa.orm.query_expression()
    # ... and when its next waiting timer falls due (a step first fires those due before it: steps/pipeline.py).
    next_timer_due_at = sa.orm.query_expression()

    definition = db.relationship(ProcessDefinition)
    unit = db.relationship("Unit")
    __mapper_args__ = {"version_id_col": version}
