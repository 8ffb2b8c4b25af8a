from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.suspensions import operations, queries
from ..modules.suspensions.schemas import (ApplicationArgs, ClosureAnswerArgs, ClosureRequestArgs,
                                           LicenceActionArgs, LicenceActionPageSchema, LicenceActionSchema, LiftArgs,
                                           OrderSuspensionArgs, SuspensionDetailSchema, SuspensionListArgs,
                                           SuspensionPageSchema)
from ..core.schemas import PageArgs
from .auth import current_api_user

blp = Blueprint("suspensions", __name__, url_prefix="/api/v1",
                description="责令停产停业整顿、复产验收、提请政府关闭、许可证暂扣吊销注销")


@blp.route("/suspensions", methods=["POST"])
@blp.arguments(OrderSuspensionArgs)
@blp.response(201, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def order_suspension(args):
    """责令停产停业整顿 (case handlers): basis, scope, the period (a date after today); the process waits for the
    company's application to resume and escalates when the period ends without one."""
    return queries.detail(operations.order_suspension(current_api_user(), **args))


@blp.route("/suspensions", methods=["GET"])
@blp.arguments(SuspensionListArgs, location="query")
@blp.response(200, SuspensionPageSchema)
def suspension_list(args):
    items, total = queries.list_suspensions(current_api_user(), status=args["status"], limit=args["limit"],
                                            offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/suspensions/<int:suspension_id>", methods=["GET"])
@blp.response(200, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def suspension_detail(suspension_id):
    """A suspension with its inspections, open steps and deadlines (restart inspection: rule restart_inspection)."""
    return queries.detail(operations.get_suspension(current_api_user(), suspension_id))


@blp.route("/suspensions/<int:suspension_id>/application", methods=["POST"])
@blp.arguments(ApplicationArgs)
@blp.response(200, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def apply_to_resume(args, suspension_id):
    """复产申请 (case handlers of the unit record it): the restart inspection is due within its period."""
    return queries.detail(operations.apply_to_resume(current_api_user(), suspension_id, **args))


@blp.route("/suspensions/<int:suspension_id>/lift", methods=["POST"])
@blp.arguments(LiftArgs)
@blp.response(200, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error", description="restart_inspection_required: no passed restart inspection yet")
@blp.alt_response(422, schema="Error")
def lift(args, suspension_id):
    """解除停产停业 (the unit's heads): refused with 409 before a restart inspection found the company fit."""
    return queries.detail(operations.lift_suspension(current_api_user(), suspension_id, **args))


@blp.route("/suspensions/<int:suspension_id>/closure-request", methods=["POST"])
@blp.arguments(ClosureRequestArgs)
@blp.response(200, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def request_closure(args, suspension_id):
    """提请政府关闭 (安全生产法 Art 113; the unit's heads): on a ground the record supports (a failed restart
    inspection; three penalties within 180 days or four within a year, counted in the service)."""
    return queries.detail(operations.request_closure(current_api_user(), suspension_id, **args))


@blp.route("/suspensions/<int:suspension_id>/closure-answer", methods=["POST"])
@blp.arguments(ClosureAnswerArgs)
@blp.response(200, SuspensionDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def closure_answer(args, suspension_id):
    """The government's answer to a closure request; approved → the registry entry is marked closed."""
    return queries.detail(operations.record_closure_answer(current_api_user(), suspension_id, **args))


@blp.route("/licences/<int:licence_id>/actions", methods=["POST"])
@blp.arguments(LicenceActionArgs)
@blp.response(201, LicenceActionSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def licence_action(args, licence_id):
    """暂扣 / 吊销 / 注销 a registry licence (the heads of the company's unit): the licence's status changes now;
    暂扣 runs to its date, then the licence is due back by the rule licence_return."""
    row = operations.act_on_licence(current_api_user(), licence_id, **args)
    row.open_tasks = []
    return row


@blp.route("/licence-actions", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, LicenceActionPageSchema)
def licence_action_list(args):
    items, total = queries.list_licence_actions(current_api_user(), limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}
