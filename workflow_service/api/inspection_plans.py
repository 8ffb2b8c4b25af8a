"""年度监督检查计划 (annual inspection plans) and 双随机一公开 (random draws)."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.enterprises import draws, plans
from ..modules.enterprises.schemas import (DrawArgs, DrawDetailSchema, DrawInspectedArgs, DrawItemSchema,
                                           DrawPageSchema, PlanArgs, PlanListArgs, PlanPageSchema, PlanSchema,
                                           PlanUpdateArgs, ProgressArgs, ProgressSchema, ReplaceOfficerArgs,
                                           ReplacementSchema)
from ..core.schemas import PageArgs
from .auth import current_api_user

blp = Blueprint("inspection_plans", __name__, url_prefix="/api/v1",
                description="年度监督检查计划与双随机抽查 (annual inspection plans and random draws)")
public_blp = Blueprint("public_draws", __name__, url_prefix="/api/v1/public",
                       description="双随机抽查结果公开 (published draws, no login)")


@blp.route("/inspection-plans", methods=["POST"])
@blp.arguments(PlanArgs)
@blp.response(201, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def create_plan(args):
    """Draft my unit's plan for a year (a 负责人): targets per class and kind (key/general/random)."""
    return plans.create_plan(current_api_user(), **args)


@blp.route("/inspection-plans", methods=["GET"])
@blp.arguments(PlanListArgs, location="query")
@blp.response(200, PlanPageSchema)
def plan_list(args):
    """Plans of the units I see (a unit above sees the plans filed with it)."""
    items, total = plans.list_plans(current_api_user(), **args)
    return {"items": items, "total": total}


@blp.route("/inspection-plans/<int:plan_id>", methods=["GET"])
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def plan_detail(plan_id):
    return plans.get_plan(current_api_user(), plan_id)


@blp.route("/inspection-plans/<int:plan_id>", methods=["PATCH"])
@blp.arguments(PlanUpdateArgs)
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def plan_update(args, plan_id):
    """Edit a draft plan."""
    return plans.update_plan(current_api_user(), plan_id, **args)


@blp.route("/inspection-plans/<int:plan_id>/approve", methods=["POST"])
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def plan_approve(plan_id):
    """批准 (the unit's 正职负责人): per-company targets become counts over the registry's companies."""
    return plans.approve_plan(current_api_user(), plan_id)


@blp.route("/inspection-plans/<int:plan_id>/file", methods=["POST"])
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def plan_file(plan_id):
    """报上级备案: file the approved plan with the unit above."""
    return plans.file_plan(current_api_user(), plan_id)


@blp.route("/inspection-plans/<int:plan_id>/acknowledge", methods=["POST"])
@blp.response(200, PlanSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def plan_acknowledge(plan_id):
    """备案确认 by a 负责人 of the unit above."""
    return plans.acknowledge_plan(current_api_user(), plan_id)


@blp.route("/inspection-plans/<int:plan_id>/progress", methods=["GET"])
@blp.arguments(ProgressArgs, location="query")
@blp.response(200, ProgressSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def plan_progress(args, plan_id):
    """Progress at a date (default today): per target and quarter; `alert` when an ended quarter fell behind."""
    plan = plans.get_plan(current_api_user(), plan_id)
    return plans.progress(plan, args["at"] or plans.today())


@blp.route("/draws", methods=["POST"])
@blp.arguments(DrawArgs)
@blp.response(201, DrawDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def make_draw(args):
    """双随机抽取 (a 负责人): companies of my unit's registry by class and region, officers from my unit's
    certified officers; the seed (given, or 128 random bits) and the candidates are recorded."""
    return draws.describe(draws.draw(current_api_user(), **args))


@blp.route("/draws", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, DrawPageSchema)
def draw_list(args):
    items, total = draws.list_draws(current_api_user(), **args)
    return {"items": items, "total": total}


@blp.route("/draws/<int:draw_id>", methods=["GET"])
@blp.response(200, DrawDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def draw_detail(draw_id):
    """A draw with its candidates, result, replacements and whether it re-runs to the same result."""
    return draws.describe(draws.get_draw(current_api_user(), draw_id))


@blp.route("/draws/<int:draw_id>/publish", methods=["POST"])
@blp.response(200, DrawDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
def draw_publish(draw_id):
    return draws.describe(draws.publish(current_api_user(), draw_id))


@blp.route("/draw-items/<int:item_id>/replace-officer", methods=["POST"])
@blp.arguments(ReplaceOfficerArgs)
@blp.response(201, ReplacementSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def replace_officer(args, item_id):
    """回避: replace an officer with a conflict by a second, recorded draw."""
    return draws.replace_officer(current_api_user(), item_id, **args)


@blp.route("/draw-items/<int:item_id>/inspected", methods=["POST"])
@blp.arguments(DrawInspectedArgs)
@blp.response(200, DrawItemSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def draw_item_inspected(args, item_id):
    """The drawn company has been inspected (counts against the plan's 双随机 target)."""
    item = draws.record_draw_inspection(current_api_user(), item_id, **args)
    people = draws.officers_by_id(item.officer_ids)
    item.officers = [people[i] for i in item.officer_ids if i in people]
    return item


@public_blp.route("/draws", methods=["GET"])
@public_blp.arguments(PageArgs, location="query")
@public_blp.response(200, DrawPageSchema)
def public_draws(args):
    """Published draws, newest first (no login)."""
    items, total = draws.list_public(**args)
    return {"items": items, "total": total}


@public_blp.route("/draws/<int:draw_id>", methods=["GET"])
@public_blp.response(200, DrawDetailSchema)
@public_blp.alt_response(404, schema="Error")
def public_draw(draw_id):
    """A published draw: seed, method, candidates and result, to re-run (no login)."""
    return draws.describe(draws.get_public(draw_id))
