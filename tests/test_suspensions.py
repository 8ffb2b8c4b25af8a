"""Production suspensions (责令停产停业整顿), the company's application to resume, the restart inspection and the
decision to lift it; 提请政府关闭 (安全生产法 Art 113); licence actions (暂扣/吊销/注销) on the registry's licences —
through the HTTP API with the clock moved."""
from __future__ import annotations

import pytest

from workflow_service.modules.system.codes import make_credit_code

from .case_driver import CaseDriver
from .test_auth_and_access import web_login

ORDER = {"party_name": "楚雄某烟花爆竹有限公司", "legal_basis": "《安全生产法》第一百零二条",
         "scope": "全厂停产停业整顿"}


@pytest.fixture
def d(login):
    return CaseDriver(login, login("admin")).at("2026-10-12T09:00")


def order(d, until="2026-11-12", expect=201, **extra):
    response = d.client("handler1").post("/api/v1/suspensions", json={**ORDER, "suspend_until": until, **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def post(d, path, body, user="supervisor1", expect=200):
    response = d.client(user).post(path, json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def inspect(d, row, result, when):
    [task] = [t for t in row["open_tasks"] if t["bpmn_id"] == "restart_inspection"]
    return post(d, f"/api/v1/tasks/{task['id']}/complete", {"data": {
        "inspected_at": when, "restart_result": result, "findings": "现场验收", "inspectors": ["handler1", "handler2"]}},
        user="handler1")


def test_resuming_before_the_restart_inspection_is_refused_and_allowed_after_it_passed(d, sweep):
    assert "suspend_until" in order(d, until="2026-10-12", expect=422)["details"]
    row = order(d)
    assert row["status"] == "suspended" and [t["bpmn_id"] for t in row["open_tasks"]] == ["record_resume_application"]
    path = f"/api/v1/suspensions/{row['id']}"
    # lifting (resuming production) before any restart inspection → 409
    body = post(d, f"{path}/lift", {"lifted_at": "2026-10-12T09:00:00+08:00"}, expect=409)
    assert body["code"] == "restart_inspection_required" and "复产验收合格前不得恢复生产" in body["message"]
    d.at("2026-10-20T10:00")
    row = post(d, f"{path}/application", {"applied_at": "2026-10-20T09:00:00+08:00", "note": "已整改"}, user="handler1")
    assert row["status"] == "inspection_due"
    [task] = row["open_tasks"]
    # 复产验收 within 10 days of the application: Tue 20 Oct → Fri 30 Oct, 24:00
    assert (task["bpmn_id"], task["due_rule"]["rule_id"], task["due_at"]) == (
        "restart_inspection", "restart_inspection", "2026-10-30T16:00:00+00:00")
    assert post(d, f"{path}/lift", {"lifted_at": "2026-10-20T10:00:00+08:00"}, expect=409)["code"] == \
        "restart_inspection_required"
    # a failed inspection: still suspended, a new application is awaited
    d.at("2026-10-22T10:00")
    inspect(d, row, "failed", "2026-10-22T09:00:00+08:00")
    row = d.client("supervisor1").get(path).get_json()
    assert row["status"] == "suspended" and row["inspections"][0]["restart_result"] == "failed"
    assert post(d, f"{path}/lift", {"lifted_at": "2026-10-22T10:00:00+08:00"}, expect=409)["code"] == \
        "restart_inspection_required"
    row = post(d, f"{path}/application", {"applied_at": "2026-10-22T09:30:00+08:00"}, user="handler1")
    inspect(d, row, "passed", "2026-10-22T09:45:00+08:00")
    row = d.client("supervisor1").get(path).get_json()
    assert row["status"] == "lift_pending" and [t["bpmn_id"] for t in row["open_tasks"]] == ["decide_lift"]
    post(d, f"{path}/lift", {"lifted_at": "2026-10-22T10:00:00+08:00"}, user="handler1", expect=403)
    row = post(d, f"{path}/lift", {"lifted_at": "2026-10-22T10:00:00+08:00", "note": "同意恢复生产"})
    assert row["status"] == "lifted" and row["lifted_at"] and row["open_tasks"] == []


def test_the_period_ending_without_an_application_escalates_and_closure_is_requested_on_a_supported_ground(d, sweep):
    row = order(d, until="2026-10-20")
    path = f"/api/v1/suspensions/{row['id']}"
    d.at("2026-10-21T09:00")
    sweep()
    titles = [a["title"] for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]]
    assert any(t.startswith("整顿期满未申请复产督办") for t in titles)
    # 安全生产法 Art 113: the ground must be supported by the record
    body = post(d, f"{path}/closure-request", {"ground": "still_unsafe", "government": "楚雄市人民政府",
                                              "reason": "整顿后仍不具备安全生产条件"}, expect=422)
    assert "复产验收" in body["message"]
    body = post(d, f"{path}/closure-request", {"ground": "repeated_penalties", "government": "楚雄市人民政府",
                                              "reason": "多次受到处罚"}, expect=422)
    assert "一百八十日内0次" in body["message"]
    post(d, f"{path}/closure-request", {"ground": "refused_suspension", "government": "楚雄市人民政府",
                                       "reason": "拒不执行停产停业整顿决定"}, user="handler1", expect=403)
    row = post(d, f"{path}/closure-request", {"ground": "refused_suspension", "government": "楚雄市人民政府",
                                             "reason": "拒不执行停产停业整顿决定"})
    assert row["closure_ground"] == "refused_suspension" and row["closure_requested_at"]
    assert post(d, f"{path}/closure-request", {"ground": "other", "government": "x", "reason": "x"},
                expect=409)["code"] == "closure_requested"
    assert "answered_at" in post(d, f"{path}/closure-answer", {"approved": True,
                                                              "answered_at": "2026-10-21T08:59:00+08:00"},
                                 expect=422)["details"]  # before the request
    d.at("2026-10-23T10:00")
    row = post(d, f"{path}/closure-answer", {"approved": True, "answered_at": "2026-10-23T09:00:00+08:00",
                                            "note": "同意予以关闭"})
    assert row["closure_answer"] == "approved"


def test_licence_actions_change_the_registry_licence_and_a_suspended_licence_is_due_back(d, sweep):
    code = make_credit_code("91532301MA0000777")
    company = d.client("handler1").post("/api/v1/enterprises", json={
        "name": "楚雄某矿业有限公司", "credit_code": code, "region_code": "532301", "industry_code": "B0610",
        "principal": "张三", "licences": [
            {"type": "安全生产许可证", "number": "（滇）FM安许证字〔2026〕001", "valid_from": "2026-01-01",
             "valid_to": "2028-12-31"},
            {"type": "爆破作业单位许可证", "number": "5323001", "valid_from": "2026-01-01", "valid_to": "2028-12-31"}]})
    assert company.status_code == 201, company.get_json()
    licences = {lic["type"]: lic["id"] for lic in company.get_json()["licences"]}
    safety = licences["安全生产许可证"]
    body = {"action": "suspend", "legal_basis": "《安全生产许可证条例》第十四条", "suspend_until": "2026-11-11"}
    post(d, f"/api/v1/licences/{safety}/actions", body, user="handler1", expect=403)
    assert "suspend_until" in post(d, f"/api/v1/licences/{safety}/actions",
                                   {**body, "suspend_until": None}, expect=422)["details"]
    action = post(d, f"/api/v1/licences/{safety}/actions", body, expect=201)
    assert action["licence_status"] == "suspended" and action["suspend_until"] == "2026-11-11T16:00:00+00:00"
    assert post(d, f"/api/v1/licences/{safety}/actions", {**body, "action": "revoke", "suspend_until": None},
                expect=409)["code"] == "licence_not_valid"
    # the period ends: the licence is due back within 5 working days (rule licence_return)
    d.at("2026-11-12T09:00")
    sweep()
    [item] = d.client("supervisor1").get("/api/v1/licence-actions").get_json()["items"]
    [task] = item["open_tasks"]
    assert (task["bpmn_id"], task["due_rule"]["rule_id"], task["due_at"]) == (
        "return_licence", "licence_return", "2026-11-19T16:00:00+00:00")  # from 00:00 Thu 12 Nov: 5 working days → Thu 19
    post(d, f"/api/v1/tasks/{task['id']}/complete", {"data": {"returned_at": "2026-11-12T09:00:00+08:00"}},
         user="handler1")
    [item] = d.client("supervisor1").get("/api/v1/licence-actions").get_json()["items"]
    assert item["licence_status"] == "valid" and item["returned_at"]
    # 吊销 takes effect at once and has no period
    revoked = post(d, f"/api/v1/licences/{licences['爆破作业单位许可证']}/actions",
                   {"action": "revoke", "legal_basis": "《民用爆炸物品安全管理条例》第四十四条"}, expect=201)
    assert revoked["licence_status"] == "revoked" and revoked["instance_id"] is None


def test_an_approved_closure_ends_the_suspension_its_steps_and_deadlines(d, sweep, app):
    """安全生产法 Art 113: once the government closes the company, there is nothing left to resume."""
    row = order(d, until="2026-11-12")
    path = f"/api/v1/suspensions/{row['id']}"
    d.at("2026-10-20T10:00")
    row = post(d, f"{path}/application", {"applied_at": "2026-10-20T09:00:00+08:00"}, user="handler1")
    assert [t["bpmn_id"] for t in row["open_tasks"]] == ["restart_inspection"] and row["deadlines"]
    post(d, f"{path}/closure-request", {"ground": "refused_suspension", "government": "楚雄市人民政府",
                                       "reason": "拒不执行停产停业整顿决定"})
    d.at("2026-10-21T10:00")
    row = post(d, f"{path}/closure-answer", {"approved": True, "answered_at": "2026-10-21T09:00:00+08:00",
                                            "note": "同意予以关闭"})
    assert row["closure_answer"] == "approved" and row["status"] == "closed" and row["status_label"] == "已关闭"
    row = d.client("supervisor1").get(path).get_json()
    assert row["open_tasks"] == [] and row["deadlines"] == [] and row["status_label"] == "已关闭"
    tasks = d.client("handler1").get("/api/v1/tasks?scope=available").get_json()["items"]
    assert not [t for t in tasks if t["instance_id"] == row["instance_id"]]
    # no resume application, no lift afterwards
    body = post(d, f"{path}/application", {"applied_at": "2026-10-21T09:30:00+08:00"}, user="handler1", expect=409)
    assert body["code"] == "suspension_closed" and "关闭" in body["message"]
    body = post(d, f"{path}/lift", {"lifted_at": "2026-10-21T10:00:00+08:00"}, expect=409)
    assert body["code"] == "suspension_closed" and "关闭" in body["message"]
    # the restart inspection's deadline went with it: nothing warns or escalates
    d.at("2026-11-20T10:00")
    sweep()
    titles = [a["title"] for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]]
    assert not any(t.startswith("复产验收") for t in titles), titles
    browser = app.test_client()
    web_login(browser, "supervisor1")
    page = browser.get(f"/suspensions/{row['id']}").get_data(as_text=True)
    assert "已关闭" in page and 'id="lift-form"' not in page


def test_a_refused_closure_leaves_the_suspension_running(d):
    row = order(d, until="2026-11-12")
    path = f"/api/v1/suspensions/{row['id']}"
    post(d, f"{path}/closure-request", {"ground": "refused_suspension", "government": "楚雄市人民政府",
                                       "reason": "拒不执行停产停业整顿决定"})
    d.at("2026-10-13T10:00")
    row = post(d, f"{path}/closure-answer", {"approved": False, "answered_at": "2026-10-13T09:00:00+08:00"})
    assert row["status"] == "suspended" and row["closure_answer"] == "refused"
    row = post(d, f"{path}/application", {"applied_at": "2026-10-13T09:30:00+08:00"}, user="handler1")
    assert row["status"] == "inspection_due"


def test_an_approved_closure_also_ends_a_suspension_awaiting_its_lifting(d):
    row = order(d, until="2026-11-12")
    path = f"/api/v1/suspensions/{row['id']}"
    d.at("2026-10-20T10:00")
    row = post(d, f"{path}/application", {"applied_at": "2026-10-20T09:00:00+08:00"}, user="handler1")
    inspect(d, row, "passed", "2026-10-20T09:30:00+08:00")
    post(d, f"{path}/closure-request", {"ground": "refused_suspension", "government": "楚雄市人民政府",
                                       "reason": "拒不执行停产停业整顿决定"})
    d.at("2026-10-20T11:00")
    row = post(d, f"{path}/closure-answer", {"approved": True, "answered_at": "2026-10-20T10:30:00+08:00"})
    assert row["status"] == "closed" and row["open_tasks"] == []
    assert post(d, f"{path}/lift", {"lifted_at": "2026-10-20T11:00:00+08:00"}, expect=409)["code"] == \
        "suspension_closed"
    listed = d.client("supervisor1").get("/api/v1/suspensions?status=closed").get_json()["items"]
    assert [r["id"] for r in listed] == [row["id"]]
