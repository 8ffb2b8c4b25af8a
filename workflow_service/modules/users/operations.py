"""Units and users (administered within the actor's unit tree), passwords, API tokens and browser sessions."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ...core.clock import utcnow
from ...core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from ...core.services import clock, setting
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from .models import ApiToken, Role, TokenKind, Unit, UnitLevel, User, UserRole
from .passwords import hash_password, password_matches
from .throttling import check_allowed, record_failure, record_success
from .units import unit_contains


def _require_administrator_of(actor, unit: Unit) -> None:
    """Administration is scoped to the actor's unit tree: an administrator creates units, users and role grants in
    their own unit and the units below it, never above or beside it. The CLI (no actor) is the platform's own."""
    if actor is None:
        return
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    if not unit_contains(actor.unit, unit):
        raise Forbidden("只能管理本单位及下级单位的用户和单位 (outside your unit tree)")


def create_unit(actor, *, code: str, name: str, level: str, parent_code: str | None = None) -> Unit:
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    if actor is not None and not parent_code:
        raise Forbidden("顶级单位只能用命令行创建 (a top-level unit is created with the CLI only)")
    parent = None
    if parent_code:
        parent = db.session.scalar(sa.select(Unit).filter_by(code=parent_code))
        if parent is None:
            raise NotFound(f"上级单位不存在 (no unit {parent_code})", {"parent_code": ["单位不存在"]})
        _require_administrator_of(actor, parent)
    if db.session.scalar(sa.select(Unit).filter_by(code=code)) is not None:
        raise Conflict(f"单位代码已存在 (unit {code} exists)", {"code": ["already exists"]})
    try:
        UnitLevel(level)
    except ValueError:
        raise ValidationFailed("单位级别无效 (invalid level)", {"level": [f"one of {[l.value for l in UnitLevel]}"]})
    unit = Unit(code=code, name=name, level=level, parent=parent, path="", created_at=clock().now())
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    record_event(actor, "unit_created", details={"code": code, "name": name, "parent": parent_code})
    db.session.flush()
    return unit


# Granted with the CLI only: deploying definitions is deploying code (modules/users/models.py Role).
CLI_ONLY_ROLES = {Role.platform_operator.value}


def create_user(actor, *, username: str, password: str, display_name: str, unit_code: str,
                roles: list[str], legal_qualification: bool = False, certificate_number: str | None = None,
                legal_review_appointed_on=None) -> User:
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise NotFound(f"单位不存在 (no unit {unit_code})", {"unit_code": ["单位不存在"]})
    _require_administrator_of(actor, unit)
    try:
        role_values = sorted({Role(r).value for r in roles})
    except ValueError:
        raise ValidationFailed("角色无效 (invalid role)", {"roles": [f"each one of {[r.value for r in Role]}"]})
    if actor is not None and CLI_ONLY_ROLES & set(role_values):
        raise Forbidden("平台运维人员角色只能用命令行授予 (the platform operator role is granted with the CLI only)")
    if db.session.scalar(sa.select(User).filter_by(username=username)) is not None:
        raise Conflict(f"用户名已存在 (user {username} exists)", {"username": ["already exists"]})
    if len(password) < 8:
        raise ValidationFailed("密码至少 8 位 (password too short)", {"password": ["at least 8 characters"]})
    user = User(
        username=username, display_name=display_name, unit=unit, active=True,
        password_hash=hash_password(password), legal_qualification=legal_qualification,
        certificate_number=(certificate_number or "").strip() or None,
        legal_review_appointed_on=_appointment_day(legal_review_appointed_on), created_at=clock().now(),
    )
    user.role_rows = [UserRole(role=r) for r in role_values]
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user_created", details={"username": username, "unit": unit_code, "roles": role_values})
    return user


def _appointment_day(day):
    if day is not None and day > clock().now().astimezone(SHANGHAI).date():
        raise ValidationFailed("初次从事法制审核的日期不能晚于今天 (the appointment day is in the future)",
                               {"legal_review_appointed_on": ["不能晚于今天"]})
    return day


def set_legal_reviewer_record(actor, username: str, *, legal_qualification: bool, legal_review_appointed_on) -> User:
    """Record a reviewer's legal qualification and the day they first did legal review (行政处罚法 Art 58(2))."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        raise NotFound(f"用户不存在 (no user {username})")
    _require_administrator_of(actor, user.unit)
    user.legal_qualification = bool(legal_qualification)
    user.legal_review_appointed_on = _appointment_day(legal_review_appointed_on)
    db.session.flush()
    record_event(actor, "legal_reviewer_recorded", details={
        "username": username, "legal_qualification": user.legal_qualification,
        "legal_review_appointed_on": user.legal_review_appointed_on.isoformat() if user.legal_review_appointed_on else None})
    return user


def set_collective_discussion_every_case(actor, unit_code: str, every_case: bool) -> Unit:
    """A unit's practice of discussing every penalty case among its heads (负责人集体讨论, 行政处罚法 Art 57)."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise NotFound(f"单位不存在 (no unit {unit_code})")
    _require_administrator_of(actor, unit)
    unit.collective_discussion_every_case = bool(every_case)
    db.session.flush()
    record_event(actor, "unit_practice_set", details={"unit": unit_code, "collective_discussion_every_case": unit.collective_discussion_every_case})
    return unit


def set_presiding_head(actor, username: str, presides: bool) -> User:
    """主持工作的负责人: a head (supervisor) who presides over the department's work acts as its principal head,
    e.g. approves a criminal transfer (国务院令310 Art 5)."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可管理用户和单位 (administrators only)")
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        raise NotFound(f"用户不存在 (no user {username})")
    _require_administrator_of(actor, user.unit)
    if presides and Role.supervisor.value not in {r.role for r in user.role_rows}:
        raise ValidationFailed("主持工作的须为本单位负责人 (only a head presides over the work)",
                               {"presides_over_work": ["该用户不是负责人"]})
    user.presides_over_work = bool(presides)
    db.session.flush()
    record_event(actor, "presiding_head_set", details={"username": username, "presides_over_work": user.presides_over_work})
    return user


def set_user_active(actor, username: str, active: bool) -> User:
    """停用 / 启用 an account. Deactivation ends the user's tokens and browser sessions at once (the rows are
    revoked; every request checks them), wherever copies of them are. Nobody deactivates their own account."""
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        raise NotFound("用户不存在 (no such user)")
    _require_administrator_of(actor, user.unit)
    if actor is not None and actor.id == user.id and not active:
        raise Conflict("不能停用自己的账户 (you cannot deactivate your own account)", code="own_account")
    if bool(user.active) == active:
        return user
    user.active = active
    ended = revoke_tokens_of(user) if not active else 0
    record_event(actor, "user_deactivated" if not active else "user_reactivated",
                 details={"username": user.username, "sessions_ended": ended})
    db.session.flush()
    return user


def set_certificate(actor, username: str, *, number: str | None, valid_to) -> User:
    """行政执法证: record (or, number None, withdraw) an officer's enforcement certificate. Only a certified case
    handler inspects or is drawn for a random inspection (双随机 执法检查人员名录)."""
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        raise NotFound("用户不存在 (no such user)")
    _require_administrator_of(actor, user.unit)
    number = (number or "").strip() or None
    if number is not None:
        problems = {}
        if len(number) > 32:
            problems["number"] = ["执法证号不超过 32 位"]
        if valid_to is None:
            problems["valid_to"] = ["请填写有效期"]
        if not user.has_role(Role.case_handler):
            problems["username"] = ["仅执法人员（承办人）可登记执法证"]
        taken = db.session.scalar(sa.select(User.id).where(User.certificate_number == number, User.id != user.id))
        if taken:
            problems["number"] = ["该执法证号已登记给其他人员"]
        if problems:
            raise ValidationFailed("执法证信息有误", problems)
    user.certificate_number, user.certificate_valid_to = number, valid_to if number else None
    db.session.flush()
    record_event(actor, "certificate_set", details={"username": user.username, "number": number,
                                                    "valid_to": valid_to.isoformat() if number and valid_to else None})
    return user


def authenticate(username: str, password: str, source: str = "") -> User:
    """Check a password, throttled per (username, source) (modules/users/throttling.py). An unknown name, a wrong
    password and a deactivated account get the same answer, after the same work.

    Security times (throttling, token expiry) follow the real time, not the settable business clock:
    moving a demo forward by a month must not log everybody out or lift a lock-out.
    """
    throttle = check_allowed(username, source)
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    valid = password_matches(user.password_hash if user is not None else None, password)
    if user is None or not valid or not user.is_active:
        record_failure(throttle, username, source)
        raise NotAuthenticated("用户名或密码错误 (wrong username or password)", code="bad_credentials")
    record_success(throttle)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, kind: TokenKind = TokenKind.api) -> tuple[str, ApiToken]:
    """A bearer token (WFS_TOKEN_TTL_HOURS) or a browser session (WFS_SESSION_MAX_HOURS, its absolute lifetime)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    hours = setting("TOKEN_TTL_HOURS") if kind == TokenKind.api else setting("SESSION_MAX_HOURS")
    row = ApiToken(token_hash=_digest(token), user=user, created_at=now, kind=kind.value,
                   expires_at=now + timedelta(hours=hours))
    db.session.add(row)
    record_event(user, "token_issued" if kind == TokenKind.api else "session_started",
                 details={"expires_at": row.expires_at.isoformat()})
    db.session.flush()
    return token, row


@functools.cache
def _token_statement() -> sa.Select:
    # Built once (at the first request, when the mappers are configured): constructing the select and its
    # joinedload options cost about as much as running it.
    user = sa.orm.joinedload(ApiToken.user)
    return (sa.select(ApiToken)
            .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.kind == sa.bindparam("kind"))
            .options(user.joinedload(User.unit), user.joinedload(User.role_rows)))


def user_for_token(token: str, kind: TokenKind = TokenKind.api) -> User | None:
    # The token, its user, the user's unit and roles in one statement: every API request starts here. A browser
    # session's id is no bearer token, nor the other way round.
    row = db.session.scalars(_token_statement(), {"token_hash": _digest(token), "kind": kind.value}).unique().first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.is_active else None


def end_session(user: User, token: str, kind: TokenKind) -> None:
    """退出: the token or browser session stops working at once (a copy of it too)."""
    now = utcnow()
    revoked = db.session.execute(sa.update(ApiToken).where(
        ApiToken.token_hash == _digest(token), ApiToken.kind == kind.value, ApiToken.user_id == user.id,
        ApiToken.revoked_at.is_(None)).values(revoked_at=now)).rowcount
    if revoked:
        record_event(user, "logged_out", details={"kind": kind.value})
    db.session.flush()


def revoke_tokens_of(user: User) -> int:
    """Every token and browser session of the user ends now; returns how many were live."""
    now = utcnow()
    return db.session.execute(sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .values(revoked_at=now)).rowcount
