"""The supervisors' dashboard (督办): overdue escalations and warnings by unit and level, approvals waiting."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from ..core.errors import Forbidden
from ..core.services import clock
from ..modules.alerts.queries import alert_counts_by_unit, alerts_for
from .common import LEVEL_NAMES, UNIT_LEVEL_NAMES, Pager, bp, is_supervisor, me, page_number
from .inbox import task_rows


@bp.route("/supervision")
@login_required
def supervision():
    user = me()
    if not is_supervisor(user):
        raise Forbidden("仅负责人可查看督办 (supervisors only)")
    now = clock().now()
    level = request.args.get("level") if request.args.get("level") in LEVEL_NAMES else None
    try:
        unit_id = int(request.args["unit_id"]) if request.args.get("unit_id") else None
    except ValueError:
        unit_id = None
    from ..modules.tasks.queries import approvals_waiting

    alert_pager = Pager(page_number("alert_page"), 0, arg="alert_page")
    alerts, alert_pager.total = alerts_for(user, scope="units", level=level, unit_id=unit_id,
                                           limit=alert_pager.per_page, offset=alert_pager.offset)
    approval_pager = Pager(page_number("approval_page"), 0, per_page=10, arg="approval_page")
    approvals, approval_pager.total = approvals_waiting(user, limit=approval_pager.per_page,
                                                        offset=approval_pager.offset)
    return render_template("supervision.html", now=now, counts=alert_counts_by_unit(user), alerts=alerts,
                           alert_pager=alert_pager, approvals=task_rows(approvals, now),
                           approval_pager=approval_pager, level=level, unit_id=unit_id,
                           unit_level_names=UNIT_LEVEL_NAMES)
