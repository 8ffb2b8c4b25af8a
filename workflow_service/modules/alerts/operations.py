"""Raising and clearing alerts."""
from __future__ import annotations

import sqlalchemy as sa

from ...core import presence
from ...extensions import db
from ..audit.operations import record_event
from ..tasks.models import Task, TaskStatus
from ..users.models import Role, Unit
from .models import Alert, AlertLevel, AlertTarget

_DEFAULT_TARGET = {
    AlertLevel.warning: AlertTarget.assignee,
    AlertLevel.escalation1: AlertTarget.supervisors,
    AlertLevel.escalation2: AlertTarget.parent_supervisors,
}


def _task_for_signal(instance, signal) -> Task | None:
    if signal.attached_to_task_id:
        task = db.session.scalar(sa.select(Task).filter_by(engine_task_id=signal.attached_to_task_id))
        if task is not None:
            return task
        # A timer on a multi-instance activity (the committee's vote) watches no one task: use forTask.
    for_task = signal.properties.get("forTask")
    if for_task:
        return db.session.scalar(
            sa.select(Task).where(Task.instance_id == instance.id, Task.bpmn_id == for_task)
            .order_by(Task.status != TaskStatus.ready.value, Task.id.desc()).limit(1))
    return None


def _watched_wait(signal, waiting_events) -> str | None:
    """The engine id of the waiting event (message catch event, receive task) an alert without a task is about:
    the activity its timer is attached to, or the one its `forTask` property names."""
    for event in waiting_events:
        if event.task_id == signal.attached_to_task_id or event.bpmn_id == signal.properties.get("forTask"):
            return event.task_id
    return None


def raise_alert(instance, signal, now, waiting_events=()) -> Alert | None:
    """`waiting_events`: where the process waits for a message after the step (Snapshot.waiting_events); an
    alert about one of them (no person's task) remembers it and is cleared when the wait ends."""
    try:
        level = AlertLevel(signal.properties.get("alertLevel") or "escalation1")
        target = AlertTarget(signal.properties.get("alertTarget") or _DEFAULT_TARGET[level].value)
    except ValueError:
        level, target = AlertLevel.escalation1, AlertTarget.supervisors
    task = _task_for_signal(instance, signal)
    alert = Alert(
        instance_id=instance.id, task_id=task.id if task else None, level=level.value,
        title=f"{signal.name}：{instance.title}" + (f" / {task.name}" if task else ""),
        source_bpmn_id=signal.bpmn_id, due_at=task.due_at if task else None, raised_at=now,
        watched_engine_task_id=_watched_wait(signal, waiting_events) if task is None else None,
    )
    if target is AlertTarget.assignee:
        if task is not None and task.assignee_id is not None:
            alert.target_user_id = task.assignee_id
        else:  # unclaimed: everyone who could take it
            alert.target_role = task.role if task else Role.case_handler.value
            alert.target_unit_id = task.unit_id if task else instance.unit_id
    else:
        unit = db.session.get(Unit, instance.unit_id)
        if target is AlertTarget.parent_supervisors and unit.parent_id is not None:
            unit = db.session.get(Unit, unit.parent_id)
        alert.target_role = Role.supervisor.value
        alert.target_unit_id = unit.id
    if task is not None and task.status != TaskStatus.ready.value:
        return None  # the work was done in the same step: nothing to alert about
    db.session.add(alert)
    db.session.flush()
    record_event(None, "alert_raised", instance_id=instance.id, task_id=alert.task_id,
                 details={"level": alert.level, "title": alert.title, "target_role": alert.target_role,
                          "target_unit_id": alert.target_unit_id, "target_user_id": alert.target_user_id})
    return alert


def clear_alerts_of_ended_waits(instance_id: int, still_waiting: set[str], now) -> None:
    """Clear the alerts about waiting events of an instance that no longer wait (the message came)."""
    query = sa.update(Alert).where(Alert.instance_id == instance_id, Alert.cleared_at.is_(None),
                                   Alert.watched_engine_task_id.isnot(None))
    if still_waiting:
        query = query.where(Alert.watched_engine_task_id.notin_(still_waiting))
    db.session.execute(query.values(cleared_at=now))


def clear_alerts_for_tasks(task_ids: list[int], now, instance_id: int | None = None) -> None:
    """`instance_id`: the instance the tasks belong to; nothing is run when it is known to have no open alert
    (core/presence.py)."""
    if not task_ids or (instance_id is not None and presence.none_known(db.session, Alert, instance_id)):
        return
    db.session.execute(sa.update(Alert).where(Alert.task_id.in_(task_ids), Alert.cleared_at.is_(None))
                       .values(cleared_at=now))


def on_step(record) -> None:
    """Step handler (connected in wiring.py): the signals of a step raise alerts; the tasks it closed and the
    waits it ended clear theirs. An alert raised by a deadline that a step settled just before the work was
    done is cleared by that work's step: it stays in the record as raised and cleared, never open."""
    instance, now, snapshot = record.instance, record.now, record.snapshot
    closed = [t.id for t in record.tasks_closed if t.id is not None]
    clear_alerts_for_tasks(closed, now, instance.id)
    waiting_now = {w.task_id for w in snapshot.waiting_events}
    # A wait with no task ended (e.g. the police answered): its alerts go, as a completed task's do. Only looked
    # for when a waiting event of the step before is gone.
    if ({w.get("task_id") or w.get("bpmn_id") for w in record.waiting_before}
            - waiting_now - {w.bpmn_id for w in snapshot.waiting_events}):
        clear_alerts_of_ended_waits(instance.id, waiting_now, now)
    for signal in snapshot.signals:
        raise_alert(instance, signal, now, snapshot.waiting_events)


def clear_alerts_of_instance(instance_id: int, now) -> None:
    """Every open alert of an instance, cleared: its domain says the matter is over (a major hidden danger closed,
    销号, ends the 挂牌督办 raised when it was found)."""
    db.session.execute(sa.update(Alert).where(Alert.instance_id == instance_id, Alert.cleared_at.is_(None))
                       .values(cleared_at=now))
