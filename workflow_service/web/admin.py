"""Administrators' pages (管理): users and units, the holiday calendar, deadline rules, process definitions, and
the demo clock. Each form is parsed with the API's marshmallow schemas and calls the same operations."""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Forbidden, ServiceError, ValidationFailed
from ..core.services import clock
from ..core.transaction import discard
from ..extensions import db
from ..modules.deadlines import operations as deadline_ops
from ..modules.deadlines.models import CalendarDay, CalendarYear, PeriodUnit
from ..modules.deadlines.schemas import CalendarImportArgs, RuleScopeArgs, RuleUpdateArgs
from ..modules.processes.models import ProcessDefinition
from ..modules.processes.definitions import deploy_package
from ..modules.steps.calendar import recompute_provisional_timers
from ..modules.system.operations import move_clock
from ..modules.steps.sweep import sweep_due_timers
from ..modules.users import operations as user_ops
from ..modules.users.models import Role, Unit, UnitLevel
from ..modules.users.queries import users_in_tree
from ..modules.users.units import subtree_clause
from .common import PERIOD_UNIT_NAMES, ROLE_NAMES, UNIT_LEVEL_NAMES, Pager, bp, me, page_number, require_admin, tz


def _admin():
    user = me()
    require_admin(user)
    return user


def _fail(exc) -> dict:
    """A refused form: nothing of the attempt is kept (core/transaction.py), the page shows the messages."""
    discard()
    messages = exc.messages if isinstance(exc, ValidationError) else exc.details
    flash(getattr(exc, "message", "输入有误，请检查标出的字段。"), "error")
    return _flatten(messages) if isinstance(messages, dict) else {"_schema": messages}


def _flatten(messages: dict, prefix: str = "") -> dict:
    """marshmallow nests list messages ({"holidays": {0: {"date": [...]}}}): one dotted key per field."""
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


# -- users and units ---------------------------------------------------------------------------------------
@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def admin_users():
    actor = _admin()
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            what = request.form.get("what")
            if what == "unit":
                unit = user_ops.create_unit(actor, code=values.get("code", "").strip(),
                                            name=values.get("name", "").strip(), level=values.get("level", ""),
                                            parent_code=values.get("parent_code") or None)
                flash(f"单位「{unit.name}」已创建。", "success")
            elif what in ("deactivate", "activate"):
                # 停用 ends the account's tokens and browser sessions at once; 启用 lets it log in afresh.
                user = user_ops.set_user_active(actor, values.get("username", ""), what == "activate")
                flash(f"用户「{user.display_name}」已{'启用' if user.active else '停用'}。", "success")
            else:
                user = user_ops.create_user(
                    actor, username=values.get("username", "").strip(), password=values.get("password", ""),
                    display_name=values.get("display_name", "").strip(), unit_code=values.get("unit_code", ""),
                    roles=request.form.getlist("roles"), legal_qualification=bool(request.form.get("legal_qualification")),
                    certificate_number=values.get("certificate_number", "").strip()[:32] or None)
                flash(f"用户「{user.display_name}」已创建。", "success")
            return redirect(url_for("web.admin_users"))
        except ServiceError as exc:
            if exc.status == 403 or (exc.status == 404 and request.form.get("what") in ("deactivate", "activate")):
                raise  # a refusal is a 403 page, not a form error
            errors = _fail(exc)
    # An administrator administers their own unit tree: its users and units are listed, nothing beside or above.
    pager = Pager(page_number(), 0)
    users, pager.total = users_in_tree(actor, limit=pager.per_page, offset=pager.offset)
    units = list(db.session.scalars(sa.select(Unit).where(subtree_clause(actor.unit))
                                    .order_by(Unit.path)))
    return render_template("admin/users.html", users=users, units=units, pager=pager, errors=errors,
                           values=values, me=actor,
                           roles=[(r.value, ROLE_NAMES[r.value]) for r in Role if r.value not in user_ops.CLI_ONLY_ROLES],
                           levels=[(lv.value, UNIT_LEVEL_NAMES[lv.value]) for lv in UnitLevel],
                           unit_level_names=UNIT_LEVEL_NAMES), (422 if errors else 200)


# -- holiday calendar ---------------------------------------------------------------------------------------
_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(.*)$")


def _entries(text: str) -> list[dict]:
    """One day per line: `2027-01-01 元旦` (the name is optional)."""
    entries = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line)
        entries.append({"date": match.group(1), "name": match.group(2).strip() or None} if match
                       else {"date": line.strip()})
    return entries


@bp.route("/admin/calendar", methods=["GET", "POST"])
@login_required
def admin_calendar():
    actor = _admin()
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            year = int(values.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors = {"year": ["请填写年份，如 2027"]}
        else:
            try:
                args = CalendarImportArgs().load({"source": values.get("source", "").strip(),
                                                  "holidays": _entries(values.get("holidays")),
                                                  "workdays": _entries(values.get("workdays"))})
                deadline_ops.import_calendar_year(actor, year, args["holidays"], args["workdays"], args["source"])
                recomputed = recompute_provisional_timers(actor)
                flash(f"{year} 年节假日安排已导入，重新计算了 {recomputed} 个暂定期限。", "success")
                return redirect(url_for("web.admin_calendar"))
            except (ValidationError, ServiceError) as exc:
                errors = _fail(exc)
    years = list(db.session.scalars(sa.select(CalendarYear).order_by(CalendarYear.year.desc())))
    counts = dict(db.session.execute(sa.select(CalendarDay.year, sa.func.count()).group_by(CalendarDay.year)).all())
    return render_template("admin/calendar.html", years=years, counts=counts, errors=errors, values=values), \
        (422 if errors else 200)


# -- deadline rules -------------------------------------------------------------------------------------------
@bp.route("/admin/rules")
@login_required
def admin_rules():
    _admin()
    return render_template("admin/rules.html", rules=deadline_ops.list_rules(), unit_names=PERIOD_UNIT_NAMES)


@bp.route("/admin/rules/<rule_id>", methods=["GET", "POST"])
@login_required
def admin_rule(rule_id):
    actor = _admin()
    try:
        scope = RuleScopeArgs().load({"jurisdiction": request.args.get("jurisdiction", "national")})
    except ValidationError as exc:
        raise ValidationFailed("管辖范围无效 (invalid jurisdiction)", exc.messages) from None
    rule = deadline_ops.find_rule(rule_id, None if scope["jurisdiction"] == "national" else scope["jurisdiction"])
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        fields = ("amount", "unit", "warning_lead_hours", "escalation2_after_hours", "legal_basis", "note")
        try:
            changes = RuleUpdateArgs().load({k: values[k].strip() for k in fields if k in values})
            deadline_ops.update_rule(actor, rule_id, changes, scope["jurisdiction"])
            flash(f"期限规则「{rule.name}」已保存。", "success")
            return redirect(url_for("web.admin_rules"))
        except (ValidationError, ServiceError) as exc:
            errors = _fail(exc)
            rule = deadline_ops.find_rule(rule_id, None if scope["jurisdiction"] == "national" else scope["jurisdiction"])
    return render_template("admin/rule.html", rule=rule, errors=errors, values=values,
                           jurisdiction=scope["jurisdiction"],
                           units=[(u.value, PERIOD_UNIT_NAMES[u.value]) for u in PeriodUnit]), (422 if errors else 200)


# -- process definitions --------------------------------------------------------------------------------------
@bp.route("/admin/definitions", methods=["GET", "POST"])
@login_required
def admin_definitions():
    actor = me()
    if not actor.has_role(Role.platform_operator):  # scripts are code: the platform's operators deploy
        raise Forbidden("仅平台运维人员可部署流程定义 (platform operators only)")
    errors = {}
    if request.method == "POST":
        files = {f.filename: f.read() for f in request.files.getlist("files") if f and f.filename}
        if not files:
            errors = {"files": ["请选择要部署的 BPMN/DMN 文件"]}
        else:
            try:
                results = deploy_package(actor, files)
                created = [d.process_id for d, new in results if new]
                flash(f"已部署：{', '.join(created)}" if created else "内容未变化，沿用现有版本。", "success")
                return redirect(url_for("web.admin_definitions"))
            except ServiceError as exc:
                errors = _fail(exc)
    definitions = list(db.session.scalars(
        sa.select(ProcessDefinition).order_by(ProcessDefinition.process_id, ProcessDefinition.is_latest.desc(),
                                              ProcessDefinition.id.desc()).limit(200)))
    return render_template("admin/definitions.html", definitions=definitions, errors=errors), \
        (422 if errors else 200)


# -- the demo clock -------------------------------------------------------------------------------------------
_ADVANCE_UNITS = {"days": "P{}D", "hours": "PT{}H", "minutes": "PT{}M"}


def _advance(form) -> str | None:
    """拨快 N 天/小时/分钟 as the ISO 8601 duration move_clock takes; a typed duration ("P3D") still works."""
    typed = form.get("advance", "").strip()
    if typed:
        return typed
    amount, unit = form.get("amount", "").strip(), form.get("unit", "days")
    if not amount.isdigit() or not 1 <= int(amount) <= 3650 or unit not in _ADVANCE_UNITS:
        raise ValidationFailed("请填写要拨快的时长", {"amount": ["请填写 1 至 3650 之间的整数"]})
    return _ADVANCE_UNITS[unit].format(int(amount))


def _local_instant(text: str) -> datetime:
    """A date and time typed on the page (datetime-local, in the service's time zone) as an aware instant."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("请填写要设定的日期和时间", {"set_to": ["格式如 2026-10-12 09:00"]}) from None
    return value.replace(tzinfo=tz()) if value.tzinfo is None else value

@bp.route("/admin/clock", methods=["GET", "POST"])
@login_required
def admin_clock():
    actor = _admin()
    errors = {}
    if request.method == "POST":
        try:
            if request.form.get("what") == "sweep":
                result = sweep_due_timers()  # one transaction per timer (modules/steps/sweep.py)
                flash(f"已执行定时扫描：触发 {result.fired} 个，失败 {result.failed} 个。", "success")
            elif request.form.get("what") == "set":
                move_clock(actor, now=_local_instant(request.form.get("set_to", "")))
                flash("时钟已调整。", "success")
            else:
                move_clock(actor, advance=_advance(request.form))
                flash("时钟已调整。", "success")
            return redirect(url_for("web.admin_clock"))
        except ServiceError as exc:
            errors = _fail(exc)
    return render_template("admin/clock.html", now=clock().now(), settable=clock().settable, errors=errors,
                           now_local=clock().now().astimezone(tz()).strftime("%Y-%m-%dT%H:%M")), \
        (422 if errors else 200)
