"""The steps the law shapes (issue 17, "Legal fidelity, round two", the Steps part): each test drives a case
through the API as the users' roles, with the settable clock (DOMAIN.md, "Corrections and additions")."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal, review


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _alerts(d, user):
    return [(a["level"], a["task_name"]) for a in d.client(user).get("/api/v1/alerts").get_json()["items"]]


def _alert_titles(d, user):
    return [a["title"].split("：")[0] + "/" + (a["task_name"] or "")
            for a in d.client(user).get("/api/v1/alerts").get_json()["items"]]


# -- 3. the decision limit (决定期限) runs over every step until the decision ------------------------------------
DECISION_DUE = ("2026-12-21T16:00:00+00:00", "decision_after_filing")  # filed 21 Sep 2026, 90 days


def test_the_decision_limit_follows_the_case_into_legal_review_and_escalates_there(driver, sweep):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    assert d.open_steps() == ["legal_review"]
    d.at("2026-12-22T00:01")  # the 90 days are over while the reviewer still holds the case
    sweep()
    # The review's own period has long run out too; the decision limit is an alert of its own.
    assert "办案期限逾期督办/法制审核" in _alert_titles(d, "supervisor1")
    d.at("2026-12-29T00:01")
    sweep()
    assert "办案期限二级督办/法制审核" in _alert_titles(d, "city_supervisor")


def test_the_decision_limit_is_the_due_time_of_the_notice_and_the_approval(driver, sweep):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(5000))
    assert d.due("notify_intended_penalty") == DECISION_DUE
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    assert d.due("approve_decision") == DECISION_DUE
    d.at("2026-12-12T00:01")  # 240 hours before: the approver's step warns
    sweep()
    assert ("warning", "决定审批") in _alerts(d, "supervisor1")
    d.at("2026-12-22T00:01")
    sweep()
    assert ("escalation1", "决定审批") in _alerts(d, "supervisor1")
