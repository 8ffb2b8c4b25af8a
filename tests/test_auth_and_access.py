"""Who may call the service: bearer tokens, login throttling, the web login with its CSRF protection,
session-authenticated API calls, and the one error shape every refusal comes in."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from workflow_service.config import SETTINGS

from .conftest import PASSWORD, TEST_PASSWORD_HASH_METHOD, make_app

ERROR_KEYS = {"code", "message", "details"}


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)
    assert set(body) == ERROR_KEYS, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body


def request_token(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def csrf_token_in(page: str) -> str:
    for tag in re.findall(r"<input[^>]*>", page):
        if 'name="csrf_token"' in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    raise AssertionError("no csrf_token field on the page")


def web_login(client, username="handler1", password=PASSWORD, next_=None):
    page = client.get("/login").get_data(as_text=True)
    url = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(url, data={"username": username, "password": password, "csrf_token": csrf_token_in(page)})


def start_review(api, title="会话测试案件"):
    response = api.post("/api/v1/process-instances", json={"process_id": "fixture_review", "title": title})
    assert response.status_code == 201, response.get_json()
    (task,) = api.get("/api/v1/tasks?scope=available").get_json()["items"]
    return task


# --- tokens -------------------------------------------------------------------------------------------

def test_the_right_password_gives_a_token_that_identifies_the_user(app):
    client = app.test_client()
    response = request_token(client, "handler1", PASSWORD)
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    me = me.get_json()
    assert me["username"] == "handler1"
    assert me["display_name"] == "张承办"
    assert me["unit"]["code"] == "532301" and me["unit"]["name"] == "楚雄市应急管理局"
    assert me["roles"] == ["case_handler"]


def test_a_user_with_two_roles_sees_both(login):
    assert login("head1").get("/api/v1/me").get_json()["roles"] == ["committee_member", "principal_head", "supervisor"]


def test_a_wrong_password_is_refused_in_the_error_shape(app):
    body = assert_error(request_token(app.test_client(), "handler1", "wrong-password"), 401, "bad_credentials")
    assert "token" not in body


def test_an_unknown_user_is_refused_exactly_like_a_wrong_password(app):
    client = app.test_client()
    unknown = assert_error(request_token(client, "nobody-at-all", "wrong-password"), 401, "bad_credentials")
    wrong = assert_error(request_token(client, "handler1", "wrong-password"), 401, "bad_credentials")
    # The answer must not tell an attacker which usernames exist.
    assert unknown == wrong


def test_without_a_token_the_api_asks_for_authentication(app):
    assert_error(app.test_client().get("/api/v1/me"), 401, "not_authenticated")
    assert_error(app.test_client().get("/api/v1/tasks?scope=mine"), 401, "not_authenticated")


def test_a_garbage_bearer_token_is_an_invalid_token(app):
    client = app.test_client()
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"}), 401, "invalid_token")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer "}), 401, "invalid_token")


# --- throttling ---------------------------------------------------------------------------------------

def test_repeated_wrong_passwords_lock_the_account_but_not_other_users(app, login):
    client = app.test_client()
    max_failures = app.config["WFS"]["LOGIN_MAX_FAILURES"]
    assert max_failures == 5
    for _ in range(max_failures):
        assert_error(request_token(client, "handler2", "wrong-password"), 401, "bad_credentials")
    # Now even the right password is refused, until the lock expires.
    locked = assert_error(request_token(client, "handler2", PASSWORD), 429, "too_many_requests")
    assert "retry_after" in locked["details"]
    # The browser login is the same account and is refused too.
    assert web_login(app.test_client(), "handler2").status_code == 429
    # Other users are unaffected.
    assert login("handler1").get("/api/v1/me").get_json()["username"] == "handler1"


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_resets_the_count(app):
    client = app.test_client()
    max_failures = app.config["WFS"]["LOGIN_MAX_FAILURES"]
    for _ in range(max_failures - 1):
        assert request_token(client, "reviewer1", "wrong-password").status_code == 401
    assert request_token(client, "reviewer1", PASSWORD).status_code == 201
    for _ in range(max_failures - 1):
        assert request_token(client, "reviewer1", "wrong-password").status_code == 401
    assert request_token(client, "reviewer1", PASSWORD).status_code == 201


# --- password hashing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["pbkdf2:sha256:1", "pbkdf2:sha256:1000000", "scrypt:16384:8:1",
                                    "scrypt:32768:4:1", "plaintext"])
def test_production_refuses_a_password_hash_weaker_than_the_default(tmp_path, method):
    # The suite's cheap hash must never reach a production service: it refuses to start.
    with pytest.raises(RuntimeError, match="WFS_PASSWORD_HASH_METHOD"):
        make_app(f"sqlite:///{tmp_path / 'production.sqlite'}", ENV="production", SECRET_KEY="x",
                 SETTABLE_CLOCK=False, PASSWORD_HASH_METHOD=method)


@pytest.mark.parametrize("method", ["scrypt:8", "pbkdf2:no-such-hash:1", "pbkdf2:sha256:many", "md5"])
def test_a_malformed_password_hash_method_stops_the_service_at_start_in_any_environment(tmp_path, method):
    # At start, not at the first user created (a 500) or the first login.
    with pytest.raises(RuntimeError, match="WFS_PASSWORD_HASH_METHOD"):
        make_app(f"sqlite:///{tmp_path / 'development.sqlite'}", ENV="development", PASSWORD_HASH_METHOD=method)


def test_production_starts_with_the_default_hash_or_a_stronger_one(tmp_path):
    for method in ["scrypt", "scrypt:32768:8:1", "scrypt:65536:8:2"]:
        make_app(f"sqlite:///{tmp_path / 'production.sqlite'}", ENV="production", SECRET_KEY="x",
                 SETTABLE_CLOCK=False, PASSWORD_HASH_METHOD=method)
    assert SETTINGS["PASSWORD_HASH_METHOD"][0] == "scrypt"


def test_a_password_is_hashed_with_the_configured_method_and_still_logs_in(app):
    import uuid

    from workflow_service.extensions import db
    from workflow_service.modules.users.operations import create_user

    # The suite's own method (conftest); a hash made under another method still verifies, whatever the setting.
    username = f"hashed_{uuid.uuid4().hex[:8]}"
    with app.app_context():
        user = create_user(None, username=username, password=PASSWORD, display_name="散列", unit_code="532301",
                           roles=["case_handler"])
        assert user.password_hash.startswith(f"{TEST_PASSWORD_HASH_METHOD}$")
        db.session.commit()
    app.config["WFS"]["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        assert request_token(app.test_client(), username, PASSWORD).status_code == 201
        assert request_token(app.test_client(), username, "wrong-password").status_code == 401
    finally:
        app.config["WFS"]["PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH_METHOD


# --- web login ----------------------------------------------------------------------------------------

def test_the_login_page_is_a_chinese_form_with_a_csrf_token(app):
    response = app.test_client().get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page
    assert 'lang="zh-CN"' in page
    assert len(csrf_token_in(page)) > 20


def test_the_inbox_needs_a_login(app):
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_login_post_without_the_csrf_token_is_refused_and_logs_nobody_in(app):
    client = app.test_client()
    client.get("/login")  # a session exists, but the form's token is not sent back
    response = client.post("/login", data={"username": "handler1", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_a_login_post_with_a_forged_csrf_token_is_refused(app):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "handler1", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_logging_in_through_the_form_leads_to_my_inbox(app):
    client = app.test_client()
    response = web_login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    inbox = client.get("/")
    assert inbox.status_code == 200
    page = inbox.get_data(as_text=True)
    assert "我的待办" in page and "可认领任务" in page
    assert "张承办" in page


def test_a_wrong_password_in_the_form_shows_the_form_again_with_a_message(app):
    client = app.test_client()
    response = web_login(client, password="wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_after_login_a_local_next_page_is_followed(app):
    client = app.test_client()
    response = web_login(client, next_="/%3Fshow%3Dall")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?show=all"


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/", "/%5Cevil.example", "%2F%2Fevil.example", "/%09/evil.example",
])
def test_after_login_a_next_page_on_another_site_is_not_followed(app, target):
    client = app.test_client()
    response = web_login(client, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_a_csrf_protected_post(app):
    client = app.test_client()
    web_login(client)
    page = client.get("/").get_data(as_text=True)
    # A link or an image cannot log a user out ...
    assert client.get("/logout").status_code == 405
    # ... nor can another site's form without the token.
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token_in(page)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


# --- the API from the browser session -----------------------------------------------------------------

def test_the_api_knows_the_user_of_the_web_session(app):
    client = app.test_client()
    web_login(client)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["username"] == "handler1"


def test_a_session_post_to_the_api_needs_the_csrf_header(app, login):
    task = start_review(login("handler1"))
    client = app.test_client()
    web_login(client)
    refused = assert_error(client.post(f"/api/v1/tasks/{task['id']}/claim", json={}), 400, "csrf_failed")
    assert "CSRF" in refused["message"]
    # Refused means nothing happened: the task is still unclaimed.
    assert client.get(f"/api/v1/tasks/{task['id']}").get_json()["assignee"] is None
    wrong = client.post(f"/api/v1/tasks/{task['id']}/claim", json={}, headers={"X-CSRFToken": "forged"})
    assert_error(wrong, 400, "csrf_failed")

    token = csrf_token_in(client.get("/").get_data(as_text=True))
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", json={}, headers={"X-CSRFToken": token})
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["assignee"] == "handler1"


def test_a_bearer_token_needs_no_csrf_header(login):
    handler = login("handler1")
    task = start_review(handler)
    assert handler.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200


# --- the one error shape ------------------------------------------------------------------------------

def test_an_unknown_api_path_is_a_404_in_the_error_shape(app, login):
    assert_error(app.test_client().get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(login("handler1").get("/api/v1/tasks/999999"), 404, "not_found")


def test_a_wrong_method_is_a_405_in_the_error_shape(app):
    response = app.test_client().delete("/api/v1/auth/token")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers.get("Allow", "")


def test_a_malformed_json_body_is_a_client_error_in_the_error_shape(app):
    response = app.test_client().post("/api/v1/auth/token", data='{"username": "handler1",',
                                      content_type="application/json")
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_missing_fields_are_named_one_by_one(app):
    body = assert_error(app.test_client().post("/api/v1/auth/token", json={}), 422, "validation_failed")
    assert set(body["details"]) == {"username", "password"}


def test_unknown_fields_are_refused_per_field(app):
    response = app.test_client().post("/api/v1/auth/token", json={"username": "handler1", "password": PASSWORD,
                                                                  "role": "admin"})
    body = assert_error(response, 422, "validation_failed")
    assert set(body["details"]) == {"role"}
    assert isinstance(body["details"]["role"], list) and body["details"]["role"]


def test_a_bad_query_parameter_is_a_422_per_field(login):
    body = assert_error(login("handler1").get("/api/v1/tasks?scope=everything"), 422, "validation_failed")
    assert "scope" in body["details"]


# --- deactivated accounts -----------------------------------------------------------------------------

def test_a_deactivated_user_loses_both_the_session_and_the_token(app):
    import uuid

    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    username = f"leaver_{uuid.uuid4().hex[:8]}"
    with app.app_context():
        create_user(None, username=username, password=PASSWORD, display_name="离职人员", unit_code="532301",
                    roles=["case_handler"])
        db.session.commit()
    browser, api = app.test_client(), app.test_client()
    assert web_login(browser, username).status_code == 302
    token = request_token(api, username, PASSWORD).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert browser.get("/").status_code == 200
    assert api.get("/api/v1/me", headers=bearer).status_code == 200

    with app.app_context():
        db.session.scalar(sa.select(User).filter_by(username=username)).active = False
        db.session.commit()

    assert browser.get("/").status_code == 302
    assert_error(browser.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(api.get("/api/v1/me", headers=bearer), 401, "invalid_token")
    assert_error(request_token(api, username, PASSWORD), 401, "bad_credentials")
