"""Domain processes start only through their domain operations; the generic start takes only definitions that
name a start form, with data valid against it (issue 15, item 1)."""
from __future__ import annotations

import sqlalchemy as sa
import pytest


def _count(app, table):
    from workflow_service.extensions import db

    with app.app_context():
        return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize("process_id", ["case_handling", "criminal_transfer", "disclosure_withdrawal",
                                        "rectification"])
def test_a_domain_process_cannot_be_started_with_free_data(app, login, process_id):
    before = _count(app, "process_instances"), _count(app, "tasks")
    response = login("handler1").post("/api/v1/process-instances", json={
        "process_id": process_id, "title": "绕过业务", "data": {"disclosure_id": 1, "case": {"summary": "x"}}})
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "not_user_startable" and "只能通过其业务办理发起" in body["message"]
    assert (_count(app, "process_instances"), _count(app, "tasks")) == before


def test_a_startable_process_takes_only_what_its_start_form_allows(app, login):
    handler = login("handler1")
    refused = handler.post("/api/v1/process-instances", json={
        "process_id": "fixture_review", "title": "x", "data": {"disclosure_id": 7}})
    assert refused.status_code == 422 and "disclosure_id" in refused.get_json()["details"]["data"][0]
    started = handler.post("/api/v1/process-instances", json={
        "process_id": "fixture_review", "title": "x", "data": {"region": "楚雄"}})
    assert started.status_code == 201
