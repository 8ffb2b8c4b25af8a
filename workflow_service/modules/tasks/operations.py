"""Claiming, releasing, reassigning and completing tasks."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock, setting
from ...extensions import db
from ..alerts.operations import clear_alerts_for_tasks
from ..audit.operations import record_event
from ..processes.operations import complete_user_task_in_engine, lock_instance_of_task
from ..users.models import Role, User
from .forms import load_form, validate_submission
from .models import Task, TaskStatus
from .queries import can_claim, can_view, unit_contains


# (process id, task id) -> [rule(actor, task, submitted data, current data) -> data, ...]; domain modules
# register (several modules may add rules to one step; they run in registration order).
TASK_RULES: dict = {}
# (process id, task id) -> [guard(actor, task)]: who may work the task at all beyond role and unit (legal
# qualification, separation of duties). Checked on claim and on completion; a guard raises Forbidden.
TASK_GUARDS: dict = {}


def register_task_rule(process_id: str, bpmn_id: str, rule) -> None:
    TASK_RULES.setdefault((process_id, bpmn_id), []).append(rule)


def register_task_guard(process_id: str, bpmn_id: str, guard) -> None:
    TASK_GUARDS.setdefault((process_id, bpmn_id), []).append(guard)


def _guard(actor: User, task: Task) -> None:
    for guard in TASK_GUARDS.get((task.instance.process_id, task.bpmn_id), ()):
        guard(actor, task)


def _lock_task(task_id: int) -> Task:
    """Lock the task's instance first, then the task: the order every engine step (the timer sweep too)
    takes its locks in, so a claim and a sweep of one case never wait on each other in a circle. The
    instance lock also serializes the case's audit chain (audit/chain.py)."""
    instance = lock_instance_of_task(task_id)
    if instance is None:
        raise NotFound("任务不存在 (no such task)")
    task = db.session.scalar(sa.select(Task).where(Task.id == task_id).with_for_update()
                             .execution_options(populate_existing=True))
    if task is None:
        raise NotFound("任务不存在 (no such task)")
    # The session's identity map holds rows weakly: without this reference the locked instance (and its
    # state) could be dropped and read again by `task.instance`.
    task.instance = instance
    return task


def _check_open(task: Task, expected_version: int | None) -> None:
    if task.status != TaskStatus.ready.value:
        raise Conflict("任务已办结 (the task is already completed or cancelled)", code="task_not_open",
                       details={"status": task.status})
    if expected_version is not None and expected_version != task.version:
        raise Conflict("任务已被他人更新，请刷新 (the task changed since you loaded it)", code="stale_version",
                       details={"current_version": task.version})


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("任务已被他人更新，请刷新 (the task changed since you loaded it)", code="stale_version") from None


def claim_task(actor: User, task_id: int, expected_version: int | None = None) -> Task:
    task = _lock_task(task_id)
    if not can_view(actor, task):
        raise Forbidden("无权认领该任务 (this task belongs to another role or unit)")
    _check_open(task, expected_version)
    if task.assignee_id == actor.id:
        return task
    if task.assignee_id is not None:
        raise Conflict("任务已被他人认领 (the task is claimed by someone else)", code="already_claimed")
    if not can_claim(actor, task):
        raise Forbidden("无权认领该任务 (this task belongs to another role or unit)")
    _guard(actor, task)
    task.assignee_id = actor.id
    task.claimed_at = clock().now()
    record_event(actor, "task_claimed", instance_id=task.instance_id, task_id=task.id)
    _flush()
    return task


def release_task(actor: User, task_id: int, expected_version: int | None = None) -> Task:
    task = _lock_task(task_id)
    if task.assignee_id != actor.id:
        raise Forbidden("只能退回自己认领的任务 (you can only release your own task)")
    _check_open(task, expected_version)
    task.assignee_id = None
    task.claimed_at = None
    record_event(actor, "task_released", instance_id=task.instance_id, task_id=task.id)
    _flush()
    return task


def reassign_task(actor: User, task_id: int, assignee_username: str, expected_version: int | None = None) -> Task:
    task = _lock_task(task_id)
    if not actor.has_role(Role.supervisor) or not unit_contains(actor.unit, task.unit):
        raise Forbidden("仅本级及上级负责人可改派 (only a supervisor of this unit tree may reassign)")
    _check_open(task, expected_version)
    assignee = db.session.scalar(sa.select(User).filter_by(username=assignee_username))
    if assignee is None:
        raise ValidationFailed("用户不存在 (no such user)", {"assignee": ["unknown user"]})
    if not assignee.has_role(task.role) or not unit_contains(actor.unit, assignee.unit) or not assignee.is_active:
        raise ValidationFailed("该用户不能办理此任务 (the user lacks the role or is outside your units)",
                               {"assignee": ["must have the task's role and belong to your unit tree"]})
    previous = task.assignee_id
    task.assignee_id = assignee.id
    task.claimed_at = clock().now()
    record_event(actor, "task_reassigned", instance_id=task.instance_id, task_id=task.id,
                 details={"from_user_id": previous, "to": assignee.username})
    _flush()
    return task


def complete_task(actor: User, task_id: int, data, expected_version: int | None = None) -> Task:
    task = _lock_task(task_id)  # the instance first, then the task (see _lock_task)
    instance = task.instance  # locked and loaded by _lock_task, not read again
    if not can_view(actor, task):
        raise Forbidden("无权办理该任务 (this task belongs to another role or unit)")
    _check_open(task, expected_version)
    if task.assignee_id is None:
        if not can_claim(actor, task):
            raise Forbidden("无权办理该任务 (this task belongs to another role or unit)")
    elif task.assignee_id != actor.id:
        raise Forbidden("该任务已由他人认领 (the task is claimed by someone else)", code="claimed_by_other")
    _guard(actor, task)
    # Validate before anything changes: a 422 leaves the task, the case and the audit trail untouched.
    schema = load_form(setting("FORMS_DIR"), task.form_id)
    data = validate_submission(schema, data)
    for rule in TASK_RULES.get((instance.process_id, task.bpmn_id), ()):
        # Domain rules that a JSON Schema cannot express (deadlines, separation of duties, "a defence may
        # never raise the penalty"); they may add service-computed facts to the data.
        # The projected process data: no second deserialization of the workflow just for the rule.
        data = rule(actor, task, data, dict(instance.data or {}))
    now = clock().now()
    task.status = TaskStatus.completed.value
    task.assignee_id = task.assignee_id or actor.id
    task.completed_at = now
    task.completed_by_id = actor.id
    _flush()
    record_event(actor, "task_completed", instance_id=instance.id, task_id=task.id,
                 details={"task": task.bpmn_id, "name": task.name, "data": data})
    complete_user_task_in_engine(instance, task.engine_task_id, data)
    clear_alerts_for_tasks([task.id], now, instance.id)
    _flush()
    return task
