"""Enforcement of an unpaid fine (行政强制法 Art 45, 46, 54) and the preserved-evidence decision."""
from __future__ import annotations

import pytest

from .case_driver import FILING, CaseDriver
from .test_case_scenarios import _served_with_fine


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def test_the_court_is_asked_only_ten_days_after_the_demand(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)
    d.complete("record_payment", {"paid": False})
    d.complete("payment_demand", {"demand_served_at": "2026-11-17T10:00:00+08:00", "surcharge_amount": 5000})
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2026-11-20T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=422)
    assert "第五十四条" in body["message"]
    d.complete("apply_enforcement", {"enforcement_applied_at": "2026-11-27T10:00:00+08:00",
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
