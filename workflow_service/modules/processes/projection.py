"""Copy what people and the scheduler need out of an engine snapshot into indexed tables.

Runs after every engine step, in the same transaction as the instance state, so the projections can
never disagree with the state that was saved.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..alerts.operations import clear_alerts_for_tasks, clear_alerts_of_ended_waits, raise_alert
from ..audit.operations import record_event
from ..tasks.models import Task, TaskStatus
from ..timers.models import Timer, TimerStatus
from ..users.models import LANE_ROLES, Role


def _role(lane, properties) -> str:
    explicit = properties.get("role")
    if explicit:
        return Role(explicit).value
    return LANE_ROLES[(lane or "").strip()].value


def _origin(waiting_timer, computed):
    """Which deadline-rule computation gave a new timer its due time. Matched by the due time; when two rules
    came to the same instant in one step, by the rule the timer's expression names (a timer must not carry the
    other rule's id: a calendar import recomputes it from that rule)."""
    same_time = [c for c in computed if c.at == waiting_timer.due_at]
    if len(same_time) > 1 and waiting_timer.expression:
        named = [c for c in same_time
                 if f'"{c.rule_id}"' in waiting_timer.expression or f"'{c.rule_id}'" in waiting_timer.expression]
        same_time = named or same_time
    return same_time[-1] if same_time else None


def project_snapshot(instance, snapshot, now, computed=(), rescheduled=None) -> None:
    """`computed`: the deadline-rule results recorded during the step, to annotate new timers with."""
    open_tasks = {t.engine_task_id: t for t in db.session.scalars(
        sa.select(Task).where(Task.instance_id == instance.id, Task.status == TaskStatus.ready.value))}
    waiting = {t.engine_task_id: t for t in db.session.scalars(
        sa.select(Timer).where(Timer.instance_id == instance.id, Timer.status == TimerStatus.waiting.value))}

    # Timers first: a task's due time is the deadline of the timers watching it.
    current_timer_ids = {w.task_id for w in snapshot.waiting_timers}
    for engine_id, timer in waiting.items():
        if engine_id not in current_timer_ids:
            fired = engine_id in snapshot.fired_timer_ids
            timer.status = (TimerStatus.fired if fired else TimerStatus.cancelled).value
            if fired:
                timer.fired_at = now
                record_event(None, "timer_fired", instance_id=instance.id,
                             details={"timer": timer.bpmn_id, "name": timer.name, "due_at": timer.due_at.isoformat()})
    current: list[Timer] = []
    created_timers: list[Timer] = []
    for w in snapshot.waiting_timers:
        timer = waiting.get(w.task_id)
        if timer is None:
            origin = _origin(w, computed)
            timer = Timer(
                instance_id=instance.id, engine_task_id=w.task_id, bpmn_id=w.bpmn_id, name=w.name,
                due_at=w.due_at, status=TimerStatus.waiting.value, attempts=0,
                attached_engine_task_id=w.attached_to_task_id, properties=w.properties, created_at=now,
                rule_id=origin.rule_id if origin else None, rule_kind=origin.kind if origin else None,
                rule_start=origin.start if origin else None, provisional=bool(origin and origin.provisional),
            )
            db.session.add(timer)
            created_timers.append(timer)
        elif timer.due_at != w.due_at:  # rescheduled (extension, suspension, recomputed calendar)
            timer.due_at = w.due_at
            timer.retry_at = None
        current.append(timer)
    deadlines: dict[str, Timer] = {}
    for timer in current:
        # Warnings come before the deadline; every other timer watching a task marks its deadline.
        if timer.attached_engine_task_id and timer.properties.get("alertLevel") != "warning":
            best = deadlines.get(timer.attached_engine_task_id)
            if best is None or timer.due_at < best.due_at:
                deadlines[timer.attached_engine_task_id] = timer

    ready_ids = {r.task_id for r in snapshot.ready_user_tasks}
    gone = [t for engine_id, t in open_tasks.items() if engine_id not in ready_ids]
    for task in gone:
        # The caller marks a task it completed; anything else that vanished was cancelled by the process.
        task.status = TaskStatus.cancelled.value
        record_event(None, "task_cancelled", instance_id=instance.id, task_id=task.id, details={"task": task.bpmn_id})
    created: list[tuple[Task, object]] = []
    for r in snapshot.ready_user_tasks:
        task = open_tasks.get(r.task_id)
        if task is None:
            task = Task(
                instance_id=instance.id, engine_task_id=r.task_id, bpmn_id=r.bpmn_id, name=r.name, lane=r.lane,
                role=_role(r.lane, r.properties), unit_id=instance.unit_id, form_id=r.properties.get("formId"),
                candidate_usernames=list(r.candidates) if r.candidates is not None else None,
                status=TaskStatus.ready.value,
                created_at=now,
            )
            db.session.add(task)
            created.append((task, r))
        deadline = deadlines.get(r.task_id) or deadlines.get(r.container_task_id)
        # Once its deadline timer has fired the task stays due at that time (it is overdue, not undated).
        if deadline is not None:
            task.due_at = deadline.due_at
            task.due_rule_id = deadline.rule_id
            task.due_provisional = bool(deadline.provisional)
    if created:
        db.session.flush()  # the new tasks' ids, for their audit events: one INSERT each, with the due time
        for task, r in created:
            record_event(None, "task_created", instance_id=instance.id, task_id=task.id,
                         details={"task": r.bpmn_id, "name": r.name, "role": task.role})
    db.session.flush()
    clear_alerts_for_tasks([t.id for t in gone], now, instance.id)
    # For the step listeners (a plain attribute, not a column): the timers this step started.
    instance.step_new_timers = created_timers

    waiting_now = {w.task_id for w in snapshot.waiting_events}
    # A wait with no task ended (e.g. the police answered): its alerts go, as a completed task's do. Only
    # looked for when a waiting event of the step before is gone (instance.waiting_events is not saved yet).
    before = instance.waiting_events or ()
    if ({w.get("task_id") or w.get("bpmn_id") for w in before}
            - waiting_now - {w.bpmn_id for w in snapshot.waiting_events}):
        clear_alerts_of_ended_waits(instance.id, waiting_now, now)
    for signal in snapshot.signals:
        raise_alert(instance, signal, now, snapshot.waiting_events)
