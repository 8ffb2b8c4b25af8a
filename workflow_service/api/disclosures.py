"""Disclosures: the officers' API (authenticated) and the public API (no login; redacted fields only)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..core.services import clock
from ..modules.disclosure import operations as disclosure_ops
from ..modules.disclosure import queries
from ..modules.disclosure.schemas import (DisclosureListArgs, DisclosurePageSchema, DisclosureSchema,
                                          PublicDisclosurePageSchema, PublicDisclosureSchema, PublicSearchArgs,
                                          WithdrawalArgs)
from .auth import current_api_user

blp = Blueprint("disclosures", __name__, url_prefix="/api/v1/disclosures",
                description="行政执法公示 (disclosure of penalty decisions, officers)")
public_blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                       description="公开信息，无需登录 (public, no login: redacted disclosures only)")
# Its endpoints are listed in api/__init__.py _PUBLIC_ENDPOINTS: no authentication.


@blp.route("", methods=["GET"])
@blp.arguments(DisclosureListArgs, location="query")
@blp.response(200, DisclosurePageSchema)
def disclosure_list(args):
    """Disclosures of my unit (supervisors, principal heads, administrators: and of the units below), drafts,
    published, withdrawn and expired ones."""
    user = current_api_user()
    items, total = queries.list_for_officers(user, status=args["status"], limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/<int:disclosure_id>", methods=["GET"])
@blp.response(200, DisclosureSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def disclosure_detail(disclosure_id):
    user = current_api_user()
    return disclosure_ops.get_disclosure(user, disclosure_id)


@blp.route("/<int:disclosure_id>/withdrawal", methods=["POST"])
@blp.arguments(WithdrawalArgs)
@blp.response(201, DisclosureSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def request_withdrawal(args, disclosure_id):
    """撤回公示: the decision was changed, revoked or declared void (行政处罚法 Art 48). Starts the
    withdrawal process; a legal reviewer confirms the public notice within 3 working days."""
    user = current_api_user()
    return disclosure_ops.request_withdrawal(user, disclosure_id, reason=args["reason"],
                                             explanation=args["explanation"], changed_at=args["changed_at"])


@public_blp.route("/disclosures", methods=["GET"])
@public_blp.arguments(PublicSearchArgs, location="query")
@public_blp.response(200, PublicDisclosurePageSchema)
@public_blp.doc(security=[])
def public_disclosures(args):
    """公示的行政处罚决定: search by party, unit, decision date and violation. No login."""
    items, total = queries.search_public(clock().now(), party=args["party"], unit=args["unit"],
                                         violation=args["violation"], date_from=args["date_from"],
                                         date_to=args["date_to"], limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@public_blp.route("/disclosures/<int:disclosure_id>", methods=["GET"])
@public_blp.response(200, PublicDisclosureSchema)
@public_blp.alt_response(404, schema="Error")
@public_blp.doc(security=[])
def public_disclosure(disclosure_id):
    """One published (or withdrawn, with its reason) decision. No login."""
    return queries.get_public(clock().now(), disclosure_id)
