from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from ..core.schemas import PageArgs
from ..modules.typical import operations, queries
from ..modules.typical.schemas import (ExportArgs, MarkTypicalArgs, MinimumArgs, MinimumSchema, SubmitReportArgs,
                                       TypicalCasePageSchema, TypicalCaseSchema, TypicalReportPageSchema,
                                       TypicalReportSchema)
from .auth import current_api_user

blp = Blueprint("typical", __name__, url_prefix="/api/v1", description="典型案例与定期报送")


@blp.route("/typical-cases", methods=["POST"])
@blp.arguments(MarkTypicalArgs)
@blp.response(201, TypicalCaseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def mark_typical(args):
    """标记典型案例 (supervisors who see the case): a closed case (409 otherwise) with its write-up."""
    return operations.mark_typical(current_api_user(), **args)


@blp.route("/typical-cases", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, TypicalCasePageSchema)
def typical_list(args):
    items, total = queries.list_typical(current_api_user(), limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/typical-reports", methods=["POST"])
@blp.response(201, TypicalReportSchema)
@blp.alt_response(403, schema="Error")
def open_report():
    """Open my unit's report for the current period (the scheduler opens them too; idempotent). Its deadline is the
    province's cadence (rules typical_report_county / _city / _province), with warning and escalation."""
    return queries.detail(operations.open_my_period(current_api_user()))


@blp.route("/typical-reports", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, TypicalReportPageSchema)
def report_list(args):
    items, total = queries.list_reports(current_api_user(), limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/typical-reports/<int:report_id>", methods=["GET"])
@blp.response(200, TypicalReportSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def report_detail(report_id):
    return queries.detail(operations.get_report(current_api_user(), report_id))


@blp.route("/typical-reports/<int:report_id>/submit", methods=["POST"])
@blp.arguments(SubmitReportArgs)
@blp.response(200, TypicalReportSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error",
                  description="fewer typical cases, or transfer cases, than the province's minimum")
def submit_report(args, report_id):
    """报送 (the unit's heads, as its task): at least the minimum number of typical cases of the unit's tree."""
    return queries.detail(operations.submit_report(current_api_user(), report_id, args["note"]))


@blp.route("/typical-reports/<int:report_id>/export", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.response(200, {"format": "binary", "type": "string"})
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def export_report(args, report_id):
    """The report for the higher level: XLSX (default) or CSV; before submission, the cases that would go."""
    report = operations.get_report(current_api_user(), report_id)
    content, mimetype, filename = operations.export_report(report, args["format"])
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@blp.route("/typical-reports/minimum", methods=["PUT"])
@blp.arguments(MinimumArgs)
@blp.response(200, MinimumSchema)
@blp.alt_response(403, schema="Error")
def set_minimum(args):
    """本省每期报送典型案例的最低数量 by level (administrators); the cadence itself is the deadline rules
    typical_report_county / _city / _province (`/api/v1/deadline-rules`)."""
    return operations.set_minimum(current_api_user(), **args)
