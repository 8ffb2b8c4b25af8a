"""Inspections (监督检查) → the hidden-danger ledger (隐患台账) → orders, cases and the departments' statistics,
through the HTTP API as the officers who do each step, with the clock moved (issue 19, items 4–6)."""
from __future__ import annotations

import hashlib
import io

import pytest

from .transfer_driver import TransferDriver

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
CHECKLIST = [{"item": i, "result": r} for i, r in (("G01", "compliant"), ("G04", "non_compliant"), ("HC01", "non_compliant"),
                                                    ("HC02", "compliant"), ("HC03", "non_compliant"), ("HC04", "compliant"))]
COMPANY = "楚雄某化工有限公司"


class InspectionDriver(TransferDriver):
    inspection = None

    def assign(self, expect=201, **overrides):
        body = {"company_name": COMPANY, "company_code": "91532301MA6K000000", "industry": "hazardous_chemicals",
                "source": "plan", "inspectors": ["handler1", "handler2"], **overrides}
        body = {k: v for k, v in body.items() if v is not None}
        response = self.client("handler1").post("/api/v1/inspections", json=body)
        assert response.status_code == expect, response.get_json()
        if expect == 201:
            self.inspection = response.get_json()
        return response.get_json()

    def photo(self, content=JPEG, user="handler1"):
        client = self.client(user)
        response = client.client.post(f"/api/v1/inspections/{self.inspection['id']}/photos",
                                      data={"file": (io.BytesIO(content), "现场.jpg"), "description": "储罐区"},
                                      headers=client.headers, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def record(self, data, expect=200, username="handler1"):
        base = {"inspected_at": "2026-10-12T10:00:00+08:00", "inspectors": ["handler1", "handler2"],
                "checklist": CHECKLIST, "findings_summary": "储罐区检查"}
        return self.do(self.inspection["instance_id"], "record_inspection", {**base, **data}, username, expect)

    def inspection_detail(self, username="supervisor1"):
        response = self.client(username).get(f"/api/v1/inspections/{self.inspection['id']}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def hazard(self, hazard_id, username="supervisor1"):
        return self.client(username).get(f"/api/v1/hidden-dangers/{hazard_id}").get_json()

    def statistics(self, username="city_supervisor", period="2026-10", all_units=False):
        response = self.client(username).get(f"/api/v1/inspection-statistics?period={period}"
                                             + ("&all_units=true" if all_units else ""))
        assert response.status_code == 200, response.get_json()
        return {r["unit_code"]: r["figures"] for r in response.get_json()["rows"]}


@pytest.fixture
def d(login):
    return InspectionDriver(login, login("admin"))


def _recount_equals_facts(app, period="2026-10"):
    from workflow_service.extensions import db
    from workflow_service.modules.inspections.queries import facts_for, recount
    from workflow_service.modules.statistics.queries import parse_period
    from workflow_service.modules.users.models import Unit

    with app.app_context():
        unit_ids = list(db.session.scalars(db.select(Unit.id)))
        counted, kept = recount(unit_ids, parse_period(period)), facts_for(unit_ids, parse_period(period))
        for uid in set(counted) | set(kept):
            zero = dict.fromkeys((counted.get(uid) or kept.get(uid)), 0)
            assert {**zero, **counted.get(uid, {})} == {**zero, **kept.get(uid, {})}, uid
        db.session.rollback()
    return counted


def test_an_inspection_drives_the_ledger_the_order_the_case_and_the_statistics(d, app):
    d.at("2026-10-12T09:00")
    d.assign()
    assert d.inspection_detail()["open_tasks"][0]["bpmn_id"] == "record_inspection"
    photo = d.photo()
    d.at("2026-10-12T11:00")
    # One officer is not an inspection; the checklist is answered item by item.
    body = d.record({"inspectors": ["handler1"]}, expect=422)
    assert "inspectors" in body["details"]
    body = d.record({"checklist": CHECKLIST[:3]}, expect=422)
    assert "checklist" in body["details"]
    body = d.record({"hidden_dangers": [{"description": "x", "severity": "general", "provision": "y", "measure": "order",
                                         "rectify_by": "2026-10-12"}]}, expect=422)
    assert "hidden_dangers.0.rectify_by" in body["details"]
    for day in ("2026-02-30", "2099-01-01"):  # no such day; decades away
        body = d.record({"hidden_dangers": [{"description": "x", "severity": "general", "provision": "y",
                                             "measure": "order", "rectify_by": day}]}, expect=422)
        assert "hidden_dangers.0.rectify_by" in body["details"]
    d.record({
        "hidden_dangers": [
            {"description": "储罐区可燃气体报警器失效", "severity": "general", "provision": "《安全生产法》第三十六条",
             "measure": "order", "rectify_by": "2026-10-19", "required_actions": "更换报警器"},
            {"description": "重大危险源未实现监测监控", "severity": "major", "provision": "《安全生产法》第四十条",
             "measure": "order", "rectify_by": "2026-10-19", "photo_ids": [photo["id"]]}],
        "violations": [{"description": "特殊作业未经审批动火", "provision": "《安全生产法》第四十三条",
                        "photo_ids": [photo["id"]]}]})
    inspection = d.inspection_detail()
    assert inspection["status"] == "recorded" and inspection["open_tasks"] == []
    ordinary, major = inspection["hidden_dangers"]
    assert (ordinary["severity"], ordinary["status"], major["severity"], major["supervising_unit_id"] is not None) == \
        ("general", "rectifying", "major", True)
    # 挂牌督办: the city is alerted of the major hidden danger.
    assert ("escalation1", "上级挂牌督办") in d.alerts("city_supervisor")
    # The order (责令限期整改) is the existing rectification process, with both hidden dangers.
    d.order = d.client("supervisor1").get(f"/api/v1/rectifications/{inspection['rectification_order_id']}").get_json()
    assert len(d.order["hidden_dangers"]) == 2 and d.order["major_hidden_danger"] is True
    # The case from the third finding carries the inspection's photo as evidence, with the same digest.
    case = d.client("supervisor1").get(f"/api/v1/cases/{inspection['case_id']}").get_json()
    assert case["source"] == "inspection" and case["data"]["inspection"]["inspection_number"] == inspection["inspection_number"]
    evidence = d.client("handler1").get(f"/api/v1/cases/{inspection['case_id']}/evidence").get_json()
    assert [e["sha256"] for e in evidence["items"]] == [hashlib.sha256(JPEG).hexdigest()]
    # The company applies, the officers re-inspect: the ordinary one is closed (销号), the major one waits for the city.
    d.at("2026-10-16T10:00")
    d.do(d.order["instance_id"], "await_rectification", {"applied_at": "2026-10-16T09:00:00+08:00"}, "handler1")
    d.at("2026-10-17T10:00")
    d.reinspect("passed", "2026-10-17T09:30")
    assert d.hazard(ordinary["id"])["status"] == "closed"
    assert d.hazard(major["id"])["status"] == "awaiting_closure"
    # Only the supervising higher level approves the closure of a major hidden danger.
    closure = {"approved": True, "opinion": "整改到位，同意销号"}
    assert d.client("supervisor1").post(f"/api/v1/hidden-dangers/{major['id']}/closure", json=closure).status_code == 403
    ledger = d.client("city_supervisor").get("/api/v1/hidden-dangers?supervised_by_me=true").get_json()
    assert [h["id"] for h in ledger["items"]] == [major["id"]]
    response = d.client("city_supervisor").post(f"/api/v1/hidden-dangers/{major['id']}/closure", json=closure)
    assert response.status_code == 200, response.get_json()
    assert d.hazard(major["id"])["status"] == "closed" and d.hazard(major["id"])["closed_at"]
    assert ("escalation1", "上级挂牌督办") not in d.alerts("city_supervisor")  # 销号 ends the 挂牌督办
    # The statistics show each number, for the county and rolled up to the city, and equal a recount.
    for code in ("532301", "532300"):
        f = d.statistics()[code]
        assert (f["inspections"], f["companies_inspected"], f["inspections_planned"]) == (1, 1, 1)
        assert (f["hidden_dangers_found"], f["hidden_dangers_rectified"], f["hidden_dangers_closed"]) == (2, 2, 2)
        assert (f["major_found"], f["major_closed"], f["hidden_danger_rectification_rate"]) == (1, 1, 100.0)
        assert (f["orders"], f["orders_from_inspections"], f["cases_from_inspections"]) == (1, 1, 1)
        assert (f["penalty_decisions"], f["transfers"]) == (0, 0)
    # The table of every unit below rolls up the same figures.
    assert d.statistics(all_units=True) == d.statistics() and d.statistics(period="2026") == d.statistics(
        period="2026", all_units=True)
    counted = _recount_equals_facts(app)
    assert sum(f["hidden_dangers_found"] for f in counted.values()) == 2
    _recount_equals_facts(app, "2026")  # the year's own facts row too
    # The supervisors' statistics table shows the same inspection figures beside the case figures.
    rows = {r["unit_code"]: r["figures"] for r in d.client("city_supervisor").get(
        "/api/v1/statistics?period=2026-10").get_json()["rows"]}
    assert (rows["532300"]["inspections"], rows["532300"]["hidden_dangers_found"]) == (1, 2)


def test_an_overdue_hidden_danger_escalates_and_a_second_inspection_of_the_company_counts_it_once(d, app, sweep):
    d.at("2026-10-12T09:00")
    d.assign(source="complaint", reporter={"name": "匿名群众", "phone": "13800000000"}, source_note="反映夜间违规动火")
    body = d.inspection_detail()
    assert body["reporter_recorded"] is True and "13800000000" not in str(body)
    with app.app_context():  # nor in the process data or the audit trail
        from workflow_service.extensions import db
        from workflow_service.modules.audit.models import AuditEvent
        from workflow_service.modules.processes.models import ProcessInstance
        assert "13800000000" not in str(db.session.get(ProcessInstance, body["instance_id"]).data)
        assert not any("13800000000" in str(e.details) for e in db.session.scalars(db.select(AuditEvent)))
        db.session.rollback()
    d.at("2026-10-12T11:00")
    d.record({"hidden_dangers": [{"description": "动火作业未配备消防器材", "severity": "general",
                                  "provision": "GB 30871", "measure": "on_site_measure", "rectify_by": "2026-10-14",
                                  "onsite_measure": {"kind": "stop_use", "scope": "停止动火作业"}}]})
    [hazard] = d.inspection_detail()["hidden_dangers"]
    assert hazard["measure"] == "on_site_measure" and hazard["status"] == "rectifying"
    task = d.hazard(hazard["id"])["open_tasks"][0]
    assert (task["bpmn_id"], task["due_at"]) == ("reinspect_hidden_danger", "2026-10-14T16:00:00+00:00")
    # Past the deadline the sweep escalates it like every other deadline; the ledger shows it overdue.
    d.at("2026-10-15T09:00")
    sweep()
    assert ("escalation1", "隐患逾期未整改督办") in d.alerts("supervisor1")
    overdue = d.client("supervisor1").get("/api/v1/hidden-dangers?overdue=true").get_json()
    assert [h["id"] for h in overdue["items"]] == [hazard["id"]] and overdue["items"][0]["overdue"] is True
    # Not rectified: a new deadline; then rectified: closed (销号).
    data = {"reinspected_at": "2026-10-15T08:30:00+08:00", "reinspection_result": "not_rectified",
            "reinspection_findings": "仍未配备", "reinspectors": ["handler1", "handler2"]}
    assert "new_rectify_date" in d.do(hazard["instance_id"], "reinspect_hidden_danger", data, "handler1", 422)["details"]
    d.do(hazard["instance_id"], "reinspect_hidden_danger", {**data, "new_rectify_date": "2026-10-20"}, "handler1")
    assert d.hazard(hazard["id"])["rectify_by"] == "2026-10-20T16:00:00+00:00"
    d.at("2026-10-18T09:00")
    d.do(hazard["instance_id"], "reinspect_hidden_danger",
         {**data, "reinspected_at": "2026-10-18T08:30:00+08:00", "reinspection_result": "rectified"}, "handler1")
    assert d.hazard(hazard["id"])["status"] == "closed"
    # A second inspection of the same company this year: two inspections, one company.
    d.assign(source="routine")
    d.at("2026-10-18T10:00")
    d.record({"inspected_at": "2026-10-18T09:30:00+08:00", "hidden_dangers": [
        {"description": "安全警示标志缺失", "severity": "general", "provision": "《安全生产法》第三十五条",
         "measure": "corrected_on_site"}]})
    f = d.statistics("supervisor1")["532301"]
    assert (f["inspections"], f["companies_inspected"], f["inspections_complaint"], f["onsite_measures"]) == (2, 1, 1, 1)
    assert (f["hidden_dangers_found"], f["hidden_dangers_rectified"], f["hidden_dangers_closed"]) == (2, 2, 2)
    _recount_equals_facts(app)


def test_inspections_of_registry_companies_count_against_the_plan_and_show_on_the_company_page(d, app, login):
    from tests.enterprise_driver import company_row, csv_bytes, ensure_certified_officers, upload

    ensure_certified_officers(app)
    d.at("2026-10-12T09:00")
    assert upload(login("handler1"), csv_bytes([company_row(i) for i in range(1, 41)])).status_code == 201
    supervisor, head = login("supervisor1"), login("head1")
    plan_id = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "targets": [{"kind": "random", "count": 4}, {"kind": "general", "count": 10}]}).get_json()["id"]
    assert head.post(f"/api/v1/inspection-plans/{plan_id}/approve").status_code == 200
    draw = supervisor.post("/api/v1/draws", json={"company_count": 2, "plan_id": plan_id, "seed": "q4"}).get_json()
    item = draw["items"][0]
    # The drawn company goes with the officers drawn for it.
    d.assign(draw_item_id=item["id"], inspectors=None, company_name=None, company_code=None, industry="general")
    drawn = d.inspection
    assert (drawn["enterprise_id"], drawn["source"], drawn["plan_kind"]) == (item["enterprise_id"], "random", "random")
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.modules.users.models import User
        ids = db.session.scalars(db.select(User.id).where(User.username.in_(drawn["inspectors"]))).all()
        assert sorted(ids) == sorted(item["officer_ids"])
        db.session.rollback()
    assert d.client("handler1").post("/api/v1/inspections", json={
        "draw_item_id": item["id"], "industry": "general", "source": "random"}).status_code == 409
    d.at("2026-10-12T11:00")
    checklist = [{"item": i, "result": "compliant"} for i in ("G01", "G02", "G03", "G04", "G05")]
    d.record({"checklist": checklist, "inspectors": drawn["inspectors"]}, username=drawn["inspectors"][0])
    # A general inspection of another registry company, by hand.
    other = draw["items"][1]["enterprise_id"]
    d.assign(enterprise_id=other, company_name=None, company_code=None, industry="general", source="plan")
    assert d.inspection["plan_kind"] == "general"
    d.record({"checklist": checklist, "inspected_at": "2026-10-12T11:00:00+08:00"})
    progress = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress").get_json()
    assert [(t["kind"], t["done"]) for t in progress["targets"]] == [("random", 1), ("general", 1)]
    # 计划完成率 in the statistics: the plan's 14 checks are due by the end of the fourth quarter; 2 done so far.
    f = d.statistics("supervisor1", period="2026-10")["532301"]
    assert (f["plan_due"], f["plan_done"], f["plan_completion_rate"]) == (14, 2, 14.3)
    f = d.statistics("supervisor1", period="2026")["532301"]
    assert (f["plan_due"], f["plan_done"]) == (14, 2)
    history = d.client("supervisor1").get(f"/api/v1/enterprises/{other}").get_json()["history"]
    assert any(e["kind"] == "inspection" for e in history)
    # An enterprise of another unit is refused; an officer without a valid certificate is refused.
    assert d.assign(expect=422, inspectors=["handler1", "inspector_expired"])["details"]["inspectors"]


def test_the_penalty_and_the_transfer_that_follow_an_inspection_are_counted_as_they_happen(d, app):
    from .case_driver import DECISION, FILING, fine_proposal

    d.at("2026-10-12T09:00")
    d.assign()
    d.at("2026-10-12T11:00")
    d.record({"violations": [{"description": "特殊作业未经审批动火", "provision": "《安全生产法》第四十三条"}]})
    d.case = d.client("supervisor1").get(f"/api/v1/cases/{d.inspection_detail()['case_id']}").get_json()
    d.complete("draft_filing", {**FILING, "party": {"name": "张某", "type": "individual"}})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-10-12T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000, types=("fine", "warning")))
    d.at("2026-10-13T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-10-13T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-10-19T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.open_transfer(party_name="张某", party_type="individual")
    f = d.statistics("supervisor1")["532301"]
    assert (f["cases_from_inspections"], f["penalty_decisions"], f["penalties_fine"], f["penalties_warning"]) == (1, 1, 1, 1)
    # 处罚到人: the decision punishes a natural person (the responsible principal).
    assert (f["principals_punished"], f["fines_yuan"], f["transfers"]) == (1, 5000.0, 1)
    _recount_equals_facts(app)
