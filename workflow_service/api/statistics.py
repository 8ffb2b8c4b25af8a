"""Statistics for supervisors, scoped to their unit tree: JSON for charts, CSV and Excel exports."""
from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.statistics import export
from ..modules.statistics.queries import unit_statistics
from ..modules.statistics.schemas import ExportArgs, StatisticsArgs, StatisticsSchema
from .auth import current_api_user

blp = Blueprint("statistics", __name__, url_prefix="/api/v1/statistics", description="统计 (supervisors' statistics)")


@blp.route("", methods=["GET"])
@blp.arguments(StatisticsArgs, location="query")
@blp.response(200, StatisticsSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def statistics(args):
    """Figures per unit of my tree for a month, quarter or year, rolled up, with 零立案/零处罚 flags."""
    user = current_api_user()
    return unit_statistics(user, args["period"], args["unit_id"], clock().now())


@blp.route("/export", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.response(200, content_type="application/octet-stream")
@blp.alt_response(403, schema="Error")
def statistics_export(args):
    """The same table as CSV (UTF-8 with BOM) or Excel (.xlsx)."""
    user = current_api_user()
    result = unit_statistics(user, args["period"], args["unit_id"], clock().now())
    name = f"statistics-{result['period']['label']}"
    if args["format"] == "xlsx":
        body, mimetype = export.to_xlsx(result), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = export.to_csv(result), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{args["format"]}"'})
