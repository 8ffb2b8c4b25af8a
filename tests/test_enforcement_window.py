"""The court-application window of an unpaid fine (issue 17, deadline 4): 10 working days after the demand
(行政强制法 Art 54, 69), after the lawsuit period (行政诉讼法 Art 46) and within 3 months of it (行政强制法 Art 53);
an approved deferral (行政处罚法 Art 66) moves the demand and the window."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal
from .test_case_scenarios import _served_with_fine


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _served_in_2025(d):
    """A case filed in June 2025 and its decision served on 1 July 2025 (the lawsuit period ends on Sunday 4 January 2026, a make-up working day after New Year)."""
    d.at("2025-06-02T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2025-06-02T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2025-06-04T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2025-06-30T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2025-07-01T10:00:00+08:00", "service_method": "direct"})
    d.at("2025-07-20T10:00")
    d.complete("record_payment", {"paid": False})


def test_the_court_may_be_asked_ten_working_days_after_the_demand(driver):
    d = driver
    _served_in_2025(d)
    d.at("2026-02-10T10:00")
    d.complete("payment_demand", {"demand_served_at": "2026-02-10T10:00:00+08:00", "surcharge_amount": 5000})
    # Spring Festival: 15-23 February off, Saturdays 14 and 28 February worked: the 10th working day is 2 March.
    d.at("2026-02-27T10:00")
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2026-02-27T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=422)
    assert "催告书送达未满十个工作日" in body["message"] and "2026-03-02" in body["message"]
    assert body["details"]["enforcement_applied_at"] == ["不早于 2026-03-02"]
    d.at("2026-03-02T09:00")
    d.complete("apply_enforcement", {"enforcement_applied_at": "2026-03-02T09:00:00+08:00",
                                     "enforcement_court": "楚雄市人民法院"})
    assert "apply_enforcement" not in d.open_steps()


def test_a_date_entered_before_the_window_is_refused_even_when_entered_later(driver):
    d = driver
    _served_in_2025(d)
    d.at("2025-12-01T10:00")
    d.complete("payment_demand", {"demand_served_at": "2025-12-01T10:00:00+08:00", "surcharge_amount": 5000})
    d.at("2026-01-05T10:00")
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2025-12-31T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=422)
    assert "起诉期限" in body["message"] and "2026-01-05" in body["message"]  # 1 January 2026 + New Year holidays: 4 January, a make-up working day


def test_an_approved_deferral_moves_the_demand_and_the_court_window(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)  # served 29 September 2026; payment due 14 October
    d.complete("record_payment", {"paid": False, "deferral_requested": True, "deferral_reason": "经营困难"})
    d.complete("approve_payment_deferral", {"deferral_approved": True, "deferral_until": "2026-12-14T17:00:00+08:00",
                                            "deferral_opinion": "同意延期"})
    d.complete("record_payment", {"paid": False})
    # The demand runs from the deferred date, not from 14 October: 30 days to 13 January 2027.
    due, rule = d.due("payment_demand")
    assert rule == "payment_demand" and due == "2027-01-13T16:00:00+00:00"
    d.complete("payment_demand", {"demand_served_at": "2027-01-13T10:00:00+08:00", "surcharge_amount": 5000})
    # The window moved by the deferral (61 days): the application limit too.
    due, rule = d.due("apply_enforcement")
    assert rule == "enforcement_application" and due > "2027-08-28"
    d.at("2027-04-01T10:00")
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2027-04-01T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=422)
    assert "起诉期限" in body["message"]
