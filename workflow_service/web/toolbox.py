"""The rest of the enforcement toolbox in the browser (issue 20): on-the-spot penalties (简易程序), discretion
benchmarks (裁量基准), reconsiderations and lawsuits (行政复议/行政诉讼); the rest is in web/sanctions.py. The modules
decide who may and what is accepted; decisions, 备案 and payment are tasks, done on the task page."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.errors import Conflict, Forbidden, ValidationFailed
from ..core.services import clock
from ..modules.cases import queries as case_queries
from ..modules.challenges import operations as challenge_ops
from ..modules.challenges import queries as challenge_queries
from ..modules.challenges.models import KIND_LABELS, RESULT_LABELS
from ..modules.challenges.schemas import ChallengeResultArgs, RecordChallengeArgs
from ..modules.discretion import operations as discretion_ops
from ..modules.discretion import queries as discretion_queries
from ..modules.discretion.models import CIRCUMSTANCE_LABELS, LIST_LABELS
from ..modules.discretion.schemas import ImportBenchmarkArgs
from ..modules.enterprises.importing import MAX_BYTES
from ..modules.simple_procedure import operations as simple_ops
from ..modules.simple_procedure import queries as simple_queries
from ..modules.simple_procedure.schemas import OpenSimpleArgs
from ..modules.users.models import Role
from ..modules.users.provinces import province_code
from .common import Pager, bp, is_supervisor, me, page_number
from .enforcement import _submit

submit_form = _submit  # the pages' one way to run a form (web/sanctions.py uses it too)

SIMPLE_STATUS_NAMES = {"recording": "待当场决定", "decided": "已决定（待备案/缴款）", "closed": "已办结",
                       "converted": "已转一般程序"}
PENALTY_NAMES = {"warning": "警告", "fine": "罚款"}
PAYMENT_NAMES = {"on_the_spot": "当场收缴", "bank": "十五日内到银行缴纳"}
_SIMPLE_LABELS = {"party_name": "当事人", "party_type": "当事人类型", "place": "现场地点", "officers": "执法人员",
                  "violation_description": "违法行为", "provision": "违反的规定", "facts": "现场查明的事实"}


@bp.route("/toolbox")
@login_required
def toolbox():
    """执法工具: the pages of the rest of the toolbox, those the user's roles use first."""
    user = me()
    return render_template("toolbox.html", handler=user.has_role(Role.case_handler), supervisor=is_supervisor(user),
                           admin=user.has_role(Role.admin))


@bp.route("/simple-penalties")
@login_required
def simple_list():
    status = request.args.get("status") if request.args.get("status") in SIMPLE_STATUS_NAMES else None
    pager = Pager(page_number(), 0)
    rows, pager.total = simple_queries.list_penalties(me(), status=status, limit=pager.per_page, offset=pager.offset)
    return render_template("simple_penalties.html", rows=rows, pager=pager, status=status,
                           status_names=SIMPLE_STATUS_NAMES, penalty_names=PENALTY_NAMES,
                           may_open=me().has_role(Role.case_handler))


@bp.route("/simple-penalties/<int:penalty_id>")
@login_required
def simple_page(penalty_id):
    row = simple_queries.detail(simple_queries.visible_penalty(me(), penalty_id))
    return render_template("simple_penalty.html", row=row, now=clock().now(), status_names=SIMPLE_STATUS_NAMES,
                           penalty_names=PENALTY_NAMES, payment_names=PAYMENT_NAMES,
                           collection_reasons=simple_ops.COLLECTION_REASONS)


def _simple_values(form) -> dict:
    values = {k: form.get(k, "").strip() for k in ("party_name", "party_type", "place", "violation_description",
                                                   "provision", "facts", "credit_code", "address")}
    values = {k: v for k, v in values.items() if v or k in _SIMPLE_LABELS}
    values["officers"] = [{"username": form.get(f"officers.{i}.username", "").strip(),
                           "certificate_number": form.get(f"officers.{i}.certificate_number", "").strip()}
                          for i in range(2) if form.get(f"officers.{i}.username", "").strip()]
    return values


@bp.route("/simple-penalties/new", methods=["GET", "POST"])
@login_required
def open_simple():
    user = me()
    if not user.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可适用简易程序 (only case handlers impose penalties on the spot)")
    errors, message = {}, None
    form = request.form if request.method == "POST" else {"officers.0.username": user.username}
    if request.method == "POST":
        row, errors, message = _submit(
            lambda: simple_ops.open_record(user, **OpenSimpleArgs().load(_simple_values(request.form))),
            "当场处罚记录不完整，请检查标出的项目。")
        if row is not None:
            flash(f"已记录 {row.case.case_number}：请当场作出决定，或转为一般程序。", "success")
            return redirect(url_for("web.simple_page", penalty_id=row.id))
    return render_template("simple_penalty_new.html", errors=errors, message=message, form=form,
                           labels=_SIMPLE_LABELS, limits=simple_ops.SPOT_FINE_LIMITS), (422 if errors or message else 200)


# -- discretion benchmarks (裁量基准) ---------------------------------------------------------------------------
@bp.route("/discretion")
@login_required
def discretion_list():
    user = me()
    return render_template("discretion.html", benchmarks=discretion_queries.list_benchmarks(),
                           may_import=user.has_role(Role.admin), province=province_code(user.unit),
                           errors={}, form={}, selected=None, labels=CIRCUMSTANCE_LABELS, list_labels=LIST_LABELS)


@bp.route("/discretion/<int:benchmark_id>")
@login_required
def discretion_page(benchmark_id):
    user = me()
    return render_template("discretion.html", benchmarks=discretion_queries.list_benchmarks(),
                           may_import=user.has_role(Role.admin), province=province_code(user.unit), errors={},
                           form={}, selected=discretion_ops.get_benchmark(benchmark_id), labels=CIRCUMSTANCE_LABELS,
                           list_labels=LIST_LABELS)


@bp.route("/discretion/import", methods=["POST"])
@login_required
def import_discretion():
    user = me()
    upload = request.files.get("file")
    form = {k: request.form[k] for k in ("jurisdiction", "title", "basis", "effective_from") if k in request.form}
    row_errors = []

    def run():
        args = ImportBenchmarkArgs().load({**form, "file": upload} if upload else form)
        file = args.pop("file")
        try:
            return discretion_ops.import_benchmark(user, filename=file.filename or "",
                                                   data=file.stream.read(MAX_BYTES + 1), **args)
        except ValidationFailed as exc:
            row_errors.extend((exc.details or {}).get("rows") or [])
            raise

    benchmark, errors, message = _submit(run, "导入失败，请检查标出的项目。")
    if benchmark is not None:
        flash(f"已导入第 {benchmark.version} 版裁量基准（{len(benchmark.items)} 项违法行为，{len(benchmark.entries)} 项清单）。",
              "success")
        return redirect(url_for("web.discretion_page", benchmark_id=benchmark.id))
    errors.pop("rows", None)
    return render_template("discretion.html", benchmarks=discretion_queries.list_benchmarks(),
                           may_import=user.has_role(Role.admin), province=province_code(user.unit), errors=errors,
                           row_errors=row_errors, message=message, form=request.form, selected=None,
                           labels=CIRCUMSTANCE_LABELS, list_labels=LIST_LABELS), 422


# -- reconsiderations and lawsuits (行政复议/行政诉讼) ----------------------------------------------------------
@bp.route("/challenges")
@login_required
def challenge_list():
    status = request.args.get("status") if request.args.get("status") in ("pending", "concluded") else None
    pager = Pager(page_number(), 0)
    rows, pager.total = challenge_queries.list_challenges(me(), status=status, limit=pager.per_page,
                                                          offset=pager.offset)
    return render_template("challenges.html", rows=rows, pager=pager, status=status, kinds=KIND_LABELS,
                           results=RESULT_LABELS)


def _render_case_challenges(case_id, errors=None, message=None, status=200):
    user = me()
    case = case_queries.get_case(user, case_id)
    own = case.unit_id == user.unit_id
    return render_template(
        "case_challenges.html", case=case, rows=challenge_ops.challenges_of(case.id), kinds=KIND_LABELS,
        results=RESULT_LABELS, errors=errors or {}, message=message,
        form=request.form if request.method == "POST" else {},
        may_record=own and any(user.has_role(r) for r in challenge_ops.RECORDER_ROLES),
        may_conclude=own and any(user.has_role(r) for r in challenge_ops.RESULT_ROLES),
        surcharge=case_queries.surcharge(case, clock().now())), status


@bp.route("/cases/<int:case_id>/challenges")
@login_required
def case_challenges(case_id):
    return _render_case_challenges(case_id)


def aware_input(value: str):
    """A datetime-local value from a page, in the service's time zone."""
    text = (value or "").strip()
    if not text:
        return text
    return text + (":00" if len(text) == 16 else "") + "+08:00"


@bp.route("/cases/<int:case_id>/challenges", methods=["POST"])
@login_required
def record_challenge(case_id):
    user = me()
    values = {k: request.form.get(k, "").strip() for k in ("kind", "body", "note")}
    values["filed_at"] = aware_input(request.form.get("filed_at"))
    row, errors, message = _submit(lambda: challenge_ops.record_challenge(
        user, case_id, **RecordChallengeArgs().load(values)), "登记有误，请检查标出的项目。", (ValidationFailed, Conflict))
    if row is not None:
        flash(f"已登记{KIND_LABELS[row.kind]}（{row.body}）：复议、诉讼期间不计算加处罚款，暂不申请强制执行。", "success")
        return redirect(url_for("web.case_challenges", case_id=case_id))
    return _render_case_challenges(case_id, errors, message, 422)


@bp.route("/challenges/<int:challenge_id>/result", methods=["POST"])
@login_required
def record_challenge_result(challenge_id):
    user = me()
    row = challenge_ops.get_challenge(user, challenge_id)
    values = {k: request.form.get(k, "").strip() for k in ("result", "note")}
    values["decided_at"] = aware_input(request.form.get("decided_at"))
    done, errors, message = _submit(lambda: challenge_ops.record_result(
        user, challenge_id, **ChallengeResultArgs().load(values)), "登记有误，请检查标出的项目。", (ValidationFailed, Conflict))
    if done is not None:
        flash(f"已登记结果：{RESULT_LABELS[done.result]}。" + ("已启动撤回公示（3个工作日内）。" if done.disclosure_id else ""),
              "success")
        return redirect(url_for("web.case_challenges", case_id=row.case_id))
    return _render_case_challenges(row.case_id, errors, message, 422)
