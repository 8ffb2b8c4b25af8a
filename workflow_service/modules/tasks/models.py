"""The task projection (待办): ready user tasks copied out of the engine after every step.

Queues read only this table; they never deserialize a workflow.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class TaskStatus(str, enum.Enum):
    ready = "ready"          # 待办: waiting for a person
    completed = "completed"  # 已办: completed by a person
    cancelled = "cancelled"  # 已撤销: the process moved on without it (e.g. an interrupting timer)


# How a late completion is counted, by the unit of the deadline's rule (deadline_rules.unit).
LATE_UNITS = {"working_days": "个工作日", "calendar_days": "日", "hours": "小时"}


def late_label(amount: int | None, unit: str | None) -> str | None:
    """超期 N 个工作日办结 / 超期 N 日办结 / 超期 N 小时办结; None for work done in time."""
    if not amount:
        return None
    return f"超期 {amount} {LATE_UNITS.get(unit or '', '日')}办结"


class Task(db.Model):
    __tablename__ = "tasks"

    id = sa.Column(sa.Integer, primary_key=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    # Unique and always set by the service: the sentinel that lets the rows of one step be inserted with one
    # multi-row INSERT … RETURNING on SQLite too (it cannot order RETURNING by its autoincrement key).
    engine_task_id = sa.Column(sa.String(36), nullable=False, unique=True, insert_sentinel=True)
    bpmn_id = sa.Column(sa.String(100), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    lane = sa.Column(sa.String(100), nullable=True)
    role = sa.Column(sa.String(32), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    form_id = sa.Column(sa.String(100), nullable=True)
    candidate_usernames = sa.Column(JSONType, nullable=True)
    # Only the people named in task_candidates may claim it (a committee member's own 案审会表决 task): the
    # queue filters in SQL, so its count and its pages hold exactly what the user can claim.
    candidates_only = sa.Column(sa.Boolean, nullable=False, default=False)
    assignee_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    due_at = sa.Column(UTCDateTime, nullable=True)
    # The deadline rule behind due_at (its legal basis is in deadline_rules) and whether it is provisional.
    due_rule_id = sa.Column(sa.String(64), nullable=True)
    # Its version (deadline_rules.id, from the deadline's timer): the basis shown is the one that computed it.
    due_rule_version_id = sa.Column(sa.Integer, nullable=True)
    due_provisional = sa.Column(sa.Boolean, nullable=False, default=False)
    # The deadline this task missed (its deadline timer fired with the work not done), whoever noticed first:
    # the sweep, or the step that completed it (steps/pipeline.py settles due timers before every step).
    missed_deadline_at = sa.Column(UTCDateTime, nullable=True)
    # Completed after its deadline: how late, as the deadline's rule counts (超期 N 个工作日/日/小时办结).
    late_amount = sa.Column(sa.Integer, nullable=True)
    late_unit = sa.Column(sa.String(16), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default=TaskStatus.ready.value)
    # Optimistic lock for claim/release/complete from a stale page.
    version = sa.Column(sa.Integer, nullable=False, default=1)
    created_at = sa.Column(UTCDateTime, nullable=False)
    claimed_at = sa.Column(UTCDateTime, nullable=True)
    completed_at = sa.Column(UTCDateTime, nullable=True)
    completed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    instance = db.relationship("ProcessInstance")
    assignee = db.relationship("User", foreign_keys=[assignee_id])
    unit = db.relationship("Unit")

    __mapper_args__ = {"version_id_col": version}

    @property
    def late_label(self) -> str | None:
        return late_label(self.late_amount, self.late_unit)
    __table_args__ = (
        # "available" queue: unclaimed tasks of a role in a unit, most urgent first.
        sa.Index("ix_tasks_queue", "status", "role", "unit_id", "due_at"),
        # "mine" queue.
        sa.Index("ix_tasks_assignee", "assignee_id", "status", "due_at"),
        sa.Index("ix_tasks_instance", "instance_id", "status"),
        # The statistics of a unit tree and a period: work done (stage durations, late completions) and work whose
        # deadline fell in it (overdue). Without them both databases read every task of a status in the service.
        sa.Index("ix_tasks_unit_completed", "unit_id", "completed_at"),
        sa.Index("ix_tasks_unit_due", "unit_id", "due_at"),
    )


class TaskCandidate(db.Model):
    """Who may claim a task that names its people (candidatesVar in the BPMN), one row each: the "available"
    queue looks them up by username through the key below instead of reading every task's JSON list."""
    __tablename__ = "task_candidates"

    task_id = sa.Column(sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    username = sa.Column(sa.String(64), primary_key=True)

    __table_args__ = (sa.Index("ix_task_candidates_username", "username", "task_id"),)
