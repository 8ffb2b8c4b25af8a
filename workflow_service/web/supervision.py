"""The supervisors' dashboard (督办): overdue escalations and warnings by unit and level, approvals waiting,
criminal transfers with their next deadline, zero-case and zero-penalty units and the statistics of a period
with charts and exports; and verifying a case's audit chain."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from ..core.errors import Forbidden, ServiceError
from ..core.services import clock
from ..core.workdays import SHANGHAI
from ..modules.alerts.queries import alert_counts_by_unit, alerts_for
from ..modules.cases.audit import verify_audit_chain
from ..modules.cases.queries import get_case
from ..modules.enterprises.plan_models import KIND_LABELS
from ..modules.enterprises.plans import plans_behind
from ..modules.statistics.queries import unit_statistics
from ..modules.transfers.queries import list_transfers
from .charts import bar_chart
from .common import LEVEL_NAMES, UNIT_LEVEL_NAMES, Pager, bp, chinese, is_supervisor, me, page_number
from .inbox import task_rows

CHAIN_PROBLEMS = {"altered": "事件内容被改动", "relinked": "前一事件被改写后重新计算哈希", "missing": "事件被删除",
                  "truncated": "链尾事件被删除", "duplicate": "序号重复", "head_mismatch": "链头与最后一个事件不符"}


def _require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise Forbidden("仅负责人可查看督办 (supervisors only)")


def _period() -> str:
    period = (request.args.get("period") or "").strip()[:10]
    return period or clock().now().astimezone(SHANGHAI).strftime("%Y-%m")


def statistics_view(user, period: str) -> dict:
    """The statistics of the period for the page: the table, the flagged units and two charts."""
    try:
        stats = unit_statistics(user, period, None, clock().now())
    except ServiceError as exc:
        return {"stats": None, "stats_error": chinese(exc.message), "period": period}
    rows = stats["rows"]
    labels = [r["unit_name"] for r in rows]
    f = [r["figures"] for r in rows]
    return {
        "stats": stats, "stats_error": None, "period": period,
        "zero_units": [r for r in rows if r["flags"]["zero_filing"] or r["flags"]["zero_penalty"]],
        "chart_cases": bar_chart("立案、处罚决定与结案数（按单位，含下级）", labels, [
            ("立案数", [x["cases_filed"] for x in f]), ("处罚决定数", [x["penalty_decisions"] for x in f]),
            ("结案数", [x["cases_closed"] for x in f])]),
        "chart_fines": bar_chart("罚款金额（元）", labels, [
            ("罚款金额（元）", [x["fines_yuan"] for x in f])], money=True),
        "chart_overdue": bar_chart("逾期任务与督办", labels, [
            ("逾期任务数", [x["overdue_tasks"] for x in f]), ("督办数", [x["escalations"] for x in f])]),
        "main_columns": [c for c in stats["columns"] if c["key"] in (
            "cases_filed", "cases_closed", "penalty_decisions", "fines_yuan", "no_penalty_decisions", "overdue_tasks",
            "escalations", "transfers", "rectification_orders_issued", "rectification_rate")],
    }


@bp.route("/supervision")
@login_required
def supervision():
    user = me()
    _require_supervisor(user)
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
    transfer_pager = Pager(page_number("transfer_page"), 0, per_page=10, arg="transfer_page")
    transfers, transfer_pager.total = list_transfers(user, status="pending", limit=transfer_pager.per_page,
                                                     offset=transfer_pager.offset)
    return render_template("supervision.html", now=now, counts=alert_counts_by_unit(user), alerts=alerts,
                           alert_pager=alert_pager, approvals=task_rows(approvals, now),
                           approval_pager=approval_pager, level=level, unit_id=unit_id,
                           unit_level_names=UNIT_LEVEL_NAMES, transfers=transfers, transfer_pager=transfer_pager,
                           plans_behind=plans_behind(user, now.astimezone(SHANGHAI).date()),
                           plan_kinds=KIND_LABELS, **statistics_view(user, _period()))


@bp.route("/supervision/audit")
@login_required
def audit_verify():
    """校验审计链: a supervisor re-hashes one case's chain of events (the operation checks the unit tree)."""
    user = me()
    _require_supervisor(user)
    report, case, error = None, None, None
    raw = (request.args.get("case_id") or "").strip()
    if raw:
        try:
            case = get_case(user, int(raw))
        except ValueError:
            error = "请输入案件序号（数字）。"
        else:
            report = verify_audit_chain(user, case_id=case.id)
    return render_template("audit_verify.html", report=report, case=case, error=error, raw=raw,
                           problems=CHAIN_PROBLEMS)
