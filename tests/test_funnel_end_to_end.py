"""The front of the funnel in one run (issue 19, "Done when"): import 500 companies → approve a plan → draw 20
companies with two officers each, reproducible from the seed → inspect a drawn company and record two hidden dangers
(one major, 重大隐患) → order rectification (责令限期整改) → re-inspect → close (销号) the ordinary one, the major one
only on the higher level's approval → a case filed from a third finding with its evidence → the county's
statistics show each number and equal a recount from the raw rows. Through the API as the officers who do each
step, with the clock moved."""
from __future__ import annotations

import csv
import hashlib
import io

from tests.enterprise_driver import company_row, csv_bytes, ensure_certified_officers, upload
from workflow_service.modules.enterprises.draws import run_method

from .test_enterprise_pages import browser
from .test_inspections import CHECKLIST, JPEG, InspectionDriver, _recount_equals_facts

SEED = "20261012-chuxiong-q4"


def test_import_plan_draw_inspect_ledger_order_case_and_statistics_in_one_run(app, login):
    ensure_certified_officers(app)
    d = InspectionDriver(login, login("admin"))
    d.at("2026-10-12T09:00")
    handler, supervisor, head, city = (d.client(u) for u in ("handler1", "supervisor1", "head1", "city_supervisor"))

    # 1. The registry: 500 companies from one spreadsheet (classes A–D in turn).
    imported = upload(handler, csv_bytes([company_row(i) for i in range(1, 501)]))
    assert imported.status_code == 201, imported.get_json()
    assert imported.get_json()["imported"] == 500
    assert handler.get("/api/v1/enterprises?limit=1").get_json()["total"] == 500

    # 2. The annual plan: drawn up by the 负责人, approved by the head (正职负责人) only, filed with the city.
    plan = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "title": "2026年度监督检查计划",
        "targets": [{"kind": "key", "classification": "A", "times_per_company": 2},
                    {"kind": "general", "count": 100}, {"kind": "random", "count": 40}]})
    assert plan.status_code == 201, plan.get_json()
    plan_id = plan.get_json()["id"]
    assert supervisor.post(f"/api/v1/inspection-plans/{plan_id}/approve").status_code == 403
    approved = head.post(f"/api/v1/inspection-plans/{plan_id}/approve")
    assert approved.status_code == 200, approved.get_json()
    assert [t["planned"] for t in approved.get_json()["targets"]] == [250, 100, 40]
    assert supervisor.post(f"/api/v1/inspection-plans/{plan_id}/file").get_json()["status"] == "filed"
    progress = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress").get_json()
    assert (progress["done"], progress["planned"]) == (0, 390)

    # 3. 双随机: 20 companies of classes B and C, two certified officers each, from a recorded seed.
    drawn = supervisor.post("/api/v1/draws", json={
        "title": "第四季度双随机抽查", "company_count": 20, "officers_per_company": 2, "classifications": ["B", "C"],
        "plan_id": plan_id, "seed": SEED})
    assert drawn.status_code == 201, drawn.get_json()
    draw = drawn.get_json()
    assert draw["pool_size"] == 250 and draw["verified"] and len(draw["items"]) == 20
    assert len({i["enterprise_id"] for i in draw["items"]}) == 20
    assert all(len(set(i["officer_ids"])) == 2 for i in draw["items"])
    # Anyone re-running the published method on the published seed and candidates gets the same result.
    public = app.test_client().get(f"/api/v1/public/draws/{draw['id']}").get_json()
    assert public["seed"] == SEED
    rerun = run_method(public["seed"], public["company_candidates"], public["officer_candidates"], 20, 2)
    assert [code for code, _ in rerun] == [i["credit_code"] for i in public["items"]]
    assert [numbers for _, numbers in rerun] == [[o["certificate_number"] for o in i["officers"]]
                                                 for i in public["items"]]

    # 4. The first drawn company is inspected by the two officers drawn for it.
    item = draw["items"][0]
    d.assign(draw_item_id=item["id"], inspectors=None, company_name=None, company_code=None)
    inspection = d.inspection
    assert (inspection["enterprise_id"], inspection["source"], inspection["plan_kind"]) == \
        (item["enterprise_id"], "random", "random")
    officers = inspection["inspectors"]
    assert len(officers) == 2
    first = officers[0]
    photo = d.photo(user=first)
    d.at("2026-10-12T11:00")
    d.record({
        "inspectors": officers,
        "hidden_dangers": [
            {"description": "储罐区可燃气体报警器失效", "severity": "general", "provision": "《安全生产法》第三十六条",
             "measure": "order", "rectify_by": "2026-10-19", "required_actions": "更换报警器"},
            {"description": "重大危险源未实现监测监控", "severity": "major", "provision": "《安全生产法》第四十条",
             "measure": "order", "rectify_by": "2026-10-19", "photo_ids": [photo["id"]]}],
        "violations": [{"description": "特殊作业未经审批动火", "provision": "《安全生产法》第四十三条",
                        "photo_ids": [photo["id"]]}]}, username=first)
    inspection = d.inspection_detail()
    assert inspection["status"] == "recorded"
    ordinary, major = inspection["hidden_dangers"]
    assert (ordinary["severity"], ordinary["status"]) == ("general", "rectifying")
    assert (major["severity"], major["status"]) == ("major", "rectifying")
    assert ("escalation1", "上级挂牌督办") in d.alerts("city_supervisor")
    # The draw's item is marked inspected and the plan's 双随机 target moves.
    shown = supervisor.get(f"/api/v1/draws/{draw['id']}").get_json()["items"]
    [done] = [i for i in shown if i["id"] == item["id"]]
    assert done["inspected_on"] == "2026-10-12"
    assert all(i["inspected_on"] is None for i in shown if i["id"] != item["id"])
    progress = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress").get_json()
    assert [(t["kind"], t["done"]) for t in progress["targets"]] == [("key", 0), ("general", 0), ("random", 1)]
    assert progress["done"] == 1
    # The company's page shows the draw and the inspection.
    history = handler.get(f"/api/v1/enterprises/{item['enterprise_id']}").get_json()["history"]
    assert {"draw", "inspection"} <= {h["kind"] for h in history}

    # 5. The order carries both hidden dangers; the case from the third finding carries the photo as evidence.
    d.order = supervisor.get(f"/api/v1/rectifications/{inspection['rectification_order_id']}").get_json()
    assert len(d.order["hidden_dangers"]) == 2 and d.order["major_hidden_danger"] is True
    case = supervisor.get(f"/api/v1/cases/{inspection['case_id']}").get_json()
    assert case["source"] == "inspection"
    assert case["data"]["inspection"]["inspection_number"] == inspection["inspection_number"]
    evidence = d.client(first).get(f"/api/v1/cases/{inspection['case_id']}/evidence").get_json()
    assert [e["sha256"] for e in evidence["items"]] == [hashlib.sha256(JPEG).hexdigest()]

    # 6. The company applies, the officers re-inspect: the ordinary one is closed, the major one waits for the city.
    d.at("2026-10-16T10:00")
    d.do(d.order["instance_id"], "await_rectification", {"applied_at": "2026-10-16T09:00:00+08:00"}, first)
    d.at("2026-10-17T10:00")
    d.do(d.order["instance_id"], "reinspect", {
        "reinspected_at": "2026-10-17T09:30:00+08:00", "reinspection_result": "passed",
        "reinspection_findings": "现场复查", "reinspectors": officers}, first)
    assert d.hazard(ordinary["id"])["status"] == "closed"
    assert d.hazard(major["id"])["status"] == "awaiting_closure"
    closure = {"approved": True, "opinion": "整改到位，同意销号"}
    assert supervisor.post(f"/api/v1/hidden-dangers/{major['id']}/closure", json=closure).status_code == 403
    closed = city.post(f"/api/v1/hidden-dangers/{major['id']}/closure", json=closure)
    assert closed.status_code == 200, closed.get_json()
    assert d.hazard(major["id"])["status"] == "closed"
    assert ("escalation1", "上级挂牌督办") not in d.alerts("city_supervisor")

    # 7. What the county reports for October, and the city above it: each number, and equal to a recount.
    for code in ("532301", "532300"):
        f = d.statistics(period="2026-10")[code]
        assert (f["inspections"], f["companies_inspected"], f["inspections_random"]) == (1, 1, 1), code
        assert (f["hidden_dangers_found"], f["hidden_dangers_rectified"], f["hidden_dangers_closed"]) == (2, 2, 2)
        assert f["hidden_danger_rectification_rate"] == 100.0
        assert (f["major_found"], f["major_closed"]) == (1, 1)
        assert (f["orders"], f["orders_from_inspections"], f["cases_from_inspections"]) == (1, 1, 1)
    county = d.statistics("supervisor1", period="2026-10")["532301"]
    # The plan's 390 checks are all due by the end of the fourth quarter (October is in it); one done.
    assert (county["plan_due"], county["plan_done"], county["plan_completion_rate"]) == (390, 1, 0.3)
    counted = _recount_equals_facts(app, "2026-10")
    county_id = _unit_id(app, "532301")
    assert {k: county[k] for k in counted[county_id]} == counted[county_id]
    assert sum(f["inspections"] for f in counted.values()) == 1
    assert sum(f["hidden_dangers_found"] for f in counted.values()) == 2
    _recount_equals_facts(app, "2026")
    # The export the county sends up has the same row.
    exported = supervisor.get("/api/v1/inspection-statistics/export.csv?period=2026-10")
    assert exported.status_code == 200
    headings, *rows = csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff").split("\n", 1)[1]))
    [row] = [dict(zip(headings, r)) for r in rows if r and r[0] == "532301"]
    assert {k: row[k] for k in ("检查次数", "检查企业数", "双随机抽查次数", "发现隐患数", "整改隐患数", "隐患整改率（%）",
                                "重大隐患数", "重大隐患销号数", "责令限期整改指令数", "检查发现立案数",
                                "计划应完成检查数（截至期末）", "计划检查完成数（年初至期末）", "计划完成率（%）")} == {
        "检查次数": "1", "检查企业数": "1", "双随机抽查次数": "1", "发现隐患数": "2", "整改隐患数": "2",
        "隐患整改率（%）": "100.0", "重大隐患数": "1", "重大隐患销号数": "1", "责令限期整改指令数": "1",
        "检查发现立案数": "1", "计划应完成检查数（截至期末）": "390", "计划检查完成数（年初至期末）": "1",
        "计划完成率（%）": "0.3"}
    shown = browser(app, "supervisor1").get("/inspection-statistics?period=2026-10")
    assert shown.status_code == 200 and "楚雄市应急管理局" in shown.get_data(as_text=True)
    # Nothing else happened this year: the year's figures are October's.
    year = d.statistics("supervisor1", period="2026")["532301"]
    assert {k: year[k] for k in counted[county_id]} == {k: county[k] for k in counted[county_id]}
    assert (county["penalty_decisions"], county["transfers"], county["inspections_planned"]) == (0, 0, 0)

    # The company's whole history is on its page: drawn and inspected, its hidden dangers closed, the order, the case.
    history = handler.get(f"/api/v1/enterprises/{item['enterprise_id']}").get_json()["history"]
    assert sorted((h["kind"], h.get("status")) for h in history if h["kind"] != "classification") == [
        ("case", "open"), ("draw", "inspected"), ("hidden_danger", "已销号"), ("hidden_danger", "已销号"),
        ("inspection", "recorded"), ("rectification", "passed")]
    # And the company's page reads each of them in Chinese.
    page = browser(app, "supervisor1").get(f"/enterprises/{item['enterprise_id']}").get_data(as_text=True)
    for label in ("<td>已检查</td>", "<td>已销号</td>", "<td>监督检查</td>", "<td>责令整改</td>", "<td>行政处罚</td>",
                  "<td>双随机抽查</td>"):
        assert label in page, label
    for code in ("recorded", "passed", "open", "inspected"):
        assert f"<td>{code}</td>" not in page, code


def _unit_id(app, code):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit

    with app.app_context():
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == code))
        db.session.rollback()
    return unit_id
