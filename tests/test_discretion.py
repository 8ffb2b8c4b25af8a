"""Discretion benchmarks (裁量基准, 行政处罚法 Art 34) through the HTTP API: imported per province and version from a
spreadsheet (all rows or none), suggested at the report step, a fine outside the range only with a reason the legal
review sees, and a 首违不罚 claim flagged for a company the service has punished before (Art 33)."""
from __future__ import annotations

import io

import pytest

from .case_driver import FILING, CaseDriver

HEAD = "类别,编号,违法行为,违反条款,处罚依据,情节,情节描述,罚款下限,罚款上限,其他处罚,适用条件,首违不罚\n"
ROWS = [
    "裁量幅度,AQ-040,未对重大危险源进行监测监控,《中华人民共和国安全生产法》第四十条,《安全生产法》第一百零一条,轻微,及时改正,10000,20000,,,",
    "裁量幅度,AQ-040,未对重大危险源进行监测监控,《中华人民共和国安全生产法》第四十条,《安全生产法》第一百零一条,一般,一处,20000,50000,,,",
    "裁量幅度,AQ-040,未对重大危险源进行监测监控,《中华人民共和国安全生产法》第四十条,《安全生产法》第一百零一条,较重,两处以上,50000,80000,,,",
    "裁量幅度,AQ-040,未对重大危险源进行监测监控,《中华人民共和国安全生产法》第四十条,《安全生产法》第一百零一条,严重,拒不改正,80000,100000,责令停产停业整顿,,",
    "不予处罚,BY-01,首次未对重大危险源进行监测监控,《安全生产法》第四十条,,,,,,,初次违法、危害后果轻微并及时改正,是",
    "不予处罚,BY-02,违法行为轻微并及时改正,,,,,,,,没有造成危害后果,否",
    "从轻处罚,CQ-01,主动消除或者减轻违法行为危害后果,,,,,,,,,",
    "减轻处罚,JQ-01,受他人胁迫或者诱骗实施违法行为,,,,,,,,,",
]


def sheet(*rows) -> bytes:
    return ("\ufeff" + HEAD + "\n".join(rows) + "\n").encode("utf-8")


def import_benchmark(d, content, user="admin", expect=201, jurisdiction="530000", effective_from="2026-01-01"):
    client = d.client(user)
    response = client.client.post("/api/v1/discretion-benchmarks", headers=client.headers,
                                  content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(content), "裁量基准.csv"), "jurisdiction": jurisdiction,
                                        "title": "云南省应急管理行政处罚裁量基准", "basis": "云应急规〔2023〕1号",
                                        "effective_from": effective_from})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


@pytest.fixture
def d(login):
    return CaseDriver(login, login("admin"))


def proposal(amount, **extra):
    return {"facts": "经查属实", "proposals": [{"violation_index": 1, "outcome": "penalty", "penalty_types": ["fine"],
                                               "fine_amount": amount, **extra}]}


def test_a_benchmark_is_imported_as_a_new_version_all_rows_or_none(d):
    d.at("2026-09-21T09:00")
    body = import_benchmark(d, sheet(ROWS[0], ROWS[1].replace(",一般,", ",很重,"),
                                     ROWS[2].replace("50000,80000", "80000,50000")), expect=422)
    reasons = {(r["row"], r["column"]) for r in body["details"]["rows"]}
    assert reasons == {(3, "情节"), (4, "罚款上限")}
    assert d.client("admin").get("/api/v1/discretion-benchmarks").get_json()["items"] == []
    # administrators of their own province only
    import_benchmark(d, sheet(*ROWS), user="supervisor1", expect=403)
    import_benchmark(d, sheet(*ROWS), jurisdiction="510000", expect=403)
    first = import_benchmark(d, sheet(*ROWS))
    assert (first["version"], len(first["items"]), len(first["entries"])) == (1, 1, 4)
    assert first["items"][0]["ranges"]["serious"] == {"min": 50000, "max": 80000, "description": "两处以上", "other": ""}
    assert [e["kind"] for e in first["entries"]] == ["no_penalty", "no_penalty", "lighter", "reduced"]
    second = import_benchmark(d, sheet(*ROWS[:4]), effective_from="2026-11-01")
    assert second["version"] == 2
    listed = d.client("handler1").get("/api/v1/discretion-benchmarks?jurisdiction=530000").get_json()["items"]
    assert [b["version"] for b in listed] == [2, 1]
    template = d.client("handler1").get("/api/v1/discretion-benchmarks/template.csv")
    assert template.status_code == 200 and "裁量幅度" in template.get_data(as_text=True)


def test_the_report_step_suggests_the_range_and_an_out_of_range_fine_needs_a_reason(d):
    d.at("2026-09-21T09:00")
    import_benchmark(d, sheet(*ROWS))
    d.filed_and_investigated()
    task = d.open_task("investigation_report")
    view = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    [suggestion] = view["discretion_suggestions"]
    assert suggestion["item"]["code"] == "AQ-040"
    assert [(r["label"], r["min"], r["max"]) for r in suggestion["item"]["ranges"]] == [
        ("轻微", 10000, 20000), ("一般", 20000, 50000), ("较重", 50000, 80000), ("严重", 80000, 100000)]
    assert view["discretion_benchmark"]["version"] == 1 and len(view["discretion_lists"]["no_penalty"]) == 2
    # no circumstance chosen, then no reasons (说理), then 60,000 yuan for a "general" violation without a reason
    body = d.complete("investigation_report", proposal(30000), expect=422)
    assert "一般 20000–50000 元" in body["details"]["proposals.0.circumstance"][0]
    body = d.complete("investigation_report", proposal(30000, circumstance="general"), expect=422)
    assert "proposals.0.discretion" in body["details"]
    body = d.complete("investigation_report", proposal(60000, circumstance="general", discretion="一处未监控"),
                      expect=422)
    assert "20000–50000" in body["details"]["proposals.0.out_of_range_reason"][0]
    d.complete("investigation_report", proposal(60000, circumstance="general", discretion="一处未监控",
                                                out_of_range_reason="监控系统关闭时间长达三个月，从重处罚"))
    found = d.client("reviewer1").get(f"/api/v1/cases/{d.case['id']}/discretion").get_json()
    [finding] = found["discretion_findings"]
    assert finding["out_of_range"] is True and finding["range"] == [20000, 50000]
    assert finding["reason"] == "监控系统关闭时间长达三个月，从重处罚"
    # the legal review sees it on its task
    review = d.open_task("legal_review")
    data = d.client("reviewer1").get(f"/api/v1/tasks/{review['id']}").get_json()["data"]
    assert data["discretion_findings"][0]["out_of_range"] is True
    assert data["discretion_findings"][0]["reason"].startswith("监控系统关闭")
    # within the range: no finding out of range
    other = CaseDriver(d.login, d.admin).filed_and_investigated()
    other.complete("investigation_report", proposal(30000, circumstance="general", discretion="一处未监控"))
    found = d.client("handler1").get(f"/api/v1/cases/{other.case['id']}/discretion").get_json()
    assert found["discretion_findings"][0]["out_of_range"] is False


def test_a_first_violation_claim_is_flagged_when_the_company_was_punished_before(d):
    d.at("2026-09-21T09:00")
    import_benchmark(d, sheet(*ROWS))
    # the same company, a fine on the spot last week (simple procedure: the decision is a penalty document)
    handler = d.client("handler1")
    record = handler.post("/api/v1/simple-penalties", json={
        "party_name": FILING["party"]["name"], "party_type": "organisation", "place": "厂区",
        "officers": [{"username": "handler1", "certificate_number": "1"}, {"username": "handler2", "certificate_number": "2"}],
        "violation_description": "未设置安全警示标志", "provision": "《安全生产法》第三十五条", "facts": "现场发现"}).get_json()
    response = handler.post(f"/api/v1/simple-penalties/{record['id']}/decision", json={
        "facts_certain": True, "legal_basis": "《安全生产法》第九十九条", "penalty_kind": "warning",
        "certificates_shown": True, "decided_at": "2026-09-21T09:00:00+08:00"})
    assert response.status_code == 200, response.get_json()
    d.filed_and_investigated()
    first = {"facts": "初次违法", "proposals": [{"violation_index": 1, "outcome": "no_penalty_first"}]}
    task = d.open_task("investigation_report")
    history = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]["company_history"]
    assert [h["case_number"] for h in history] == [record["case_number"]]
    d.complete("investigation_report", first)
    found = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/discretion").get_json()
    [flag] = found["first_violation_flags"]
    assert record["case_number"] in flag["message"] and "首违不罚" in flag["message"]
    # a company with a clean record: no flag
    other = CaseDriver(d.login, d.admin)
    other.at("2026-09-21T09:00")
    other.file(party_name="楚雄某新设企业")
    other.complete("draft_filing", {**FILING, "party": {"name": "楚雄某新设企业", "type": "organisation"}})
    other.complete("approve_filing", {"filing_approved": True})
    other.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                                 "collected_at": "2026-09-21T10:00:00+08:00"}]})
    other.complete("investigation_report", first)
    found = d.client("supervisor1").get(f"/api/v1/cases/{other.case['id']}/discretion").get_json()
    assert found["first_violation_flags"] == []
