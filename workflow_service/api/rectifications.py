from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.cases.queries import deadlines, open_tasks
from ..modules.enterprises import operations as enterprise_ops
from ..modules.rectification import operations as rect_ops
from ..modules.rectification import queries
from ..modules.rectification.schemas import IssueOrderArgs, OrderDetailSchema, OrderListArgs, OrderPageSchema, OrderSchema
from .auth import current_api_user

blp = Blueprint("rectifications", __name__, url_prefix="/api/v1/rectifications",
                description="责令限期整改与复查 (rectification orders)")


@blp.route("", methods=["POST"])
@blp.arguments(IssueOrderArgs)
@blp.response(201, OrderSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def issue(args):
    """责令限期整改: issue an order (basis, hidden dangers, actions, a deadline after today; a stop order for a
    major hidden danger); its process waits for the company's application or the deadline."""
    if args["enterprise_id"] is not None:
        return enterprise_ops.issue_order_for_enterprise(current_api_user(), **args)
    return rect_ops.issue_order(current_api_user(), **args)


@blp.route("", methods=["GET"])
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, OrderPageSchema)
def order_list(args):
    """Orders of my unit (supervisors, principal heads, administrators: and of the units below)."""
    items, total = queries.list_orders(current_api_user(), status=args["status"], limit=args["limit"],
                                       offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:order_id>", methods=["GET"])
@blp.response(200, OrderDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def order_detail(order_id):
    """An order with its open steps, running deadlines, re-inspection, penalty case and the daily continuing
    fine on offer (安全生产法 Art 112) when the company was fined and still refuses."""
    order = queries.visible_order(current_api_user(), order_id)
    order.open_tasks = open_tasks(order)
    order.deadlines = deadlines(order)
    order.continuing_fine_offer = (rect_ops.continuing_fine_offer(order, clock().now())
                                   if order.status == "failed" else None)
    return order
