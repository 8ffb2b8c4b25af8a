"""The task page: the form drawn from its JSON Schema, the case beside it, documents and evidence."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.errors import ValidationFailed
from ..core.registry import registry
from ..core.services import clock, setting
from ..core.transaction import discard
from ..modules.audit.queries import task_completion
from ..modules.cases.queries import case_for_instance
from ..modules.deadlines.queries import working_days_left
from ..core.forms import load_form
from ..core.registry import registry
from ..modules.documents.operations import task_documents
from ..modules.documents.review import returned_opinion
from ..modules.steps import tasks as task_ops
from ..modules.tasks.models import TaskStatus
from ..modules.tasks.queries import can_claim, get_visible_task
from ..modules.tasks.schemas import TaskSchema
from ..modules.users.models import Role
from ..modules.users.queries import display_names, unit_members, unit_members_with_role
from ..modules.users.units import unit_contains
from .common import SOURCE_NAMES, bp, me, tz
from .evidence import evidence_panel
from .schema_form import build_fields, decode_form

_RULES = TaskSchema()


def _render(task, schema, data, errors, message=None, status=200):
    user = me()
    now = clock().now()
    case = case_for_instance(task.instance_id)
    process_data = task.instance.data or {}
    unplaced = {}
    fields = build_fields(schema, data, errors, tz(), people=_people(task))
    placed = _names(fields)
    for key, messages in (errors or {}).items():
        if key not in placed:
            unplaced[key] = messages
    return render_template(
        "task.html", task=task, case=case, schema=schema, fields=fields, errors=errors or {}, unplaced=unplaced,
        message=message, now=now, rule=_RULES._due_rule(task), days_left=working_days_left(task.due_at, now),
        is_open=task.status == TaskStatus.ready.value, mine=task.assignee_id == user.id,
        claimable=task.assignee_id is None and can_claim(user, task), process_data=process_data,
        handler_names=display_names(process_data.get("handlers") or []),
        evidence=process_data.get("evidence") if isinstance(process_data.get("evidence"), list) else [],
        source_names=SOURCE_NAMES, unit_users=_unit_users(task), reassignable=_reassignable(user, task),
        submitted=_submitted(task, schema), **(evidence_panel(user, case) if case else {}),
        document_previews=task_documents(task) if task.status == TaskStatus.ready.value and case else [],
        task_view=_task_view(task),
        returned=returned_opinion(task),
    ), status


def _task_view(task) -> dict:
    """What a domain adds to an open task's page (wiring.py: the discretion benchmark at the report step)."""
    view = registry().view_for(task.instance.process_id, task.bpmn_id)
    return view(task) if view is not None and task.status == TaskStatus.ready.value else {}


def _reassignable(user, task) -> list:
    """A supervisor of the task's unit tree may hand an open task to another user with its role in the task's own
    unit (users/units.works_in)."""
    if task.status != TaskStatus.ready.value or not user.has_role(Role.supervisor):
        return []
    if not unit_contains(user.unit, task.unit):
        return []
    return [u for u in unit_members_with_role(task.unit_id, task.role) if u.id != task.assignee_id]


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id):
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    task = task_ops.reassign_task(me(), task_id, request.form.get("assignee", ""), version)
    flash(f"已改派给 {task.assignee.display_name}。", "success")
    return redirect(url_for("web.task_page", task_id=task_id))


def _people(task) -> dict:
    """Whom a form may name (`x-choose`): 承办人 are the unit's enforcement officers (case handlers with their
    certificates, 行政处罚法 Art 42), by name; never its reviewers, committee members or system accounts."""
    return {"officers": [(u.username, u.display_name)
                         for u in unit_members_with_role(task.unit_id, Role.case_handler.value)]}


def _unit_users(task) -> list:
    return unit_members(task.unit_id)


def _submitted(task, schema):
    """A completed task shows what was submitted (from the audit trail), read-only."""
    if task.status != TaskStatus.completed.value:
        return None
    event = task_completion(task.instance_id, task.id)
    if event is None:
        return None
    return build_fields(schema, (event.details or {}).get("data") or {}, {}, tz(), people=_people(task))


def _names(fields) -> set[str]:
    names = set()
    for f in fields:
        names.add(f.name)
        names |= _names(f.children)
        for row in f.rows:
            names |= _names(row)
    return names


@bp.route("/tasks/<int:task_id>", methods=["GET"])
@login_required
def task_page(task_id):
    task = get_visible_task(me(), task_id)
    schema = load_form(setting("FORMS_DIR"), task.form_id) if task.form_id else {}
    # The form opens with what the case already knows (e.g. the party recorded at filing) — except a sign-off
    # (x-sign-off: a legal review, an approval, a vote), which is entered afresh: a second round must not open
    # with the first round's answers already filled in.
    data = (task.instance.data or {}) if task.status == TaskStatus.ready.value else {}
    if schema.get("x-sign-off"):
        data = {k: v for k, v in data.items() if k not in schema.get("properties", {})}
    elif task.status == TaskStatus.ready.value:
        data = registry().prefilled(task, data)  # what the case holds under another name (e.g. the filing summary)
    # What the task's domain adds to its form, as the API's task detail does (the 公示 draft to review).
    view = registry().view_for(task.instance.process_id, task.bpmn_id)
    if view is not None and task.status == TaskStatus.ready.value:
        data = {**data, **view(task)}
    return _render(task, schema, data, {})


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@login_required
def complete(task_id):
    user = me()
    task = get_visible_task(user, task_id)
    schema = load_form(setting("FORMS_DIR"), task.form_id) if task.form_id else {}
    data = decode_form(schema, request.form, tz())
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    try:
        task_ops.complete_task(user, task_id, data, version)
    except ValidationFailed as exc:
        discard()  # the page shows the task as it was before the attempt
        task = get_visible_task(user, task_id)
        return _render(task, schema, data, exc.details, exc.message, status=422)
    flash(f"「{task.name}」已办结。", "success")
    case = case_for_instance(task.instance_id)
    return redirect(url_for("web.case_page", case_id=case.id) if case else url_for("web.inbox"))
