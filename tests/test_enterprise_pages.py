"""The registry, plan and draw pages (Flask's test client), the case's party from the registry, the public draw
pages."""
from __future__ import annotations

import io

from tests.enterprise_driver import company_row, csv_bytes, ensure_certified_officers, upload
from tests.test_auth_and_access import csrf_token_in, web_login


def browser(app, username):
    client = app.test_client()
    assert web_login(client, username).status_code == 302
    return client


def _post(client, path, data, **kwargs):
    token = csrf_token_in(client.get(path.split("?")[0] if "/new" in path or "/import" in path else "/").get_data(
        as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def test_a_case_filed_for_a_registered_company_is_on_the_companys_page(app, login):
    handler = login("handler1")
    assert upload(handler, csv_bytes([company_row(1), company_row(2)])).status_code == 201
    company = handler.get("/api/v1/enterprises?q=测试0001").get_json()["items"][0]
    case = handler.post("/api/v1/cases", json={"source": "inspection", "summary": "检查发现",
                                               "enterprise_id": company["id"]})
    assert case.status_code == 201, case.get_json()
    assert case.get_json()["party_name"] == company["name"]
    # A party not yet in the registry is added with the case.
    added = handler.post("/api/v1/cases", json={"source": "complaint", "summary": "举报", "enterprise": {
        "name": "新增某加油站", "credit_code": company_row(9)[1], "region_code": "532301", "industry_code": "F5265",
        "principal": "赵六"}})
    assert added.status_code == 201, added.get_json()
    found = handler.get("/api/v1/enterprises?q=新增某加油站").get_json()["items"]
    assert len(found) == 1
    # Neither a name nor a registry entry: refused.
    assert handler.post("/api/v1/cases", json={"source": "inspection", "summary": "x"}).status_code == 422
    detail = handler.get(f"/api/v1/enterprises/{company['id']}").get_json()
    assert [h["kind"] for h in detail["history"]][:1] == ["case"]
    assert detail["history"][0]["title"].endswith(case.get_json()["case_number"])
    page = browser(app, "handler1").get(f"/enterprises/{company['id']}").get_data(as_text=True)
    assert case.get_json()["case_number"] in page and "对该单位登记案件" in page


def test_the_registry_pages_search_import_and_show_the_report(app, login):
    client = browser(app, "handler1")
    rows = [company_row(i) for i in range(1, 4)]
    rows[2][1] = "91532301MA00000039"  # wrong check character
    token = csrf_token_in(client.get("/enterprises/import").get_data(as_text=True))
    refused = client.post("/enterprises/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(rows)),
                                                                                     "x.csv")},
                          content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "第 4 行" in text and "校验位错误" in text and "未导入任何单位" in text
    assert "共 0 家" in client.get("/enterprises").get_data(as_text=True)
    rows[2] = company_row(3)
    done = client.post("/enterprises/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(rows)),
                                                                                  "x.csv")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    listing = client.get("/enterprises?q=测试0002").get_data(as_text=True)
    assert "共 1 家" in listing and "测试0002化工有限公司" in listing
    assert "共 1 家" in client.get("/enterprises?classification=B").get_data(as_text=True)


def test_the_plan_and_draw_pages_and_the_public_draw_page(app, login):
    ensure_certified_officers(app)
    assert upload(login("handler1"), csv_bytes([company_row(i) for i in range(1, 41)])).status_code == 201
    supervisor = browser(app, "supervisor1")
    token = csrf_token_in(supervisor.get("/plans/new").get_data(as_text=True))
    created = supervisor.post("/plans/new", data={
        "csrf_token": token, "year": "2026", "title": "2026年度计划", "targets.0.kind": "key",
        "targets.0.classification": "A", "targets.0.basis": "times", "targets.0.number": "2",
        "targets.1.kind": "random", "targets.1.basis": "count", "targets.1.number": "8",
        "quarter_shares.0": "25", "quarter_shares.1": "50", "quarter_shares.2": "75", "quarter_shares.3": "100"})
    assert created.status_code == 302, created.get_data(as_text=True)
    plan_url = created.headers["Location"]
    head = browser(app, "head1")
    approve = head.post(plan_url + "/approve", data={"csrf_token": csrf_token_in(head.get(plan_url).get_data(
        as_text=True))})
    assert approve.status_code == 302
    page = head.get(plan_url).get_data(as_text=True)
    assert "已批准" in page and "计划 28 次" in page and "进度预警" in page  # Q1–Q3 ended with nothing done
    plan_id = plan_url.rsplit("/", 1)[1]
    drawn = supervisor.post("/draws/new", data={"csrf_token": token, "title": "四季度抽查", "company_count": "5",
                                                "officers_per_company": "2", "plan_id": plan_id, "seed": "web-seed",
                                                "classifications": ["B", "C"]})
    assert drawn.status_code == 302, drawn.get_data(as_text=True)
    draw_page = supervisor.get(drawn.headers["Location"]).get_data(as_text=True)
    assert "web-seed" in draw_page and "结果一致" in draw_page
    draw_id = drawn.headers["Location"].rsplit("/", 1)[1]
    public = app.test_client().get(f"/gongshi/draws/{draw_id}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "web-seed" in text and "登记已检查" not in text and "结果一致" in text
    assert "四季度抽查" in app.test_client().get("/gongshi/draws").get_data(as_text=True)
    refused = supervisor.post("/draws/new", data={"csrf_token": token, "company_count": "500",
                                                  "officers_per_company": "2"})
    assert refused.status_code == 422 and "少于抽取数" in refused.get_data(as_text=True)


def test_a_plan_behind_its_quarter_shows_on_the_supervision_page_of_the_unit_above(app, login):
    assert upload(login("handler1"), csv_bytes([company_row(i) for i in range(1, 9)])).status_code == 201
    supervisor, head = login("supervisor1"), login("head1")
    plan_id = supervisor.post("/api/v1/inspection-plans", json={
        "year": 2026, "title": "滞后的计划", "targets": [{"kind": "general", "count": 40}]}).get_json()["id"]
    assert "滞后的计划" not in browser(app, "city_supervisor").get("/supervision").get_data(as_text=True)  # a draft
    head.post(f"/api/v1/inspection-plans/{plan_id}/approve")
    page = browser(app, "city_supervisor").get("/supervision").get_data(as_text=True)
    assert "滞后的计划" in page and "Q3 0/30" in page


def test_editing_a_company_checks_its_fields_and_keeps_its_class(app, login):
    assert upload(login("handler1"), csv_bytes([company_row(1)])).status_code == 201
    company = login("handler1").get("/api/v1/enterprises").get_json()["items"][0]
    client = browser(app, "handler1")
    url = f"/enterprises/{company['id']}/edit"
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    form = {"csrf_token": token, "name": company["name"], "credit_code": company["credit_code"],
            "region_code": "532301", "industry_code": "C4499", "principal": "新负责人", "status": "active"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and "不属于门类 C" in refused.get_data(as_text=True)
    form["industry_code"] = "C2614"
    assert client.post(url, data=form).status_code == 302
    after = login("handler1").get(f"/api/v1/enterprises/{company['id']}").get_json()
    assert after["principal"] == "新负责人" and after["classification"] == company["classification"]
