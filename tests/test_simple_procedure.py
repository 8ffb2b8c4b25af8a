"""The simple procedure (简易程序 / 当场处罚, 行政处罚法 Art 51–52, 68–70) through the HTTP API: the refusals with
their reasons, the numbered on-the-spot decision, the 备案 deadline with its warning and escalation, payment,
and the conversion to the general procedure that keeps the evidence."""
from __future__ import annotations

import io

import pytest

from .case_driver import CaseDriver

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
OFFICERS = [{"username": "handler1", "certificate_number": "53010001"},
            {"username": "handler2", "certificate_number": "53010002"}]
RECORD = {"party_name": "楚雄某五金店", "party_type": "organisation", "place": "楚雄市鹿城镇某街12号",
          "officers": OFFICERS, "violation_description": "未按规定设置安全警示标志",
          "provision": "《安全生产法》第三十五条", "facts": "现场检查发现仓库门口未设置安全警示标志"}
DECISION = {"facts_certain": True, "legal_basis": "《安全生产法》第九十九条第一项", "penalty_kind": "fine",
            "fine_amount": 2000, "certificates_shown": True, "party_stated": True,
            "statement_text": "当事人称已订购警示标志", "statement_review": "陈述理由不足以免除处罚，不予采纳",
            "decided_at": "2026-10-12T09:30:00+08:00", "payment_method": "bank"}


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))


@pytest.fixture
def d(login):
    return CaseDriver(login, login("admin")).at("2026-10-12T09:30")


def open_record(d, expect=201, **overrides):
    response = d.client("handler1").post("/api/v1/simple-penalties", json={**RECORD, **overrides})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def decide(d, record, expect=200, user="handler1", **overrides):
    response = d.client(user).post(f"/api/v1/simple-penalties/{record['id']}/decision", json={**DECISION, **overrides})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_a_fine_above_the_on_the_spot_limit_is_refused_with_the_reason(d):
    record = open_record(d)
    body = decide(d, record, expect=422, fine_amount=5000)
    assert "3000元" in body["details"]["fine_amount"][0] and "第五十一条" in body["details"]["fine_amount"][0]
    assert "一般程序" in body["details"]["fine_amount"][0]
    # a citizen: 200 yuan at most
    person = open_record(d, party_name="张某", party_type="individual")
    body = decide(d, person, expect=422, fine_amount=500)
    assert "200元" in body["details"]["fine_amount"][0]
    # facts not certain, no certificate shown, a statement without its review
    body = decide(d, record, expect=422, facts_certain=False, certificates_shown=False, statement_review=None)
    assert {"facts_certain", "certificates_shown", "statement_review"} <= set(body["details"])
    # on-the-spot collection of 2,000 yuan as a "small fine", without a receipt (Art 68, 70)
    body = decide(d, record, expect=422, payment_method="on_the_spot", collection_reason="small_fine")
    assert {"collection_reason", "receipt_number"} <= set(body["details"])
    # nothing was decided: the record still waits, no document was issued
    detail = d.client("handler1").get(f"/api/v1/simple-penalties/{record['id']}").get_json()
    assert detail["status"] == "recording" and detail["documents"] == []
    assert [t["bpmn_id"] for t in detail["open_tasks"]] == ["decide_on_the_spot"]


def test_a_record_needs_two_officers_of_the_unit_with_certificates(d):
    body = open_record(d, expect=422, officers=[OFFICERS[0]])
    assert "第五十二条" in body["message"] and "officers" in body["details"]
    body = open_record(d, expect=422, officers=[OFFICERS[0], {"username": "handler2", "certificate_number": " "}])
    assert any("执法证件号" in m for m in body["details"]["officers"])
    assert d.client("supervisor1").post("/api/v1/simple-penalties", json=RECORD).status_code == 403


def test_the_on_the_spot_decision_is_numbered_filed_within_its_deadline_and_paid(d, sweep):
    record = open_record(d)
    assert record["case_number"].startswith("532301-JY-2026-") and record["status"] == "recording"
    detail = decide(d, record)
    assert detail["status"] == "decided" and detail["fine_amount"] == 2000
    [document] = detail["documents"]
    assert document["title"] == "当场行政处罚决定书" and "当罚〔2026〕1号" in document["number"]
    # 备案 by the rule simple_procedure_filing (5 days from the decision, Mon 12 Oct → Sat 17 Oct → next working
    # day Mon 19 Oct, 24:00) and the payment deadline (15 days → Tue 27 Oct), both running
    tasks = {t["bpmn_id"]: t for t in detail["open_tasks"]}
    assert set(tasks) == {"report_for_filing", "record_onsite_payment"}
    assert tasks["report_for_filing"]["due_rule"]["rule_id"] == "simple_procedure_filing"
    assert tasks["report_for_filing"]["due_at"] == "2026-10-19T16:00:00+00:00"
    assert tasks["record_onsite_payment"]["due_rule"]["rule_id"] == "payment"
    # not filed in time: warning to the officer, then escalation to the supervisors
    d.at("2026-10-20T09:00")
    sweep()
    alerts = d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
    assert any(a["level"] == "escalation1" and a["title"].startswith("备案逾期督办") for a in alerts)
    # filing before the decision is refused; then filed and paid → closed
    instance = record["instance_id"]
    d_tasks = {t["bpmn_id"]: t for t in d.client("handler1").get("/api/v1/tasks?scope=available").get_json()["items"]
               if t["instance_id"] == instance}
    bad = d.client("handler1").post(f"/api/v1/tasks/{d_tasks['report_for_filing']['id']}/complete",
                                    json={"data": {"filed_at": "2026-10-11T09:00:00+08:00"}})
    assert bad.status_code == 422
    for bpmn_id, data in (("report_for_filing", {"filed_at": "2026-10-20T08:30:00+08:00"}),
                          ("record_onsite_payment", {"paid_at": "2026-10-19T15:00:00+08:00"})):
        response = d.client("handler1").post(f"/api/v1/tasks/{d_tasks[bpmn_id]['id']}/complete", json={"data": data})
        assert response.status_code == 200, response.get_json()
    detail = d.client("supervisor1").get(f"/api/v1/simple-penalties/{record['id']}").get_json()
    assert detail["status"] == "closed" and detail["filed_at"] and detail["paid_at"] and detail["open_tasks"] == []
    case = d.client("supervisor1").get(f"/api/v1/cases/{record['case_id']}").get_json()
    assert case["status"] == "closed"
    # the city sees the county's record; a sibling county does not
    assert d.client("city_supervisor").get(f"/api/v1/simple-penalties/{record['id']}").status_code == 200
    assert d.client("supervisor1").get("/api/v1/simple-penalties").get_json()["total"] == 1


def test_a_warning_or_a_fine_collected_on_the_spot_needs_no_payment_step(d):
    record = open_record(d, party_name="李某", party_type="individual")
    detail = decide(d, record, fine_amount=100, payment_method="on_the_spot", collection_reason="small_fine",
                    receipt_number="滇财罚0012345")
    assert [t["bpmn_id"] for t in detail["open_tasks"]] == ["report_for_filing"] and detail["paid_at"]
    warned = open_record(d)
    detail = decide(d, warned, penalty_kind="warning", fine_amount=None, payment_method=None)
    assert [t["bpmn_id"] for t in detail["open_tasks"]] == ["report_for_filing"]
    assert detail["penalty_kind"] == "warning" and detail["fine_amount"] is None


def test_conversion_to_the_general_procedure_keeps_the_evidence(d):
    record = open_record(d)
    client = d.client("handler1")
    upload = client.client.post(f"/api/v1/cases/{record['case_id']}/evidence",
                                data={"kind": "photo", "description": "仓库门口", "file": (io.BytesIO(JPEG), "1.jpg")},
                                headers=client.headers, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    assert client.post(f"/api/v1/simple-penalties/{record['id']}/conversion", json={"reason": ""}).status_code == 422
    response = client.post(f"/api/v1/simple-penalties/{record['id']}/conversion",
                           json={"reason": "当事人对事实有异议，需进一步调查"})
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()
    assert detail["status"] == "converted" and detail["converted_to_case_number"]
    general = client.get(f"/api/v1/cases/{detail['converted_to_case_id']}").get_json()
    assert general["stage"] == ["立案登记"] and general["data"]["converted_from_simple"]["case_number"] == record["case_number"]
    assert general["data"]["violations"][0]["provision"] == "《安全生产法》第三十五条"
    evidence = client.get(f"/api/v1/cases/{general['id']}/evidence").get_json()["items"]
    assert [e["description"] for e in evidence] == ["仓库门口"]
    assert client.get(f"/api/v1/cases/{record['case_id']}/evidence").get_json()["items"] == []
    # the simple record can no longer be decided
    assert decide(d, record, expect=409)["code"] == "already_decided"
