"""The inspection pages without a browser: assigning, the tablet record form (refused with messages at the fields,
then accepted), the ledger with its filters and the higher level's closure, the statistics page."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from .test_auth_and_access import csrf_token_in
from .test_inspections import CHECKLIST, InspectionDriver
from .test_web_pages import browser


def test_assign_record_on_the_form_then_ledger_and_statistics_pages(app, login):
    d = InspectionDriver(login, login("admin"))
    d.at("2026-10-12T09:00")
    handler = browser(app, "handler1")
    page = handler.get("/inspections/new")
    assert page.status_code == 200 and "下达检查任务" in page.get_data(as_text=True)
    token = csrf_token_in(page.get_data(as_text=True))
    refused = handler.post("/inspections/new", data=MultiDict([
        ("csrf_token", token), ("company_name", "楚雄某化工有限公司"), ("industry", "hazardous_chemicals"),
        ("source", "plan"), ("inspectors", "handler1")]))
    assert refused.status_code == 422 and "至少两名" in refused.get_data(as_text=True)
    done = handler.post("/inspections/new", data=MultiDict([
        ("csrf_token", token), ("company_name", "楚雄某化工有限公司"), ("industry", "hazardous_chemicals"),
        ("source", "plan"), ("inspectors", "handler1"), ("inspectors", "handler2")]))
    assert done.status_code == 302
    url = done.headers["Location"]
    form_page = handler.get(url).get_data(as_text=True)
    # The task page of the inbox opens too (the generic form of the JSON Schema).
    [task] = [t for t in d.client("handler1").get("/api/v1/tasks?scope=available").get_json()["items"]
              if t["bpmn_id"] == "record_inspection"]
    task_page = handler.get(f"/tasks/{task['id']}")
    assert task_page.status_code == 200, task_page.get_data(as_text=True)[-3000:]
    # The form is made for a tablet: one column below 900 px, touch targets of 44 px, the camera for photos.
    assert "max-width: 900px" in form_page and "min-height: 44px" in form_page and 'capture="environment"' in form_page
    assert "HC01" in form_page and "现场检查记录" in form_page
    d.at("2026-10-12T11:00")
    fields = [("csrf_token", csrf_token_in(form_page)), ("inspected_at", "2026-10-12T10:00"),
              ("inspectors", "handler1"), ("inspectors", "handler2"), ("findings_summary", "储罐区检查")]
    checks = [(f"check.{c['item']}", c["result"]) for c in CHECKLIST]
    hazard = [("hd.0.description", "重大危险源未实现监测监控"), ("hd.0.severity", "major"),
              ("hd.0.provision", "《安全生产法》第四十条"), ("hd.0.measure", "on_site_measure"),
              ("hd.0.rectify_by", "2026-10-20"), ("hd.0.onsite_kind", "stop_use"), ("hd.0.onsite_scope", "停用储罐区")]
    hazard += [("hd.1.description", "可燃气体报警器未开启"), ("hd.1.severity", "major"),
               ("hd.1.provision", "《安全生产法》第三十六条"), ("hd.1.measure", "corrected_on_site")]
    refused = handler.post(url, data=MultiDict(fields + checks[:2] + hazard))
    assert refused.status_code == 422 and "逐项填写本行业检查表" in refused.get_data(as_text=True)
    accepted = handler.post(url, data=MultiDict(fields + checks + hazard))
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-2000:]
    after = handler.get(url).get_data(as_text=True)
    assert "YH01" in after and "整改中" in after
    # The re-inspection (隐患整改复查) is a task of the inbox with its form.
    [task] = [t for t in d.client("handler1").get("/api/v1/tasks?scope=available").get_json()["items"]
              if t["bpmn_id"] == "reinspect_hidden_danger"]
    page = handler.get(f"/tasks/{task['id']}")
    assert page.status_code == 200 and "复查结论" in page.get_data(as_text=True)
    # The ledger, filtered; the city supervises the major one.
    ledger = handler.get("/hidden-dangers?severity=major").get_data(as_text=True)
    assert "重大危险源未实现监测监控" in ledger and "挂牌督办" in ledger
    assert "重大危险源" not in handler.get("/hidden-dangers?severity=general").get_data(as_text=True)
    city = browser(app, "city_supervisor")
    assert "重大危险源未实现监测监控" in city.get("/hidden-dangers?supervised=1").get_data(as_text=True)
    # 当场整改 of a major one: it waits for the city's approval, given on the ledger page.
    page = city.get("/hidden-dangers?supervised=1&status=awaiting_closure").get_data(as_text=True)
    assert "可燃气体报警器未开启" in page and "同意销号" in page
    hazard_id = int(page.split("/hidden-dangers/")[1].split("/closure")[0])
    done = city.post(f"/hidden-dangers/{hazard_id}/closure", data={
        "csrf_token": csrf_token_in(page), "approved": "1", "opinion": "同意销号"})
    assert done.status_code == 302
    assert "可燃气体报警器未开启" in city.get("/hidden-dangers?status=closed").get_data(as_text=True)
    # The statistics page, rolled up to the city.
    stats = city.get("/inspection-statistics?period=2026-10")
    text = stats.get_data(as_text=True)
    assert stats.status_code == 200 and "楚雄市应急管理局" in text and 'data-key="major_found">2<' in text
    assert browser(app, "handler1").get("/inspection-statistics?period=2026-10").status_code == 403
    # Exports of the same table.
    csv_text = city.get("/api/v1/inspection-statistics/export.csv?period=2026-10").get_data().decode("utf-8-sig")
    assert "重大隐患数" in csv_text and "楚雄市应急管理局" in csv_text
    xlsx = city.get("/api/v1/inspection-statistics/export.xlsx?period=2026-10")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
