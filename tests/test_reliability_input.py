"""Hostile input that the other tests do not cover: code in user text, oversized and deeply nested bodies.

(Malformed, oversized and entity-expanding BPMN/DMN: tests/test_definitions_and_clock.py; `__builtins__` keys in
form data: tests/test_foundation_flow.py.)
"""
from __future__ import annotations

import pytest

from .test_foundation_flow import only_task, start_review


def review_task(client, bpmn_id):
    """The fixture_review task of that step in the caller's queue (the filed case has its own task there too)."""
    items = client.get("/api/v1/tasks?scope=available").get_json()["items"]
    (task,) = [t for t in items if t["bpmn_id"] == bpmn_id]
    return task

PAYLOADS = [
    "__import__('os').system('touch {sentinel}')",
    "{{{{ open('{sentinel}', 'w') }}}}",
    "'); import os; os.system('touch {sentinel}'); ('",
    "${{open('{sentinel}','w')}}",
]


def _error_shape(response):
    body = response.get_json()
    assert set(body) == {"code", "message", "details"}, body
    return body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_code_in_user_text_is_stored_as_text_and_never_run(app, login, tmp_path, payload):
    sentinel = tmp_path / "evaluated"
    text = payload.format(sentinel=sentinel)
    handler, supervisor = login("handler1"), login("supervisor1")
    filed = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": text, "party_type": "organisation",
                                                "summary": text})
    assert filed.status_code == 201, filed.get_json()
    start_review(handler, title=text)
    task = review_task(handler, "draft")
    done = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 50000, "description": text}})
    assert done.status_code == 200, done.get_json()
    # The next step (a DMN decision and a gateway read the data) ran; the text went through untouched.
    approve = review_task(supervisor, "approve")
    assert supervisor.get(f"/api/v1/tasks/{approve['id']}").get_json()["data"]["description"] == text
    case = supervisor.get(f"/api/v1/cases/{filed.get_json()['id']}").get_json()
    assert case["party_name"] == text
    assert not sentinel.exists()


def test_process_data_keys_that_reach_the_evaluator_are_refused(login):
    response = login("handler1").post("/api/v1/process-instances", json={
        "process_id": "fixture_review", "title": "x", "data": {"__builtins__": {"eval": 1}}})
    assert response.status_code == 422
    assert "data" in _error_shape(response)["details"]


def test_a_body_over_the_size_limit_is_refused_in_the_error_shape(login):
    response = login("handler1").post("/api/v1/cases", json={"source": "inspection", "party_name": "x",
                                                             "party_type": "organisation",
                                                             "summary": "超" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    _error_shape(response)


def test_deeply_nested_form_data_is_a_client_error_not_a_crash(login):
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    nested = "[" * 100_000 + "]" * 100_000
    response = handler.client.post(f"/api/v1/tasks/{task['id']}/complete",
                                   data='{"data": {"amount": 1, "description": ' + nested + "}}",
                                   headers={**handler.headers, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.status_code
    _error_shape(response)
    assert only_task(handler)["id"] == task["id"]  # nothing changed


def test_a_body_that_is_not_json_is_a_client_error(login):
    handler = login("handler1")
    response = handler.client.post("/api/v1/cases", data="source=inspection",
                                   headers={**handler.headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= response.status_code < 500
    _error_shape(response)


def test_a_nul_character_anywhere_in_a_body_or_query_is_refused_before_any_query(login):
    """PostgreSQL cannot store or even compare a string holding NUL (it raised a 500 from the simple-procedure
    record's officer check); every endpoint refuses one in the error shape, in Chinese, and changes nothing."""
    handler = login("handler1")
    before = handler.get("/api/v1/cases").get_json()["total"]
    officers = [{"username": "handler1\x00", "certificate_number": "1"}, {"username": "handler2", "certificate_number": "2"}]
    for response in (handler.post("/api/v1/simple-penalties", json={"officers": officers}),
                     handler.post("/api/v1/cases", json={"source": "inspection", "party_name": "某\x00公司",
                                                         "party_type": "organisation", "summary": "x"}),
                     handler.get("/api/v1/cases?q=%00")):
        assert response.status_code == 422, response.get_json()
        body = _error_shape(response)
        assert "NUL" in body["message"] and "不允许" in body["message"]
    assert handler.get("/api/v1/cases").get_json()["total"] == before
