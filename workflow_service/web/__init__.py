"""The browser side: login/logout (Flask-Login session, CSRF-protected form) and a first task inbox page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..core.errors import ServiceError
from ..core.services import clock
from ..extensions import db, login_manager
from ..modules.alerts.queries import alerts_for
from ..modules.tasks.queries import list_tasks
from ..modules.users.models import ROLE_LABELS, User
from ..modules.users.operations import authenticate

bp = Blueprint("web", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=256)])


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except ServiceError as exc:
            db.session.commit()  # keep the failed-login count
            flash(exc.message, "error")
            return render_template("login.html", form=form), exc.status
        db.session.commit()
        login_user(user)
        target = request.args.get("next", "")
        if not _is_local_path(target):
            target = url_for("web.inbox")
        return redirect(target)
    return render_template("login.html", form=form)


def _is_local_path(target: str) -> bool:
    """Only local paths: never redirect to another site after login. Browsers read a backslash as a
    slash and drop tabs and newlines, so a backslash or control character could turn "/..." into "//host"."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    return not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7f for ch in target)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("web.login"))


@bp.route("/")
@login_required
def inbox():
    user = current_user._get_current_object()
    mine, mine_total = list_tasks(user, "mine")
    available, available_total = list_tasks(user, "available")
    alerts, alerts_total = alerts_for(user)
    return render_template("inbox.html", user=user, mine=mine, available=available, alerts=alerts,
                           mine_total=mine_total, available_total=available_total, alerts_total=alerts_total,
                           now=clock().now(), role_labels={r.value: label for r, label in ROLE_LABELS.items()})


def register_web(app) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(app.config["WFS"]["TIMEZONE"])
    login_manager.login_view = "web.login"
    login_manager.login_message = "请先登录"

    @app.template_filter("local")
    def _local(value):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "—"

    @app.template_filter("reject_page")
    def _reject_page(args: dict) -> dict:
        return {k: v for k, v in args.items() if k != "page"}

    app.register_blueprint(bp)
    from .public import bp as public_bp  # 行政执法公示: pages without login

    app.register_blueprint(public_bp)
