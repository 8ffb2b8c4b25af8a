"""The one way an engine step takes its instance: lock the row, load the state, learn what the step will need.

Every writer of an instance — a task action, the timer sweep, a message, a deadline move — locks the instance
first and only then its task or timer rows, so two writers of one case never wait on each other in a circle.
The instance lock also serializes the case's audit chain (audit/chain.py). The sweep skips instances another
worker holds (SKIP LOCKED on PostgreSQL); everyone else waits. SQLite takes its write lock at the start of
every transaction, which serializes the same way.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...core import presence
from ...core.errors import NotFound
from ...extensions import db
from ..alerts.models import Alert
from ..deadlines.models import DeadlineAdjustment
from ..processes.models import ProcessInstance
from ..tasks.models import Task, TaskStatus
from ..timers.models import Timer, TimerStatus

_STATEMENTS: dict[tuple[str, bool], sa.Select] = {}


def _statement(by: str, skip_locked: bool) -> sa.Select:
    """By instance id or by the id of one of its tasks (bound as :key). It locks the instance row, loads its
    state and reads whether the instance has deadline adjustments and open alerts, and when its next timer falls
    due: all a step needs of the instance, in one round trip. Built once per shape."""
    if (by, skip_locked) not in _STATEMENTS:
        query = sa.select(ProcessInstance)
        if by == "task":
            query = query.join(Task, Task.instance_id == ProcessInstance.id).where(Task.id == sa.bindparam("key"))
        else:
            query = query.where(ProcessInstance.id == sa.bindparam("key"))
        _STATEMENTS[(by, skip_locked)] = (
            query.with_for_update(of=ProcessInstance, skip_locked=skip_locked)
            .options(sa.orm.undefer(ProcessInstance.state),
                     sa.orm.with_expression(ProcessInstance.has_adjustments, sa.exists().where(
                         DeadlineAdjustment.instance_id == ProcessInstance.id)),
                     sa.orm.with_expression(ProcessInstance.has_open_alerts, sa.exists().where(
                         Alert.instance_id == ProcessInstance.id, Alert.cleared_at.is_(None))),
                     # No bound value in these expressions: an expired instance is reloaded with them.
                     sa.orm.with_expression(ProcessInstance.next_timer_due_at, sa.select(sa.func.min(Timer.due_at))
                                            .where(Timer.instance_id == ProcessInstance.id,
                                                   Timer.status == TimerStatus.waiting.value)
                                            .scalar_subquery()))
            .execution_options(populate_existing=True))
    return _STATEMENTS[(by, skip_locked)]


def _lock(by: str, key: int, *, skip_locked: bool = False) -> ProcessInstance | None:
    if db.session.get_bind().dialect.name != "postgresql":
        skip_locked = False  # SQLite: the transaction already holds the database's write lock
    instance = db.session.scalar(_statement(by, skip_locked), {"key": key})
    if instance is not None:
        presence.remember(db.session, DeadlineAdjustment, instance.id, instance.has_adjustments)
        presence.remember(db.session, Alert, instance.id, instance.has_open_alerts)
    return instance


def lock_instance(instance_id: int) -> ProcessInstance:
    """Load an instance for a change, holding its row lock (PostgreSQL) until the transaction ends."""
    instance = _lock("instance", instance_id)
    if instance is None:
        raise NotFound("流程实例不存在 (no such process instance)")
    return instance


def lock_instance_of_task(task_id: int) -> ProcessInstance | None:
    """The instance a task belongs to, found through the task in the same statement; None when there is no such
    task. Only the instance row is locked."""
    return _lock("task", task_id)


def try_lock_instance(instance_id: int) -> ProcessInstance | None:
    """For the sweep: the instance locked, or None when another worker holds it (that worker fires its timers)."""
    return _lock("instance", instance_id, skip_locked=True)


def lock_task(task_id: int) -> Task:
    """A task and its instance, the instance first (see the module's docstring)."""
    return lock_task_for(task_id, None)[0]


_TASK_STATEMENTS: dict[bool, sa.Select] = {}
_PAIR, _LIST = "\x1f", "\x1e"  # separators no step id or name contains


def _task_statement(with_actor: bool) -> sa.Select:
    """The task row, locked (bound as :key); with an actor (:actor), also the steps of the same instance that
    actor completed, as `bpmn_id<US>name` joined by <RS>: what separation of duties asks, in the same round trip.
    Built once per shape."""
    if with_actor not in _TASK_STATEMENTS:
        query = sa.select(Task)
        if with_actor:
            done = sa.orm.aliased(Task)
            query = sa.select(Task, sa.select(sa.func.aggregate_strings(done.bpmn_id + _PAIR + done.name, _LIST))
                              .where(done.instance_id == Task.instance_id, done.completed_by_id == sa.bindparam("actor"),
                                     done.status == TaskStatus.completed.value).scalar_subquery())
        _TASK_STATEMENTS[with_actor] = (query.where(Task.id == sa.bindparam("key")).with_for_update(of=Task)
                                        .execution_options(populate_existing=True))
    return _TASK_STATEMENTS[with_actor]


def lock_task_for(task_id: int, actor_id: int | None) -> tuple[Task, dict[str, str] | None]:
    """`lock_task`, and — given an actor — the steps of this instance the actor has completed ({bpmn id: name}),
    for the separation-of-duties check without a query of its own."""
    instance = lock_instance_of_task(task_id)
    if instance is None:
        raise NotFound("任务不存在 (no such task)")
    params = {"key": task_id} if actor_id is None else {"key": task_id, "actor": actor_id}
    row = db.session.execute(_task_statement(actor_id is not None), params).first()
    if row is None:
        raise NotFound("任务不存在 (no such task)")
    task = row[0]
    done = None
    if actor_id is not None:
        done = dict(item.split(_PAIR, 1) for item in (row[1] or "").split(_LIST) if _PAIR in item)
    # The session's identity map holds rows weakly: without this reference the locked instance (and its
    # state) could be dropped and read again by `task.instance`.
    task.instance = instance
    return task, done
