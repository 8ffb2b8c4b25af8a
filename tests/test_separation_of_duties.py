"""Separation of duties as data: an approval or sign-off step names, in the model, the steps whose actors it
excludes (excludesActorsOf), checked on claim, reassign and complete (issue 15, item 5)."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal
from .conftest import PASSWORD


@pytest.fixture
def dual(app):
    """An officer who holds both the handler's and the supervisor's role in the county."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    with app.app_context():
        if db.session.query(User).filter_by(username="dual_officer").first() is None:
            create_user(None, username="dual_officer", password=PASSWORD, display_name="王兼任",
                        unit_code="532301", roles=["case_handler", "supervisor"])
            db.session.commit()
    return "dual_officer"


def test_a_handler_who_is_also_a_supervisor_cannot_approve_their_own_filing(app, login, dual):
    d = CaseDriver(login, login("admin"))
    d.at("2026-09-21T09:00")
    d.clients["handler1"] = login(dual)  # the dual officer files and drafts the case ...
    d.file()
    d.complete("draft_filing", {**FILING, "handlers": [dual, "handler2"]}, username="handler1")
    task = d.open_task("approve_filing")
    me = login(dual)
    claim = me.post(f"/api/v1/tasks/{task['id']}/claim", json={"version": task["version"]})
    assert claim.status_code == 403 and claim.get_json()["code"] == "separation_of_duties"
    assert "职责分离" in claim.get_json()["message"]
    done = me.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"filing_approved": True}})
    assert done.status_code == 403 and done.get_json()["code"] == "separation_of_duties"
    # A supervisor of the unit may not hand it to them either; an uninvolved supervisor approves it.
    handed = login("supervisor1").post(f"/api/v1/tasks/{task['id']}/reassign",
                                       json={"assignee": dual, "version": task["version"]})
    assert handed.status_code == 403 and handed.get_json()["code"] == "separation_of_duties"
    assert d.complete("approve_filing", {"filing_approved": True}, username="supervisor1")["status"] == "completed"


def test_whoever_drafted_the_decision_cannot_approve_it(app, login, dual):
    d = CaseDriver(login, login("admin"))
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    task = d.open_task("investigate")
    d.at("2026-09-21T10:30")  # the evidence below was collected at 10:00
    # The dual officer is not a named handler, but does the investigation ...
    assert login(dual).post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"evidence": [
        {"type": "photo", "description": "现场照片", "collected_at": "2026-09-21T10:00:00+08:00"}]}}).status_code == 200
    # ... so the decision of this case is not theirs to approve (approve_decision excludes investigate).
    d.complete("investigation_report", fine_proposal(5000))
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    task = d.open_task("approve_decision")
    refused = login(dual).post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"decision_approved": True}})
    assert refused.status_code == 403 and refused.get_json()["code"] == "separation_of_duties"
    assert "调查取证" in refused.get_json()["message"]
    assert d.complete("approve_decision", {"decision_approved": True})["status"] == "completed"
