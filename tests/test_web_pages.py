"""The browser pages without a browser (Flask's test client, on both databases): errors come as Chinese
pages off the API and as JSON on it, forms show the server's messages at their fields, queues page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from .case_driver import FILING
from .test_auth_and_access import csrf_token_in, web_login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def browser(app, username):
    client = app.test_client()
    assert web_login(client, username).status_code == 302
    return client


def file_case(api, party="楚雄某化工有限公司"):
    response = api.post("/api/v1/cases", json={"source": "inspection", "party_name": party,
                                               "party_type": "organisation", "summary": "日常检查发现"})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    (task,) = api.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    return case, task


def test_a_missing_page_is_a_chinese_page_and_the_api_keeps_its_json_shape(app):
    client = browser(app, "handler1")
    page = client.get("/cases/999999", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "页面不存在" in page.get_data(as_text=True)
    api = client.get("/api/v1/cases/999999", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


def test_a_handler_is_shown_a_403_page_on_the_supervisors_dashboard(app):
    page = browser(app, "handler1").get("/supervision")
    assert page.status_code == 403 and "无权访问" in page.get_data(as_text=True)
    assert "督办" not in re.sub(r"<title>.*?</title>", "", page.get_data(as_text=True)).split("<main>")[0]


def test_the_navigation_follows_the_roles(app):
    handler = browser(app, "handler1").get("/").get_data(as_text=True)
    supervisor = browser(app, "supervisor1").get("/").get_data(as_text=True)
    admin = browser(app, "admin").get("/").get_data(as_text=True)
    assert "登记案件" in handler and "/supervision" not in handler and "/admin/users" not in handler
    assert "/supervision" in supervisor and "登记案件" not in supervisor
    assert "/admin/users" in admin and "/admin/rules" in admin


def test_claiming_from_a_stale_page_is_a_409_page(app, login):
    _case, task = file_case(login("handler1"))
    client = browser(app, "handler2")
    token = csrf_token_in(client.get("/").get_data(as_text=True))
    login("handler1").post(f"/api/v1/tasks/{task['id']}/claim", json={})
    page = client.post(f"/tasks/{task['id']}/claim", data={"csrf_token": token, "version": task["version"]})
    assert page.status_code == 409 and "操作冲突" in page.get_data(as_text=True)


def _unit_officers(app, unit_code):
    import sqlalchemy as sa

    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit, User, UserRole

    with app.app_context():
        return list(db.session.scalars(sa.select(User.username).join(UserRole, UserRole.user_id == User.id)
                                       .join(Unit, Unit.id == User.unit_id)
                                       .where(Unit.code == unit_code, UserRole.role == "case_handler",
                                              User.active.is_(True))))


def test_a_form_with_errors_comes_back_with_the_messages_at_their_fields_and_nothing_changes(app, login):
    api = login("handler1")
    case, task = file_case(api)
    client = browser(app, "handler1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "承办人（执法人员）" in page and 'class="required-mark"' in page
    # 承办人 are chosen by name among the unit's enforcement officers (行政处罚法 Art 42), nobody else.
    assert re.search(r'type="checkbox" name="handlers" value="handler2"[^>]*>\s*李承办', page)
    offered = set(re.findall(r'name="handlers" value="([^"]+)"', page))
    assert offered == set(_unit_officers(app, "532301")) and {"handler1", "handler2"} <= offered
    form = MultiDict({"csrf_token": csrf_token_in(page), "version": str(task["version"]), "source": "inspection",
                      "party.name": "楚雄某化工有限公司", "party.type": "organisation", "handlers": "handler1",
                      "handlers.__present": "1",
                      "violations.__present": "1", "violations.0.description": "未监测重大危险源",
                      "summary": "日常检查发现"})
    response = client.post(f"/tasks/{task['id']}", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    # The missing provision of the first violation and the single handler, each at its own field.
    provision = body.split('data-field="violations.0.provision"')[1].split("</div>")[0]
    assert "必填" in provision
    handlers = body.split('data-field="handlers"')[1].split("data-field=")[0]
    assert "field-error" in handlers
    assert "未监测重大危险源" in body  # what was typed is kept
    assert api.get(f"/api/v1/tasks/{task['id']}").get_json()["status"] == "ready"

    form.setlist("handlers", ["handler1", "handler2"])
    form["violations.0.provision"] = "《安全生产法》第四十条"
    response = client.post(f"/tasks/{task['id']}", data=form)
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case['id']}"
    detail = api.get(f"/api/v1/cases/{case['id']}").get_json()
    assert detail["data"]["handlers"] == ["handler1", "handler2"]
    assert [t["bpmn_id"] for t in detail["open_tasks"]] == ["approve_filing"]
    # The completed task shows what was recorded, read-only.
    done = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "办理结果" in done and "《安全生产法》第四十条" in done and "data-schema-form" not in done


def test_long_queues_are_paged(app, login):
    api = login("handler1")
    for i in range(23):
        file_case(api, party=f"企业{i:02d}")
    client = browser(app, "handler2")
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?available_page=2").get_data(as_text=True)
    rows = lambda page: page.split('id="available"')[1].count("data-task-id=")  # noqa: E731
    assert rows(first) == 20 and rows(second) == 3
    assert "第 1 / 2 页，共 23 条" in first


def test_the_case_page_serves_the_diagram_of_its_version_and_marks_its_steps(app, login):
    api = login("handler1")
    case, task = file_case(api)
    api.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": FILING})
    client = browser(app, "handler1")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    markers = re.search(r'id="diagram-markers">(.*?)</script>', page).group(1)
    assert '"completed": ["draft_filing"]' in markers and '"active": ["approve_filing"]' in markers
    diagram = client.get(f"/cases/{case['id']}/diagram.bpmn")
    assert diagram.status_code == 200 and 'id="case_handling"' in diagram.get_data(as_text=True)
    # Another unit's user sees neither.
    assert browser(app, "city_supervisor").get(f"/cases/{case['id']}").status_code == 200  # the unit above
    assert browser(app, "admin").get("/cases/999999/diagram.bpmn").status_code == 404


def test_bpmn_js_is_served_by_the_service(app):
    from pathlib import Path

    if not (Path(app.config["WFS"]["ASSETS_DIR"]) / "bpmn-js").is_dir():
        pytest.skip("bpmn-js is not installed (npm install): the case page shows the diagram's placeholder")
    response = browser(app, "handler1").get("/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200 and len(response.get_data()) > 100_000


def test_working_days_left_count_make_up_days_and_skip_holidays(app):
    from workflow_service.modules.deadlines.queries import working_days_left

    now = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)  # Monday 12 October 2026, 09:00
    end_of = lambda y, m, d: datetime(y, m, d, tzinfo=SHANGHAI) + timedelta(days=1)  # noqa: E731  (24:00 of that day)
    with app.app_context():
        assert working_days_left(end_of(2026, 10, 16), now) == 4    # Tue..Fri
        assert working_days_left(end_of(2026, 10, 12), now) == 0    # due today
        # Last day Friday 9 October: Saturday 10 October was a make-up working day (调休), Monday is the second.
        assert working_days_left(end_of(2026, 10, 9), now) == -2
        # Last day Wednesday 30 September: 1-7 October are holidays; 8, 9, 10 (make-up) and 12 October count.
        assert working_days_left(end_of(2026, 9, 30), now) == -4


def test_an_administrator_imports_a_holiday_year_through_the_page(app):
    client = browser(app, "admin")
    token = csrf_token_in(client.get("/admin/calendar").get_data(as_text=True))
    bad = client.post("/admin/calendar", data={"csrf_token": token, "year": "2030", "source": "通知",
                                               "holidays": "2030-13-01 元旦"})
    assert bad.status_code == 422 and "第 1 行" in bad.get_data(as_text=True)
    good = client.post("/admin/calendar", data={"csrf_token": token, "year": "2030", "source": "国办发明电〔2029〕1号",
                                                "holidays": "2030-01-01 元旦\n2030-10-01 国庆节",
                                                "workdays": "2030-09-29 国庆调休"})
    assert good.status_code == 302
    assert "国办发明电〔2029〕1号" in client.get("/admin/calendar").get_data(as_text=True)
    assert browser(app, "supervisor1").get("/admin/calendar").status_code == 403


def test_a_supervisor_reassigns_an_open_task_from_its_page(app, login):
    _case, task = file_case(login("handler1"))
    assert "id=\"reassign\"" not in browser(app, "handler1").get(f"/tasks/{task['id']}").get_data(as_text=True)
    client = browser(app, "supervisor1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'value="handler2"' in page.split('id="reassign"')[1]
    response = client.post(f"/tasks/{task['id']}/reassign", data={
        "csrf_token": csrf_token_in(page), "version": task["version"], "assignee": "handler2"})
    assert response.status_code == 302
    assert login("handler2").get("/api/v1/tasks?scope=mine").get_json()["items"][0]["id"] == task["id"]


def test_a_supervisor_suspends_and_resumes_a_case_and_a_handler_cannot(app, login):
    api = login("handler1")
    case, task = file_case(api)
    api.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": FILING})
    (approval,) = login("supervisor1").get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    login("supervisor1").post(f"/api/v1/tasks/{approval['id']}/complete", json={"data": {"filing_approved": True}})
    handler = browser(app, "handler1")
    page = handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert 'id="case-actions"' not in page
    refused = handler.post(f"/cases/{case['id']}/suspend", data={"csrf_token": csrf_token_in(page), "reason": "x"})
    assert refused.status_code == 403 and "无权访问" in refused.get_data(as_text=True)

    client = browser(app, "supervisor1")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "中止案件" in page and "批准延期" not in page  # an extension is the principal head's
    empty = client.post(f"/cases/{case['id']}/suspend", data={"csrf_token": csrf_token_in(page), "reason": ""})
    assert empty.status_code == 302 and api.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "open"
    client.post(f"/cases/{case['id']}/suspend", data={"csrf_token": csrf_token_in(page), "reason": "等待鉴定意见"})
    assert api.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "suspended"
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "恢复办理" in page
    client.post(f"/cases/{case['id']}/resume", data={"csrf_token": csrf_token_in(page), "reason": "鉴定完成"})
    assert api.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "open"


def test_a_task_claimed_by_someone_else_is_shown_without_its_form(app, login):
    _case, task = file_case(login("handler1"))
    login("handler1").post(f"/api/v1/tasks/{task['id']}/claim", json={})
    page = browser(app, "handler2").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "由 张承办 办理" in page and "data-schema-form" not in page


def test_a_long_case_record_is_paged_on_the_case_page(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.operations import record_event
    from workflow_service.modules.cases.models import Case

    case, _ = file_case(login("handler1"))
    with app.app_context():
        instance_id = db.session.get(Case, case["id"]).instance_id
        for i in range(60):
            record_event(None, "note", instance_id=instance_id, details={"title": f"记录{i:02d}"})
        db.session.commit()
    client = browser(app, "supervisor1")
    first = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    total = first.count("<time>")
    # One page of 50 events, oldest first; the rest are on the next page, not loaded now.
    assert total == 50 and "第 1 / 2 页" in first and "记录59" not in first
    second = client.get(f"/cases/{case['id']}?timeline_page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and "记录59" in second and second.count("<time>") < 50
