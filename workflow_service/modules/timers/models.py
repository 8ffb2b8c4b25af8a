"""The timer projection: waiting timer events with their due time, swept by the scheduler."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class TimerStatus(str, enum.Enum):
    waiting = "waiting"      # not yet due, or due and not yet fired
    fired = "fired"          # the engine has run it
    cancelled = "cancelled"  # the process moved on (the watched task was completed)
    incident = "incident"    # firing failed repeatedly; shown to administrators, retryable


class Timer(db.Model):
    __tablename__ = "timers"

    id = sa.Column(sa.Integer, primary_key=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    # Unique and always set by the service: the sentinel that lets the rows of one step be inserted with one
    # multi-row INSERT … RETURNING on SQLite too (it cannot order RETURNING by its autoincrement key).
    engine_task_id = sa.Column(sa.String(36), nullable=False, unique=True, insert_sentinel=True)
    bpmn_id = sa.Column(sa.String(100), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    due_at = sa.Column(UTCDateTime, nullable=False)
    # After a failed attempt the timer waits until retry_at (backoff) before it is tried again.
    retry_at = sa.Column(UTCDateTime, nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default=TimerStatus.waiting.value)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.Text, nullable=True)
    attached_engine_task_id = sa.Column(sa.String(36), nullable=True)
    properties = sa.Column(JSONType, nullable=False, default=dict)
    # Where the due time came from, when a deadline rule computed it (see modules/deadlines/script.py).
    rule_id = sa.Column(sa.String(64), nullable=True)
    rule_kind = sa.Column(sa.String(16), nullable=True)  # deadline | warning | escalation2
    rule_start = sa.Column(UTCDateTime, nullable=True)
    # The version of the rule (deadline_rules.id) the due time was computed with: a recomputation uses it again.
    rule_version_id = sa.Column(sa.Integer, nullable=True)
    # Computed for a year without the official holiday arrangement: recomputed when it is imported.
    provisional = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    fired_at = sa.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        # The sweep asks only "what is due": O(due), not O(waiting).
        sa.Index("ix_timers_due", "status", "due_at"),
        # One instance's timers, in due order: a step asks for its instance's next one (steps/locking.py).
        sa.Index("ix_timers_instance", "instance_id", "status", "due_at"),
        sa.Index("ix_timers_provisional", "provisional", "status"),
    )
