"""Typical cases (典型案例) through the HTTP API: a supervisor marks a closed case with a write-up; each unit's
reporting period runs the province's cadence as a deadline (rules typical_report_<level>) with warning and
escalation; the report needs the minimum number of cases and is exported for the higher level."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from .case_driver import CaseDriver
from .test_auth_and_access import web_login
from .transfer_driver import TransferDriver
from .test_simple_procedure import DECISION, RECORD


@pytest.fixture
def d(login):
    return CaseDriver(login, login("admin")).at("2026-10-12T09:30")


def closed_case(d, party="楚雄某五金店"):
    """An on-the-spot warning, filed with the department: the case is closed."""
    handler = d.client("handler1")
    record = handler.post("/api/v1/simple-penalties", json={**RECORD, "party_name": party}).get_json()
    detail = handler.post(f"/api/v1/simple-penalties/{record['id']}/decision", json={
        **DECISION, "penalty_kind": "warning", "fine_amount": None, "payment_method": None}).get_json()
    [task] = detail["open_tasks"]
    response = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"filed_at": "2026-10-12T09:30:00+08:00"}})
    assert response.status_code == 200, response.get_json()
    return record["case_id"]


def post(d, path, body, user="supervisor1", expect=200):
    response = d.client(user).post(path, json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_a_report_needs_the_provinces_minimum_and_is_exported_for_the_higher_level(d):
    report = post(d, "/api/v1/typical-reports", {}, expect=201)
    # county: every two months; the period of 12 Oct began on 1 Sep; the deadline is the rule's, with its warning
    assert report["rule_id"] == "typical_report_county" and report["period_start"].startswith("2026-08-31T16:00")
    [task] = report["open_tasks"]
    assert task["bpmn_id"] == "submit_typical_report" and task["due_rule"]["rule_id"] == "typical_report_county"
    assert task["due_at"].startswith("2026-11-0")
    assert post(d, "/api/v1/typical-reports", {}, expect=201)["id"] == report["id"]  # idempotent
    path = f"/api/v1/typical-reports/{report['id']}"
    body = post(d, f"{path}/submit", {"note": "本期报送"}, expect=422)
    assert "至少报送1个典型案例" in body["message"]
    # marking: a closed case, by a supervisor
    case_id = closed_case(d)
    open_case = d.client("handler1").post("/api/v1/cases", json={
        "source": "inspection", "party_name": "某企业", "party_type": "organisation", "summary": "检查"}).get_json()
    write_up = {"title": "未设置安全警示标志当场处罚案", "write_up": "简易程序当场处罚，及时备案。"}
    assert post(d, "/api/v1/typical-cases", {**write_up, "case_id": open_case["id"]}, expect=409)["code"] == \
        "case_not_closed"
    post(d, "/api/v1/typical-cases", {**write_up, "case_id": case_id}, user="handler1", expect=403)
    marked = post(d, "/api/v1/typical-cases", {**write_up, "case_id": case_id}, expect=201)
    assert post(d, "/api/v1/typical-cases", {**write_up, "case_id": case_id}, expect=409)["code"] == "already_typical"
    submitted = post(d, f"{path}/submit", {"note": "本期报送"})
    assert submitted["status"] == "submitted" and submitted["case_ids"] == [marked["id"]]
    assert post(d, f"{path}/submit", {}, expect=409)["code"] == "report_submitted"
    # the export for the higher level
    response = d.client("supervisor1").get(f"{path}/export")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "未设置安全警示标志当场处罚案" in values and "楚雄市应急管理局" in values
    csv_text = d.client("city_supervisor").get(f"{path}/export?format=csv").get_data(as_text=True)
    assert "未设置安全警示标志当场处罚案" in csv_text
    assert d.client("city_supervisor").get("/api/v1/typical-cases").get_json()["total"] == 1


def test_an_unreported_period_escalates_to_the_unit_above(d, sweep):
    report = post(d, "/api/v1/typical-reports", {}, user="city_supervisor", expect=201)
    assert report["rule_id"] == "typical_report_city" and report["period_start"].startswith("2026-09-30T16:00")
    d.at("2027-01-12T09:00")
    sweep()
    titles = [a["title"] for a in d.client("province_supervisor").get("/api/v1/alerts").get_json()["items"]]
    assert any(t.startswith("典型案例报送逾期督办") for t in titles)


@pytest.fixture
def minimum_restored(app):
    """business_settings outlives a test (it is reference data): the default minimum is put back."""
    yield
    import sqlalchemy as sa

    from workflow_service.extensions import db

    with app.app_context():
        db.session.execute(sa.text("DELETE FROM business_settings WHERE key = 'typical_case_minimum'"))
        db.session.commit()


def test_a_province_sets_the_minimum_per_period(d, minimum_restored):
    supervisor = d.client("supervisor1")
    response = supervisor.client.put("/api/v1/typical-reports/minimum", json={"county": 2, "city": 1, "province": 1},
                                     headers=supervisor.headers)
    assert response.status_code == 403
    admin = d.client("admin")
    response = admin.client.put("/api/v1/typical-reports/minimum", json={"county": 2, "city": 1, "province": 1},
                                headers=admin.headers)
    assert response.status_code == 200 and response.get_json()["jurisdiction"] == "530000"
    report = post(d, "/api/v1/typical-reports", {}, expect=201)
    assert report["minimum"] == 2
    post(d, "/api/v1/typical-cases", {"case_id": closed_case(d), "title": "甲", "write_up": "甲"}, expect=201)
    body = post(d, f"/api/v1/typical-reports/{report['id']}/submit", {}, expect=422)
    assert "至少报送2个" in body["message"] and "只有1个" in body["message"]


def test_a_province_requires_transfer_cases_among_the_reported_ones(d, minimum_restored, login, app):
    """"At least N a quarter, of which two transfers (移送司法机关)": the submit names how many are missing."""
    admin = d.client("admin")
    response = admin.client.put("/api/v1/typical-reports/minimum", headers=admin.headers, json={
        "county": 1, "city": 1, "province": 1, "transfers": {"county": 1, "city": 2, "province": 2}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["transfers"] == {"county": 1, "city": 2, "province": 2}
    # the case minimum alone again: the transfer minimum stays
    response = admin.client.put("/api/v1/typical-reports/minimum", headers=admin.headers,
                                json={"county": 1, "city": 1, "province": 1})
    assert response.get_json()["transfers"] == {"county": 1, "city": 2, "province": 2}
    report = post(d, "/api/v1/typical-reports", {}, expect=201)
    assert report["transfer_minimum"] == 1 and report["pending_transfer_cases"] == 0
    post(d, "/api/v1/typical-cases", {"case_id": closed_case(d), "title": "甲", "write_up": "甲"}, expect=201)
    path = f"/api/v1/typical-reports/{report['id']}"
    body = post(d, f"{path}/submit", {}, expect=422)
    assert "移送司法机关" in body["message"] and "还差1个" in body["message"], body
    assert d.client("supervisor1").get(path).get_json()["status"] == "open"
    # a typical case whose case was handed over to the police
    t = TransferDriver(login, login("admin")).at("2026-10-12T09:30")
    case_id = closed_case(t, party="楚雄某烟花爆竹有限公司")
    t.open_transfer(case_id=case_id)
    t.reported_and_approved("2026-10-12T10:00")
    t.handed_over("2026-10-12T11:00")
    post(d, "/api/v1/typical-cases", {"case_id": case_id, "title": "乙", "write_up": "乙"}, expect=201)
    detail = d.client("supervisor1").get(path).get_json()
    assert detail["pending_cases"] == 2 and detail["pending_transfer_cases"] == 1
    browser = app.test_client()
    web_login(browser, "supervisor1")
    page = browser.get("/typical").get_data(as_text=True)
    assert "其中移送司法机关 1 个" in page
    submitted = post(d, f"{path}/submit", {})
    assert submitted["status"] == "submitted" and len(submitted["case_ids"]) == 2
