"""监督检查、隐患台账与检查统计 (inspections, the hidden-danger ledger, the departments' statistics)."""
from __future__ import annotations

from flask import Response

from ..core.services import clock
from ..modules.cases.queries import deadlines, open_tasks
from ..modules.inspections import ledger as ledger_ops
from ..modules.inspections import operations as ops
from ..modules.inspections import queries
from ..modules.inspections.schemas import (AssignInspectionArgs, ChecklistSchema, ClosureArgs, FactsStatisticsArgs,
                                           FactsStatisticsSchema, HazardDetailSchema, HazardPageSchema, HazardSchema,
                                           InspectionDetailSchema, InspectionListArgs, InspectionPageSchema,
                                           InspectionSchema, LedgerArgs, PhotoSchema, PhotoUploadArgs)
from ..modules.statistics import export
from .auth import current_api_user
from .evidence import MultipartBlueprint, limit_request_size

blp = MultipartBlueprint("inspections", __name__, url_prefix="/api/v1",
                         description="监督检查、隐患台账、检查统计 (inspections, hidden-danger ledger, statistics)")


def _overdue(hazard) -> bool:
    return hazard.status == "rectifying" and hazard.rectify_by is not None and hazard.rectify_by < clock().now()


@blp.route("/inspections", methods=["POST"])
@blp.arguments(AssignInspectionArgs)
@blp.response(201, InspectionSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def assign(args):
    """下达检查任务: a company, the industry's checklist, the source (plan, random draw, complaint, accident) and
    two certified officers of my unit; the 现场检查记录 task opens for them."""
    return ops.assign_inspection(current_api_user(), **args)


@blp.route("/inspections", methods=["GET"])
@blp.arguments(InspectionListArgs, location="query")
@blp.response(200, InspectionPageSchema)
def inspection_list(args):
    """Inspections of my unit (overseers: and of the units below)."""
    items, total = queries.list_inspections(current_api_user(), status=args["status"], source=args["source"],
                                            limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/inspections/<int:inspection_id>", methods=["GET"])
@blp.response(200, InspectionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def inspection_detail(inspection_id):
    """An inspection with its open task, its photos and the hidden dangers it found (never the reporter)."""
    inspection = queries.visible_inspection(current_api_user(), inspection_id)
    inspection.open_tasks = open_tasks(inspection)
    inspection.hidden_dangers = queries.hazards_of(inspection)
    for hazard in inspection.hidden_dangers:
        hazard.overdue = _overdue(hazard)
    inspection.photos = queries.photos_of(inspection)
    return inspection


@blp.route("/inspections/<int:inspection_id>/photos", methods=["POST"])
@limit_request_size
@blp.arguments(PhotoUploadArgs, location="multipart")
@blp.response(201, PhotoSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(413, schema="Error")
@blp.alt_response(415, schema="Error")
@blp.alt_response(422, schema="Error")
def upload_photo(form, inspection_id):
    """现场照片 (multipart: `file`, `description`), by one of the inspectors while the record is open."""
    upload = form["file"]
    return ops.upload_photo(current_api_user(), inspection_id, stream=upload.stream, filename=upload.filename,
                            description=form["description"])


@blp.route("/inspection-checklists/<industry>", methods=["GET"])
@blp.response(200, ChecklistSchema)
@blp.alt_response(404, schema="Error")
def checklist(industry):
    """The checklist of an industry (行业检查表), item by item, as the record must answer it."""
    current_api_user()
    found = ops.checklist_for(industry)
    return {"industry": industry, "name": found["name"], "items": found["items"]}


@blp.route("/hidden-dangers", methods=["GET"])
@blp.arguments(LedgerArgs, location="query")
@blp.response(200, HazardPageSchema)
def ledger(args):
    """隐患台账 with filters: status, severity, measure, overdue, company, unit, the major ones my unit supervises."""
    items, total = queries.ledger(current_api_user(), **args)
    for hazard in items:
        hazard.overdue = _overdue(hazard)
    return {"items": items, "total": total}


@blp.route("/hidden-dangers/<int:hazard_id>", methods=["GET"])
@blp.response(200, HazardDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def hazard_detail(hazard_id):
    """A ledger line with its open re-inspection task and its running deadlines."""
    hazard = queries.visible_hazard(current_api_user(), hazard_id)
    hazard.overdue = _overdue(hazard)
    hazard.open_tasks = open_tasks(hazard) if hazard.instance_id else []
    hazard.deadlines = deadlines(hazard) if hazard.instance_id else []
    return hazard


@blp.route("/hidden-dangers/<int:hazard_id>/closure", methods=["POST"])
@blp.arguments(ClosureArgs)
@blp.response(200, HazardSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def decide_closure(args, hazard_id):
    """挂牌督办的重大事故隐患销号: the supervising higher unit's supervisor approves the closure, or refuses it with
    a new deadline."""
    hazard = ledger_ops.decide_major_closure(current_api_user(), hazard_id, **args)
    hazard.overdue = _overdue(hazard)
    return hazard


@blp.route("/inspection-statistics", methods=["GET"])
@blp.arguments(FactsStatisticsArgs, location="query")
@blp.response(200, FactsStatisticsSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def statistics(args):
    """The figures the departments report (inspections, companies, hidden dangers found/rectified/rate, major
    found/closed, orders, cases from inspections, penalties by type, 处罚到人, transfers) for a unit and the units
    below it, rolled up, read from the monthly facts."""
    return queries.inspection_statistics(current_api_user(), args["period"], args["unit_id"], args["all_units"])


@blp.route("/inspection-statistics/export.csv", methods=["GET"])
@blp.arguments(FactsStatisticsArgs, location="query")
@blp.response(200, content_type="text/csv")
@blp.alt_response(403, schema="Error")
def statistics_csv(args):
    """The same table as CSV (UTF-8 with BOM)."""
    result = queries.inspection_statistics(current_api_user(), args["period"], args["unit_id"], args["all_units"])
    return Response(export.to_csv(result), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=inspection-statistics-{result['period']['label']}.csv"})


@blp.route("/inspection-statistics/export.xlsx", methods=["GET"])
@blp.arguments(FactsStatisticsArgs, location="query")
@blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
@blp.alt_response(403, schema="Error")
def statistics_xlsx(args):
    """The same table as an Excel workbook (.xlsx)."""
    result = queries.inspection_statistics(current_api_user(), args["period"], args["unit_id"], args["all_units"])
    return Response(export.to_xlsx(result),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
                        "Content-Disposition": f"attachment; filename=inspection-statistics-{result['period']['label']}.xlsx"})
