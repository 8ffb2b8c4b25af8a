"""Enforcement of an unpaid fine (行政强制法 Art 45, 46, 54) and the preserved-evidence decision."""
from __future__ import annotations

import pytest

from .case_driver import FILING, CaseDriver
from .test_case_scenarios import _served_with_fine


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def test_the_court_is_asked_only_once_the_lawsuit_period_has_passed(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)  # served 29 September 2026: the lawsuit period (6 months) ends on 29 March 2027
    d.complete("record_payment", {"paid": False})
    d.complete("payment_demand", {"demand_served_at": "2026-11-17T10:00:00+08:00", "surcharge_amount": 5000})
    d.at("2026-12-01T10:00")
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2026-12-01T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=422)
    assert "起诉期限" in body["message"] and "2027-03-30" in body["message"]
    assert body["details"]["window"] == ["申请期间 2027-03-30 至 2027-06-29"]
    d.at("2027-03-30T10:00")
    d.complete("apply_enforcement", {"enforcement_applied_at": "2027-03-30T10:00:00+08:00",
                                     "enforcement_court": "楚雄市人民法院"})


def test_a_preservation_decision_cannot_precede_the_preservation(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-09-28T10:00")
    d.preserve(items=("登记保存的压力表",))
    decision = {"preservation_decision": "return", "preservation_decided_at": "2026-09-27T10:00:00+08:00"}
    body = d.complete("decide_preserved_evidence", decision, expect=422)
    assert "preservation_decided_at" in body["details"]
    d.complete("decide_preserved_evidence", {**decision, "preservation_decided_at": "2026-10-09T10:00:00+08:00"})
    assert d.open_steps() == ["investigate"]
