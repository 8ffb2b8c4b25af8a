"""Public pages without login (行政执法公示): /gongshi/ lists and searches published penalty decisions,
/gongshi/<id> shows one. Server-rendered, read only, redacted fields only (from the disclosures table)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request

from ..core.errors import NotFound
from ..core.services import clock
from ..modules.disclosure import queries
from ..modules.disclosure.schemas import PublicDisclosureSchema

bp = Blueprint("gongshi", __name__, url_prefix="/gongshi", template_folder="templates")
PAGE_SIZE = 20


def _date(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _text(name: str) -> str | None:
    return (request.args.get(name) or "").strip()[:200] or None


@bp.route("/")
def disclosure_list():
    now = clock().now()
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    filters = {"party": _text("party"), "unit": _text("unit"), "violation": _text("violation"),
               "date_from": _date("date_from"), "date_to": _date("date_to")}
    items, total = queries.search_public(now, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    rows = PublicDisclosureSchema(many=True).dump(items)
    return render_template("gongshi_list.html", rows=rows, total=total, page=page, filters=filters,
                           pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), units=queries.public_units(now))


@bp.route("/<int:disclosure_id>")
def disclosure_detail(disclosure_id: int):
    try:
        disclosure = queries.get_public(clock().now(), disclosure_id)
    except NotFound:
        abort(404)
    return render_template("gongshi_detail.html", d=PublicDisclosureSchema().dump(disclosure))
