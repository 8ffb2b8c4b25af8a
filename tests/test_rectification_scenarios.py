"""Rectification orders (责令限期整改 → 复查) through the HTTP API with the clock moved (DOMAIN.md: the
re-inspection rule, 安全生产法 Art 112, 司法解释(二) Art 3)."""
from __future__ import annotations

import pytest

from .transfer_driver import STOP, TransferDriver

PROOF = [{"type": "photo", "description": "复查时中转库仍存放成品"}, {"type": "record", "description": "复查笔录"}]


@pytest.fixture
def d(login):
    return TransferDriver(login, login("admin"))


def test_an_order_needs_a_future_deadline_and_a_major_danger_for_a_stop_order(d):
    d.at("2026-10-12T09:00")
    body = d.issue("2026-10-12", expect=422)
    assert "rectify_by" in body["details"]
    body = d.issue("2026-10-19", expect=422, hidden_dangers=[{"description": "消防通道堵塞", "major": False}],
                   stop_order=STOP)
    assert "stop_order" in body["details"]
    assert d.client("supervisor1").post("/api/v1/rectifications", json={}).status_code == 422


def test_rectification_passed_on_reinspection_after_the_companys_application(d):
    d.at("2026-10-12T09:00")
    order = d.issue("2026-10-19", stop_order=STOP)
    assert order["status"] == "rectifying" and order["stop_order"] == STOP and order["major_hidden_danger"] is True
    # the deadline is the end of the day the officer set (Asia/Shanghai)
    assert order["rectify_by"] == "2026-10-19T16:00:00+00:00"
    assert d.order_steps() == ["await_rectification"]
    d.at("2026-10-16T10:00")
    d.do(order["instance_id"], "await_rectification", {"applied_at": "2026-10-16T09:00:00+08:00",
                                                      "application_note": "已清运超量产品"}, "handler1")
    detail = d.order_detail()
    assert detail["status"] == "reinspection_due" and d.order_steps() == ["reinspect"]
    # 复查 within the configured 10 days of the application: Fri 16 Oct → Mon 26 Oct, 24:00.
    [task] = detail["open_tasks"]
    assert (task["due_at"], task["due_rule"]["rule_id"]) == ("2026-10-26T16:00:00+00:00", "reinspection")
    d.at("2026-10-20T10:00")
    d.reinspect("passed", "2026-10-20T09:30")
    detail = d.order_detail()
    assert detail["status"] == "passed" and detail["closed_at"] and detail["penalty_case_id"] is None
    assert d.client("handler1").get("/api/v1/cases").get_json()["total"] == 0
    # The supervisors' statistics count the order and its completion, rolled up to the city.
    d.issue("2026-10-26")  # a second order, still running
    rows = {r["unit_code"]: r for r in d.client("city_supervisor").get(
        "/api/v1/statistics?period=2026-10").get_json()["rows"]}
    for code in ("532301", "532300"):
        figures = rows[code]["figures"]
        assert (figures["rectification_orders_issued"], figures["rectification_orders_completed"],
                figures["rectification_rate"]) == (2, 1, 50.0)


def test_a_failed_reinspection_opens_an_aggravated_case_with_the_order_attached(d):
    d.at("2026-10-12T09:00")
    order = d.issue("2026-10-19", stop_order=STOP, fine_imposed=20000)
    d.at("2026-10-19T10:00")
    d.do(order["instance_id"], "await_rectification", {"applied_at": "2026-10-19T09:00:00+08:00"}, "handler1")
    d.at("2026-10-21T10:00")
    # 司法解释(二) Art 3: the proof of non-compliance is what a refusal is judged on; it is required.
    body = d.do(order["instance_id"], "reinspect", {
        "reinspected_at": "2026-10-21T09:30:00+08:00", "reinspection_result": "failed",
        "reinspection_findings": "中转库仍在使用", "reinspectors": ["handler1", "handler2"]}, "handler1", expect=422)
    assert "proof_of_non_compliance" in body["details"]
    d.reinspect("failed", "2026-10-21T09:30", proof_of_non_compliance=PROOF, order_still_refused=True)
    detail = d.order_detail()
    assert detail["status"] == "failed" and detail["penalty_case_id"]
    # 安全生产法 Art 112: fined and still refusing → the original fine per day from the day after the order.
    offer = detail["continuing_fine_offer"]
    assert offer["daily_amount"] == 20000 and offer["from_date"] == "2026-10-13" and offer["days_so_far"] == 9
    assert offer["basis"] == "《安全生产法》第一百一十二条"
    # An escalation to the unit's supervisors.
    assert ("escalation1", "复查不合格督办") in d.alerts("supervisor1")
    # The case: source overdue rectification, the finding to weigh (从重 is the case's discretion, not presumed),
    # the order, re-inspection and proof attached.
    case = d.client("supervisor1").get(f"/api/v1/cases/{detail['penalty_case_id']}").get_json()
    assert case["source"] == "overdue_rectification" and case["stage"] == ["立案登记"]
    data = case["data"]
    assert data["circumstances_to_weigh"][0]["code"] == "overdue_rectification"
    assert "aggravating_circumstances" not in data
    assert data["rectification"]["legal_basis"] == "《安全生产法》第六十五条第一款第（三）项"
    assert data["rectification"]["stop_order"] == STOP
    assert data["rectification"]["reinspection"]["proof_of_non_compliance"] == PROOF
    assert data["continuing_fine_offer"]["daily_amount"] == 20000
    assert any(e["action"] == "case_opened_from_rectification" for e in case["timeline"])


def test_an_order_overdue_without_application_escalates_and_its_reinspection_is_due(d, sweep):
    d.at("2026-10-12T09:00")
    d.issue("2026-10-16")
    d.at("2026-10-16T23:59")
    sweep()
    assert d.order_steps() == ["await_rectification"]
    d.at("2026-10-17T00:01")  # the deadline passed with no application
    sweep()
    detail = d.order_detail()
    assert detail["status"] == "reinspection_due" and d.order_steps() == ["reinspect"]
    assert ("escalation1", "整改期限届满待复查督办") in d.alerts("supervisor1")
    # the re-inspection is due 10 days after the deadline: Sat 17 Oct → Tue 27 Oct, 24:00
    [task] = detail["open_tasks"]
    assert task["due_at"] == "2026-10-27T16:00:00+00:00"
    d.at("2026-10-28T00:01")  # nobody re-inspected: the re-inspection itself escalates
    sweep()
    assert ("escalation1", "复查期限逾期督办") in d.alerts("supervisor1")
    d.reinspect("failed", "2026-10-27T23:00", proof_of_non_compliance=PROOF)
    detail = d.order_detail()
    assert detail["status"] == "failed" and detail["continuing_fine_offer"] is None  # not fined: no Art 112
    case = d.client("supervisor1").get(f"/api/v1/cases/{detail['penalty_case_id']}").get_json()
    assert case["source"] == "overdue_rectification"
    # the supervisors' alerts about the re-inspection are cleared once it is done
    assert ("escalation1", "复查期限逾期督办") not in d.alerts("supervisor1")
