"""Public pages without login (行政执法公示): /gongshi/ lists and searches published penalty decisions,
/gongshi/<id> shows one. Server-rendered, read only, redacted fields only (from the disclosures table)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request

from ..core.errors import NotFound
from ..core.services import clock
from ..modules.disclosure import queries
from ..modules.enterprises import draws
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


# -- 双随机一公开: the draws' seeds, candidates and results -------------------------------------------------
@bp.route("/draws")
def draw_list():
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    items, total = draws.list_public(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("gongshi_draws.html", items=items, total=total, page=page,
                           pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE))


@bp.route("/draws/<int:draw_id>")
def draw_detail(draw_id: int):
    try:
        record = draws.describe(draws.get_public(draw_id))
    except NotFound:
        abort(404)
    return render_template("gongshi_draw.html", d=record, public=True)
