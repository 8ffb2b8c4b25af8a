"""Structured logs: JSON lines, each request's lines tied together by its request id (the proxy's X-Request-ID, or
a new one), with the user, unit and latency; and never a password, a token or evidence bytes — at any level, from
any logger, the database's statements included."""
from __future__ import annotations

import base64
import io
import json
import logging
import re
import uuid

import pytest

from .case_driver import CaseDriver
from .test_auth_and_access import web_login
from .test_evidence import JPEG

REQUEST_LOG = "workflow_service.request"


@pytest.fixture
def captured():
    """Every line logged during the test, at every level and by every logger, as the service formats it."""
    from workflow_service.core.logging import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    opened = ["spiff", "apscheduler", "sqlalchemy.engine", "werkzeug", "workflow_service"]
    levels = {name: logging.getLogger(name).level for name in opened}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in opened:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_each_request_logs_one_line_with_its_id_user_unit_and_latency(login, captured):
    handler = login("handler1")
    response = handler.client.get("/api/v1/me", headers={**handler.headers, "X-Request-ID": "lb-7f3a-0001"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "lb-7f3a-0001"
    me = response.get_json()
    lines = captured()
    (line,) = [entry for entry in lines if entry["logger"] == REQUEST_LOG and entry.get("request_id") == "lb-7f3a-0001"]
    assert (line["method"], line["path"], line["endpoint"], line["status"]) == ("GET", "/api/v1/me", "auth.me", 200)
    assert line["user_id"] == me["id"] and line["unit_id"] == me["unit"]["id"] and line["latency_ms"] > 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    # The request's other lines (here its SQL statements) carry the same id: one request followed across workers.
    assert any(e["logger"].startswith("sqlalchemy.engine") for e in lines if e.get("request_id") == "lb-7f3a-0001")


@pytest.mark.parametrize("supplied", [None, "x" * 129, "two words", "<script>"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(app, captured, supplied):
    headers = {"X-Request-ID": supplied} if supplied is not None else {}
    response = app.test_client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    new = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new)
    (line,) = [e for e in captured() if e["logger"] == REQUEST_LOG]
    assert line["request_id"] == new and "user_id" not in line and line["status"] == 401


def test_passwords_tokens_and_evidence_bytes_never_reach_the_log(app, login, captured):
    suffix = uuid.uuid4().hex[:8]
    password, wrong = f"Sesame-{suffix}-pass", f"Wrong-{suffix}-pass"
    marker = f"EVIDENCE-CONTENT-{suffix}".encode()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["wfs", "create-user", "--username", f"log_{suffix}", "--name", "日志测试",
                                  "--unit", "532301", "--role", "case_handler", "--password-stdin"],
                            input=password + "\n")
    assert created.exit_code == 0, created.output
    assert password not in created.output
    client = app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": f"log_{suffix}", "password": wrong}).status_code == 401
    issued = client.post("/api/v1/auth/token", json={"username": f"log_{suffix}", "password": password})
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    web = app.test_client()
    assert web_login(web, f"log_{suffix}", wrong).status_code == 401
    assert web_login(web, f"log_{suffix}", password).status_code == 302
    # Evidence: uploaded and downloaded with its distinctive bytes.
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    photo = JPEG[:-2] + marker + JPEG[-2:]
    upload = d.client("handler1").client.post(
        f"/api/v1/cases/{d.case['id']}/evidence", headers=d.client("handler1").headers,
        content_type="multipart/form-data", data={"kind": "photo", "file": (io.BytesIO(photo), "现场.jpg")})
    assert upload.status_code == 201, upload.get_json()
    download = d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/evidence/{upload.get_json()['id']}/content")
    assert download.data == photo
    # Code that carelessly logs a secret is scrubbed by the formatter.
    careless = logging.getLogger("workflow_service.careless")
    careless.warning("calling with Authorization: Bearer %s and password=%s", token, password,
                     extra={"password": password, "api_token": token, "credentials": {"token": token}})

    lines = captured()
    text = json.dumps(lines, ensure_ascii=False)
    for secret in (password, wrong, token, marker.decode(), marker.hex(), base64.b64encode(photo).decode()[:40],
                   base64.b64encode(marker).decode()):
        assert secret not in text, f"{secret!r} was logged"
    # The capture really saw everything: each request, the SQL statements (values hidden), the careless line.
    requests = [(e["method"], e["path"], e["status"]) for e in lines if e["logger"] == REQUEST_LOG]
    assert ("POST", "/api/v1/auth/token", 401) in requests and ("POST", "/api/v1/auth/token", 201) in requests
    assert ("POST", "/login", 302) in requests and ("POST", f"/api/v1/cases/{d.case['id']}/evidence", 201) in requests
    assert any(e["logger"].startswith("sqlalchemy.engine") and "INSERT INTO evidence_files" in e["message"]
               for e in lines)
    assert "[SQL parameters hidden due to hide_parameters=True]" in text
    (scrubbed,) = [e for e in lines if e["logger"] == "workflow_service.careless"]
    assert scrubbed["message"] == "calling with Authorization: Bearer [redacted] and password=[redacted]"
    assert scrubbed["password"] == scrubbed["api_token"] == scrubbed["credentials"] == "[redacted]"
