"""The enterprise registry (生产经营单位), annual inspection plans and random draws, through the API."""
from __future__ import annotations

from datetime import date

import pytest

from tests.enterprise_driver import company_row, csv_bytes, ensure_certified_officers, upload, xlsx_bytes
from workflow_service.modules.system.codes import make_credit_code
from workflow_service.modules.enterprises.draws import run_method


@pytest.fixture
def officers(app):
    ensure_certified_officers(app)


def _import(login, n=500, **kwargs):
    handler = login("handler1")
    response = upload(handler, csv_bytes([company_row(i, **kwargs) for i in range(1, n + 1)]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_import_500_companies_approve_a_plan_and_draw_20_with_two_officers_reproducibly(app, login, officers):
    assert _import(login)["imported"] == 500
    handler, supervisor, head = login("handler1"), login("supervisor1"), login("head1")
    found = handler.get("/api/v1/enterprises?classification=A&limit=5").get_json()
    assert found["total"] == 125 and all(e["classification"] == "A" for e in found["items"])

    plan = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "title": "2026年度监督检查计划",
        "targets": [{"kind": "key", "classification": "A", "times_per_company": 2},
                    {"kind": "general", "count": 100},
                    {"kind": "random", "count": 40}]})
    assert plan.status_code == 201, plan.get_json()
    plan_id = plan.get_json()["id"]
    # Only the unit's 正职负责人 approves.
    assert supervisor.post(f"/api/v1/inspection-plans/{plan_id}/approve").status_code == 403
    approved = head.post(f"/api/v1/inspection-plans/{plan_id}/approve").get_json()
    assert approved["status"] == "approved"
    assert [t["planned"] for t in approved["targets"]] == [250, 100, 40]
    filed = supervisor.post(f"/api/v1/inspection-plans/{plan_id}/file").get_json()
    assert filed["status"] == "filed" and filed["filed_with_unit"] == "楚雄彝族自治州应急管理局"
    city = login("city_supervisor")
    assert city.post(f"/api/v1/inspection-plans/{plan_id}/acknowledge").get_json()["acknowledged_at"]

    body = {"title": "第四季度双随机抽查", "company_count": 20, "officers_per_company": 2,
            "classifications": ["B", "C"], "plan_id": plan_id, "seed": "20261012-chuxiong-q4"}
    first = supervisor.post("/api/v1/draws", json=body)
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    # handler1, handler2 and the four inspectors (other tests may have certified more of the county's handlers);
    # never the one whose certificate has expired.
    assert first["pool_size"] == 250 and first["officer_pool_size"] >= 6 and first["verified"]
    assert {"53230119001", "53230119002", "53230119003"} <= set(first["officer_candidates"])
    assert "53230119999" not in first["officer_candidates"]
    assert len(first["items"]) == 20
    for item in first["items"]:
        assert len(set(item["officer_ids"])) == 2
        assert all(o["certificate_number"] != "53230119999" for o in item["officers"])
    # Anyone re-running the method on the published seed and candidates gets the same result.
    public = app.test_client().get(f"/api/v1/public/draws/{first['id']}")
    assert public.status_code == 200
    public = public.get_json()
    rerun = run_method(public["seed"], public["company_candidates"], public["officer_candidates"], 20, 2)
    assert [code for code, _ in rerun] == [i["credit_code"] for i in public["items"]]
    assert [numbers for _, numbers in rerun] == [[o["certificate_number"] for o in i["officers"]]
                                                 for i in public["items"]]
    # The same seed on the same registry draws the same companies and officers again.
    second = supervisor.post("/api/v1/draws", json=body).get_json()
    assert [(i["enterprise_id"], i["officer_ids"]) for i in second["items"]] == \
        [(i["enterprise_id"], i["officer_ids"]) for i in first["items"]]
    # Another seed draws others.
    third = supervisor.post("/api/v1/draws", json={**body, "seed": "other"}).get_json()
    assert [i["enterprise_id"] for i in third["items"]] != [i["enterprise_id"] for i in first["items"]]


def test_an_officer_with_a_conflict_is_replaced_by_a_second_recorded_draw(app, login, officers):
    _import(login, 30)
    supervisor = login("supervisor1")
    draw = supervisor.post("/api/v1/draws", json={"company_count": 3, "seed": "s1"}).get_json()
    item = draw["items"][0]
    conflicted = item["officer_ids"][0]
    assert supervisor.post(f"/api/v1/draw-items/{item['id']}/replace-officer",
                           json={"user_id": conflicted, "reason": ""}).status_code == 422
    replaced = supervisor.post(f"/api/v1/draw-items/{item['id']}/replace-officer",
                               json={"user_id": conflicted, "reason": "与该企业负责人系近亲属"})
    assert replaced.status_code == 201, replaced.get_json()
    replaced = replaced.get_json()
    assert replaced["replaced_user_id"] == conflicted
    assert replaced["replacement_user_id"] not in item["officer_ids"] and replaced["seed"]
    detail = supervisor.get(f"/api/v1/draws/{draw['id']}").get_json()
    now = detail["items"][0]
    assert now["officer_ids"] == [replaced["replacement_user_id"], item["officer_ids"][1]]
    assert now["drawn_officer_ids"] == item["officer_ids"]  # the first result stays on record
    assert detail["verified"] and detail["replacements"][0]["reason"] == "与该企业负责人系近亲属"
    history = supervisor.get(f"/api/v1/enterprises/{item['enterprise_id']}").get_json()["history"]
    assert [(h["kind"], h["status"]) for h in history if h["kind"] == "draw"] == [("draw", "drawn")]


def test_progress_counts_drawn_inspections_and_alerts_when_an_ended_quarter_fell_behind(app, login, officers):
    _import(login, 40)
    supervisor, head = login("supervisor1"), login("head1")
    plan_id = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "targets": [{"kind": "random", "count": 8}]}).get_json()["id"]
    head.post(f"/api/v1/inspection-plans/{plan_id}/approve")
    draw = supervisor.post("/api/v1/draws", json={"company_count": 4, "plan_id": plan_id}).get_json()
    for item in draw["items"][:3]:
        done = supervisor.post(f"/api/v1/draw-items/{item['id']}/inspected", json={"day": "2026-10-12"})
        assert done.status_code == 200, done.get_json()
    progress = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress").get_json()
    assert progress["done"] == 3 and progress["planned"] == 8 and progress["rate"] == 37.5
    quarters = progress["targets"][0]["quarters"]
    assert [q["due"] for q in quarters] == [2, 4, 6, 8]
    # On 12 October the third quarter has ended with nothing done by 30 September: behind, an alert.
    assert quarters[2]["behind"] and not quarters[3]["behind"] and progress["alert"]
    early = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress?at=2026-03-15").get_json()
    assert early["done"] == 0 and not early["alert"]
    # A day in the future or before the draw is refused.
    item = draw["items"][3]
    assert supervisor.post(f"/api/v1/draw-items/{item['id']}/inspected",
                           json={"day": "2026-12-01"}).status_code == 422


def test_import_refuses_a_file_with_a_bad_credit_code_row_and_imports_nothing(app, login):
    handler = login("handler1")
    rows = [company_row(1), company_row(2), company_row(3)]
    good = rows[1][1]
    rows[1][1] = good[:-1] + ("0" if good[-1] != "0" else "1")  # spreadsheet row 3: check character wrong
    response = upload(handler, csv_bytes(rows))
    assert response.status_code == 422
    body = response.get_json()
    assert "未导入任何单位" in body["message"]
    assert body["details"]["rows"] == [{"row": 3, "field": "credit_code", "column": "统一社会信用代码",
                                        "reason": body["details"]["rows"][0]["reason"]}]
    assert "校验位错误" in body["details"]["rows"][0]["reason"]
    assert handler.get("/api/v1/enterprises").get_json()["total"] == 0


def test_xlsx_import_and_every_problem_of_a_file_reported_by_row(app, login):
    handler = login("handler1")
    assert upload(handler, xlsx_bytes([company_row(1)]), "one.xlsx").status_code == 201
    rows = [company_row(2), company_row(2), company_row(1), company_row(5)]
    rows[3][4] = "C9999"   # 大类 99 is not in 制造业
    rows[3][3] = "110101"  # Beijing, not Yunnan
    rows[3][9] = "E"       # not a class of the scheme
    response = upload(handler, xlsx_bytes(rows), "many.xlsx")
    assert response.status_code == 422
    problems = {(p["row"], p["field"]) for p in response.get_json()["details"]["rows"]}
    assert problems == {(3, "credit_code"), (4, "credit_code"), (5, "industry_code"), (5, "region_code"),
                        (5, "classification")}
    assert handler.get("/api/v1/enterprises").get_json()["total"] == 1
    # Headings the template does not know are refused, not silently dropped.
    bad = upload(handler, csv_bytes([company_row(9)], headings=["单位名称", "信用代码"]))
    assert bad.status_code == 422 and bad.get_json()["details"]["unknown_columns"] == ["信用代码"]


def test_registering_classifying_and_licences(app, login):
    handler, supervisor = login("handler1"), login("supervisor1")
    body = {"name": "楚雄某煤矿有限公司", "credit_code": make_credit_code("91532301MA0000001"), "region_code": "532301",
            "industry_code": "B0610", "principal": "王五", "classification": "B", "scale": "中型",
            "licences": [{"type": "安全生产许可证", "number": "（云）MK安许证字〔2024〕001", "valid_from": "2024-01-01",
                          "valid_to": "2026-06-30"}]}
    created = handler.post("/api/v1/enterprises", json=body)
    assert created.status_code == 201, created.get_json()
    created = created.get_json()
    assert created["scale"] == "medium" and created["licences"][0]["state"] == "expired"
    assert handler.post("/api/v1/enterprises", json=body).status_code == 409
    # A handler does not change the class; a 负责人 does, with a reason kept in the history.
    url = f"/api/v1/enterprises/{created['id']}/classification"
    assert handler.post(url, json={"classification": "A", "reason": "发生事故"}).status_code == 403
    assert supervisor.post(url, json={"classification": "Z", "reason": "x"}).status_code == 422
    classified = supervisor.post(url, json={"classification": "A", "reason": "2026年发生一般事故"}).get_json()
    assert [(c["previous"], c["classification"]) for c in classified["classification_changes"]] == \
        [(None, "B"), ("B", "A")]
    # Another county's officer does not see it.
    assert login("city_supervisor").get(f"/api/v1/enterprises/{created['id']}").status_code == 200
    bad = handler.post("/api/v1/enterprises", json={**body, "credit_code": "91532301MA00000019"})
    assert bad.status_code == 422 and "credit_code" in bad.get_json()["details"]


def test_an_administrator_records_certificates_and_only_certified_handlers_are_drawn(app, login, officers):
    _import(login, 10)
    admin, supervisor = login("admin"), login("supervisor1")

    def put(username, body):
        return admin.client.put(f"/api/v1/admin/users/{username}/certificate", json=body, headers=admin.headers)

    refused = put("supervisor1", {"number": "X1", "valid_to": "2029-12-31"})
    assert refused.status_code == 422 and "username" in refused.get_json()["details"]
    assert put("handler1", {"number": "53230119002", "valid_to": "2029-12-31"}).status_code == 422  # handler2's
    withdrawn = put("handler2", {"number": None})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["certificate_number"] is None
    try:
        draw = supervisor.post("/api/v1/draws", json={"company_count": 5}).get_json()
        assert "53230119002" not in draw["officer_candidates"] and "53230119999" not in draw["officer_candidates"]
        assert all(withdrawn.get_json()["id"] not in item["officer_ids"] for item in draw["items"])
    finally:
        restored = put("handler2", {"number": "53230119002", "valid_to": "2029-12-31"})
        assert restored.status_code == 200, restored.get_json()


def test_an_order_and_its_penalty_case_for_a_registered_company_are_on_its_page(app, login):
    _import(login, 2)
    handler = login("handler1")
    company = handler.get("/api/v1/enterprises?q=测试0001").get_json()["items"][0]
    order = handler.post("/api/v1/rectifications", json={
        "party_name": "任意", "party_type": "individual", "enterprise_id": company["id"],
        "legal_basis": "安全生产法第六十五条", "hidden_dangers": [{"description": "消防通道堵塞"}],
        "required_actions": "清理通道", "rectify_by": "2026-10-30"})
    assert order.status_code == 201, order.get_json()
    assert order.get_json()["party_name"] == company["name"]
    history = handler.get(f"/api/v1/enterprises/{company['id']}").get_json()["history"]
    assert [h["kind"] for h in history] == ["rectification", "classification"]


def test_the_openapi_document_lists_the_registry_plan_and_draw_endpoints(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/enterprises", "/api/v1/enterprises/import", "/api/v1/enterprises/{enterprise_id}",
                 "/api/v1/enterprises/{enterprise_id}/classification", "/api/v1/inspection-plans",
                 "/api/v1/inspection-plans/{plan_id}/approve", "/api/v1/inspection-plans/{plan_id}/progress",
                 "/api/v1/draws", "/api/v1/draw-items/{item_id}/replace-officer", "/api/v1/public/draws/{draw_id}",
                 "/api/v1/admin/users/{username}/certificate"):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/enterprises/import"]["post"]["requestBody"]["content"]


def test_a_class_covered_once_in_three_years_and_a_cases_target_counted_from_filed_cases(app, login):
    # 云南: B 类 "每3年至少进行1次全覆盖执法检查"; 楚雄州 reports cases filed against its plan (101.6 %).
    _import(login, 12)
    supervisor, head, handler = login("supervisor1"), login("head1"), login("handler1")
    plan_id = supervisor.post("/api/v1/inspection-plans", json={"year": 2026, "targets": [
        {"kind": "key", "classification": "B", "times_per_company": 1, "every_years": 3},
        {"kind": "cases", "count": 2}]}).get_json()["id"]
    approved = head.post(f"/api/v1/inspection-plans/{plan_id}/approve").get_json()
    assert [t["planned"] for t in approved["targets"]] == [1, 2]  # ⌈3 B-class companies / 3⌉
    company = handler.get("/api/v1/enterprises?classification=B").get_json()["items"][0]
    for _ in range(3):
        assert handler.post("/api/v1/cases", json={"source": "inspection", "summary": "检查",
                                                   "enterprise_id": company["id"]}).status_code == 201
    progress = supervisor.get(f"/api/v1/inspection-plans/{plan_id}/progress").get_json()
    cases = progress["targets"][1]
    assert cases["done"] == 3 and cases["rate"] == 150.0
    assert supervisor.post("/api/v1/inspection-plans", json={"year": 2027, "targets": [
        {"kind": "key", "classification": "B", "times_per_company": 1, "every_years": 9}]}).status_code == 422


@pytest.mark.parametrize("filename, data", [
    ("bad.xlsx", b"PK\x03\x04 not a zip at all"),
    ("bad.xls", b"\xd0\xcf\x11\xe0 old excel"),
    ("nul.csv", "单位名称,统一社会信用代码\n\x00\x00,1\n".encode()),
    ("empty.csv", b""),
    ("only-headings.csv", "单位名称,统一社会信用代码,行政区划代码,行业代码,主要负责人\n".encode()),
])
def test_unreadable_or_empty_files_are_refused_in_the_error_shape(login, filename, data):
    response = upload(login("handler1"), data, filename)
    assert response.status_code == 422 and response.get_json()["code"] == "validation_failed"


def test_the_province_administrator_sets_the_scheme_and_its_earlier_versions_are_kept(app, login):
    _import(login, 4)  # classes A–D in use
    admin = login("admin")  # the province's administrator

    def put(body):
        return admin.client.put("/api/v1/enterprises/scheme", json=body, headers=admin.headers)

    assert login("supervisor1").client.put("/api/v1/enterprises/scheme", json={"name": "x", "levels": [{"code": "A"}]},
                                           headers=login("supervisor1").headers).status_code == 403
    refused = put({"name": "两级", "levels": [{"code": "重点"}, {"code": "一般"}]})
    assert refused.status_code == 422 and "A" in refused.get_json()["details"]["levels"][0]
    try:
        changed = put({"name": "五级", "levels": [{"code": c, "label": f"{c}类"} for c in "ABCDE"], "basis": "新办法"})
        assert changed.status_code == 200, changed.get_json()
        scheme = login("handler1").get("/api/v1/enterprises/scheme").get_json()
        assert [level["code"] for level in scheme["levels"]] == list("ABCDE")
        assert [level["code"] for level in scheme["history"][-1]["levels"]] == list("ABCD")
    finally:
        assert put({"name": "云南省安全生产分类分级监管方案", "levels": [
            {"code": "A", "label": "A类（重点监管）"}, {"code": "B", "label": "B类"}, {"code": "C", "label": "C类"},
            {"code": "D", "label": "D类（一般监管）"}]}).status_code == 200


def test_a_plans_later_draw_can_leave_out_the_companies_its_earlier_draws_picked(app, login, officers):
    _import(login, 12)
    supervisor, head = login("supervisor1"), login("head1")
    plan_id = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "targets": [{"kind": "random", "count": 12}]}).get_json()["id"]
    head.post(f"/api/v1/inspection-plans/{plan_id}/approve")
    assert supervisor.post("/api/v1/draws", json={"company_count": 2, "exclude_already_drawn": True}).status_code == 422
    picked = set()
    for n in range(3):
        draw = supervisor.post("/api/v1/draws", json={"company_count": 4, "plan_id": plan_id,
                                                      "exclude_already_drawn": True}).get_json()
        assert draw["pool_size"] == 12 - 4 * n and draw["criteria"]["excluded_already_drawn"] == 4 * n
        assert draw["verified"]
        ids = {item["enterprise_id"] for item in draw["items"]}
        assert not ids & picked
        picked |= ids
    assert len(picked) == 12
