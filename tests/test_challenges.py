"""Reconsiderations and lawsuits (行政复议 / 行政诉讼) against a decision, through the HTTP API: recorded with body
and result, the late-payment surcharge paused while they run (行政处罚法 Art 73(3)), compulsory enforcement waiting
(行政强制法 Art 53), the disclosure withdrawn within 3 working days of a revocation (行政处罚法 Art 48), counted in
the statistics."""
from __future__ import annotations

import pytest

from .case_driver import FILING, CaseDriver
from .test_disclosure import decided

BODY = "楚雄市人民政府"


@pytest.fixture
def d(login):
    return CaseDriver(login, login("admin"))


def record(d, expect=201, user="handler1", case_id=None, **body):
    response = d.client(user).post(f"/api/v1/cases/{case_id or d.case['id']}/challenges", json={
        "kind": "reconsideration", "body": BODY, "filed_at": "2026-10-17T09:00:00+08:00", **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def result(d, challenge, expect=200, user="supervisor1", **body):
    response = d.client(user).post(f"/api/v1/challenges/{challenge['id']}/result", json={
        "result": "revoked", "decided_at": "2026-11-27T09:00:00+08:00", "note": "认定事实不清，撤销原处罚决定", **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_nothing_to_challenge_before_a_decision(d):
    d.filed_and_investigated()
    assert record(d, expect=409)["code"] == "no_decision"


def test_a_reconsideration_pauses_the_surcharge_holds_enforcement_and_a_revocation_withdraws_the_disclosure(d):
    decided(d, FILING)
    d.complete("record_disclosure", {"disclosure_publish": True}, username="reviewer1")
    [disclosure] = d.client("supervisor1").get("/api/v1/disclosures").get_json()["items"]
    assert disclosure["status"] == "published"
    # the fine was due on 14 Oct (24:00); three days late the party applies for reconsideration
    d.at("2026-10-17T10:00")
    body = record(d, filed_at="2026-10-18T09:00:00+08:00", expect=422)  # not in the future
    assert "filed_at" in body["details"]
    challenge = record(d)
    assert (challenge["status"], challenge["late"], challenge["body"]) == ("pending", False, BODY)
    assert record(d, kind="lawsuit", body="楚雄市人民法院", expect=409)["code"] == "challenge_pending"
    # ten days later only the days before the application count: 15, 16 Oct and the morning of the 17th
    d.at("2026-10-27T09:00")
    surcharge = d.detail()["surcharge"]
    assert (surcharge["days_late"], surcharge["paused_days"], surcharge["amount"]) == (3, 10, 450.0)
    assert "第七十三条" in surcharge["basis"]
    # enforcement waits while it runs
    d.complete("record_payment", {"paid": False})
    d.complete("payment_demand", {"demand_served_at": "2026-11-10T10:00:00+08:00", "surcharge_amount": 450})
    d.at("2026-11-26T10:00")
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2026-11-26T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=409)
    assert body["code"] == "challenge_pending" and "行政复议" in body["message"]
    # the result: only a head records it, with its content
    d.at("2026-11-27T10:00")
    result(d, challenge, user="handler1", expect=403)
    assert "note" in result(d, challenge, note="", expect=422)["details"]
    concluded = result(d, challenge)
    assert (concluded["status"], concluded["result"], concluded["disclosure_id"]) == ("concluded", "revoked",
                                                                                      disclosure["id"])
    assert result(d, challenge, expect=409)["code"] == "challenge_concluded"
    # the disclosure is being withdrawn, its confirmation due within 3 working days of the revocation (Art 48)
    withdrawing = d.client("supervisor1").get(f"/api/v1/disclosures/{disclosure['id']}").get_json()
    assert withdrawing["status"] == "withdrawing" and withdrawing["withdrawal_reason"] == "revoked"
    [task] = [t for t in d.client("reviewer1").get("/api/v1/tasks?scope=available").get_json()["items"]
              if t["bpmn_id"] == "confirm_withdrawal"]
    assert task["due_rule"]["rule_id"] == "disclosure_withdrawal"
    assert task["due_at"] == "2026-12-02T16:00:00+00:00"  # Fri 27 Nov + 3 working days = Wed 2 Dec, 24:00
    # a revoked decision is never enforced
    body = d.complete("apply_enforcement", {"enforcement_applied_at": "2026-11-27T10:00:00+08:00",
                                            "enforcement_court": "楚雄市人民法院"}, expect=409)
    assert body["code"] == "decision_annulled"
    # the lists and the statistics count them
    listed = d.client("city_supervisor").get("/api/v1/challenges").get_json()
    assert listed["total"] == 1 and listed["items"][0]["case_number"] == d.case["case_number"]
    rows = {r["unit_code"]: r for r in d.client("city_supervisor").get(
        "/api/v1/statistics?period=2026-10").get_json()["rows"]}
    assert rows["532301"]["figures"]["reconsiderations_filed"] == 1
    assert rows["532300"]["figures"]["reconsiderations_filed"] == 1
    rows = {r["unit_code"]: r for r in d.client("city_supervisor").get(
        "/api/v1/statistics?period=2026-11").get_json()["rows"]}
    assert rows["532301"]["figures"]["decisions_corrected"] == 1


def test_a_lawsuit_after_six_months_is_recorded_as_late_and_an_upheld_decision_keeps_its_disclosure(d):
    decided(d, FILING)
    d.complete("record_disclosure", {"disclosure_publish": True}, username="reviewer1")
    d.at("2027-04-30T10:00")
    challenge = record(d, kind="lawsuit", body="楚雄市人民法院", filed_at="2027-04-30T09:00:00+08:00")
    assert challenge["late"] is True  # served 29 Sep 2026: six months ended on 29 Mar 2027
    concluded = result(d, challenge, result="upheld", decided_at="2027-04-30T09:30:00+08:00", note="")
    assert concluded["result"] == "upheld" and concluded["disclosure_id"] is None
    [disclosure] = d.client("supervisor1").get("/api/v1/disclosures").get_json()["items"]
    assert disclosure["status"] == "published"
