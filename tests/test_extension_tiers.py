"""Extending the decision limit by tiers (issue 17, deadline 2; 令77号 Art 31): a case filed before 2026-02-01 has
30 days; the department's head may extend them to 90 and the next-higher department to 180, each an approval in
its unit with its own deadline, a cap, reasons and the audit record."""
from __future__ import annotations

import pytest

from .case_driver import FILING, CaseDriver


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _filed_in_december_2025(d):
    d.at("2025-12-20T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    return d


def _ask(d, days, username="handler1", expect=201):
    response = d.client(username).post(f"/api/v1/cases/{d.case['id']}/extension-requests",
                                       json={"extend_to_days": days, "reason": "案情复杂，需补充鉴定"})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _decide(d, request_id, username, approved=True, expect=200):
    response = d.client(username).post(f"/api/v1/cases/extension-requests/{request_id}/decision",
                                       json={"approved": approved, "opinion": "同意延期" if approved else "不同意"})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _queue(d, username):
    return [r["id"] for r in d.client(username).get("/api/v1/cases/extension-requests").get_json()["items"]]


def test_the_head_extends_to_90_days_and_the_higher_department_to_180(driver):
    d = _filed_in_december_2025(driver)
    # 30 days from 20 December 2025: Monday 19 January 2026.
    assert d.due("investigate") == ("2026-01-19T16:00:00+00:00", "decision_after_filing")
    d.at("2026-01-05T10:00")
    # The head's tier goes to 90 days at most.
    body = _ask(d, 120, expect=422)
    assert body["details"]["extend_to_days"] == ["31 至 90"] and "本部门负责人" in body["message"]
    first = _ask(d, 90)
    assert (first["tier"], first["approver_unit"]["code"], first["cap_days"]) == ("head", "532301", 90)
    assert first["due_at"] == "2026-01-08T16:00:00+00:00"  # its own deadline: 3 working days
    assert _ask(d, 90, expect=409)["code"] == "extension_pending"
    assert _queue(d, "head1") == [first["id"]] and _queue(d, "city_supervisor") == []
    _decide(d, first["id"], "supervisor1", expect=403)  # the head approves, not a supervising officer
    _decide(d, first["id"], "head1")
    assert d.due("investigate")[0] == "2026-03-20T16:00:00+00:00"  # 90 days from filing
    # Beyond 90 days: the next-higher department.
    second = _ask(d, 180)
    assert (second["tier"], second["approver_unit"]["code"], second["limit_days_before"]) == ("superior", "532300", 90)
    assert _queue(d, "head1") == [] and _queue(d, "city_supervisor") == [second["id"]]
    _decide(d, second["id"], "head1", expect=403)
    _decide(d, second["id"], "city_supervisor")
    assert d.due("investigate")[0] == "2026-06-18T16:00:00+00:00"  # 180 days from filing
    assert _ask(d, 200, expect=409)["code"] == "extension_cap_reached"
    # The record: who asked, who approved in which tier, why.
    events = [e for e in d.detail()["timeline"] if e["action"] in ("extension_requested", "deadline_extended")]
    assert [(e["action"], e["details"].get("tier"), e["details"].get("to_days")) for e in events] == [
        ("extension_requested", "head", 90), ("deadline_extended", "head", 90),
        ("extension_requested", "superior", 180), ("deadline_extended", "superior", 180)]
    listed = d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/extension-requests").get_json()["items"]
    assert [(r["status"], r["reason"]) for r in listed] == [("approved", "案情复杂，需补充鉴定")] * 2


def test_a_refused_request_moves_nothing_and_a_tiered_limit_is_not_extended_at_once(driver):
    d = _filed_in_december_2025(driver)
    d.at("2026-01-05T10:00")
    response = d.client("head1").post(f"/api/v1/cases/{d.case['id']}/extension",
                                      json={"days": 30, "reason": "案情复杂"})
    assert response.status_code == 409 and response.get_json()["code"] == "extension_needs_request"
    request = _ask(d, 60)
    assert _decide(d, request["id"], "head1", approved=False)["status"] == "refused"
    assert d.due("investigate")[0] == "2026-01-19T16:00:00+00:00"
    assert _queue(d, "head1") == []


def test_the_case_page_asks_for_an_extension_and_the_head_approves_it_from_the_page(app, driver):
    from .test_web_pages import browser, csrf_token_in

    d = _filed_in_december_2025(driver)
    d.at("2026-01-05T10:00")
    handler = browser(app, "handler1")
    page = handler.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "自立案之日起 30 日" in page and "经本部门负责人批准可延长至 90 日" in page and "申请延期" in page
    assert "第六十条：因案情复杂" not in page
    response = handler.post(f"/cases/{d.case['id']}/extension-requests", data={
        "csrf_token": csrf_token_in(page), "extend_to_days": "90", "reason": "需补充鉴定"})
    assert response.status_code == 302
    head = browser(app, "head1")
    inbox = head.get("/").get_data(as_text=True)
    assert "待审批的延期申请（1）" in inbox and "30 日 → 90 日" in inbox
    (request,) = d.client("head1").get("/api/v1/cases/extension-requests").get_json()["items"]
    case_page = head.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "批准延期" in case_page
    response = head.post(f"/extension-requests/{request['id']}/decision", data={
        "csrf_token": csrf_token_in(case_page), "approved": "true", "opinion": "同意"})
    assert response.status_code == 302
    assert d.due("investigate")[0] == "2026-03-20T16:00:00+00:00"
    # Asking beyond the head's cap from the page: the message, and nothing changes.
    page = handler.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    handler.post(f"/cases/{d.case['id']}/extension-requests", data={
        "csrf_token": csrf_token_in(page), "extend_to_days": "400", "reason": "需补充鉴定"})
    page = handler.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "上一级部门批准的延期应延长至 91–180 日" in page
    assert len(d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/extension-requests").get_json()["items"]) == 1
