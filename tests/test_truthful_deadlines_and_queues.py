"""What the queues and the deadline lists show is true (issue 16, "Deadlines and queues"): an overdue payment
shows its run-out deadline everywhere, and the claimable queue counts and pages exactly what the user may claim."""
from __future__ import annotations

import re

import pytest

from .case_driver import CaseDriver
from .test_case_scenarios import _served_with_fine
from .test_web_pages import browser


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_an_overdue_payment_shows_its_run_out_deadline_in_the_inbox_the_task_the_alerts_and_the_case(
        app, driver, sweep):
    d = driver.filed_and_investigated()
    _served_with_fine(d)  # served Tue 29 Sep: the 15 days of 行政处罚法 Art 67 end on 14 Oct
    d.at("2026-10-20T09:00")
    sweep()
    task = d.open_task("record_payment")
    assert task["due_at"] == "2026-10-14T16:00:00+00:00" and task["due_rule"]["rule_id"] == "payment"
    assert task["missed_deadline_at"] == "2026-10-14T16:00:00+00:00"
    # The case's deadline table keeps the run-out payment deadline with its legal basis while the step is open.
    payment = [x for x in d.detail()["deadlines"] if x["timer"] == "due_record_payment"]
    assert payment and payment[0]["due_at"] == "2026-10-14T16:00:00+00:00"
    assert payment[0]["legal_basis"] == "《行政处罚法》第六十七条" and payment[0]["status"] == "fired"
    alerts = d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
    assert [a["due_at"] for a in alerts if a["task_name"] == "缴纳罚款"] == ["2026-10-14T16:00:00+00:00"]
    handler = browser(app, "handler1")
    for page in (handler.get("/"), handler.get(f"/tasks/{task['id']}")):
        text = _text(page.get_data(as_text=True))
        assert "无期限" not in text and "2026-10-14 24:00" in text and "超期" in text
    supervision = _text(browser(app, "supervisor1").get("/supervision").get_data(as_text=True))
    assert "无期限" not in supervision and "缴款期限逾期督办" in supervision and "2026-10-14 24:00" in supervision
    # Paid at last: the step is done, and the run-out deadline leaves the running list.
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-20T08:00:00+08:00", "amount_paid": 5900})
    assert [x for x in d.detail()["deadlines"] if x["timer"] == "due_record_payment"] == []


def test_a_committee_members_claimable_queue_counts_and_pages_only_their_own_vote(app, driver):
    from .test_review_and_committee import _to_committee

    d = _to_committee(driver)
    d.open_ballot("拟罚款五万元")
    assert len([s for s in d.ballot()["seats"] if s["status"] == "eligible"]) == 6  # six vote tasks are open
    member = d.client("member1")
    whole = member.get("/api/v1/tasks?scope=available").get_json()
    assert whole["total"] == 1 and [t["bpmn_id"] for t in whole["items"]] == ["committee_vote"]
    first = member.get("/api/v1/tasks?scope=available&limit=1&offset=0").get_json()
    second = member.get("/api/v1/tasks?scope=available&limit=1&offset=1").get_json()
    assert (first["total"], len(first["items"])) == (1, 1) and first["items"][0]["id"] == whole["items"][0]["id"]
    assert (second["total"], second["items"]) == (1, [])
    # The inbox says how many there are to claim, over the row with its 认领 button.
    page = browser(app, "member1").get("/").get_data(as_text=True)
    assert "可认领任务（1）" in page
    available = page[page.index('id="available"'):]
    assert available.count("data-task-id=") == 1 and "认领</button>" in available


def test_the_claimable_queue_pages_without_repeats_or_gaps(app, driver, login):
    """Three cases' filing drafts for handler1: every limit pages through all three, once each."""
    handler = login("handler1")
    for party in ("甲公司", "乙公司", "丙公司"):
        response = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": party,
                                                       "party_type": "organisation", "summary": "日常检查发现"})
        assert response.status_code == 201
    whole = handler.get("/api/v1/tasks?scope=available").get_json()
    assert whole["total"] == 3
    for limit in (1, 2):
        seen = []
        for offset in range(0, 4, limit):
            page = handler.get(f"/api/v1/tasks?scope=available&limit={limit}&offset={offset}").get_json()
            assert page["total"] == 3
            seen += [t["id"] for t in page["items"]]
        assert seen == [t["id"] for t in whole["items"]]
