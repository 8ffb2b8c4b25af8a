from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import setting
from ..core.forms import load_form
from ..modules.documents.operations import task_documents
from ..modules.documents.review import returned_opinion
from ..modules.steps import tasks as task_ops
from ..modules.tasks.models import TaskStatus
from ..core.registry import registry
from ..modules.tasks.queries import get_visible_task, list_tasks
from ..modules.tasks.schemas import (CompleteArgs, ReassignArgs, TaskDetailSchema, TaskListArgs, TaskPageSchema,
                                     TaskSchema, VersionArgs)
from .auth import current_api_user

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="待办任务 (task queues)")


@blp.route("", methods=["GET"])
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskPageSchema)
def task_list(args):
    """`scope=mine`: tasks assigned to me; `scope=available`: unclaimed tasks of my roles in my unit."""
    user = current_api_user()
    items, total = list_tasks(user, args["scope"], limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:task_id>", methods=["GET"])
@blp.response(200, TaskDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def task_detail(task_id):
    """A task with its form (JSON Schema) and current data."""
    user = current_api_user()
    task = get_visible_task(user, task_id)
    task.form = load_form(setting("FORMS_DIR"), task.form_id) if task.form_id else {}
    # Read from the projected process data: opening a task never deserializes its workflow.
    task.data = (task.instance.data or {}) if task.status == TaskStatus.ready.value else {}
    view = registry().view_for(task.instance.process_id, task.bpmn_id)
    if view is not None and task.status == TaskStatus.ready.value:
        task.data = {**task.data, **view(task)}
    if task.status == TaskStatus.ready.value and not task.form.get("x-sign-off"):
        task.data = registry().prefilled(task, task.data)  # what the case holds under another name
    # An approver sees the document being approved, as it will be issued (a drafting handler: as drafted), and
    # a handler whose draft was sent back sees why.
    task.documents = task_documents(task) if task.status == TaskStatus.ready.value else []
    returned = returned_opinion(task)
    task.returned = {**returned, "at": returned["at"].isoformat() if returned["at"] else None} if returned else None
    return task


@blp.route("/<int:task_id>/claim", methods=["POST"])
@blp.arguments(VersionArgs)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def claim(args, task_id):
    """Take an unclaimed task of one of my roles in my unit."""
    return task_ops.claim_task(current_api_user(), task_id, args["version"])


@blp.route("/<int:task_id>/release", methods=["POST"])
@blp.arguments(VersionArgs)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def release(args, task_id):
    """Give a claimed task back to the queue."""
    return task_ops.release_task(current_api_user(), task_id, args["version"])


@blp.route("/<int:task_id>/reassign", methods=["POST"])
@blp.arguments(ReassignArgs)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def reassign(args, task_id):
    """A supervisor assigns the task to another user of their unit tree who has the task's role."""
    return task_ops.reassign_task(current_api_user(), task_id, args["assignee"], args["version"])


@blp.route("/<int:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteArgs)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def complete(args, task_id):
    """Submit the task's form; validated against its JSON Schema on the server. The answer is dumped from the
    rows as the completion wrote them, before the request commits (core/transaction.py): nothing is read back."""
    return task_ops.complete_task(current_api_user(), task_id, args["data"], args["version"])
