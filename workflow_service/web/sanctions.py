"""The toolbox pages, continued (issue 20): production suspensions and licence actions, the credit list
(严重失信主体名单), typical cases (典型案例). The modules decide who may and what is accepted."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.services import clock
from ..modules.credit import operations as credit_ops
from ..modules.credit import queries as credit_queries
from ..modules.credit.models import CREDIT_GROUNDS
from ..modules.credit.models import STATUS_LABELS as CREDIT_STATUS
from ..modules.credit.schemas import ListCompanyArgs, RepairApplicationArgs, RepairDecisionArgs
from ..modules.suspensions import operations as suspension_ops
from ..modules.suspensions import queries as suspension_queries
from ..modules.suspensions.models import ACTION_LABELS as LICENCE_ACTION_LABELS
from ..modules.suspensions.models import CLOSURE_GROUNDS
from ..modules.suspensions.models import STATUS_LABELS as SUSPENSION_STATUS
from ..modules.suspensions.schemas import (ApplicationArgs, ClosureAnswerArgs, ClosureRequestArgs, LicenceActionArgs,
                                           LiftArgs, OrderSuspensionArgs)
from ..modules.typical import operations as typical_ops
from ..modules.typical import queries as typical_queries
from ..modules.typical.schemas import MarkTypicalArgs
from ..modules.users.models import Role
from .common import Pager, bp, is_supervisor, me, page_number
from .toolbox import aware_input, submit_form


# -- production suspensions (责令停产停业整顿) and licence actions -------------------------------------------------
def _render_suspension(suspension_id, errors=None, message=None, status=200):
    user = me()
    row = suspension_queries.detail(suspension_ops.get_suspension(user, suspension_id))
    own = row.unit_id == user.unit_id
    return render_template(
        "suspension.html", row=row, now=clock().now(), status_names=SUSPENSION_STATUS, grounds=CLOSURE_GROUNDS,
        errors=errors or {}, message=message, form=request.form if request.method == "POST" else {},
        may_apply=own and user.has_role(Role.case_handler) and row.status == "suspended",
        is_head=own and is_supervisor(user)), status


@bp.route("/suspensions")
@login_required
def suspension_list():
    pager = Pager(page_number(), 0)
    rows, pager.total = suspension_queries.list_suspensions(me(), limit=pager.per_page, offset=pager.offset)
    return render_template("suspensions.html", rows=rows, pager=pager, status_names=SUSPENSION_STATUS,
                           may_order=me().has_role(Role.case_handler))


@bp.route("/suspensions/new", methods=["GET", "POST"])
@login_required
def order_suspension():
    user = me()
    if not user.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可下达停产停业整顿决定 (only case handlers)")
    errors, message = {}, None
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("party_name", "legal_basis", "scope", "suspend_until")}
        row, errors, message = submit_form(lambda: suspension_ops.order_suspension(
            user, **OrderSuspensionArgs().load(values)), "停产停业整顿决定不完整，请检查标出的项目。")
        if row is not None:
            flash("已下达责令停产停业整顿决定。", "success")
            return redirect(url_for("web.suspension_page", suspension_id=row.id))
    return render_template("suspension_new.html", errors=errors, message=message,
                           form=request.form if request.method == "POST" else {}), (422 if errors or message else 200)


@bp.route("/suspensions/<int:suspension_id>")
@login_required
def suspension_page(suspension_id):
    return _render_suspension(suspension_id)


@bp.route("/suspensions/<int:suspension_id>/<any(application, lift, closure_request, closure_answer):step>",
          methods=["POST"])
@login_required
def suspension_step(suspension_id, step):
    user = me()
    form = request.form
    if step == "application":
        action = lambda: suspension_ops.apply_to_resume(user, suspension_id, **ApplicationArgs().load(
            {"applied_at": aware_input(form.get("applied_at")), "note": form.get("note", "")}))
    elif step == "lift":
        action = lambda: suspension_ops.lift_suspension(user, suspension_id, **LiftArgs().load(
            {"lifted_at": aware_input(form.get("lifted_at")), "note": form.get("note", "")}))
    elif step == "closure_request":
        action = lambda: suspension_ops.request_closure(user, suspension_id, **ClosureRequestArgs().load(
            {k: form.get(k, "").strip() for k in ("ground", "government", "reason")}))
    else:
        action = lambda: suspension_ops.record_closure_answer(user, suspension_id, **ClosureAnswerArgs().load(
            {"approved": form.get("approved") == "true", "answered_at": aware_input(form.get("answered_at")),
             "note": form.get("note", "")}))
    row, errors, message = submit_form(action, "请检查标出的项目。", (ValidationFailed, Conflict))
    if row is not None:
        flash("已办结。", "success")
        return redirect(url_for("web.suspension_page", suspension_id=suspension_id))
    return _render_suspension(suspension_id, errors, message, 409 if message and not errors else 422)


@bp.route("/licence-actions", methods=["GET", "POST"])
@login_required
def licence_actions():
    user = me()
    errors, message, status = {}, None, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("action", "legal_basis")}
        values["suspend_until"] = request.form.get("suspend_until") or None
        try:
            licence_id = int(request.form.get("licence_id", ""))
        except ValueError:
            licence_id = 0
        row, errors, message = submit_form(lambda: suspension_ops.act_on_licence(
            user, licence_id, **LicenceActionArgs().load(values)), "请检查标出的项目。",
            (ValidationFailed, Conflict, NotFound))
        if row is not None:
            flash(f"已{LICENCE_ACTION_LABELS[row.action]}许可证 {row.licence.number}。", "success")
            return redirect(url_for("web.licence_actions"))
        status = 422
    pager = Pager(page_number(), 0)
    rows, pager.total = suspension_queries.list_licence_actions(user, limit=pager.per_page, offset=pager.offset)
    return render_template("licence_actions.html", rows=rows, pager=pager, labels=LICENCE_ACTION_LABELS,
                           licences=suspension_queries.actionable_licences(user) if is_supervisor(user) else [],
                           errors=errors, message=message, form=request.form if request.method == "POST" else {}), status


# -- the credit list (严重失信主体名单) -----------------------------------------------------------------------
def _render_credit(errors=None, message=None, status=200):
    user = me()
    pager = Pager(page_number(), 0)
    rows, pager.total = credit_queries.list_entries(user, limit=pager.per_page, offset=pager.offset)
    head = is_supervisor(user)
    return render_template("credit.html", rows=rows, pager=pager, grounds=CREDIT_GROUNDS, statuses=CREDIT_STATUS,
                           cases=credit_queries.decided_cases(user) if head else [], is_head=head,
                           is_officer=head or user.has_role(Role.case_handler), unit_id=user.unit_id,
                           errors=errors or {}, message=message), status


@bp.route("/credit")
@login_required
def credit_list():
    return _render_credit()


@bp.route("/credit", methods=["POST"])
@login_required
def credit_action():
    user = me()
    form = request.form
    kind = form.get("form")
    try:
        entry_id = int(form.get("entry_id", "0"))
    except ValueError:
        entry_id = 0
    if kind == "list":
        action = lambda: credit_ops.list_company(user, **ListCompanyArgs().load(
            {k: form.get(k, "").strip() for k in ("case_id", "ground", "facts")}))
    elif kind == "repair_application":
        action = lambda: credit_ops.apply_for_repair(user, entry_id, **RepairApplicationArgs().load(
            {"applied_at": aware_input(form.get("applied_at")), "statement": form.get("statement", "").strip()}))
    else:
        action = lambda: credit_ops.decide_repair(user, entry_id, **RepairDecisionArgs().load(
            {"approved": form.get("approved") == "true", "note": form.get("note", "")}))
    row, errors, message = submit_form(action, "请检查标出的项目。", (ValidationFailed, Conflict, NotFound))
    if row is not None:
        flash("已办结。", "success")
        return redirect(url_for("web.credit_list"))
    return _render_credit(errors, message, 409 if message and not errors else 422)


@bp.route("/xinyong/")
def credit_public():
    """严重失信主体名单公示: no login; entries within their period only."""
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    party = (request.args.get("party") or "").strip()[:200] or None
    rows, total = credit_queries.public_entries(clock().now(), party=party, limit=20, offset=(page - 1) * 20)
    return render_template("credit_public.html", rows=rows, total=total, party=party or "", grounds=CREDIT_GROUNDS)


# -- typical cases (典型案例) -----------------------------------------------------------------------------------
def _render_typical(errors=None, message=None, status=200):
    user = me()
    head = is_supervisor(user)
    cases, _ = typical_queries.list_typical(user, limit=100)
    reports, _ = typical_queries.list_reports(user, limit=50)
    return render_template("typical.html", cases=cases, reports=reports, is_head=head, now=clock().now(),
                           closed=typical_queries.closed_cases(user) if head else [], errors=errors or {},
                           message=message, unit_id=user.unit_id), status


@bp.route("/typical")
@login_required
def typical_list():
    return _render_typical()


@bp.route("/typical", methods=["POST"])
@login_required
def typical_action():
    user = me()
    form = request.form
    kind = form.get("form")
    if kind == "mark":
        action = lambda: typical_ops.mark_typical(user, **MarkTypicalArgs().load(
            {k: form.get(k, "").strip() for k in ("case_id", "title", "write_up")}))
    elif kind == "open":
        action = lambda: typical_ops.open_my_period(user)
    else:
        try:
            report_id = int(form.get("report_id", "0"))
        except ValueError:
            report_id = 0
        action = lambda: typical_ops.submit_report(user, report_id, form.get("note", ""))
    row, errors, message = submit_form(action, "请检查标出的项目。", (ValidationFailed, Conflict, NotFound))
    if row is not None:
        flash("已办结。", "success")
        return redirect(url_for("web.typical_list"))
    return _render_typical(errors, message, 409 if message and not errors else 422)
