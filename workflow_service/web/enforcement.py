"""Rectification orders (责令限期整改) and criminal transfers (涉嫌犯罪案件移送) in the browser: lists and detail
pages, issuing an order, recording the police's answer. The modules decide who may and what is accepted."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.services import clock, setting
from ..core.transaction import discard
from ..extensions import db
from ..modules.cases import queries as case_queries
from ..modules.cases.queries import deadlines, open_tasks
from ..modules.rectification import operations as rect_ops
from ..modules.rectification import queries as rect_queries
from ..modules.rectification.models import RectificationStatus
from ..modules.rectification.schemas import IssueOrderArgs
from ..core.forms import load_form
from ..modules.transfers import operations as transfer_ops
from ..modules.transfers import queries as transfer_queries
from ..modules.transfers.models import CrimeScreening, TransferStatus
from ..modules.transfers.schemas import OpenTransferArgs, PoliceAnswerArgs, ScreeningArgs
from ..modules.transfers.screening import screen
from ..modules.users.models import Role
from .common import Pager, bp, chinese, me, page_number, tz

ORDER_STATUS_NAMES = {"rectifying": "整改中", "reinspection_due": "待复查", "passed": "复查合格", "failed": "复查不合格（已立案）"}
TRANSFER_STATUS_NAMES = {"pending": "移送中", "refused": "不批准移送", "returned": "退回行政处理", "concluded": "已办结"}
STOP_ORDER_NAMES = {k.value: v for k, v in rect_ops.STOP_ORDER_LABELS.items()}
_DANGER_ROWS = 3


def _form_titles(form_id: str, key: str) -> dict:
    schema = load_form(setting("FORMS_DIR"), form_id)
    return {k: v.get("title", k) for k, v in schema["properties"][key]["properties"].items()}


# -- rectification orders -----------------------------------------------------------------------------------
@bp.route("/rectifications")
@login_required
def rectification_list():
    status = request.args.get("status") if request.args.get("status") in ORDER_STATUS_NAMES else None
    pager = Pager(page_number(), 0)
    orders, pager.total = rect_queries.list_orders(me(), status=status, limit=pager.per_page, offset=pager.offset)
    return render_template("rectifications.html", orders=orders, pager=pager, status=status,
                           status_names=ORDER_STATUS_NAMES, may_issue=me().has_role(Role.case_handler))


@bp.route("/rectifications/<int:order_id>")
@login_required
def rectification_page(order_id):
    order = rect_queries.visible_order(me(), order_id)
    offer = (rect_ops.continuing_fine_offer(order, clock().now())
             if order.status == RectificationStatus.failed.value else None)
    user = me()
    return render_template("rectification.html", order=order, tasks=open_tasks(order), deadlines=deadlines(order),
                           offer=offer, now=clock().now(), status_names=ORDER_STATUS_NAMES,
                           stop_names=STOP_ORDER_NAMES,
                           may_screen=user.has_role(Role.case_handler) and user.unit_id == order.unit_id)


def _order_values(form) -> dict:
    dangers = []
    for i in range(_DANGER_ROWS):
        text = form.get(f"hidden_dangers.{i}.description", "").strip()
        if text:
            dangers.append({"description": text, "major": form.get(f"hidden_dangers.{i}.major") == "1",
                            "provision": form.get(f"hidden_dangers.{i}.provision", "").strip() or None})
    values = {k: form.get(k, "").strip() for k in ("party_name", "party_type", "legal_basis", "required_actions",
                                                   "rectify_by")}
    values["hidden_dangers"] = dangers
    if form.get("stop_order.kind"):
        values["stop_order"] = {"kind": form.get("stop_order.kind"), "scope": form.get("stop_order.scope", "").strip()}
    if form.get("fine_imposed", "").strip():
        values["fine_imposed"] = form.get("fine_imposed").strip()
    return values


_ORDER_LABELS = {"party_name": "当事人", "party_type": "当事人类型", "legal_basis": "法律依据", "hidden_dangers": "事故隐患",
                 "required_actions": "整改要求", "rectify_by": "整改期限", "stop_order": "现场处理措施",
                 "fine_imposed": "已作出的罚款"}


def _flatten(messages: dict) -> dict:
    """Nested marshmallow messages → one Chinese line per top-level field."""
    out = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            value = [m for v in value.values() for m in (v if isinstance(v, list) else _flatten(v).values())]
        out[key] = "；".join(str(m) for m in value) if isinstance(value, list) else str(value)
    return out


def _submit(action, incomplete="请检查标出的项目。", refusals=(ValidationFailed,)):
    """Run a page's form submission: (result, {}, None), committed when the request returns, or (None, errors per
    field, message) with nothing changed — marshmallow's refusal of the form, or the operation's (`refusals`)."""
    try:
        result = action()
    except ValidationError as exc:
        discard()
        return None, _flatten(exc.messages), incomplete
    except refusals as exc:
        discard()
        return None, _flatten(getattr(exc, "details", None) or {}), chinese(exc.message)
    return result, {}, None


@bp.route("/rectifications/new", methods=["GET", "POST"])
@login_required
def issue_rectification():
    user = me()
    if not user.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可下达整改指令 (only case handlers issue rectification orders)")
    errors, message = {}, None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        order, errors, message = _submit(
            lambda: rect_ops.issue_order(user, **IssueOrderArgs().load(_order_values(request.form))),
            "整改指令不完整，请检查标出的项目。")
        if order is not None:
            flash(f"已下达责令限期整改指令 {order.order_number}。", "success")
            return redirect(url_for("web.rectification_page", order_id=order.id))
    return render_template("rectification_new.html", errors=errors, message=message, form=form,
                           labels=_ORDER_LABELS, rows=range(_DANGER_ROWS), stop_names=STOP_ORDER_NAMES,
                           today=clock().now().astimezone(tz()).date()), (422 if errors or message else 200)


# -- criminal transfers ---------------------------------------------------------------------------------------
@bp.route("/transfers")
@login_required
def transfer_list():
    status = request.args.get("status") if request.args.get("status") in TRANSFER_STATUS_NAMES else None
    pager = Pager(page_number(), 0)
    transfers, pager.total = transfer_queries.list_transfers(me(), status=status, limit=pager.per_page,
                                                             offset=pager.offset)
    return render_template("transfers.html", transfers=transfers, pager=pager, status=status,
                           status_names=TRANSFER_STATUS_NAMES, now=clock().now(),
                           may_start=me().has_role(Role.case_handler))


def _render_transfer(transfer_id, errors=None, message=None, status=200):
    user = me()
    transfer = transfer_queries.visible_transfer(user, transfer_id)
    transfer_queries.attach_next_deadlines([transfer])
    data = transfer.instance.data or {}
    expected = sorted(transfer_ops.ANSWERS_BY_STAGE.get(transfer.stage, set()))
    may_record = (transfer.status == TransferStatus.pending.value and bool(expected)
                  and user.has_role(Role.case_handler) and user.unit_id == transfer.unit_id)
    return render_template(
        "transfer.html", transfer=transfer, data=data, tasks=open_tasks(transfer), deadlines=deadlines(transfer),
        now=clock().now(), status_names=TRANSFER_STATUS_NAMES, answer_labels=transfer_ops.ANSWER_LABELS,
        expected=expected, may_record=may_record, material_titles=_form_titles("transfer_hand_over", "materials"),
        errors=errors or {}, message=message, form=request.form if request.method == "POST" else {},
    ), status


@bp.route("/transfers/<int:transfer_id>")
@login_required
def transfer_page(transfer_id):
    return _render_transfer(transfer_id)


@bp.route("/transfers/<int:transfer_id>/police-answers", methods=["POST"])
@login_required
def record_police_answer(transfer_id):
    """A handler records the police's (or procuratorate's) answer; the operation checks the stage and the unit."""
    raw = {k: request.form.get(k, "").strip() for k in ("kind", "note", "document_number", "stage", "review_days")}
    answered = request.form.get("answered_at", "").strip()
    values = {k: v for k, v in raw.items() if v or k in ("kind", "note")}
    try:
        if answered:
            values["answered_at"] = datetime.fromisoformat(answered).replace(tzinfo=tz()).isoformat()
        args = PoliceAnswerArgs().load(values)
    except (ValueError, ValidationError) as exc:
        messages = getattr(exc, "messages", {"answered_at": ["时间格式有误"]})
        labels = {"kind": "请选择答复类型", "answered_at": "答复时间格式有误", "note": "说明过长",
                  "document_number": "文书编号过长", "stage": "诉讼阶段过长", "review_days": "审查期限应为3、7或30日"}
        return _render_transfer(transfer_id, {k: labels.get(k, "有误") for k in messages}, "请检查答复内容。", 422)
    try:
        transfer_ops.record_police_answer(me(), transfer_id, **args)
    except (ValidationFailed, Conflict, Forbidden) as exc:
        discard()
        if isinstance(exc, Forbidden):
            raise
        return _render_transfer(transfer_id, _flatten(exc.details) if isinstance(exc, ValidationFailed) else {},
                                chinese(exc.message), exc.status)
    flash(f"已登记：{transfer_ops.ANSWER_LABELS[args['kind']]}。", "success")
    return redirect(url_for("web.transfer_page", transfer_id=transfer_id))


# -- crime screening (涉嫌犯罪筛查) and opening a transfer -------------------------------------------------------
ACTIVITY_NAMES = {"mining": "矿山开采", "metal_smelting": "金属冶炼", "construction": "建筑施工",
                  "dangerous_goods": "危险物品生产、经营、储存", "other": "其他高度危险的生产作业"}
SCREENING_FACTS = {
    "monitoring_disabled": "关闭、破坏直接关系生产安全的监控、报警、防护、救生设备、设施，或者篡改、隐瞒、销毁其相关数据、信息",
    "refused_stop_order": "因存在重大事故隐患被依法责令停产停业、停止施工、停止使用有关设备、设施、场所或者立即采取排除危险的整改措施，而拒不执行",
    "unlicensed_operation": "涉及安全生产的事项未经依法批准或者许可，擅自从事高度危险的生产作业活动",
    # the crimes the December 2026 legal review added (刑法 Art 134(2), 139-1, 229, 125)
    "forced_risky_operation": "强令、组织他人违章冒险作业，或明知存在重大事故隐患而不排除仍冒险组织作业",
    "accident_concealed": "事故发生后负有报告职责的人员不报或者谎报事故情况，贻误事故抢救",
    "false_certificate": "承担安全评价、认证、检测、检验职责的中介组织人员提供虚假证明文件",
    "illegal_explosives": "非法制造、储存爆炸物（含违规生产、储存烟花爆竹及其原材料）",
}


def _source_of(case_id, rectification_id):
    """The case or rectification order a screening or transfer starts from, visible to the user (404 if not)."""
    case = case_queries.get_case(me(), case_id) if case_id else None
    order = rect_queries.visible_order(me(), rectification_id) if rectification_id else None
    return case, order


def _int_arg(source, key):
    """An id from the query or the form; anything else (text, a number no row can have) is no id."""
    value = (source.get(key) or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


@bp.route("/screenings/new", methods=["GET", "POST"])
@login_required
def screening_new():
    user = me()
    if not user.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可进行涉嫌犯罪筛查 (case handlers screen)")
    source = request.form if request.method == "POST" else request.args
    case, order = _source_of(_int_arg(source, "case_id"), _int_arg(source, "rectification_id"))
    errors, message = {}, None
    if request.method == "POST":
        values = {k: request.form.get(k) == "1" for k in SCREENING_FACTS}
        values.update(case_id=case.id if case else None, rectification_id=order.id if order else None,
                      real_danger_facts=request.form.get("real_danger_facts", "").strip(),
                      unlicensed_activity=request.form.get("unlicensed_activity") or None,
                      deaths=request.form.get("deaths", "").strip() or 0,
                      serious_injuries=request.form.get("serious_injuries", "").strip() or 0,
                      direct_loss=request.form.get("direct_loss", "").strip() or 0)
        def run():
            args = ScreeningArgs().load(values)
            facts = {k: args.pop(k) for k in (*SCREENING_FACTS, "unlicensed_activity", "deaths", "serious_injuries",
                                               "direct_loss")}
            return screen(user, facts=facts, **args)

        row, errors, message = _submit(run)
        if row is not None:
            return redirect(url_for("web.screening_page", screening_id=row.id))
    return render_template("screening_new.html", case=case, order=order, facts=SCREENING_FACTS,
                           activities=ACTIVITY_NAMES, errors=errors, message=message,
                           form=request.form if request.method == "POST" else {}), (422 if message else 200)


@bp.route("/screenings/<int:screening_id>")
@login_required
def screening_page(screening_id):
    user = me()
    row = db.session.get(CrimeScreening, screening_id)
    if row is None or row.unit_id != user.unit_id:
        raise NotFound("本单位无此筛查记录 (no such screening in your unit)")
    case, order = _source_of(row.case_id, row.rectification_id)
    return render_template("screening.html", row=row, case=case, order=order, facts=SCREENING_FACTS,
                           activities=ACTIVITY_NAMES, may_open=user.has_role(Role.case_handler),
                           form={**_party_of(case or order), "summary": _screening_summary(row)}, errors={})


def _party_of(source) -> dict:
    """The transfer form opens with the party of the case or order it starts from."""
    return {"party_name": source.party_name if source else "",
            "party_type": source.party_type if source else "organisation"}


def _screening_summary(row) -> str:
    found = [SCREENING_FACTS[k] for k in SCREENING_FACTS if (row.facts or {}).get(k)]
    parts = ["；".join(found)] if found else []
    if row.real_danger_facts:
        parts.append(f"现实危险：{row.real_danger_facts}")
    return "。".join(parts)[:2000]


@bp.route("/transfers/new", methods=["GET", "POST"])
@login_required
def transfer_new():
    user = me()
    if not user.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可发起移送 (only case handlers start a transfer)")
    source = request.form if request.method == "POST" else request.args
    links = {k: _int_arg(source, k) for k in ("case_id", "rectification_id", "screening_id")}
    case, order = _source_of(links["case_id"], links["rectification_id"])
    errors, message = {}, None
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("party_name", "party_type", "summary")}
        values = {k: v for k, v in values.items() if v or k == "summary"}
        transfer, errors, message = _submit(
            lambda: transfer_ops.open_transfer(user, **{**OpenTransferArgs().load(values), **links}),
            refusals=(ValidationFailed, Conflict))
        if transfer is not None:
            flash(f"已发起移送 {transfer.transfer_number}，请起草移送报告。", "success")
            return redirect(url_for("web.transfer_page", transfer_id=transfer.id))
    form = request.form if request.method == "POST" else {**_party_of(case or order), "summary": ""}
    return render_template("transfer_new.html", case=case, order=order, links=links, form=form, errors=errors,
                           message=message), (422 if message else 200)


# Shared with the other page modules that submit a form to one operation (web/inspections.py).
submit_form = _submit
