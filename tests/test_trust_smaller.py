"""The smaller trust holes (issue 15, item 9): the page upload limit is the API's, with a Chinese message;
WFS_ENV is read in any case and a value it does not know is refused; security headers on every answer, and no
inline script for the Content-Security-Policy to break; an evidence file altered on disk is refused (audited),
not served under its old digest; a download is named after what its bytes are; a refused role hears 403 before
anything about its request body."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from .case_driver import CaseDriver
from .test_auth_and_access import csrf_token_in
from .test_web_pages import browser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
TEMPLATES = Path(__file__).resolve().parent.parent / "workflow_service" / "web" / "templates"


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))
    return tmp_path / "evidence"


@pytest.fixture
def driver(login):
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    return d


def _page_upload(app, d, content, filename="现场照片.jpg"):
    client = browser(app, "handler1")
    url = f"/cases/{d.case['id']}"
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    return client, client.post(f"{url}/evidence", data={"csrf_token": token, "kind": "photo", "description": "",
                                                       "file": (io.BytesIO(content), filename)})


def _api_upload(d, content, filename="现场照片.jpg"):
    client = d.client("handler1")
    return client.client.post(f"/api/v1/cases/{d.case['id']}/evidence", headers=client.headers,
                              data={"kind": "photo", "file": (io.BytesIO(content), filename)},
                              content_type="multipart/form-data")


# -- the upload limit --------------------------------------------------------------------------------------
def test_the_page_takes_a_photo_larger_than_16_mb_as_the_api_does(app, driver):
    big = JPEG[:-2] + b"\x00" * (17 * 1024 * 1024) + b"\xff\xd9"
    client, response = _page_upload(app, driver, big)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "已上传" in client.get(f"/cases/{driver.case['id']}").get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_in_chinese_on_the_page_and_in_the_api(app, driver, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_MAX_BYTES", 1024 * 1024)
    big = JPEG + b"\x00" * (2 * 1024 * 1024)
    _client, page = _page_upload(app, driver, big)
    assert page.status_code == 413 and "上传内容超过大小上限" in page.get_data(as_text=True)
    api = _api_upload(driver, big)
    assert api.status_code == 413 and api.get_json()["message"].startswith("上传内容超过大小上限")


# -- WFS_ENV -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production(value):
    from workflow_service.config import load_config

    assert load_config(environ={"WFS_ENV": value})["ENV"] == "production"


@pytest.mark.parametrize("value", ["prod", "Prod", "staging", ""])
def test_an_unknown_environment_is_refused_not_read_as_development(value):
    from workflow_service.config import load_config

    with pytest.raises(ValueError, match="WFS_ENV"):
        load_config(environ={"WFS_ENV": value})


def test_production_spelled_with_a_capital_refuses_the_settable_clock(tmp_path):
    from workflow_service.app import create_app

    with pytest.raises(RuntimeError, match="SETTABLE_CLOCK"):
        create_app({"ENV": "Production", "SECRET_KEY": "x" * 32, "SETTABLE_CLOCK": True,
                    "SCHEDULER_ENABLED": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


# -- security headers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/login", "/gongshi/", "/api/v1/openapi.json", "/api/v1/public/disclosures",
                                  "/no-such-page"])
def test_every_answer_carries_the_security_headers(app, path):
    response = app.test_client().get(path)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # the task page embeds the service's own PDFs
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'self'" in csp and "object-src 'self'" in csp
    assert "default-src 'self'" in csp and "unsafe-eval" not in csp


def test_the_api_explorer_alone_may_run_its_inline_start_up_script(app):
    docs = app.test_client().get("/api/v1/docs")
    assert docs.status_code == 200 and "script-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]


def test_the_pages_have_no_inline_script_the_policy_would_block():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            found.append(f"{template.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=|javascript:", text):
            found.append(f"{template.name}: {match.group(0)}")
    assert not found, found


# -- evidence on disk --------------------------------------------------------------------------------------
def test_an_evidence_file_altered_on_disk_is_refused_and_the_refusal_audited(app, driver, evidence_dir):
    body = _api_upload(driver, JPEG).get_json()
    (stored,) = [p for p in evidence_dir.rglob("*") if p.is_file()]
    stored.write_bytes(JPEG + b"tampered")
    url = f"/api/v1/cases/{driver.case['id']}/evidence/{body['id']}/content"
    response = driver.client("supervisor1").get(url)
    assert response.status_code == 409 and response.get_json()["code"] == "evidence_altered"
    assert "SHA-256" in response.get_json()["message"] and "X-Content-SHA256" not in response.headers
    page = browser(app, "handler1").get(f"/cases/{driver.case['id']}/evidence/{body['id']}")
    assert page.status_code == 409 and "SHA-256 不符" in page.get_data(as_text=True)
    timeline = driver.client("supervisor1").get(f"/api/v1/cases/{driver.case['id']}/timeline").get_json()["items"]
    refusals = [e for e in timeline if e["action"] == "evidence_integrity_failed"]
    assert [(e["actor"], e["details"]["problem"]) for e in refusals] == [("supervisor1", "altered"),
                                                                          ("handler1", "altered")]
    assert refusals[0]["details"]["sha256"] == body["sha256"] and refusals[0]["details"]["evidence_id"] == body["id"]
    assert driver.client("supervisor1").get(f"/api/v1/audit/verify?case_id={driver.case['id']}").get_json()["ok"]
    stored.unlink()
    missing = driver.client("supervisor1").get(url)
    assert missing.status_code == 409 and missing.get_json()["code"] == "evidence_missing"


def test_an_intact_file_is_still_served_with_its_digest(driver):
    body = _api_upload(driver, JPEG).get_json()
    response = driver.client("supervisor1").get(f"/api/v1/cases/{driver.case['id']}/evidence/{body['id']}/content")
    assert response.status_code == 200 and response.data == JPEG
    assert response.headers["X-Content-SHA256"] == body["sha256"]


@pytest.mark.parametrize("name,offered", [("x.html", "x.jpg"), ("现场.JPG", "现场.JPG"), ("照片.jpeg", "照片.jpeg"),
                                          ("noextension", "noextension.jpg"), ("a.pdf.svg", "a.pdf.jpg")])
def test_a_download_is_named_after_what_its_bytes_are(app, driver, name, offered):
    body = _api_upload(driver, JPEG, filename=name).get_json()
    response = driver.client("supervisor1").get(f"/api/v1/cases/{driver.case['id']}/evidence/{body['id']}/content")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    disposition = response.headers["Content-Disposition"]
    assert offered in disposition or f"filename*=UTF-8''{__import__('urllib.parse').parse.quote(offered)}" in disposition
    assert ".html" not in disposition and ".svg" not in disposition
    page = browser(app, "handler1").get(f"/cases/{driver.case['id']}/evidence/{body['id']}")
    assert ".html" not in page.headers["Content-Disposition"]


# -- 403 before 422 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path,body", [
    ("POST", "/api/v1/admin/calendar/2031", {"holidays": "not a list"}),
    ("POST", "/api/v1/admin/clock", {"advance": 12}),
    ("PUT", "/api/v1/deadline-rules/legal_review", {"amount": "many"}),
    ("POST", "/api/v1/process-definitions", {"files": 5}),
    ("PUT", "/api/v1/committees/532301", {"members": 5}),
])
def test_a_refused_role_hears_403_before_anything_about_its_body(login, method, path, body):
    handler = login("handler1")
    response = handler.client.open(path, method=method, json=body, headers=handler.headers)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == "forbidden"
