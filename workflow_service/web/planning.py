"""Pages of the annual inspection plan (年度监督检查计划) and its progress, and of random draws (双随机)."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.errors import Conflict, Forbidden, ValidationFailed
from ..core.transaction import discard
from ..modules.enterprises import draws, plans, queries
from ..modules.enterprises.plan_models import KIND_LABELS
from ..modules.users.models import Role
from .common import Pager, bp, chinese, me, page_number

PLAN_STATUS_NAMES = {"draft": "草稿", "approved": "已批准", "filed": "已报备"}
TARGET_ROWS = 6
# The target's basis on the form: a count, or so many times per company every 1, 2 or 3 years.
_PER_COMPANY = {"times": 1, "times2": 2, "times3": 3}


def _planner(user) -> bool:
    return user.has_role(Role.supervisor) or user.has_role(Role.principal_head)


def _flat(details: dict) -> dict:
    return {k: "；".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in (details or {}).items()}


def _int(text: str | None):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # refused by the operation with its message


@bp.route("/plans")
@login_required
def plan_list():
    user = me()
    pager = Pager(page_number(), 0)
    items, pager.total = plans.list_plans(user, limit=pager.per_page, offset=pager.offset)
    day = plans.today()
    alerts = {p.id: plans.progress(p, day)["alert"] for p in items if p.status != "draft"}
    return render_template("plans.html", items=items, pager=pager, status_names=PLAN_STATUS_NAMES, alerts=alerts,
                           may_plan=_planner(user))


def _targets_from(form) -> list[dict]:
    targets = []
    for i in range(TARGET_ROWS):
        kind = form.get(f"targets.{i}.kind", "").strip()
        if not kind:
            continue
        basis = form.get(f"targets.{i}.basis", "count")
        number = _int(form.get(f"targets.{i}.number"))
        per_company = basis in _PER_COMPANY
        targets.append({"kind": kind, "classification": form.get(f"targets.{i}.classification") or None,
                        "times_per_company": number if per_company else None,
                        "every_years": _PER_COMPANY.get(basis), "count": None if per_company else number})
    return targets


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def plan_new():
    user = me()
    if not _planner(user):
        raise Forbidden("仅负责人可编制年度监督检查计划")
    errors, message = {}, None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        shares = [_int(form.get(f"quarter_shares.{q}")) for q in range(4)]
        year = _int(form.get("year"))
        try:
            plan = plans.create_plan(user, year=year if isinstance(year, int) else 0,
                                     title=form.get("title", ""), targets=_targets_from(form),
                                     quarter_shares=shares, notes=form.get("notes", ""))
        except (ValidationFailed, Conflict) as exc:
            discard()
            errors, message = _flat(exc.details), chinese(exc.message)
        else:
            flash("计划已保存为草稿，请提交正职负责人批准。", "success")
            return redirect(url_for("web.plan_page", plan_id=plan.id))
    return render_template("plan_new.html", errors=errors, message=message, form=form, rows=range(TARGET_ROWS),
                           kinds=KIND_LABELS, scheme=queries.scheme_for_unit(user.unit), year=plans.today().year), \
        (422 if message else 200)


@bp.route("/plans/<int:plan_id>")
@login_required
def plan_page(plan_id):
    user = me()
    plan = plans.get_plan(user, plan_id)
    try:
        at = date.fromisoformat(request.args.get("at", "")) if request.args.get("at") else plans.today()
    except ValueError:
        at = plans.today()
    return render_template("plan.html", plan=plan, progress=plans.progress(plan, at), at=at, kinds=KIND_LABELS,
                           status_names=PLAN_STATUS_NAMES, scheme=queries.scheme_for_unit(plan.unit),
                           may_approve=plan.status == "draft" and user.unit_id == plan.unit_id
                           and user.has_role(Role.principal_head),
                           may_file=plan.status == "approved" and user.unit_id == plan.unit_id and _planner(user),
                           may_acknowledge=plan.status == "filed" and plan.acknowledged_at is None
                           and user.unit_id == plan.filed_with_unit_id and _planner(user),
                           may_draw=plan.status != "draft" and user.unit_id == plan.unit_id and _planner(user))


_PLAN_ACTIONS = {"approve": (plans.approve_plan, "计划已批准。"), "file": (plans.file_plan, "计划已报上级备案。"),
                 "acknowledge": (plans.acknowledge_plan, "已确认备案。")}


@bp.route("/plans/<int:plan_id>/<any(approve, file, acknowledge):action>", methods=["POST"])
@login_required
def plan_action(plan_id, action):
    operation, done = _PLAN_ACTIONS[action]
    try:
        operation(me(), plan_id)
    except (ValidationFailed, Conflict) as exc:
        discard()
        flash(chinese(exc.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("web.plan_page", plan_id=plan_id))


# -- draws ----------------------------------------------------------------------------------------------------
@bp.route("/draws")
@login_required
def draw_list():
    user = me()
    pager = Pager(page_number(), 0)
    items, pager.total = draws.list_draws(user, limit=pager.per_page, offset=pager.offset)
    return render_template("draws.html", items=items, pager=pager, may_draw=_planner(user))


@bp.route("/draws/new", methods=["GET", "POST"])
@login_required
def draw_new():
    user = me()
    if not _planner(user):
        raise Forbidden("仅负责人可组织双随机抽取")
    errors, message = {}, None
    form = request.form if request.method == "POST" else request.args
    my_plans, _ = plans.list_plans(user, limit=20)
    my_plans = [p for p in my_plans if p.unit_id == user.unit_id and p.status != "draft"]
    if request.method == "POST":
        count, per = _int(form.get("company_count")), _int(form.get("officers_per_company"))
        plan_id = _int(form.get("plan_id"))
        if not isinstance(count, int) or not isinstance(per, int):
            errors = {k: "应为整数" for k, v in (("company_count", count), ("officers_per_company", per))
                      if not isinstance(v, int)}
            message = "抽取条件有误"
        else:
            try:
                record = draws.draw(user, title=form.get("title", ""), company_count=count, officers_per_company=per,
                                    classifications=form.getlist("classifications"),
                                    region_codes=[r for r in form.get("region_codes", "").replace("，", ",").split(",")],
                                    plan_id=plan_id if isinstance(plan_id, int) else None,
                                    seed=form.get("seed", "").strip() or None,
                                    exclude_already_drawn=form.get("exclude_already_drawn") == "1")
            except (ValidationFailed, Conflict) as exc:
                discard()
                errors, message = _flat(exc.details), chinese(exc.message)
            else:
                flash(f"已抽取 {len(record.items)} 家单位，结果已公开。", "success")
                return redirect(url_for("web.draw_page", draw_id=record.id))
    return render_template("draw_new.html", errors=errors, message=message, form=form, plans=my_plans,
                           scheme=queries.scheme_for_unit(user.unit),
                           officers=len(draws.certified_officers(user.unit_id))), (422 if message else 200)


@bp.route("/draws/<int:draw_id>")
@login_required
def draw_page(draw_id):
    user = me()
    record = draws.describe(draws.get_draw(user, draw_id))
    people = draws.officers_by_id([r.replaced_user_id for r in record.replacements]
                                  + [r.replacement_user_id for r in record.replacements])
    return render_template("draw.html", d=record, people=people, public=False,
                           may_manage=user.unit_id == record.unit_id and _planner(user), me_id=user.id,
                           today=plans.today())


@bp.route("/draws/items/<int:item_id>/replace", methods=["POST"])
@login_required
def draw_replace(item_id):
    user = me()
    user_id = _int(request.form.get("user_id"))
    try:
        replacement = draws.replace_officer(user, item_id, user_id=user_id if isinstance(user_id, int) else -1,
                                            reason=request.form.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        discard()
        flash(chinese(exc.message) + "：" + "；".join(_flat(exc.details).values()), "error")
        draw_id = draws.get_item(item_id).draw_id
    else:
        flash("已回避并重新抽取执法人员（种子已记录）。", "success")
        draw_id = replacement.item.draw_id
    return redirect(url_for("web.draw_page", draw_id=draw_id))


@bp.route("/draws/items/<int:item_id>/inspected", methods=["POST"])
@login_required
def draw_inspected(item_id):
    user = me()
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    try:
        if day is None:
            raise ValidationFailed("请填写检查日期", {"day": ["日期无效"]})
        item = draws.record_draw_inspection(user, item_id, day=day, ref=request.form.get("ref") or None)
    except (ValidationFailed, Conflict) as exc:
        discard()
        flash(chinese(exc.message), "error")
        item = draws.get_item(item_id)
    else:
        flash("已登记检查完成。", "success")
    return redirect(url_for("web.draw_page", draw_id=item.draw_id))
