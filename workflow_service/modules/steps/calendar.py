"""Deadlines computed before a year's official holiday arrangement was loaded are provisional: when it is
loaded, they are computed again and their timers moved, each instance in a step of its own."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ...extensions import db
from ..deadlines.operations import compute_deadline
from ..deadlines.queries import deadline_shifts
from ..processes.models import ProcessInstance
from ..tasks.models import Task, TaskStatus
from ..timers.models import Timer, TimerStatus
from ..users.provinces import province_of
from . import pipeline
from .locking import lock_instance


def recompute_provisional_timers(actor=None) -> int:
    """After a year's official holiday arrangement is loaded, recompute every provisional deadline."""
    timers = list(db.session.scalars(sa.select(Timer).where(Timer.provisional.is_(True),
                                                            Timer.status == TimerStatus.waiting.value)))
    by_instance: dict[int, dict] = {}
    for timer in timers:
        instance = db.session.get(ProcessInstance, timer.instance_id)
        result = compute_deadline(timer.rule_id, timer.rule_start, province_of(instance.unit_id),
                                  version_id=timer.rule_version_id)
        new_due = {"deadline": result.due.due_at, "warning": result.warning_at,
                   "escalation2": result.escalation2_at}[timer.rule_kind]
        new_due += deadline_shifts(instance.id).get(timer.rule_id, timedelta(0))
        if new_due != timer.due_at or not result.due.provisional:
            by_instance.setdefault(instance.id, {})[timer.engine_task_id] = new_due
    moved = 0
    for instance_id, due in by_instance.items():
        record = pipeline.reschedule_timers(lock_instance(instance_id), due, "calendar_imported", actor)
        moved += len(due) if record is not None else 0
    for timer in timers:  # flags after the move: a rule counted on official data is final
        if timer.status == TimerStatus.waiting.value:
            instance = db.session.get(ProcessInstance, timer.instance_id)
            timer.provisional = compute_deadline(timer.rule_id, timer.rule_start, province_of(instance.unit_id),
                                                 version_id=timer.rule_version_id).due.provisional
    _refresh_task_provisional_flags({t.instance_id for t in timers})
    db.session.flush()
    return moved


def _refresh_task_provisional_flags(instance_ids) -> None:
    for task in db.session.scalars(sa.select(Task).where(Task.instance_id.in_(instance_ids),
                                                         Task.status == TaskStatus.ready.value)):
        timer = db.session.scalar(sa.select(Timer).where(
            Timer.attached_engine_task_id == task.engine_task_id, Timer.status == TimerStatus.waiting.value,
            Timer.due_at == task.due_at))
        if timer is not None:
            task.due_provisional = bool(timer.provisional)
