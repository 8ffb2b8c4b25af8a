"""Ending sessions (issue 15, item 7): deactivating a user (API, page, CLI) and logging out end tokens and browser
sessions at once — a copy of the cookie taken before logout stops working — and a browser session ends after its
idle and absolute lifetimes."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from .conftest import PASSWORD, ApiClient
from .test_auth_and_access import csrf_token_in, web_login
from .test_web_pages import browser


TARGET = "session_target"  # deactivated and logged out here: no other test uses its tokens (conftest's `login`
                           # keeps one token per user for the whole run)


@pytest.fixture
def target(app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    with app.app_context():
        if db.session.scalar(sa.select(User).filter_by(username=TARGET)) is None:
            create_user(None, username=TARGET, password=PASSWORD, display_name="会话测试", unit_code="532301",
                        roles=["case_handler"])
            db.session.commit()
    return TARGET


def fresh_token(app, username):
    """A token of its own (not `login`'s shared one), to be ended by the test."""
    response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return ApiClient(app.test_client(), response.get_json()["token"])


def _copy_cookies(app, client):
    """A second browser holding a copy of `client`'s cookies (what someone who copied the cookie has)."""
    copy = app.test_client()
    for cookie in client._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return copy


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_deactivated_user_loses_every_token_and_session_at_once(app, login, target):
    admin = login("admin")
    token_client = fresh_token(app, target)
    page = browser(app, target)
    assert token_client.get("/api/v1/me").status_code == 200 and _logged_in(page)
    response = admin.post(f"/api/v1/admin/users/{target}/deactivate")
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert token_client.get("/api/v1/me").status_code == 401
    assert not _logged_in(page) and page.get("/api/v1/me").status_code == 401
    assert app.test_client().post("/api/v1/auth/token", json={"username": target, "password": PASSWORD}) \
        .status_code == 401
    assert admin.post(f"/api/v1/admin/users/{target}/activate").get_json()["active"] is True
    assert token_client.get("/api/v1/me").status_code == 401 and not _logged_in(page)  # nothing comes back
    assert fresh_token(app, target).get("/api/v1/me").status_code == 200


def test_deactivating_from_the_page_and_the_cli(app, target):
    token_client = fresh_token(app, target)
    admin_page = browser(app, "admin")
    token = csrf_token_in(admin_page.get("/admin/users").get_data(as_text=True))
    done = admin_page.post("/admin/users", data={"csrf_token": token, "what": "deactivate", "username": target})
    assert done.status_code == 302
    assert "已停用" in admin_page.get("/admin/users").get_data(as_text=True)
    assert token_client.get("/api/v1/me").status_code == 401
    runner = app.test_cli_runner()
    assert runner.invoke(args=["wfs", "activate-user", target]).exit_code == 0
    token_client = fresh_token(app, target)
    result = runner.invoke(args=["wfs", "deactivate-user", target])
    assert result.exit_code == 0 and f"deactivated user {target}" in result.output
    assert token_client.get("/api/v1/me").status_code == 401
    assert runner.invoke(args=["wfs", "activate-user", target]).exit_code == 0


def test_nobody_deactivates_themselves_or_a_user_outside_their_tree(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    with app.app_context():
        if db.session.scalar(sa.select(User).filter_by(username="county_admin2")) is None:
            create_user(None, username="county_admin2", password=PASSWORD, display_name="县管理员",
                        unit_code="532301", roles=["admin"])
            db.session.commit()
    admin = login("admin")
    assert admin.post("/api/v1/admin/users/admin/deactivate").status_code == 409
    county = login("county_admin2")
    assert county.post("/api/v1/admin/users/city_supervisor/deactivate").status_code == 403
    assert county.post("/api/v1/admin/users/admin/deactivate").status_code == 403
    assert county.post("/api/v1/admin/users/no_such_user/deactivate").status_code == 404
    assert login("city_supervisor").get("/api/v1/me").status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works_after_it(app, target):
    client = browser(app, target)
    copy = _copy_cookies(app, client)
    assert _logged_in(copy)
    token = csrf_token_in(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(copy) and copy.get("/api/v1/me").status_code == 401


def test_logging_out_a_token_ends_it(app, target):
    client = fresh_token(app, target)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_browser_session_ends_after_its_idle_lifetime(app):
    client = browser(app, "handler1")
    idle = app.config["WFS"]["SESSION_IDLE_MINUTES"]
    assert idle == 30
    with client.session_transaction() as session:
        session["wfs_seen"] -= (idle - 1) * 60
    assert _logged_in(client)  # a request within the idle time keeps the session alive ...
    with client.session_transaction() as session:
        session["wfs_seen"] -= (idle + 1) * 60
    assert not _logged_in(client)  # ... a longer pause ends it


def test_a_browser_session_ends_after_its_absolute_lifetime_however_active(app):
    from workflow_service.core.clock import utcnow
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import ApiToken

    client = browser(app, "handler1")
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken).filter_by(kind="web").order_by(ApiToken.id.desc()).limit(1))
        assert timedelta(hours=11, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=12)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert not _logged_in(client)
    assert web_login(client).status_code == 302 and _logged_in(client)


def test_a_browser_session_id_is_no_bearer_token(app):
    client = browser(app, "handler1")
    with client.session_transaction() as session:
        session_id = session["wfs_session"]
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {session_id}"})
    assert response.status_code == 401
