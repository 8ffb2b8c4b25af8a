"""Who is calling: a bearer token (API clients) or the web session (the browser UI, CSRF-checked)."""
from __future__ import annotations

import functools

from flask import g, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFError

from .. import browser_session
from ..core.errors import Forbidden, NotAuthenticated, ServiceError, error_response
from ..extensions import csrf
from ..modules.users.models import TokenKind
from ..modules.users.operations import authenticate, end_session, issue_token, user_for_token
from ..modules.users.schemas import TokenArgs, TokenSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与令牌 (authentication)")


def requires_role(*roles, message: str):
    """Refuse a caller holding none of `roles` (403) before the request body is parsed: whoever may not call an
    endpoint learns nothing about what it accepts. Goes between `@blp.route` and `@blp.arguments`; the operation
    still checks its own rule (unit tree and all)."""
    def decorate(view):
        @functools.wraps(view)  # keeps flask-smorest's documentation attributes
        def checked(*args, **kwargs):
            user = current_api_user()
            if not any(user.has_role(role) for role in roles):
                raise Forbidden(message)
            return view(*args, **kwargs)
        return checked
    return decorate


def current_api_user():
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    user = None
    if header.lower().startswith("bearer "):
        user = user_for_token(header[7:].strip())
        if user is None:
            raise NotAuthenticated("令牌无效或已过期 (invalid or expired token)", code="invalid_token")
    elif current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                csrf.protect()
            except CSRFError as exc:
                raise ServiceError(f"CSRF 校验失败 ({exc.description})", code="csrf_failed") from None
        user = current_user._get_current_object()
    if user is None:
        raise NotAuthenticated("请先登录 (authentication required)")
    g.api_user = user
    return user


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenArgs)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema="Error")
@blp.alt_response(429, schema="Error")
def create_token(args):
    """Exchange a username and password for a bearer token."""
    try:
        user = authenticate(args["username"], args["password"], request.remote_addr or "")
    except ServiceError as exc:
        # Answered, not raised: a request that returns commits (core/transaction.py), and the failed-login count
        # must be kept — it drives the throttling.
        return error_response(exc.status, exc.code, exc.message, exc.details)
    token, row = issue_token(user)
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at, "user": user}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
@blp.alt_response(401, schema="Error")
def logout():
    """End the calling token (or, called from a browser page, its session) now; a copy of it stops working too."""
    user = current_api_user()
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        end_session(user, header[7:].strip(), TokenKind.api)
    else:
        browser_session.end(user)


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
def me():
    """The calling user, their unit and roles."""
    return current_api_user()
