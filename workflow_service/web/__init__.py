"""The browser side (in Chinese): login/logout, the task inbox, task pages with forms drawn from their JSON
Schema, case pages with the process diagram, the supervisors' dashboard and the administrators' pages.

Every page parses its input, checks who is calling, calls the same operations and queries as the API, and
renders a template; no business rule lives in a template or in the browser's JavaScript.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import abort, flash, make_response, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import browser_session
from ..core.errors import ServiceError
from ..core.messages import to_chinese
from ..extensions import login_manager
from ..modules.users.models import Role
from ..modules.users.operations import authenticate
from .charts import figure, money
from .common import LEVEL_NAMES, ROLE_NAMES, bp, is_local_path, is_supervisor


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=256)])


@login_manager.user_loader
def _load_user(user_id: str):
    return browser_session.load(user_id)  # the session's row must be live: logout and deactivation end it at once


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except ServiceError as exc:
            # Answered, not raised: the request commits (core/transaction.py) and keeps the failed-login count.
            flash(exc.message, "error")
            return render_template("login.html", form=form), exc.status
        if not user.is_officer and user.has_role(Role.integration):
            # 接口账户: another system's account (the police's gateway) works through its API endpoints only.
            flash("接口账户供其他系统通过接口报送使用，不能登录网页界面。请使用本人的执法人员账户登录。", "error")
            return render_template("login.html", form=form), 403
        browser_session.start(user)
        target = request.args.get("next", "")
        if not is_local_path(target):
            target = url_for("web.inbox")
        return redirect(target)
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    browser_session.end(current_user._get_current_object())
    return redirect(url_for("web.login"))


from . import admin, ballots, cases, documents, enforcement, evidence, inbox, inspections, planning, registry, sanctions, supervision, tasks, toolbox  # noqa: E402,F401  (the page modules register their routes)

_ERROR_TITLES = {400: "请求无效", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作",
                 409: "操作冲突", 413: "上传内容过大", 422: "输入有误", 429: "操作过于频繁", 500: "服务内部错误"}
_ERROR_HINTS = {403: "该页面或操作不属于您的角色或单位。如需办理，请联系本单位负责人。",
                404: "您要找的页面、案件或任务不存在，可能已被删除或链接有误。",
                409: "该事项已被他人处理或已发生变化，请返回并刷新页面后再试。",
                500: "服务暂时出现问题，请稍后再试；问题持续时请联系管理员。"}


# The 409s that mean someone else changed the record meanwhile; any other 409 (a case with no running deadline, a
# closed ballot) says its own reason and needs no advice to refresh.
_CHANGED_MEANWHILE = {"conflict", "stale_version", "already_claimed", "task_not_open"}


def _error_hint(status: int, code: str) -> str:
    if status == 409 and code not in _CHANGED_MEANWHILE:
        return ""
    return _ERROR_HINTS.get(status, "")


def _error_page(status: int, code: str, message: str, details: dict):
    """Browser pages show errors as a page in Chinese; the API keeps its JSON shape (core/errors.py)."""
    if status == 401:
        return redirect(url_for("web.login", next=request.full_path if request.method == "GET" else None))
    if "CSRF" in message:  # Flask-WTF's English description of a missing or expired form token
        message = "页面已过期或来源不明，请刷新页面后重新提交。"
    try:
        body = render_template("errors/error.html", status=status, title=_ERROR_TITLES.get(status, "出错了"),
                               message=message if status != 500 else "", hint=_error_hint(status, code),
                               code=code)
    except Exception:  # noqa: BLE001 - a broken template must not hide the original error
        return None
    return make_response(body, status)


def register_web(app) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(app.config["WFS"]["TIMEZONE"])
    login_manager.login_view = "web.login"
    login_manager.login_message = "请先登录"
    app.extensions["wfs_error_page"] = _error_page
    assets = Path(app.config["WFS"]["ASSETS_DIR"])

    @app.template_filter("zh")
    def _zh(message):
        """Every flash and field message a page shows, in Chinese (core/messages.py); a field's list of messages
        as one line."""
        if isinstance(message, (list, tuple)):
            return "；".join(str(to_chinese(m)) for m in message)
        return to_chinese(message)

    app.add_template_filter(figure, "figure")
    app.add_template_filter(money, "money")

    @app.template_filter("local")
    def _local(value):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "—"

    @app.template_filter("due")
    def _due(value):
        """A period ends at 24:00 of its last day (stored as 00:00 of the next): show it as the law counts it."""
        if not value:
            return "无期限"
        local = value.astimezone(tz)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return f"{(local - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00"
        return local.strftime("%Y-%m-%d %H:%M")

    @app.context_processor
    def _navigation():
        if not current_user.is_authenticated:
            return {}
        user = current_user._get_current_object()
        return {"nav_supervisor": is_supervisor(user), "nav_admin": user.has_role(Role.admin),
                "nav_operator": user.has_role(Role.platform_operator),
                "nav_handler": user.has_role(Role.case_handler), "role_names": ROLE_NAMES,
                "level_names": LEVEL_NAMES}

    @app.route("/favicon.ico")
    def favicon():
        # Browsers and tools ask for /favicon.ico whatever the page links: the same icon, not a 404 in the console.
        return send_from_directory(Path(__file__).parent / "static", "favicon.svg", mimetype="image/svg+xml",
                                   max_age=86400)

    @app.route("/static/vendor/bpmn-js/<path:filename>")
    def bpmn_js_asset(filename):
        # bpmn-js comes from the npm registry (package.json; `make run` installs it) and is served from here:
        # enforcement networks often cannot reach a CDN.
        directory = assets / "bpmn-js" / "dist"
        if not directory.is_dir():
            abort(404)
        return send_from_directory(directory, filename, max_age=3600)

    @app.template_filter("reject_page")
    def _reject_page(args: dict) -> dict:
        return {k: v for k, v in args.items() if k != "page"}

    app.register_blueprint(bp)
    from .public import bp as public_bp  # 行政执法公示: pages without login

    app.register_blueprint(public_bp)
