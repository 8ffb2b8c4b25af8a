"""Deploying process definitions (BPMN + DMN packages) and keeping their parsed engine form.

Deploying BPMN is deploying code: a diagram's scripts run in the engine's evaluator.
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from ... import engine as wf_engine
from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.forms import form_exists
from ...core.services import clock, engine, setting
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.script import deadline_context
from ..users.models import LANE_ROLES, Role
from ..users.provinces import database_key
from .models import ProcessDefinition, ProcessInstance


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
        if bundle.start_form_id and not form_exists(forms_dir, bundle.start_form_id):
            problems.append({"process": bundle.process_id, "task": "start",
                             "error": f"start form {bundle.start_form_id!r} not found in forms/"})
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
            start_form_id=bundle.start_form_id,
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


def engine_definition(definition: ProcessDefinition) -> wf_engine.Definition:
    key = (definition.content_hash, definition.id)
    cached = _DEFINITIONS.get(key)
    if cached is None:
        if len(_DEFINITIONS) >= 64:
            _DEFINITIONS.clear()
        cached = _DEFINITIONS[key] = wf_engine.Definition(definition.content_hash, definition.specs)
    return cached


def instance_definition(instance: ProcessInstance) -> wf_engine.Definition:
    """The engine form of an instance's definition, by id: a step does not read the definition row."""
    key = (database_key(), instance.definition_id)
    cached = _DEFINITIONS_BY_ID.get(key)
    if cached is None:
        if len(_DEFINITIONS_BY_ID) >= 64:
            _DEFINITIONS_BY_ID.clear()
        cached = _DEFINITIONS_BY_ID[key] = engine_definition(instance.definition)
    return cached


def evaluate_straight_through(process_id: str, data: dict, province: str | None) -> dict:
    """Run a process without people or timers (e.g. a screening decision table) to its end and return its
    data; nothing is stored."""
    definition = latest_definition(process_id)
    try:
        with deadline_context(province):
            snapshot = engine().start(engine_definition(definition), dict(data), clock().now())
    except wf_engine.EngineError as exc:
        raise ValidationFailed(f"无法评估 (could not evaluate {process_id}): {exc}", code="process_error")
    if not snapshot.completed:
        raise ValidationFailed(f"{process_id} is not a straight-through process", code="process_error")
    return snapshot.data


_TASK_PROPERTIES: dict[tuple[str, int], dict[str, dict]] = {}


def task_properties(instance: ProcessInstance, bpmn_id: str) -> dict:
    """The properties the model gives a user task (formId, role, excludesActorsOf, ...), per definition version."""
    key = (database_key(), instance.definition_id)
    if key not in _TASK_PROPERTIES:
        if len(_TASK_PROPERTIES) >= 64:
            _TASK_PROPERTIES.clear()
        _TASK_PROPERTIES[key] = {t["bpmn_id"]: t.get("properties") or {} for t in instance.definition.user_tasks}
    return _TASK_PROPERTIES[key].get(bpmn_id, {})
