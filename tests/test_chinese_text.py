"""Everything a person reads is Chinese (issue 16): every page of the web UI, as each role, and every error answer
of the API and the pages — bad input, a wrong password, a missing page, a body too large — is scanned for English
sentences. The English stays where machines read it: an error's `code`, field names, identifiers."""
from __future__ import annotations

import html
import re

import pytest

from .test_auth_and_access import csrf_token_in, web_login

ROLES = ["handler1", "supervisor1", "head1", "reviewer1", "member1", "admin", "operator", "city_supervisor"]
# Two or more words of letters, one of them a lower-case word: "Not a valid date", "Unknown field",
# "wrong username or password". A code ("P100D"), a name ("Noto Serif SC") or an identifier ("handler1",
# "service_of_decision") is not a sentence.
_RUN = re.compile(r"[A-Za-z][A-Za-z']*(?:[ ]+[,;:]?[ ]*[A-Za-z][A-Za-z']*)+")
_NOT_PAGES = ("/api/", "/static", "/metrics", "/healthz", "/readyz", "/logout")


def english_sentences(text: str) -> list[str]:
    found = []
    for match in _RUN.finditer(text):
        words = match.group(0).replace(",", " ").split()
        if len(words) >= 2 and any(w.islower() and len(w) >= 2 for w in words):
            found.append(match.group(0))
    return found


def page_text(body: str) -> str:
    """What a person reads on a page: its text and the attributes a browser shows or reads aloud. A command or an
    identifier set in <code> (`make reset-demo`, a username) is typed, not read as a sentence."""
    body = re.sub(r"(?is)<(script|style|code|kbd)\b.*?</\1>|<!--.*?-->", " ", body)
    shown = re.findall(r'(?i)\b(?:title|placeholder|aria-label|alt)="([^"]*)"', body)
    text = re.sub(r"(?s)<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *shown]))


def json_text(answer) -> str:
    """An error answer's words: its message and every message in its details (not the English `code`)."""
    parts = [str(answer.get("message", ""))]

    def walk(value):
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(answer.get("details") or {})
    return " | ".join(parts)


class Collector:
    def __init__(self):
        self.findings: list[str] = []
        self.seen = 0

    def check(self, label: str, response):
        self.seen += 1
        if response.mimetype == "text/html":
            text = page_text(response.get_data(as_text=True))
        elif response.mimetype == "application/json" and response.status_code >= 400:
            text = json_text(response.get_json() or {})
        else:
            return
        for sentence in english_sentences(text):
            self.findings.append(f"{label} [{response.status_code}]: {sentence!r}")


def _file_case(api):
    response = api.post("/api/v1/cases", json={"source": "inspection", "party_name": "楚雄某化工有限公司",
                                               "party_type": "organisation", "summary": "日常检查发现"})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    (task,) = api.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    return case, task


def _fill(rule: str, ids: dict) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name in ids:
            return str(ids[name])
        return "999999" if converter == "int" else "no-such-thing"

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)


def _routes(app, prefix_filter):
    for rule in app.url_map.iter_rules():
        if prefix_filter(rule.rule):
            yield rule


@pytest.fixture
def collector():
    return Collector()


def test_every_page_as_every_role_is_chinese(app, login, collector):
    case, task = _file_case(login("handler1"))
    ids = {"case_id": case["id"], "task_id": task["id"], "instance_id": case["instance_id"]}
    pages = [r for r in _routes(app, lambda p: not p.startswith(_NOT_PAGES)) if "GET" in r.methods]
    anonymous = app.test_client()
    for path in ("/login", "/gongshi/", "/no-such-page", "/cases/1"):
        collector.check(f"anonymous GET {path}", anonymous.get(path, follow_redirects=True))
    for username in ROLES:
        client = app.test_client()
        web_login(client, username)
        for rule in pages:
            path = _fill(rule.rule, ids)
            collector.check(f"{username} GET {path}", client.get(path, follow_redirects=True))
    assert collector.seen > 150
    assert not collector.findings, "English on pages:\n" + "\n".join(sorted(set(collector.findings)))


def test_every_form_refusal_and_error_page_is_chinese(app, login, collector):
    case, task = _file_case(login("handler1"))
    ids = {"case_id": case["id"], "task_id": task["id"], "instance_id": case["instance_id"]}
    posts = [r for r in _routes(app, lambda p: not p.startswith(_NOT_PAGES)) if "POST" in r.methods]
    anonymous = app.test_client()
    token = csrf_token_in(anonymous.get("/login").get_data(as_text=True))
    collector.check("wrong password", anonymous.post("/login", data={"username": "handler1", "password": "nope",
                                                                     "csrf_token": token}))
    collector.check("no CSRF token", anonymous.post("/login", data={"username": "handler1", "password": "x"}))
    for username in ("handler1", "supervisor1", "head1", "admin"):
        client = app.test_client()
        web_login(client, username)
        token = csrf_token_in(client.get("/").get_data(as_text=True))
        for rule in posts:
            path = _fill(rule.rule, ids)
            for form in ({"csrf_token": token}, {"csrf_token": token, "days": "many", "reason": "x" * 5000,
                                                 "version": "old", "source": "sky", "party_type": "robot",
                                                 "now": "yesterday", "date": "2026-13-45"}):
                collector.check(f"{username} POST {path} {sorted(form)}",
                                client.post(path, data=form, follow_redirects=True))
        collector.check(f"{username} too large", client.post(f"/cases/{case['id']}/extension",
                                                             data={"csrf_token": token, "reason": "x" * (17 << 20)}))
    assert not collector.findings, "English in refusals:\n" + "\n".join(sorted(set(collector.findings)))


BAD_BODIES = [{}, {"unknown": 1}, {"source": "sky", "party_name": "", "party_type": "robot", "summary": "x" * 5000,
                                   "days": -1, "reason": "", "now": "yesterday", "advance": "soon",
                                   "data": {"handlers": []}, "version": "x", "username": "", "password": ""}]


def test_every_api_error_message_is_chinese(app, login, collector):
    case, task = _file_case(login("handler1"))
    ids = {"case_id": case["id"], "task_id": task["id"], "instance_id": case["instance_id"]}
    api_rules = list(_routes(app, lambda p: p.startswith("/api/v1/") and "docs" not in p and "swagger" not in p
                                            and "openapi" not in p and "logout" not in p))
    anonymous = app.test_client()
    collector.check("token: wrong password", anonymous.post("/api/v1/auth/token",
                                                            json={"username": "handler1", "password": "nope"}))
    collector.check("not JSON", anonymous.post("/api/v1/auth/token", data="{", content_type="application/json"))
    collector.check("no such path", anonymous.get("/api/v1/no-such-thing"))
    collector.check("anonymous", anonymous.get("/api/v1/cases"))
    for username in ("handler1", "supervisor1", "reviewer1", "member1", "admin", "operator"):
        api = login(username)
        for rule in api_rules:
            path = _fill(rule.rule, ids)
            if "GET" in rule.methods:
                collector.check(f"{username} GET {path}", api.get(path))
                collector.check(f"{username} GET {path}?bad", api.get(path + "?limit=-5&offset=x&scope=all&"
                                                                      "status=nope&from=yesterday&year=x"))
            for method in ("POST", "PUT"):
                if method in rule.methods:
                    for body in BAD_BODIES:
                        response = api.client.open(path, method=method, json=body, headers=api.headers)
                        collector.check(f"{username} {method} {path} {sorted(body)}", response)
    assert not collector.findings, "English in API errors:\n" + "\n".join(sorted(set(collector.findings)))
