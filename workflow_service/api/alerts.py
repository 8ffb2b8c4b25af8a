from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.alerts.queries import alerts_for
from ..modules.alerts.schemas import AlertListArgs, AlertPageSchema
from .auth import current_api_user

blp = Blueprint("alerts", __name__, url_prefix="/api/v1/alerts", description="预警与督办 (alerts)")


@blp.route("", methods=["GET"])
@blp.arguments(AlertListArgs, location="query")
@blp.response(200, AlertPageSchema)
def alert_list(args):
    """Warnings and escalations aimed at me or at my roles in my unit (`scope=units`: everything in my unit
    tree, for supervisors), filtered by level and unit, most overdue first."""
    user = current_api_user()
    items, total = alerts_for(user, include_cleared=args["include_cleared"], scope=args["scope"],
                              level=args["level"], unit_id=args["unit_id"], limit=args["limit"],
                              offset=args["offset"])
    now = clock().now()
    for alert in items:
        alert.overdue_seconds = max(0, int((now - alert.due_at).total_seconds())) if alert.due_at else None
    return {"items": items, "total": total}
