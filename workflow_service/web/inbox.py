"""The task inbox (待办): my tasks and my roles' unclaimed tasks, overdue first, with claim and release."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.services import clock
from ..modules.alerts.queries import alerts_for
from ..modules.cases.operations import extension_requests
from ..modules.deadlines.queries import working_days_left
from ..modules.steps import tasks as task_ops
from ..modules.tasks.queries import list_tasks
from ..modules.tasks.schemas import TaskSchema
from .common import Pager, bp, me, page_number

_RULES = TaskSchema()


def task_rows(tasks, now) -> list[dict]:
    """What a queue row shows: the task, its due rule with the legal basis, and working days left."""
    return [{"task": t, "rule": _RULES._due_rule(t), "days_left": working_days_left(t.due_at, now),
             "overdue": bool(t.due_at and t.due_at <= now)} for t in tasks]


@bp.route("/")
@login_required
def inbox():
    user = me()
    now = clock().now()
    mine_pager = Pager(page_number("mine_page"), 0, arg="mine_page")
    available_pager = Pager(page_number("available_page"), 0, arg="available_page")
    mine, mine_pager.total = list_tasks(user, "mine", limit=mine_pager.per_page, offset=mine_pager.offset)
    available, available_pager.total = list_tasks(user, "available", limit=available_pager.per_page,
                                                  offset=available_pager.offset)
    alerts, alerts_total = alerts_for(user, limit=10)
    extensions = [{"request": r, "days_left": working_days_left(r.due_at, now), "overdue": r.due_at <= now}
                  for r in extension_requests(user)]
    return render_template("inbox.html", user=user, now=now, mine=task_rows(mine, now), extensions=extensions,
                           available=task_rows(available, now), alerts=alerts, alerts_total=alerts_total,
                           mine_total=mine_pager.total, available_total=available_pager.total,
                           mine_pager=mine_pager, available_pager=available_pager)


def _version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    task_ops.claim_task(me(), task_id, _version())
    flash("已认领，请办理。", "success")
    return redirect(url_for("web.task_page", task_id=task_id))


@bp.route("/tasks/<int:task_id>/release", methods=["POST"])
@login_required
def release(task_id):
    task_ops.release_task(me(), task_id, _version())
    flash("已退回待认领队列。", "success")
    return redirect(url_for("web.inbox"))
