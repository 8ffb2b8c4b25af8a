"""Units, users, login throttling and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ...core.clock import utcnow
from ...core.errors import Conflict, NotAuthenticated, NotFound, TooManyRequests, ValidationFailed
from ...core.services import clock, setting
from ...extensions import db
from ..audit.operations import record_event
from .models import ApiToken, Role, Unit, UnitLevel, User, UserRole
from .passwords import hash_password, password_matches


def create_unit(actor, *, code: str, name: str, level: str, parent_code: str | None = None) -> Unit:
    if db.session.scalar(sa.select(Unit).filter_by(code=code)) is not None:
        raise Conflict(f"单位代码已存在 (unit {code} exists)", {"code": ["already exists"]})
    try:
        UnitLevel(level)
    except ValueError:
        raise ValidationFailed("单位级别无效 (invalid level)", {"level": [f"one of {[l.value for l in UnitLevel]}"]})
    parent = None
    if parent_code:
        parent = db.session.scalar(sa.select(Unit).filter_by(code=parent_code))
        if parent is None:
            raise NotFound(f"上级单位不存在 (no unit {parent_code})", {"parent_code": ["unknown unit"]})
    unit = Unit(code=code, name=name, level=level, parent=parent, path="", created_at=clock().now())
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    record_event(actor, "unit_created", details={"code": code, "name": name, "parent": parent_code})
    db.session.flush()
    return unit


def create_user(actor, *, username: str, password: str, display_name: str, unit_code: str,
                roles: list[str], legal_qualification: bool = False) -> User:
    if db.session.scalar(sa.select(User).filter_by(username=username)) is not None:
        raise Conflict(f"用户名已存在 (user {username} exists)", {"username": ["already exists"]})
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise NotFound(f"单位不存在 (no unit {unit_code})", {"unit_code": ["unknown unit"]})
    try:
        role_values = sorted({Role(r).value for r in roles})
    except ValueError:
        raise ValidationFailed("角色无效 (invalid role)", {"roles": [f"each one of {[r.value for r in Role]}"]})
    if len(password) < 8:
        raise ValidationFailed("密码至少 8 位 (password too short)", {"password": ["at least 8 characters"]})
    user = User(
        username=username, display_name=display_name, unit=unit, active=True,
        password_hash=hash_password(password), legal_qualification=legal_qualification,
        failed_logins=0, created_at=clock().now(),
    )
    user.role_rows = [UserRole(role=r) for r in role_values]
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user_created", details={"username": username, "unit": unit_code, "roles": role_values})
    return user


def authenticate(username: str, password: str) -> User:
    """Check a password; after repeated failures the account is refused for a while (throttling).

    Security times (throttling, token expiry) follow the real time, not the settable business clock:
    moving a demo forward by a month must not log everybody out or lift a lock-out.
    """
    now = utcnow()
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if user is None:
        password_matches(None, password)
        raise NotAuthenticated("用户名或密码错误 (wrong username or password)", code="bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        raise TooManyRequests("登录失败次数过多，请稍后再试 (too many failed logins; try later)",
                              {"retry_after": user.locked_until.isoformat()})
    if not user.is_active or not password_matches(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= setting("LOGIN_MAX_FAILURES"):
            user.locked_until = now + timedelta(minutes=setting("LOGIN_LOCK_MINUTES"))
            user.failed_logins = 0
            record_event(None, "login_throttled", details={"username": username})
        db.session.flush()
        raise NotAuthenticated("用户名或密码错误 (wrong username or password)", code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(token_hash=_digest(token), user=user, created_at=now,
                   expires_at=now + timedelta(hours=setting("TOKEN_TTL_HOURS")))
    db.session.add(row)
    record_event(user, "token_issued", details={"expires_at": row.expires_at.isoformat()})
    db.session.flush()
    return token, row


def user_for_token(token: str) -> User | None:
    # The token, its user and the user's unit in one statement (the roles follow in one more): every API
    # request starts here.
    row = db.session.scalar(sa.select(ApiToken).filter_by(token_hash=_digest(token))
                            .options(sa.orm.joinedload(ApiToken.user).joinedload(User.unit)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.is_active else None
