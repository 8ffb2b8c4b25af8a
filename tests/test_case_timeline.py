"""The case timeline (全过程记录): every event of a case, in order — who, when, what, which task, which
document (文书) or evidence file."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from .case_driver import CaseDriver
from .test_case_file_review import closed_case
from .test_evidence import JPEG, evidence_dir  # noqa: F401 - the fixture keeps uploads in a temporary directory


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _upload(d):
    client = d.client("handler2")
    response = client.client.post(f"/api/v1/cases/{d.case['id']}/evidence", headers=client.headers,
                                  content_type="multipart/form-data",
                                  data={"kind": "photo", "file": (io.BytesIO(JPEG), "储罐区.jpg")})
    assert response.status_code == 201, response.get_json()


def test_the_timeline_shows_every_event_with_its_task_document_and_evidence(app, driver):
    from workflow_service.extensions import db

    case = closed_case(driver, during_investigation=_upload)
    items = driver.client("handler1").get(f"/api/v1/cases/{case['id']}/timeline").get_json()["items"]
    with app.app_context():
        count = db.session.scalar(sa.text("SELECT count(*) FROM audit_events WHERE instance_id = :i"),
                                  {"i": case["instance_id"]})
    assert len(items) == count and [e["seq"] for e in items] == list(range(1, count + 1))
    assert items[0]["action"] == "process_started"
    # archiving orders the case file (its PDF drawn just after)
    assert [e["action"] for e in items[-2:]] == ["process_completed", "case_file_ordered"]
    issued = [e for e in items if e["action"] == "document_issued"]
    assert issued and all(e["action_label"] != e["action"] for e in issued)  # each document in the record, named
    completed = [e for e in items if e["action"] == "task_completed"]
    assert all(e["task"]["name"] and e["document"]["name"] and e["action_label"] == "办结" for e in completed)
    decision = next(e for e in completed if e["task"]["bpmn_id"] == "draft_decision")
    assert decision["document"] == {"name": "行政处罚决定书", "number": "楚应急罚〔2026〕1号"}
    assert decision["actor"] == "handler1" and decision["actor_display_name"] != "handler1"
    assert decision["occurred_at"] == "2026-09-24T02:00:00+00:00"
    evidence = next(e for e in items if e["action"] == "evidence_uploaded")
    assert evidence["actor"] == "handler2" and evidence["evidence"]["filename"] == "储罐区.jpg"
    assert len(evidence["evidence"]["sha256"]) == 64
    created = next(e for e in items if e["action"] == "task_created")
    assert created["actor"] == "system" and created["actor_display_name"] == "系统" and created["task"]["bpmn_id"]
    # The case detail carries the same timeline.
    assert [e["id"] for e in driver.detail()["timeline"]] == [e["id"] for e in items]


def test_the_timeline_is_for_those_who_may_see_the_case(driver):
    driver.at("2026-10-12T09:00")
    driver.file()
    assert driver.client("city_supervisor").get(f"/api/v1/cases/{driver.case['id']}/timeline").status_code == 200
    assert driver.client("handler1").get("/api/v1/cases/999999/timeline").status_code == 404
