"""Inspections (监督检查), the hidden-danger ledger (隐患台账) and the departments' statistics in the browser: the
inspection form works on a tablet (one column below 900 px, large touch targets); the modules decide who may and
what is accepted."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Conflict, Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ..core.services import clock
from ..modules.cases.queries import open_tasks
from ..modules.inspections import ledger as ledger_ops
from ..modules.inspections import operations as ops
from ..modules.inspections import queries
from ..modules.inspections.models import FACT_COLUMNS
from ..modules.inspections.schemas import AssignInspectionArgs, ClosureArgs
from ..modules.steps.tasks import complete_task
from ..modules.tasks.queries import can_claim
from ..modules.enterprises.draws import certified_officers
from ..modules.users.models import Role
from .charts import bar_chart
from .common import Pager, bp, me, page_number, tz
from .enforcement import submit_form as _submit

SOURCE_NAMES = {"plan": "计划检查", "random": "双随机抽查", "complaint": "举报投诉核查", "accident": "事故调查", "routine": "日常检查"}
PLAN_KIND_NAMES = {"key": "重点检查", "general": "一般检查", "random": "双随机抽查"}
STATUS_NAMES = {"assigned": "待检查", "recorded": "已检查"}
HAZARD_STATUS_NAMES = {"rectifying": "整改中", "awaiting_closure": "待上级审批销号", "closed": "已销号"}
SEVERITY_NAMES = {"general": "一般", "major": "重大"}
MEASURE_NAMES = {"corrected_on_site": "当场整改", "order": "责令限期整改", "on_site_measure": "现场处理措施", "case": "立案查处"}
RESULT_NAMES = {"compliant": "符合", "non_compliant": "不符合", "not_applicable": "不适用"}
HAZARD_ROWS, VIOLATION_ROWS = 4, 2


@bp.route("/inspections")
@login_required
def inspection_list():
    status = request.args.get("status") if request.args.get("status") in STATUS_NAMES else None
    pager = Pager(page_number(), 0)
    items, pager.total = queries.list_inspections(me(), status=status, limit=pager.per_page, offset=pager.offset)
    return render_template("inspections.html", items=items, pager=pager, status=status, status_names=STATUS_NAMES,
                           source_names=SOURCE_NAMES, may_assign=me().has_role(Role.case_handler) or me().has_role(Role.supervisor))


def _assign_values(form) -> dict:
    values = {k: form.get(k, "").strip() for k in ("company_name", "company_code", "industry", "source", "plan_kind",
                                                   "inspect_by", "source_note", "enterprise_id")}
    values = {k: v for k, v in values.items() if v}
    values["inspectors"] = form.getlist("inspectors")
    if form.get("reporter_name") or form.get("reporter_phone"):
        values["reporter"] = {"name": form.get("reporter_name") or None, "phone": form.get("reporter_phone") or None}
    return values


@bp.route("/inspections/new", methods=["GET", "POST"])
@login_required
def assign_inspection():
    user = me()
    errors, message = {}, None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        row, errors, message = _submit(
            lambda: ops.assign_inspection(user, **AssignInspectionArgs().load(_assign_values(request.form))),
            "检查任务不完整，请检查标出的项目。")
        if row is not None:
            flash(f"已下达检查任务 {row.inspection_number}。", "success")
            return redirect(url_for("web.inspection_page", inspection_id=row.id))
    return render_template("inspection_new.html", errors=errors, message=message, form=form,
                           officers=certified_officers(user.unit_id), checklists=ops.checklists(),
                           source_names=SOURCE_NAMES, plan_kind_names=PLAN_KIND_NAMES,
                           today=clock().now().astimezone(tz()).date()), (422 if errors or message else 200)


def _record_values(form, inspection) -> dict:
    checklist = [{"item": item["id"], "result": form.get(f"check.{item['id']}", ""),
                  **({"note": form.get(f"note.{item['id']}").strip()} if form.get(f"note.{item['id']}", "").strip() else {})}
                 for item in ops.checklist_for(inspection.industry)["items"] if form.get(f"check.{item['id']}")]
    hazards = []
    for i in range(HAZARD_ROWS):
        text = form.get(f"hd.{i}.description", "").strip()
        if not text:
            continue
        hazard = {"description": text, "severity": form.get(f"hd.{i}.severity", "general"),
                  "provision": form.get(f"hd.{i}.provision", "").strip(), "measure": form.get(f"hd.{i}.measure", "")}
        for key in ("rectify_by", "required_actions"):
            if form.get(f"hd.{i}.{key}", "").strip():
                hazard[key] = form.get(f"hd.{i}.{key}").strip()
        if form.get(f"hd.{i}.onsite_kind"):
            hazard["onsite_measure"] = {"kind": form.get(f"hd.{i}.onsite_kind"),
                                        "scope": form.get(f"hd.{i}.onsite_scope", "").strip()}
        photos = [int(p) for p in form.getlist(f"hd.{i}.photos") if p.isdigit()]
        if photos:
            hazard["photo_ids"] = photos
        hazards.append(hazard)
    violations = []
    for i in range(VIOLATION_ROWS):
        text = form.get(f"vi.{i}.description", "").strip()
        if text:
            violation = {"description": text, "provision": form.get(f"vi.{i}.provision", "").strip()}
            photos = [int(p) for p in form.getlist(f"vi.{i}.photos") if p.isdigit()]
            if photos:
                violation["photo_ids"] = photos
            violations.append(violation)
    when = form.get("inspected_at", "").strip()
    return {"inspected_at": f"{when}:00+08:00" if len(when) == 16 else when, "inspectors": form.getlist("inspectors"),
            "checklist": checklist, "findings_summary": form.get("findings_summary", "").strip(),
            "hidden_dangers": hazards, "violations": violations}


@bp.route("/inspections/<int:inspection_id>", methods=["GET", "POST"])
@login_required
def inspection_page(inspection_id):
    user = me()
    inspection = queries.visible_inspection(user, inspection_id)
    tasks = [t for t in open_tasks(inspection) if t.bpmn_id == "record_inspection"]
    task = tasks[0] if tasks else None
    may_record = task is not None and (task.assignee_id == user.id or can_claim(user, task))
    errors, message = {}, None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST" and not may_record:
        raise Forbidden("仅本次检查的执法人员可填写现场检查记录 (only the inspectors record the inspection)")
    if request.method == "POST" and request.form.get("action") == "photo":
        upload = request.files.get("file")

        def add_photo():
            if upload is None or not upload.filename:
                raise ValidationFailed("请选择照片 (choose a photo)", {"file": ["请选择照片"]})
            return ops.upload_photo(user, inspection.id, stream=upload.stream, filename=upload.filename,
                                    description=request.form.get("description", ""))
        photo, errors, message = _submit(add_photo, "照片未上传。",
                                         refusals=(ValidationFailed, UnsupportedMediaType, PayloadTooLarge, Conflict))
        if photo is not None:
            flash("现场照片已上传。", "success")
            return redirect(url_for("web.inspection_page", inspection_id=inspection.id))
        form = {}
    elif request.method == "POST":
        done, errors, message = _submit(lambda: complete_task(user, task.id, _record_values(request.form, inspection)),
                                        "现场检查记录不完整，请检查标出的项目。")
        if done is not None:
            flash("现场检查记录已提交：隐患已进入台账。", "success")
            return redirect(url_for("web.inspection_page", inspection_id=inspection.id))
    now = clock().now().astimezone(tz())
    status = 422 if errors or message else 200
    return render_template(
        "inspection.html", inspection=inspection, task=task, may_record=may_record, errors=errors, message=message,
        form=form, checklist=ops.checklist_for(inspection.industry), photos=queries.photos_of(inspection),
        hazards=queries.hazards_of(inspection), officers=certified_officers(inspection.unit_id),
        hazard_rows=range(HAZARD_ROWS), violation_rows=range(VIOLATION_ROWS), severity_names=SEVERITY_NAMES,
        measure_names=MEASURE_NAMES, onsite_names=ops.ONSITE_MEASURE_LABELS, result_names=RESULT_NAMES,
        source_names=SOURCE_NAMES, status_names=STATUS_NAMES, hazard_status_names=HAZARD_STATUS_NAMES,
        now=now.strftime("%Y-%m-%dT%H:%M"), today=now.date()), status


@bp.route("/hidden-dangers", methods=["GET"])
@login_required
def hazard_ledger():
    args = request.args
    filters = {"status": args.get("status") if args.get("status") in HAZARD_STATUS_NAMES else None,
               "severity": args.get("severity") if args.get("severity") in SEVERITY_NAMES else None,
               "measure": args.get("measure") if args.get("measure") in MEASURE_NAMES else None,
               "overdue": True if args.get("overdue") == "1" else None,
               "supervised_by_me": args.get("supervised") == "1",
               "company": (args.get("company") or "").strip()[:200] or None}
    pager = Pager(page_number(), 0)
    items, pager.total = queries.ledger(me(), limit=pager.per_page, offset=pager.offset, **filters)
    now = clock().now()
    return render_template("hidden_dangers.html", items=items, pager=pager, filters=filters, now=now,
                           status_names=HAZARD_STATUS_NAMES, severity_names=SEVERITY_NAMES,
                           measure_names=MEASURE_NAMES, my_unit_id=me().unit_id,
                           today=now.astimezone(tz()).date())


@bp.route("/hidden-dangers/<int:hazard_id>/closure", methods=["POST"])
@login_required
def decide_hazard_closure(hazard_id):
    values = {"approved": request.form.get("approved") == "1", "opinion": request.form.get("opinion", "").strip()}
    if request.form.get("rectify_by"):
        values["rectify_by"] = request.form["rectify_by"]
    try:
        args = ClosureArgs().load(values)
    except ValidationError:
        args = None
    if args is None:
        flash("请填写审批意见（不同意的须限定新的整改期限）。", "error")
        return redirect(url_for("web.hazard_ledger", supervised="1"))
    hazard, _errors, message = _submit(lambda: ledger_ops.decide_major_closure(me(), hazard_id, **args))
    flash(message or ("已同意销号。" if args["approved"] else "已退回继续整改。"), "error" if message else "success")
    return redirect(url_for("web.hazard_ledger", supervised="1"))


@bp.route("/inspection-statistics")
@login_required
def inspection_statistics():
    user = me()
    period = (request.args.get("period") or str(clock().now().astimezone(tz()).year)).strip()[:7]
    try:
        unit_id = int(request.args["unit_id"]) if request.args.get("unit_id") else None
    except ValueError:
        unit_id = None
    stats, error = None, None
    try:
        stats = queries.inspection_statistics(user, period, unit_id)
    except ValidationFailed as exc:
        error = exc.message
    charts = []
    if stats:
        labels = [r["unit_name"] for r in stats["rows"]]
        f = [r["figures"] for r in stats["rows"]]
        charts = [
            bar_chart("检查次数与检查企业数", labels, [("检查次数", [x["inspections"] for x in f]),
                                                    ("检查企业数", [x["companies_inspected"] for x in f])]),
            bar_chart("事故隐患：发现、整改、销号", labels, [
                ("发现隐患数", [x["hidden_dangers_found"] for x in f]), ("整改隐患数", [x["hidden_dangers_rectified"] for x in f]),
                ("重大隐患数", [x["major_found"] for x in f]), ("重大隐患销号数", [x["major_closed"] for x in f])]),
            bar_chart("整改指令、立案、处罚与移送", labels, [
                ("检查下达整改指令数", [x["orders_from_inspections"] for x in f]),
                ("检查发现立案数", [x["cases_from_inspections"] for x in f]),
                ("行政处罚决定数", [x["penalty_decisions"] for x in f]), ("移送司法机关数", [x["transfers"] for x in f])]),
        ]
    return render_template("inspection_statistics.html", stats=stats, error=error, period=period, charts=charts,
                           columns=list(FACT_COLUMNS) + [("fines_yuan", "罚款金额（元）"),
                                                         ("hidden_danger_rectification_rate", "隐患整改率（%）"),
                                                         ("major_closure_rate", "重大隐患销号率（%）")]
                           + list(queries.PLAN_COLUMNS))
