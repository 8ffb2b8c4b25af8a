from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.credit import operations, queries
from ..modules.credit.schemas import (CreditEntryListArgs, CreditEntryPageSchema, CreditEntrySchema, ListCompanyArgs, PublicCreditEntryPageSchema,
                                      PublicListArgs, RepairApplicationArgs, RepairDecisionArgs)
from .auth import current_api_user

blp = Blueprint("credit", __name__, url_prefix="/api/v1/credit-entries",
                description="安全生产严重失信主体名单（失信联合惩戒）与信用修复")
public_blp = Blueprint("public_credit", __name__, url_prefix="/api/v1/public",
                       description="严重失信主体名单公示 (no login)")


@blp.route("", methods=["POST"])
@blp.arguments(ListCompanyArgs)
@blp.response(201, CreditEntrySchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def list_company(args):
    """列入名单 (the deciding unit's heads): a case with a penalty decision, a ground; the period and the earliest
    repair follow the rules credit_list_period and credit_repair_wait."""
    return operations.list_company(current_api_user(), **args)


@blp.route("", methods=["GET"])
@blp.arguments(CreditEntryListArgs, location="query")
@blp.response(200, CreditEntryPageSchema)
def entry_list(args):
    items, total = queries.list_entries(current_api_user(), status=args["status"], limit=args["limit"],
                                        offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:entry_id>/repair-application", methods=["POST"])
@blp.arguments(RepairApplicationArgs)
@blp.response(200, CreditEntrySchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error", description="repair_too_early: before the wait the credit rules set")
@blp.alt_response(422, schema="Error")
def repair_application(args, entry_id):
    """信用修复申请 (recorded by the unit's officers)."""
    return operations.apply_for_repair(current_api_user(), entry_id, **args)


@blp.route("/<int:entry_id>/repair-decision", methods=["POST"])
@blp.arguments(RepairDecisionArgs)
@blp.response(200, CreditEntrySchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def repair_decision(args, entry_id):
    """信用修复决定 (the unit's heads): approved → off the public list."""
    return operations.decide_repair(current_api_user(), entry_id, **args)


@public_blp.route("/credit-list", methods=["GET"])
@public_blp.arguments(PublicListArgs, location="query")
@public_blp.response(200, PublicCreditEntryPageSchema)
def public_credit_list(args):
    """The public list: entries within their period, neither repaired nor expired."""
    items, total = queries.public_entries(clock().now(), party=args["party"], limit=args["limit"],
                                          offset=args["offset"])
    return {"items": items, "total": total}
