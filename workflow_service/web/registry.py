"""The enterprise registry's pages (生产经营单位名录): search, register, import, and a company's page with its
licences, class history and whole history."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Conflict, Forbidden, PayloadTooLarge, ValidationFailed
from ..core.transaction import discard
from ..modules.enterprises import importing, operations, queries
from ..modules.enterprises.models import SCALE_LABELS
from ..modules.enterprises.operations import CLASSIFIER_ROLES, EDITOR_ROLES
from ..modules.enterprises.plans import today
from ..modules.enterprises.schemas import ClassifyArgs, LicenceArgs
from ..modules.enterprises.validation import INDUSTRY_SECTION_NAMES, LICENCE_STATUS_LABELS
from ..modules.users.models import Role
from ..modules.users.units import sees_unit
from .common import CASE_STATUS_NAMES, Pager, bp, chinese, me, page_number
from .enforcement import ORDER_STATUS_NAMES, TRANSFER_STATUS_NAMES
from .inspections import STATUS_NAMES as INSPECTION_STATUS_NAMES

FIELD_LABELS = {"name": "单位名称", "credit_code": "统一社会信用代码", "address": "地址", "region_code": "行政区划代码",
                "industry_code": "行业代码（GB/T 4754）", "legal_representative": "法定代表人", "principal": "主要负责人",
                "principal_phone": "联系电话", "scale": "企业规模", "classification": "分类分级"}
STATUS_NAMES = {"active": "存续", "closed": "注销/关闭"}
LICENCE_STATE_NAMES = {**LICENCE_STATUS_LABELS, "expired": "已过期"}
# What each kind of history entry's status reads as (cases, orders, transfers; other domains' entries may carry
# their own Chinese status already).
HISTORY_STATUS_NAMES = {"case": CASE_STATUS_NAMES, "rectification": ORDER_STATUS_NAMES,
                        "transfer": TRANSFER_STATUS_NAMES, "inspection": INSPECTION_STATUS_NAMES,
                        "draw": {"inspected": "已检查", "drawn": "待检查"}}
HISTORY_KIND_NAMES = {"case": "行政处罚", "rectification": "责令整改", "transfer": "移送", "classification": "分类分级",
                      "inspection": "监督检查", "hidden_danger": "事故隐患", "draw": "双随机抽查"}


def _may_edit(user) -> bool:
    return user.is_officer and any(user.has_role(r) for r in EDITOR_ROLES)


def _flat(details: dict) -> dict:
    return {k: "；".join(v) if isinstance(v, list) else str(v) for k, v in (details or {}).items()}


@bp.route("/enterprises")
@login_required
def enterprise_list():
    user = me()
    filters = {k: (request.args.get(k) or "").strip()[:100] or None
               for k in ("q", "classification", "region_code", "industry_code")}
    status = request.args.get("status") if request.args.get("status") in STATUS_NAMES else "active"
    pager = Pager(page_number(), 0)
    items, pager.total = queries.search(user, **filters, status=status, limit=pager.per_page, offset=pager.offset)
    return render_template("enterprises.html", items=items, pager=pager, filters=filters, status=status,
                           status_names=STATUS_NAMES, scheme=queries.scheme_for_unit(user.unit),
                           may_edit=_may_edit(user), scale_names=SCALE_LABELS)


@bp.route("/enterprises/new", methods=["GET", "POST"])
@login_required
def enterprise_new():
    user = me()
    if not _may_edit(user):
        raise Forbidden("无权登记生产经营单位")
    errors, message, values = {}, None, {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in FIELD_LABELS}
        try:
            enterprise = operations.register_enterprise(user, **values)
        except (ValidationFailed, Conflict) as exc:
            discard()
            errors, message = _flat(exc.details), chinese(exc.message)
        else:
            flash(f"已登记 {enterprise.name}。", "success")
            if request.args.get("next") == "case":
                return redirect(url_for("web.file_case", enterprise_id=enterprise.id))
            return redirect(url_for("web.enterprise_page", enterprise_id=enterprise.id))
    return render_template("enterprise_new.html", errors=errors, message=message, values=values,
                           labels=FIELD_LABELS, scheme=queries.scheme_for_unit(user.unit), scale_names=SCALE_LABELS,
                           sections=INDUSTRY_SECTION_NAMES), (422 if errors or message else 200)


@bp.route("/enterprises/import", methods=["GET", "POST"])
@login_required
def enterprise_import():
    user = me()
    if not _may_edit(user):
        raise Forbidden("无权导入生产经营单位")
    report, message, result = None, None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            message = "请选择要导入的 CSV 或 Excel（.xlsx）文件"
        else:
            try:
                result = importing.import_enterprises(user, filename=upload.filename,
                                                      data=upload.stream.read(importing.MAX_BYTES + 1))
            except (ValidationFailed, PayloadTooLarge) as exc:
                discard()
                message, report = chinese(exc.message), exc.details
            else:
                flash(f"已导入 {result['imported']} 家生产经营单位。", "success")
                return redirect(url_for("web.enterprise_list"))
    return render_template("enterprise_import.html", message=message, report=report,
                           columns=importing.COLUMNS), (422 if message else 200)


@bp.route("/enterprises/import/template.csv")
@login_required
def enterprise_import_template():
    return importing.template_csv(), 200, {"Content-Type": "text/csv; charset=utf-8",
                                           "Content-Disposition": "attachment; filename=enterprises-template.csv"}


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def enterprise_edit(enterprise_id):
    user = me()
    enterprise = operations.get_for_edit(user, enterprise_id)
    errors, message = {}, None
    values = {f: getattr(enterprise, f) or "" for f in FIELD_LABELS}
    values["status"] = enterprise.status
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in FIELD_LABELS if k != "classification"}
        status = request.form.get("status", enterprise.status)
        try:
            operations.update_enterprise(user, enterprise_id, **values, status=status)
        except (ValidationFailed, Conflict) as exc:
            discard()
            errors, message = _flat(exc.details), chinese(exc.message)
            values["status"] = status
        else:
            flash("单位信息已更新。", "success")
            return redirect(url_for("web.enterprise_page", enterprise_id=enterprise_id))
    return render_template("enterprise_new.html", errors=errors, message=message, values=values, labels=FIELD_LABELS,
                           scheme=None, scale_names=SCALE_LABELS, sections=INDUSTRY_SECTION_NAMES, edit=enterprise,
                           status_names=STATUS_NAMES), (422 if message else 200)


def _render_page(enterprise, *, errors=None, message=None, status=200):
    user = me()
    day = today()
    licences = [(licence, queries.licence_state(licence, day)) for licence in enterprise.licences]
    scheme = queries.scheme_of(enterprise)
    return render_template(
        "enterprise.html", e=enterprise, licences=licences, history=queries.history(user, enterprise),
        scheme=scheme, labels=FIELD_LABELS, status_names=STATUS_NAMES, scale_names=SCALE_LABELS,
        licence_state_names=LICENCE_STATE_NAMES, kind_names=HISTORY_KIND_NAMES, history_status=HISTORY_STATUS_NAMES,
        sections=INDUSTRY_SECTION_NAMES,
        may_edit=_may_edit(user) and sees_unit(user, enterprise.unit),
        may_classify=any(user.has_role(r) for r in CLASSIFIER_ROLES),
        may_file=user.has_role(Role.case_handler), errors=errors or {}, message=message), status


@bp.route("/enterprises/<int:enterprise_id>")
@login_required
def enterprise_page(enterprise_id):
    return _render_page(queries.visible_enterprise(me(), enterprise_id))


@bp.route("/enterprises/<int:enterprise_id>/classification", methods=["POST"])
@login_required
def enterprise_classify(enterprise_id):
    user = me()
    try:
        args = ClassifyArgs().load({"classification": request.form.get("classification") or None,
                                    "reason": request.form.get("reason", "").strip()})
        operations.classify_enterprise(user, enterprise_id, **args)
    except ValidationError as exc:
        discard()
        return _render_page(queries.visible_enterprise(user, enterprise_id), errors=_flat(exc.messages),
                            message="分类分级调整有误", status=422)
    except ValidationFailed as exc:
        discard()
        return _render_page(queries.visible_enterprise(user, enterprise_id), errors=_flat(exc.details),
                            message=chinese(exc.message), status=422)
    flash("分类分级已调整。", "success")
    return redirect(url_for("web.enterprise_page", enterprise_id=enterprise_id))


@bp.route("/enterprises/<int:enterprise_id>/licences", methods=["POST"])
@login_required
def enterprise_add_licence(enterprise_id):
    user = me()
    values = {k: request.form.get(k, "").strip() for k in ("type", "number", "issuer", "valid_from", "valid_to")}
    try:
        operations.add_licence(user, enterprise_id, **LicenceArgs().load(values))
    except ValidationError as exc:
        discard()
        return _render_page(queries.visible_enterprise(user, enterprise_id), errors=_flat(exc.messages),
                            message="许可证信息有误", status=422)
    except (ValidationFailed, Conflict) as exc:
        discard()
        return _render_page(queries.visible_enterprise(user, enterprise_id), errors=_flat(exc.details),
                            message=chinese(exc.message), status=422)
    flash("许可证已登记。", "success")
    return redirect(url_for("web.enterprise_page", enterprise_id=enterprise_id))
