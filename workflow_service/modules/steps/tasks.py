"""Claiming, releasing, reassigning and completing tasks: the person-driven entry points of the step pipeline."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...core.forms import future_date_errors, load_form, submission_errors
from ...core.registry import registry
from ...core.services import clock, setting
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.queries import lateness
from ..processes.definitions import task_properties
from ..tasks.models import Task, TaskStatus
from ..tasks.queries import can_claim, can_view
from ..users.models import Role, User
from ..users.provinces import province_of
from ..users.units import unit_contains, works_in
from . import pipeline
from .locking import lock_task as _lock_task
from .locking import lock_task_for


def _guard(actor: User, task: Task, done: dict[str, str] | None = None) -> None:
    """Separation of duties as the model states it, then the guards the task's domain declared (legal
    qualification, reviewer vs approver). Checked on claim, on reassign (for the new assignee) and on completion.
    `done`: the steps of this instance the actor completed, when the lock read them already (lock_task_for)."""
    _separate_duties(actor, task, done)
    for guard in registry().guards_for(task.instance.process_id, task.bpmn_id):
        guard(actor, task)


def _separate_duties(actor: User, task: Task, done_steps: dict[str, str] | None = None) -> None:
    """An approval or sign-off step names, in the model, the steps whose actors it excludes
    (`excludesActorsOf="draft_filing,@handlers"`): whoever completed one of them in this instance may not do this
    one; `@handlers` are the officers the case names as its handlers and whoever started it."""
    excluded = [s.strip() for s in str(task_properties(task.instance, task.bpmn_id).get("excludesActorsOf") or "")
                .split(",") if s.strip()]
    if not excluded:
        return
    steps = [s for s in excluded if not s.startswith("@")]
    if done_steps is not None:
        done = next((done_steps[s] for s in steps if s in done_steps), None)
    else:
        done = db.session.scalar(sa.select(Task.name).where(
            Task.instance_id == task.instance_id, Task.bpmn_id.in_(steps), Task.completed_by_id == actor.id,
            Task.status == TaskStatus.completed.value).limit(1)) if steps else None
    if done is not None:
        raise Forbidden(f"已办理本案「{done}」的人员不得办理「{task.name}」（职责分离） "
                        "(separation of duties)", code="separation_of_duties")
    if "@handlers" in excluded:
        data = task.instance.data or {}
        handlers = {str(h) for h in (data.get("handlers") or []) if isinstance(h, str)}
        if actor.username in handlers or actor.id == task.instance.started_by_id:
            raise Forbidden(f"本案承办人员不得办理「{task.name}」（职责分离） (a handler of the case may not approve it; "
                            "separation of duties)", code="separation_of_duties")


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
    task, done = lock_task_for(task_id, actor.id)
    if not can_view(actor, task):
        raise Forbidden("无权认领该任务 (this task belongs to another role or unit)")
    _check_open(task, expected_version)
    if task.assignee_id == actor.id:
        return task
    if task.assignee_id is not None:
        raise Conflict("任务已被他人认领 (the task is claimed by someone else)", code="already_claimed")
    if not can_claim(actor, task):
        raise Forbidden("无权认领该任务 (this task belongs to another role or unit)")
    _guard(actor, task, done)
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
    # A county's task stays with that county's officers: the assignee holds the task's role in the task's own
    # unit (who sees the task follows from that, users/units.py).
    if not works_in(assignee, task.unit_id, task.role):
        raise ValidationFailed("该用户不能办理此任务 (the user lacks the role or is outside your units)",
                               {"assignee": ["须为任务所属单位具有该角色的在职人员"]})
    _guard(assignee, task)  # the assignee must be one who may do it: separation of duties, qualification
    previous = task.assignee_id
    task.assignee_id = assignee.id
    task.claimed_at = clock().now()
    record_event(actor, "task_reassigned", instance_id=task.instance_id, task_id=task.id,
                 details={"from_user_id": previous, "to": assignee.username})
    _flush()
    return task


def complete_task(actor: User, task_id: int, data, expected_version: int | None = None) -> Task:
    task, done = lock_task_for(task_id, actor.id)  # the instance first, then the task (see locking.py)
    instance = task.instance  # locked and loaded by _lock_task, not read again
    if not can_view(actor, task):
        raise Forbidden("无权办理该任务 (this task belongs to another role or unit)")
    _check_open(task, expected_version)
    if task.assignee_id is None:
        if not can_claim(actor, task):
            raise Forbidden("无权办理该任务 (this task belongs to another role or unit)")
    elif task.assignee_id != actor.id:
        raise Forbidden("该任务已由他人认领 (the task is claimed by someone else)", code="claimed_by_other")
    _guard(actor, task, done)
    # Validate before anything changes: a 422 leaves the task, the case and the audit trail untouched.
    schema = load_form(setting("FORMS_DIR"), task.form_id)
    _validate(actor, task, schema, data)
    # Deadlines that fell due before now are settled first, exactly as the sweep would have: the task then
    # knows the deadline it missed, and the alerts raised for it are cleared with it (alerts handler).
    pipeline.settle(instance)
    _check_open(task, None)
    for rule in registry().rules_for(instance.process_id, task.bpmn_id):
        # Domain rules that a JSON Schema cannot express (deadlines, separation of duties, "a defence may
        # never raise the penalty"); they may add service-computed facts to the data.
        # The projected process data: no second deserialization of the workflow just for the rule.
        data = rule(actor, task, data, dict(instance.data or {}))
    _close(task, actor, data)
    return task


def _validate(actor: User, task: Task, schema: dict, data) -> None:
    """The schema at every depth, recorded events not after the service clock, and the checks the task's domain
    declared (the case's chronology, amounts, codes): all of them, so the first refusal names every error."""
    errors = submission_errors(schema, data)
    if isinstance(data, dict):
        tz = ZoneInfo(setting("TIMEZONE"))
        found = [future_date_errors(schema, data, clock().now(), tz)]
        current = dict(task.instance.data or {})
        found += [check(actor, task, data, current)
                  for check in registry().checks_for(task.instance.process_id, task.bpmn_id)]
        for more in found:
            for field, messages in (more or {}).items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationFailed("表单校验未通过 (the form has errors)", errors)


def complete_task_for_process(task: Task, data: dict, *, by: str) -> Task:
    """Complete a task the process itself answers (a transfer's result reaching a case that waits in a task of an
    earlier diagram version): no person, so no guards or rules; audited with `by`, settled and closed as a
    person's completion is. The caller holds the instance lock."""
    pipeline.settle(task.instance)
    _check_open(task, None)
    _close(task, None, data, by=by)
    return task


def _close(task: Task, actor: User | None, data: dict, by: str | None = None) -> None:
    now = clock().now()
    task.status = TaskStatus.completed.value
    if actor is not None:
        task.assignee_id = task.assignee_id or actor.id
        task.completed_by_id = actor.id
    task.completed_at = now
    details = {"task": task.bpmn_id, "name": task.name, "data": data}
    if by:
        details["by"] = by
    late = lateness(task.due_rule_id, province_of(task.unit_id), task.due_at, now) \
        if task.due_at is not None and now > task.due_at else None
    if late is not None:
        task.late_amount, task.late_unit = late.amount, late.unit
        details["late"] = {"amount": late.amount, "unit": late.unit, "due_at": task.due_at.isoformat(),
                           "rule": task.due_rule_id}
    record_event(actor, "task_completed", instance_id=task.instance_id, task_id=task.id, details=details)
    pipeline.complete_user_task(task.instance, task, data, actor)
    _flush()
