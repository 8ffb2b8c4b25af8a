"""Case pages: the list, filing a case, and one case with its process diagram, deadlines and timeline."""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.services import clock
from ..extensions import db
from ..modules.cases import operations as case_ops
from ..modules.cases import queries
from ..modules.cases.schemas import FileCaseArgs
from ..modules.deadlines.queries import working_days_left
from ..modules.tasks.models import TaskStatus
from .common import CASE_STATUS_NAMES, SOURCE_NAMES, Pager, bp, me, page_number

# What the timeline calls each audited action.
ACTION_NAMES = {
    "case_filed": "登记案件", "process_started": "流程启动", "process_completed": "流程结束",
    "task_created": "生成任务", "task_claimed": "认领任务", "task_released": "退回任务", "task_reassigned": "改派任务",
    "task_completed": "办结任务", "task_cancelled": "任务撤销", "timer_fired": "期限届满", "timer_failed": "定时执行失败",
    "timer_rescheduled": "期限调整", "timer_retried": "重试定时", "alert_raised": "发出预警/督办",
    "deadline_extended": "延期", "case_suspended": "中止", "case_resumed": "恢复",
}


@bp.route("/cases")
@login_required
def case_list():
    user = me()
    now = clock().now()
    status = request.args.get("status") or None
    if status not in CASE_STATUS_NAMES:
        status = None
    overdue = request.args.get("overdue") == "1" or None
    pager = Pager(page_number(), 0)
    cases, pager.total = queries.list_cases(user, status=status, overdue=overdue, now=now, limit=pager.per_page,
                                            offset=pager.offset)
    return render_template("cases.html", cases=cases, pager=pager, status=status, overdue=overdue,
                           status_names=CASE_STATUS_NAMES, source_names=SOURCE_NAMES)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def file_case():
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("source", "party_name", "party_type", "summary")}
        try:
            args = FileCaseArgs().load(values)
        except ValidationError as exc:
            errors = exc.messages
        else:
            case = case_ops.file_case(me(), **args)
            db.session.commit()
            flash(f"案件 {case.case_number} 已登记，请办理立案登记。", "success")
            return redirect(url_for("web.case_page", case_id=case.id))
    return render_template("case_new.html", errors=errors, values=values, source_names=SOURCE_NAMES), \
        (422 if errors else 200)


@bp.route("/cases/<int:case_id>")
@login_required
def case_page(case_id):
    user = me()
    case = queries.get_case(user, case_id)
    now = clock().now()
    tasks = queries.case_tasks(case)
    open_tasks = [t for t in tasks if t.status == TaskStatus.ready.value]
    fired = queries.fired_timer_steps(case)
    # The diagram's markers: steps done, steps open now, open steps past their deadline.
    markers = {
        "completed": sorted({t.bpmn_id for t in tasks if t.status == TaskStatus.completed.value} | set(fired)),
        "active": sorted({t.bpmn_id for t in open_tasks}),
        "overdue": sorted({t.bpmn_id for t in open_tasks if t.due_at and t.due_at <= now}),
    }
    deadlines = queries.deadlines(case, include_fired=True)
    for d in deadlines:
        d["days_left"] = working_days_left(d["due_at"], now)
    return render_template(
        "case.html", case=case, tasks=tasks, open_tasks=open_tasks, deadlines=deadlines, now=now,
        timeline=queries.timeline(case), surcharge=queries.surcharge(case, now), markers=markers,
        data=case.instance.data or {}, status_names=CASE_STATUS_NAMES, source_names=SOURCE_NAMES,
        action_names=ACTION_NAMES, days_left={t.id: working_days_left(t.due_at, now) for t in open_tasks})


@bp.route("/cases/<int:case_id>/diagram.bpmn")
@login_required
def case_diagram(case_id):
    """The BPMN file of the version the case runs on (the definition stores its source files)."""
    case = queries.get_case(me(), case_id)
    definition = case.instance.definition
    pattern = re.compile(rf'<(?:bpmn:)?process[^>]*\bid="{re.escape(definition.process_id)}"')
    for name, text in sorted((definition.source_files or {}).items()):
        if name.endswith(".bpmn") and pattern.search(text):
            return Response(text, mimetype="application/xml")
    abort(404)
