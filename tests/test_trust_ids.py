"""Ids out of range (past 2^63-1, negative, zero) answer 404 or 422 — never a 500 — on every route that takes an
integer id, in the path or in the query, on the API and on the pages, logged in or not."""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from .test_web_pages import browser

HUGE = str(2 ** 63)          # one past PostgreSQL's bigint and SQLite's INTEGER
LARGEST = str(2 ** 63 - 1)   # the largest id a database can hold: simply not found
IDS = [HUGE, "18446744073709551616", LARGEST, "-1", "0"]
# Query parameters that name a row.
QUERY_IDS = [
    "/api/v1/cases?unit_id={}", "/api/v1/alerts?scope=units&unit_id={}", "/api/v1/audit/verify?case_id={}",
    "/api/v1/audit/verify?instance_id={}", "/api/v1/transfers?unit_id={}", "/api/v1/statistics?period=2026&unit_id={}",
    "/api/v1/statistics/export?period=2026&unit_id={}", "/cases?unit_id={}", "/supervision?unit_id={}",
    "/supervision/audit?case_id={}", "/api/v1/public/disclosures/{}", "/gongshi/{}",
]
# Bodies that name a row.
BODY_IDS = [("/api/v1/case-reviews", "case_id"), ("/api/v1/screenings", "case_id"), ("/api/v1/transfers", "case_id"),
            ("/api/v1/transfers", "rectification_id")]


def _paths_with_int_ids(app):
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fill(rule, value):
    path = rule.rule
    for name, converter in rule._converters.items():
        path = re.sub(rf"<[^<>]*:?{name}>", value if isinstance(converter, IntegerConverter) else "x", path)
    return path


def test_every_route_with_an_integer_id_answers_404_for_an_id_out_of_range(app, login):
    api = login("admin")
    web = browser(app, "admin")
    routes = list(_paths_with_int_ids(app))
    assert len(routes) >= 30, routes
    wrong = []
    for rule, method in routes:
        for value in IDS:
            path = _fill(rule, value)
            if path.startswith("/api/"):
                response = api.client.open(path, method=method, json={}, headers=api.headers)
            else:
                response = web.open(path, method=method, data={})
            if response.status_code >= 500 or value in (HUGE, "-1") and response.status_code not in (404, 405):
                wrong.append(f"{method} {path} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("template", QUERY_IDS)
def test_an_id_out_of_range_in_the_query_is_never_a_server_error(app, login, template):
    api = login("admin")
    web = browser(app, "admin")
    for value in IDS:
        path = template.format(value)
        client = api.client if path.startswith("/api/") else web
        response = client.get(path, headers=api.headers if path.startswith("/api/") else {})
        assert response.status_code < 500, f"{path} -> {response.status_code}"


def test_the_public_pages_answer_404_for_an_id_out_of_range_without_login(app):
    client = app.test_client()
    for value in (HUGE, "-1"):
        assert client.get(f"/api/v1/public/disclosures/{value}").status_code == 404
        assert client.get(f"/gongshi/{value}").status_code == 404


@pytest.mark.parametrize("path,field", BODY_IDS)
def test_an_id_out_of_range_in_a_body_is_refused_not_a_server_error(login, path, field):
    for username in ("supervisor1", "handler1"):
        client = login(username)
        for value in (2 ** 63, 2 ** 64, -1):
            body = {field: value, "summary": "涉嫌犯罪"} if "transfers" in path else {field: value}
            response = client.post(path, json=body)
            assert response.status_code in (403, 404, 422), f"{username} {path} {body} -> {response.status_code}"
