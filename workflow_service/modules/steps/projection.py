"""Copy what people and the scheduler need out of an engine snapshot into indexed tables.

Runs inside every engine step (steps/pipeline.py), in the same transaction as the instance state, so the
projections can never disagree with the state that was saved. Returns what changed, for the step record.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.script import timer_rule
from ..tasks.models import Task, TaskCandidate, TaskStatus
from ..timers.models import Timer, TimerStatus
from ..users.models import LANE_ROLES, Role


@dataclass
class Projected:
    tasks_opened: list[Task] = field(default_factory=list)
    tasks_cancelled: list[Task] = field(default_factory=list)
    timers_started: list[Timer] = field(default_factory=list)
    timers_fired: list[Timer] = field(default_factory=list)


def _role(lane, properties) -> str:
    explicit = properties.get("role")
    if explicit:
        return Role(explicit).value
    return LANE_ROLES[(lane or "").strip()].value


def origin(waiting_timer, computed, data: dict):
    """Which deadline-rule computation gave a new timer its due time. The rule and the kind of time come from
    the timer's expression in the model (deadlines/script.timer_rule); the computation of that rule and kind
    in this step gives its start and whether it is provisional. None for a timer no rule computes."""
    named = timer_rule(waiting_timer.expression, data)
    if named is None:
        return None
    rule_id, kind = named
    same = [c for c in computed if c.rule_id == rule_id and c.kind == kind]
    exact = [c for c in same if c.at == waiting_timer.due_at]
    return (exact or same or [None])[-1]


def is_deadline(timer: Timer) -> bool:
    """A timer that marks the deadline of the task it watches (not its warning before, not a later level-2
    escalation): a rule's deadline, or, for a timer no rule computes, one that is not marked as a warning."""
    if timer.rule_kind:
        return timer.rule_kind == "deadline"
    return bool(timer.attached_engine_task_id) and timer.properties.get("alertLevel") in (None, "escalation1")


def _new_timer(instance, w, found, now, status: TimerStatus) -> Timer:
    timer = Timer(
        instance_id=instance.id, engine_task_id=w.task_id, bpmn_id=w.bpmn_id, name=w.name, due_at=w.due_at,
        status=status.value, attempts=0, attached_engine_task_id=w.attached_to_task_id, properties=w.properties,
        created_at=now, rule_id=found.rule_id if found else None, rule_kind=found.kind if found else None,
        rule_start=found.start if found else None, provisional=bool(found and found.provisional),
        rule_version_id=found.version_id if found else None)
    db.session.add(timer)
    return timer


def project_snapshot(instance, snapshot, now, computed=(), rescheduled=None) -> Projected:
    """`computed`: the deadline-rule results recorded during the step, to annotate new timers with."""
    out = Projected()
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
                out.timers_fired.append(timer)
                record_event(None, "timer_fired", instance_id=instance.id,
                             details={"timer": timer.bpmn_id, "name": timer.name, "due_at": timer.due_at.isoformat()})
    # A timer reached already due (the next step of a case whose 90 days have run out) fires in the step that
    # reached it: it is recorded as started and fired at once, so its deadline is known to have passed.
    for w in snapshot.fired_timers:
        if w.task_id in waiting:
            continue
        timer = _new_timer(instance, w, origin(w, computed, snapshot.data), now, TimerStatus.fired)
        timer.fired_at = now
        out.timers_started.append(timer)
        out.timers_fired.append(timer)
        record_event(None, "timer_fired", instance_id=instance.id,
                     details={"timer": timer.bpmn_id, "name": timer.name, "due_at": timer.due_at.isoformat()})
    current: list[Timer] = []
    for w in snapshot.waiting_timers:
        timer = waiting.get(w.task_id)
        if timer is None:
            timer = _new_timer(instance, w, origin(w, computed, snapshot.data), now, TimerStatus.waiting)
            out.timers_started.append(timer)
        elif timer.due_at != w.due_at:  # rescheduled (extension, suspension, recomputed calendar)
            timer.due_at = w.due_at
            timer.retry_at = None
        current.append(timer)
    deadlines: dict[str, Timer] = {}
    later: dict[str, Timer] = {}
    for timer in current:
        if not timer.attached_engine_task_id or timer.properties.get("alertLevel") == "warning":
            continue
        pool = deadlines if is_deadline(timer) else later
        best = pool.get(timer.attached_engine_task_id)
        if best is None or timer.due_at < best.due_at:
            pool[timer.attached_engine_task_id] = timer
    missed = {t.attached_engine_task_id: t for t in out.timers_fired if t.attached_engine_task_id and is_deadline(t)}

    ready_ids = {r.task_id for r in snapshot.ready_user_tasks}
    for engine_id, task in open_tasks.items():
        if engine_id not in ready_ids:
            # The caller marks a task it completed; anything else that vanished was cancelled by the process.
            task.status = TaskStatus.cancelled.value
            out.tasks_cancelled.append(task)
            record_event(None, "task_cancelled", instance_id=instance.id, task_id=task.id,
                         details={"task": task.bpmn_id})
    created: list[tuple[Task, object]] = []
    missed_now: list[tuple[Task, Timer]] = []
    for r in snapshot.ready_user_tasks:
        task = open_tasks.get(r.task_id)
        if task is None:
            task = Task(
                instance_id=instance.id, engine_task_id=r.task_id, bpmn_id=r.bpmn_id, name=r.name, lane=r.lane,
                role=_role(r.lane, r.properties), unit_id=instance.unit_id, form_id=r.properties.get("formId"),
                candidate_usernames=list(r.candidates) if r.candidates is not None else None,
                candidates_only=r.candidates is not None,
                status=TaskStatus.ready.value,
                created_at=now,
            )
            db.session.add(task)
            created.append((task, r))
        fired = missed.get(r.task_id) or missed.get(r.container_task_id)
        if fired is not None and task.missed_deadline_at is None:
            # The deadline passed with the work not done: the task stays due at that deadline (it is overdue,
            # not due at its next escalation), and it says so whoever notices first, the sweep or a step.
            task.missed_deadline_at = fired.due_at
            task.due_at = fired.due_at
            task.due_rule_id = fired.rule_id
            task.due_rule_version_id = fired.rule_version_id
            task.due_provisional = bool(fired.provisional)
            missed_now.append((task, fired))
            continue
        deadline = deadlines.get(r.task_id) or deadlines.get(r.container_task_id)
        if deadline is None and task.missed_deadline_at is None:
            deadline = later.get(r.task_id) or later.get(r.container_task_id)
        if deadline is not None:
            task.due_at = deadline.due_at
            task.due_rule_id = deadline.rule_id
            task.due_rule_version_id = deadline.rule_version_id
            task.due_provisional = bool(deadline.provisional)
            if deadline.due_at > now:
                task.missed_deadline_at = None  # moved past now again (an extension, a resumed suspension)
    if created:
        db.session.flush()  # the new tasks' ids, for their audit events: one INSERT each, with the due time
        db.session.add_all([TaskCandidate(task_id=task.id, username=name)
                            for task, r in created for name in dict.fromkeys(r.candidates or ())])
        for task, r in created:
            record_event(None, "task_created", instance_id=instance.id, task_id=task.id,
                         details={"task": r.bpmn_id, "name": r.name, "role": task.role})
        out.tasks_opened = [task for task, _ in created]
    for task, fired in missed_now:
        record_event(None, "deadline_missed", instance_id=instance.id, task_id=task.id,
                     details={"task": task.bpmn_id, "rule": fired.rule_id, "due_at": fired.due_at.isoformat(),
                              "timer": fired.bpmn_id})
    db.session.flush()
    return out
