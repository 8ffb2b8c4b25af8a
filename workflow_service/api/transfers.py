from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from ..modules.cases.queries import deadlines, open_tasks
from ..modules.transfers import operations as transfer_ops
from ..modules.transfers import queries
from ..modules.transfers.schemas import (OpenTransferArgs, PoliceAnswerArgs, ReportArgs, ScreeningArgs,
                                         ScreeningSchema, TransferDetailSchema, TransferListArgs, TransferPageSchema)
from ..modules.transfers.screening import screen
from .auth import current_api_user

blp = Blueprint("transfers", __name__, url_prefix="/api/v1",
                description="涉嫌犯罪案件移送与筛查 (criminal transfers, crime screening)")


def _detail(transfer):
    queries.attach_next_deadlines([transfer])
    transfer.open_tasks = open_tasks(transfer)
    transfer.deadlines = deadlines(transfer)
    transfer.data = transfer.instance.data or {}
    transfer.fine_paid_for_offset = transfer.data.get("fine_paid_for_offset")
    return transfer


@blp.route("/transfers", methods=["POST"])
@blp.arguments(OpenTransferArgs)
@blp.response(201, TransferDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def open_transfer(args):
    """Start a transfer (from a case, a failed rectification, a screening, or on its own): the team writes the
    report, the principal head decides within 3 days, the hand-over follows within 24 hours."""
    return _detail(transfer_ops.open_transfer(current_api_user(), **args))


@blp.route("/transfers", methods=["GET"])
@blp.arguments(TransferListArgs, location="query")
@blp.response(200, TransferPageSchema)
def transfer_list(args):
    """Every transfer of my unit (supervisors, principal heads, administrators and the integration account: and of
    the units below) with its stage and next deadline."""
    items, total = queries.list_transfers(current_api_user(), status=args["status"], stage=args["stage"],
                                          unit_id=args["unit_id"], limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/transfers/report", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200)
def transfer_report(args):
    """报省厅: the transfers opened in a period in my unit tree with their outcomes (`format=csv` for a sheet)."""
    report = queries.transfer_report(current_api_user(), args["start"], args["end"])
    if args["format"] == "csv":
        return Response(queries.report_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=transfers.csv"})
    return report


@blp.route("/transfers/<int:transfer_id>", methods=["GET"])
@blp.response(200, TransferDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def transfer_detail(transfer_id):
    """A transfer: stage, every running deadline, the police's answers, open steps, the fine paid for offset."""
    return _detail(queries.visible_transfer(current_api_user(), transfer_id))


@blp.route("/transfers/<int:transfer_id>/police-answers", methods=["POST"])
@blp.arguments(PoliceAnswerArgs)
@blp.response(201, TransferDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def police_answer(args, transfer_id):
    """The police's (or procuratorate's) answer, recorded by a handler or posted by an integration account."""
    return _detail(transfer_ops.record_police_answer(current_api_user(), transfer_id, **args))


@blp.route("/screenings", methods=["POST"])
@blp.arguments(ScreeningArgs)
@blp.response(201, ScreeningSchema)
@blp.alt_response(403, schema="Error")
def crime_screening(args):
    """涉嫌犯罪筛查: the recorded facts against 刑法 Art 134-1 (and casualties); a suggestion, never a decision."""
    case_id, rectification_id = args.pop("case_id"), args.pop("rectification_id")
    real_danger_facts = args.pop("real_danger_facts")
    return screen(current_api_user(), facts=args, real_danger_facts=real_danger_facts, case_id=case_id,
                  rectification_id=rectification_id)
