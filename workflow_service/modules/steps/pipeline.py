"""The step pipeline: what one task completion, timer firing, message, deadline move or process start does.

Read this file first. Every engine step of the service runs through `_step`, in this order:

 1. lock      the instance row (steps/locking.py: one lock for tasks, timers and messages; the sweep skips rows
              another worker holds). The callers below receive the instance already locked.
 2. settle    a step at time T first fires the instance's timers that fell due before T, as a step of its own
              (kind "timers"), exactly as the sweep would have: a deadline the work missed is recorded as
              missed (audit `deadline_missed`, `Task.missed_deadline_at`) even when the work beats the sweep.
 3. engine    the engine advances (engine/ only; deadline rules are computed in `deadline_context`).
 4. project   tasks, timers (each timer's rule read from its expression in the model) and data into tables
              (steps/projection.py).
 5. save      state, data, waiting events, status, with the instance's optimistic version check.
 6. publish   one `StepRecord` — old and new data, tasks opened and closed, timers started and fired, signals —
              to the step handlers `create_app` connects by name, in the order written in wiring.py.
 7. follow-up a handler that needs another step (park new timers of a suspended case, hand a case back, start a
              transfer) queues it with `queue_follow_up`; it runs after the current step, in the same
              transaction, through this same pipeline. Nothing steps an instance inside a save or a publish
              (that raises `StepNesting`).

The transaction is the entry point's (core/transaction.py): the pipeline flushes, never commits.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Callable

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ... import engine as wf_engine
from ...core.errors import Conflict, ValidationFailed
from ...core.registry import registry
from ...core.services import clock, engine
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.queries import deadline_shifts
from ..deadlines.script import deadline_context
from ..processes.definitions import engine_definition, instance_definition, latest_definition
from ..processes.models import InstanceStatus, ProcessInstance
from ..tasks.models import Task
from ..timers.models import Timer, TimerStatus
from ..users.models import Unit
from ..users.provinces import province_code, province_of
from .projection import project_snapshot


class StepNesting(RuntimeError):
    """A step handler tried to step an instance while a step is being published: queue a follow-up instead."""


@dataclass
class StepRecord:
    """What one step did, published to the step handlers."""

    kind: str                      # start | task | message | timers | reschedule
    instance: ProcessInstance
    actor: object | None           # the person, or None for the system (the sweep, a follow-up)
    now: datetime
    old_data: dict
    new_data: dict
    snapshot: wf_engine.Snapshot   # plain data from the engine: ready tasks, waiting timers and events, signals
    waiting_before: list[dict]     # where the process waited for a message before the step
    tasks_opened: list[Task] = field(default_factory=list)
    tasks_closed: list[Task] = field(default_factory=list)   # the completed task and the ones the process cancelled
    completed_task: Task | None = None
    timers_started: list[Timer] = field(default_factory=list)
    timers_fired: list[Timer] = field(default_factory=list)
    process_completed: bool = False  # the instance reached its end in this step

    @property
    def process_id(self) -> str:
        return self.instance.process_id

    def changed(self, *keys: str) -> bool:
        return any(self.old_data.get(k) != self.new_data.get(k) for k in keys)


# -- the pipeline's state for one session (one transaction at a time) ----------------------------------------
class _State:
    def __init__(self) -> None:
        self.running = False      # a step or a follow-up is under way: inner steps do not drain the queue
        self.publishing = False   # handlers are being called: stepping now would nest a step in another
        self.queue: deque[tuple[Callable, tuple, dict]] = deque()
        self.settled: set[int] = set()  # instances whose due timers this operation has fired (step 2)


def _state() -> _State:
    return db.session.info.setdefault("wfs_pipeline", _State())


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_settled(session: Session, transaction) -> None:
    """What was settled holds for one transaction (the instance stays locked until it ends)."""
    state = session.info.get("wfs_pipeline")
    if state is not None and transaction.parent is None:
        state.settled.clear()


def queue_follow_up(fn: Callable, *args, **kwargs) -> None:
    """Run fn(*args, **kwargs) after the step being published, in the same transaction (a step handler's way to
    cause another step)."""
    _state().queue.append((fn, args, kwargs))


def _entry(fn):
    """The outermost step of an operation drains the follow-ups its handlers queued, first in, first out (a
    follow-up's own steps may queue more; they run in the same loop)."""
    @wraps(fn)
    def run(*args, **kwargs):
        state = _state()
        if state.publishing:
            raise StepNesting(f"{fn.__name__} called from a step handler: use queue_follow_up")
        if state.running:
            return fn(*args, **kwargs)
        state.running = True
        try:
            result = fn(*args, **kwargs)
            while state.queue:
                follow_up, a, kw = state.queue.popleft()
                follow_up(*a, **kw)
            return result
        finally:
            state.running = False
            state.queue.clear()
    return run


# -- the entry points ------------------------------------------------------------------------------------------
@_entry
def settle(instance: ProcessInstance) -> None:
    """Step 2 on its own, for an operation that must see the instance's missed deadlines before it acts (a
    task completion computes how late it is)."""
    _settle(instance, map_errors=True)


@_entry
def start(actor, *, process_id: str, unit: Unit, title: str, data: dict | None = None,
          business_key: str | None = None) -> ProcessInstance:
    definition = latest_definition(process_id)
    now = clock().now()
    try:
        with deadline_context(province_code(unit)) as computed:
            snapshot = engine().start(engine_definition(definition), dict(data or {}), now)
    except wf_engine.EngineError as exc:
        raise ValidationFailed(f"流程无法启动 (the process could not start): {exc}", code="process_error")
    instance = ProcessInstance(
        definition=definition, process_id=process_id, unit_id=unit.id, title=title, business_key=business_key,
        status=InstanceStatus.running.value, state=snapshot.state,
        serializer_version=engine().serializer_version, started_at=now, started_by_id=getattr(actor, "id", None),
        updated_at=now,
    )
    db.session.add(instance)
    db.session.flush()
    record_event(actor, "process_started", instance_id=instance.id,
                 details={"process_id": process_id, "definition": definition.content_hash[:12], "title": title})
    _finish("start", instance, actor, snapshot, now, computed, old_data={})
    return instance


@_entry
def complete_user_task(instance: ProcessInstance, task: Task, data: dict, actor) -> StepRecord:
    """The engine side of completing `task` (already marked completed by the caller, who checked who may)."""
    def advance(definition, state, now):
        try:
            return engine().complete_user_task(definition, state, task.engine_task_id, data, now)
        except wf_engine.TaskNotReady:
            raise Conflict("任务已办结或已失效 (the task is no longer open)", code="task_not_open") from None
    return _step("task", instance, actor, advance, completed_task=task)


@_entry
def deliver_message(instance: ProcessInstance, name: str, payload: dict, actor=None) -> StepRecord:
    """Hand a BPMN message to the instance (a closing ballot, an answer from another authority)."""
    payload = json.loads(json.dumps(payload, default=str))

    def advance(definition, state, now):
        try:
            return engine().deliver_message(definition, state, name, payload, now)
        except wf_engine.MessageNotExpected:
            raise Conflict("流程当前不等待该消息 (the process is not waiting for this message)",
                           code="message_not_expected", details={"message": name}) from None

    def audit():
        record_event(actor, "message_delivered", instance_id=instance.id, details={"message": name, "payload": payload})
    return _step("message", instance, actor, advance, before_save=audit)


@_entry
def fire_due_timers(instance: ProcessInstance) -> StepRecord:
    """Let the engine fire whatever is due in this instance (the sweep; EngineError reaches it unmapped, so it
    can retry and make an incident)."""
    return _step("timers", instance, None,
                 lambda definition, state, now: engine().fire_due_timers(definition, state, now), map_errors=False)


@_entry
def reschedule_timers(instance: ProcessInstance, due: dict[str, datetime], reason: str, actor=None) -> StepRecord | None:
    """Move waiting timers of one instance (engine task id -> new due time): an extension, a suspension, a
    recomputed calendar. Timers now past due fire at once. A timer that fell due before now fires first (step 2)
    and is not moved: its deadline was missed before the move. None when nothing is left to move."""
    _settle(instance, map_errors=True)
    timers = {t.engine_task_id: t for t in db.session.scalars(sa.select(Timer).where(
        Timer.instance_id == instance.id, Timer.engine_task_id.in_(list(due)),
        Timer.status == TimerStatus.waiting.value))}
    due = {k: v for k, v in due.items() if k in timers}
    if not due:
        return None

    def audit():
        for engine_task_id, due_at in due.items():
            timer = timers[engine_task_id]
            record_event(actor, "timer_rescheduled", instance_id=instance.id, details={
                "timer": timer.bpmn_id, "reason": reason, "from": timer.due_at.isoformat(), "to": due_at.isoformat()})
    return _step("reschedule", instance, actor,
                 lambda definition, state, now: engine().reschedule_timers(definition, state, due, now),
                 rescheduled=due, before_save=audit)


def _step(kind: str, instance: ProcessInstance, actor, advance, *, completed_task: Task | None = None,
          rescheduled: dict | None = None, before_save: Callable | None = None, map_errors: bool = True) -> StepRecord:
    if kind != "timers":
        _settle(instance, map_errors)
    now = clock().now()
    old_data = dict(instance.data or {})
    try:
        with deadline_context(province_of(instance.unit_id), deadline_shifts(instance.id)) as computed:
            snapshot = advance(instance_definition(instance), instance.state, now)
    except wf_engine.EngineError as exc:
        if not map_errors:
            raise
        raise ValidationFailed(f"流程无法继续 (the process could not advance): {exc}", code="process_error") from exc
    if before_save is not None:
        before_save()
    return _finish(kind, instance, actor, snapshot, now, computed, old_data, completed_task=completed_task,
                   rescheduled=rescheduled)


def _settle(instance: ProcessInstance, map_errors: bool) -> None:
    """Step 2: the instance's timers that fell due before now fire first, as the sweep would fire them. The
    locking statement read when the next timer falls due; an instance not locked by it is asked."""
    state = _state()
    if instance.id in state.settled:
        return
    state.settled.add(instance.id)
    now = clock().now()
    if "next_timer_due_at" in instance.__dict__:  # read by the locking statement (steps/locking.py)
        if instance.next_timer_due_at is None or instance.next_timer_due_at >= now:
            return
    elif db.session.scalar(sa.select(Timer.id).where(
            Timer.instance_id == instance.id, Timer.status == TimerStatus.waiting.value,
            Timer.due_at < now).limit(1)) is None:
        return
    _step("timers", instance, None,
          lambda definition, state, now: engine().fire_due_timers(definition, state, now), map_errors=map_errors)


def _finish(kind, instance, actor, snapshot, now, computed, old_data, *, completed_task=None,
            rescheduled=None) -> StepRecord:
    projected = project_snapshot(instance, snapshot, now, computed, rescheduled)
    waiting_before = list(instance.waiting_events or ())
    completed_now = snapshot.completed and instance.status != InstanceStatus.completed.value
    _save(instance, snapshot, now)
    record = StepRecord(
        kind=kind, instance=instance, actor=actor, now=now, old_data=old_data, new_data=instance.data or {},
        snapshot=snapshot, waiting_before=waiting_before, tasks_opened=projected.tasks_opened,
        tasks_closed=([completed_task] if completed_task is not None else []) + projected.tasks_cancelled,
        completed_task=completed_task, timers_started=projected.timers_started,
        timers_fired=projected.timers_fired, process_completed=completed_now)
    _publish(record)
    return record


def _save(instance: ProcessInstance, snapshot, now) -> None:
    instance.state = snapshot.state
    instance.data = json.loads(json.dumps(snapshot.data, default=str))
    instance.waiting_events = [{"bpmn_id": w.bpmn_id, "name": w.name, "message": w.message, "task_id": w.task_id}
                               for w in snapshot.waiting_events] or None
    instance.serializer_version = engine().serializer_version
    instance.updated_at = now
    if snapshot.completed and instance.status != InstanceStatus.completed.value:
        instance.status = InstanceStatus.completed.value
        instance.completed_at = now
        record_event(None, "process_completed", instance_id=instance.id)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("案件已被他人更新，请刷新后重试 (the case was changed by someone else; reload)",
                       code="stale_version") from None


def _publish(record: StepRecord) -> None:
    state = _state()
    state.publishing = True
    try:
        for _name, handler in registry().step_handlers:
            handler(record)
    finally:
        state.publishing = False
    db.session.flush()
