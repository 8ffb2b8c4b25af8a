"""The browser session, shared by the pages (web/) and the API calls a page makes with its cookie (api/auth.py).

Flask's session is a signed cookie: on its own it could not be ended — a copy taken before logout would still
work after it. So a login also writes a row (api_tokens, kind `web`) and puts only its id in the cookie; every
request checks the row, and logout or deactivation revoke it, ending the session at once wherever the cookie
is. The absolute lifetime is the row's expiry (WFS_SESSION_MAX_HOURS); the idle lifetime (WFS_SESSION_IDLE_MINUTES)
is kept in the signed cookie as the time of the last request, so an idle check costs no write."""
from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user, logout_user

from .modules.users.models import Role, TokenKind, User
from .modules.users.operations import end_session, issue_token, user_for_token

SESSION_KEY = "wfs_session"
SEEN_KEY = "wfs_seen"
_SEEN_RESOLUTION = 30  # seconds: the cookie is rewritten at most this often


def start(user: User) -> None:
    token, _row = issue_token(user, TokenKind.web)
    session.clear()
    login_user(user)
    session[SESSION_KEY] = token
    session[SEEN_KEY] = int(time.time())


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the session's user while its row is live and it has not been idle too long."""
    token, seen = session.get(SESSION_KEY), session.get(SEEN_KEY)
    now = int(time.time())
    if not isinstance(token, str) or not isinstance(seen, int):
        return None
    if now - seen > current_app.config["WFS"]["SESSION_IDLE_MINUTES"] * 60:
        return None
    user = user_for_token(token, TokenKind.web)
    if user is None or str(user.id) != str(user_id):
        return None
    if not user.is_officer and user.has_role(Role.integration):
        return None  # 接口账户 work through the API only (a session started before that rule ends here)
    if now - seen >= _SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return user


def end(user: User | None) -> None:
    token = session.get(SESSION_KEY)
    if user is not None and isinstance(token, str):
        end_session(user, token, TokenKind.web)
    logout_user()
    session.clear()
