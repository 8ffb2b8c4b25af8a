"""Deploying process definitions and starting, advancing and saving process instances.

Only this module and its projection touch instance state; everyone else asks the projections.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ... import engine as wf_engine
from ...core import presence
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock, engine, setting
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.script import deadline_context
from ..tasks.forms import form_exists
from ..users.models import LANE_ROLES, Role, Unit
from .models import InstanceStatus, ProcessDefinition, ProcessInstance
from .projection import project_snapshot


def read_package(directories: str) -> dict[str, bytes]:
    """Every *.bpmn and *.dmn of one or several directories (os.pathsep-separated)."""
    files = {}
    for directory in directories.split(os.pathsep):
        files.update({p.name: p.read_bytes() for p in sorted(Path(directory).glob("*")) if p.suffix in (".bpmn", ".dmn")})
    return files


def role_for_user_task(lane: str | None, properties: dict) -> Role | None:
    explicit = properties.get("role")
    if explicit:
        try:
            return Role(explicit)
        except ValueError:
            return None
    return LANE_ROLES.get((lane or "").strip())


def deploy_package(actor, files: dict[str, bytes], forms_dir: str | None = None) -> list[tuple[ProcessDefinition, bool]]:
    """Validate and deploy; a process whose content is unchanged keeps its version (idempotent)."""
    if actor is not None and not actor.has_role(Role.platform_operator):
        # Deploying BPMN is deploying code: its scripts run in the engine's evaluator, as the service.
        raise Forbidden("仅平台运维人员可部署流程定义 (only platform operators deploy process definitions)")
    try:
        bundles = wf_engine.parse_package(files)
    except wf_engine.DefinitionError as exc:
        raise ValidationFailed(f"流程定义无效 (invalid process definition): {exc}", {"problems": exc.problems})
    forms_dir = forms_dir or setting("FORMS_DIR")
    problems = []
    for bundle in bundles:
        for task in bundle.user_tasks:
            if role_for_user_task(task.lane, task.properties) is None:
                problems.append({"process": bundle.process_id, "task": task.bpmn_id,
                                 "error": f"lane {task.lane!r} maps to no role; name the lane after a role or set property 'role'"})
            form_id = task.properties.get("formId")
            if not form_id or not form_exists(forms_dir, form_id):
                problems.append({"process": bundle.process_id, "task": task.bpmn_id,
                                 "error": f"form {form_id!r} not found in forms/"})
    if problems:
        raise ValidationFailed("流程定义无效 (invalid process definition)", {"problems": problems})

    now = clock().now()
    results = []
    for bundle in bundles:
        existing = db.session.scalar(sa.select(ProcessDefinition).filter_by(
            process_id=bundle.process_id, content_hash=bundle.content_hash))
        if existing is not None and existing.is_latest:
            results.append((existing, False))
            continue
        db.session.execute(sa.update(ProcessDefinition)
                           .where(ProcessDefinition.process_id == bundle.process_id)
                           .values(is_latest=False))
        if existing is not None:  # an older version deployed again becomes the latest
            existing.is_latest = True
            results.append((existing, True))
            continue
        definition = ProcessDefinition(
            process_id=bundle.process_id, name=bundle.name, content_hash=bundle.content_hash,
            specs=bundle.specs, source_files=bundle.source_files,
            user_tasks=[{"bpmn_id": t.bpmn_id, "name": t.name, "lane": t.lane, "properties": t.properties}
                        for t in bundle.user_tasks],
            is_latest=True, deployed_at=now, deployed_by_id=getattr(actor, "id", None),
        )
        db.session.add(definition)
        db.session.flush()
        record_event(actor, "definition_deployed",
                     details={"process_id": bundle.process_id, "content_hash": bundle.content_hash})
        results.append((definition, True))
    db.session.flush()
    return results


def latest_definition(process_id: str) -> ProcessDefinition:
    definition = db.session.scalar(sa.select(ProcessDefinition).filter_by(process_id=process_id, is_latest=True))
    if definition is None:
        raise NotFound(f"流程未部署 (process {process_id!r} is not deployed)")
    return definition


# Deployed definitions never change (a new content hash is a new row): their engine form is kept per process,
# so a step does not read and decode ~140 KB of specs JSON each time.
_DEFINITIONS: dict[tuple[str, int], wf_engine.Definition] = {}
# ... and per (database, definition id), so a step does not even read the definition row (definition rows are
# never changed or deleted: a deployment adds a row).
_DEFINITIONS_BY_ID: dict[tuple[str, int], wf_engine.Definition] = {}


def _engine_definition(definition: ProcessDefinition) -> wf_engine.Definition:
    key = (definition.content_hash, definition.id)
    cached = _DEFINITIONS.get(key)
    if cached is None:
        if len(_DEFINITIONS) >= 64:
            _DEFINITIONS.clear()
        cached = _DEFINITIONS[key] = wf_engine.Definition(definition.content_hash, definition.specs)
    return cached


def _instance_definition(instance: ProcessInstance) -> wf_engine.Definition:
    """The engine form of an instance's definition, by id: a step does not read the definition row."""
    key = (_database_key(), instance.definition_id)
    cached = _DEFINITIONS_BY_ID.get(key)
    if cached is None:
        if len(_DEFINITIONS_BY_ID) >= 64:
            _DEFINITIONS_BY_ID.clear()
        cached = _DEFINITIONS_BY_ID[key] = _engine_definition(instance.definition)
    return cached


def _database_key() -> str:
    """Which database the session talks to (the test suite runs one process against two)."""
    return db.session.get_bind().url.render_as_string(hide_password=True)


def start_process(actor, *, process_id: str, unit: Unit, title: str, data: dict | None = None,
                  business_key: str | None = None) -> ProcessInstance:
    definition = latest_definition(process_id)
    now = clock().now()
    try:
        with deadline_context(province_code(unit)) as computed:
            snapshot = engine().start(_engine_definition(definition), dict(data or {}), now)
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
    project_snapshot(instance, snapshot, now, computed)
    _save(instance, snapshot, now)
    return instance


_STEP_LOCKS: dict[str, sa.Select] = {}


def _step_lock(by: str) -> sa.Select:
    """The statement that starts an engine step, by instance id or by the id of one of its tasks (bound as
    :key): it locks the instance row, loads its state and reads whether the instance has deadline adjustments
    and open alerts (core/presence.py): all a step needs of the instance, in one round trip. Built once."""
    if by not in _STEP_LOCKS:
        from ..alerts.models import Alert
        from ..deadlines.models import DeadlineAdjustment
        from ..tasks.models import Task

        query = sa.select(ProcessInstance)
        if by == "task":
            query = query.join(Task, Task.instance_id == ProcessInstance.id).where(Task.id == sa.bindparam("key"))
        else:
            query = query.where(ProcessInstance.id == sa.bindparam("key"))
        _STEP_LOCKS[by] = (
            query.with_for_update(of=ProcessInstance)
            .options(sa.orm.undefer(ProcessInstance.state),
                     sa.orm.with_expression(ProcessInstance.has_adjustments, sa.exists().where(
                         DeadlineAdjustment.instance_id == ProcessInstance.id)),
                     sa.orm.with_expression(ProcessInstance.has_open_alerts, sa.exists().where(
                         Alert.instance_id == ProcessInstance.id, Alert.cleared_at.is_(None))))
            .execution_options(populate_existing=True))
    return _STEP_LOCKS[by]


def _locked(by: str, key: int) -> ProcessInstance | None:
    from ..alerts.models import Alert
    from ..deadlines.models import DeadlineAdjustment

    instance = db.session.scalar(_step_lock(by), {"key": key})
    if instance is not None:
        presence.remember(db.session, DeadlineAdjustment, instance.id, instance.has_adjustments)
        presence.remember(db.session, Alert, instance.id, instance.has_open_alerts)
    return instance


def lock_instance(instance_id: int) -> ProcessInstance:
    """Load an instance for a change, holding its row lock (PostgreSQL) until the transaction ends."""
    instance = _locked("instance", instance_id)
    if instance is None:
        raise NotFound("流程实例不存在 (no such process instance)")
    return instance


def lock_instance_of_task(task_id: int) -> ProcessInstance | None:
    """The instance a task belongs to, loaded and locked as lock_instance does, found through the task in the
    same statement; None when there is no such task. Only the instance row is locked."""
    return _locked("task", task_id)


def complete_user_task_in_engine(instance: ProcessInstance, engine_task_id: str, data: dict):
    now = clock().now()
    try:
        with deadline_context(province_of(instance.unit_id), deadline_shifts(instance.id)) as computed:
            snapshot = engine().complete_user_task(_instance_definition(instance), instance.state,
                                                   engine_task_id, data, now)
    except wf_engine.TaskNotReady:
        raise Conflict("任务已办结或已失效 (the task is no longer open)", code="task_not_open")
    except wf_engine.EngineError as exc:
        raise ValidationFailed(f"流程无法继续 (the process could not advance): {exc}", code="process_error")
    project_snapshot(instance, snapshot, now, computed)
    _save(instance, snapshot, now)
    return snapshot


def deliver_message(instance: ProcessInstance, name: str, payload: dict, actor=None):
    """Hand a BPMN message to the instance (a closing ballot, an answer from another authority)."""
    now = clock().now()
    try:
        with deadline_context(province_of(instance.unit_id), deadline_shifts(instance.id)) as computed:
            snapshot = engine().deliver_message(_instance_definition(instance), instance.state, name,
                                                _json_safe(payload), now)
    except wf_engine.MessageNotExpected:
        raise Conflict("流程当前不等待该消息 (the process is not waiting for this message)",
                       code="message_not_expected", details={"message": name}) from None
    except wf_engine.EngineError as exc:
        raise ValidationFailed(f"流程无法继续 (the process could not advance): {exc}", code="process_error")
    record_event(actor, "message_delivered", instance_id=instance.id, details={"message": name, "payload": payload})
    project_snapshot(instance, snapshot, now, computed)
    _save(instance, snapshot, now)
    return snapshot


def fire_due_timers_of(instance: ProcessInstance):
    """Let the engine fire whatever is due in this instance (raises EngineError to the sweep)."""
    now = clock().now()
    with deadline_context(province_of(instance.unit_id), deadline_shifts(instance.id)) as computed:
        snapshot = engine().fire_due_timers(_instance_definition(instance), instance.state, now)
    project_snapshot(instance, snapshot, now, computed)
    _save(instance, snapshot, now)
    return snapshot


def evaluate_straight_through(process_id: str, data: dict, unit: Unit) -> dict:
    """Run a process without people or timers (e.g. a screening decision table) to its end and return its
    data; nothing is stored."""
    definition = latest_definition(process_id)
    try:
        with deadline_context(province_code(unit)):
            snapshot = engine().start(_engine_definition(definition), dict(data), clock().now())
    except wf_engine.EngineError as exc:
        raise ValidationFailed(f"无法评估 (could not evaluate {process_id}): {exc}", code="process_error")
    if not snapshot.completed:
        raise ValidationFailed(f"{process_id} is not a straight-through process", code="process_error")
    return snapshot.data


def reschedule_timers(instance: ProcessInstance, due: dict[str, object], reason: str, actor=None):
    """Move waiting timers of one instance (engine task id -> new due time) and re-project."""
    from ..timers.models import Timer

    now = clock().now()
    with deadline_context(province_of(instance.unit_id), deadline_shifts(instance.id)) as computed:
        snapshot = engine().reschedule_timers(_instance_definition(instance), instance.state, due, now)
    for engine_task_id, due_at in due.items():
        timer = db.session.scalar(sa.select(Timer).filter_by(engine_task_id=engine_task_id))
        record_event(actor, "timer_rescheduled", instance_id=instance.id, details={
            "timer": timer.bpmn_id if timer else engine_task_id, "reason": reason,
            "from": timer.due_at.isoformat() if timer else None, "to": due_at.isoformat()})
    project_snapshot(instance, snapshot, now, computed, rescheduled=due)
    _save(instance, snapshot, now)
    return snapshot


def recompute_provisional_timers(actor=None) -> int:
    """After a year's official holiday arrangement is loaded, recompute every provisional deadline."""
    from ..deadlines.operations import compute_deadline
    from ..timers.models import Timer, TimerStatus

    timers = list(db.session.scalars(sa.select(Timer).where(Timer.provisional.is_(True),
                                                            Timer.status == TimerStatus.waiting.value)))
    by_instance: dict[int, dict] = {}
    for timer in timers:
        instance = db.session.get(ProcessInstance, timer.instance_id)
        result = compute_deadline(timer.rule_id, timer.rule_start, province_of(instance.unit_id))
        new_due = {"deadline": result.due.due_at, "warning": result.warning_at,
                   "escalation2": result.escalation2_at}[timer.rule_kind]
        new_due += deadline_shifts(instance.id).get(timer.rule_id, timedelta(0))
        if new_due != timer.due_at or not result.due.provisional:
            by_instance.setdefault(instance.id, {})[timer.engine_task_id] = new_due
    for instance_id, due in by_instance.items():
        reschedule_timers(lock_instance(instance_id), due, "calendar_imported", actor)
    for timer in timers:  # flags after the move: a rule counted on official data is final
        if timer.status == TimerStatus.waiting.value:
            instance = db.session.get(ProcessInstance, timer.instance_id)
            timer.provisional = compute_deadline(timer.rule_id, timer.rule_start,
                                                 province_of(instance.unit_id)).due.provisional
    _refresh_task_provisional_flags({t.instance_id for t in timers})
    db.session.flush()
    return sum(len(d) for d in by_instance.values())


def _refresh_task_provisional_flags(instance_ids) -> None:
    from ..tasks.models import Task, TaskStatus
    from ..timers.models import Timer, TimerStatus

    for task in db.session.scalars(sa.select(Task).where(Task.instance_id.in_(instance_ids),
                                                         Task.status == TaskStatus.ready.value)):
        timer = db.session.scalar(sa.select(Timer).where(
            Timer.attached_engine_task_id == task.engine_task_id, Timer.status == TimerStatus.waiting.value,
            Timer.due_at == task.due_at))
        if timer is not None:
            task.due_provisional = bool(timer.provisional)


def deadline_shifts(instance_id: int) -> dict[str, timedelta]:
    """The approved extensions and suspensions of an instance, summed per rule (nothing to sum, and no query,
    when the statement that locked the instance found none)."""
    from ..deadlines.models import DeadlineAdjustment

    if presence.none_known(db.session, DeadlineAdjustment, instance_id):
        return {}
    rows = db.session.execute(sa.select(DeadlineAdjustment.rule_id, sa.func.sum(DeadlineAdjustment.shift_seconds))
                              .where(DeadlineAdjustment.instance_id == instance_id)
                              .group_by(DeadlineAdjustment.rule_id))
    return {rule_id: timedelta(seconds=int(total)) for rule_id, total in rows}


def province_code(unit: Unit) -> str | None:
    """The code of the province a unit belongs to: the root of its path (province rules apply to it)."""
    root_id = int(unit.path.strip("/").split("/")[0])
    root = unit if root_id == unit.id else db.session.get(Unit, root_id)
    return root.code if root is not None and root.level == "province" else None


# Units are never moved, renamed or deleted (users/operations.py only creates them): the province of a unit
# is kept per process, so an engine step does not read the unit and its root.
_PROVINCES: dict[tuple[str, int], str | None] = {}


def province_of(unit_id: int) -> str | None:
    key = (_database_key(), unit_id)
    if key not in _PROVINCES:
        if len(_PROVINCES) >= 100_000:
            _PROVINCES.clear()
        _PROVINCES[key] = province_code(db.session.get(Unit, unit_id))
    return _PROVINCES[key]


def _json_safe(value):
    import json

    return json.loads(json.dumps(value, default=str))


# Domain modules above this one (cases, ...) react to every saved step; they register here. A listener is
# called as listener(instance, snapshot, now); `instance.previous_data` holds the data before the step.
STEP_LISTENERS: list = []


def _save(instance: ProcessInstance, snapshot, now) -> None:
    # The data as of the step before, for listeners that only act on a change (a plain attribute, not a column).
    instance.previous_data = instance.data
    instance.state = snapshot.state
    instance.data = _json_safe(snapshot.data)
    instance.waiting_events = [{"bpmn_id": w.bpmn_id, "name": w.name, "message": w.message, "task_id": w.task_id}
                               for w in snapshot.waiting_events] or None
    instance.serializer_version = engine().serializer_version
    instance.updated_at = now
    if snapshot.completed and instance.status != InstanceStatus.completed.value:
        instance.status = InstanceStatus.completed.value
        instance.completed_at = now
        record_event(None, "process_completed", instance_id=instance.id)
    for listener in STEP_LISTENERS:
        listener(instance, snapshot, now)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("案件已被他人更新，请刷新后重试 (the case was changed by someone else; reload)",
                       code="stale_version") from None
