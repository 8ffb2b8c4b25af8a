"""What the people of the mission do in the browser, in headless Chromium against a live server."""
from __future__ import annotations

import re

import pytest

from ..case_driver import CHECK_ITEMS, FILING, CaseDriver, fine_proposal
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


@pytest.fixture
def admin_api(api):
    admin = api("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200, response.get_json()
    return admin


def test_a_handler_files_a_case_and_completes_the_filing_after_a_validation_error(open_page, admin_api):
    page = open_page("handler1")
    shot(page, "01-inbox-handler")
    page.click("nav >> text=登记案件")
    page.select_option("#source", "inspection")
    page.fill("#party_name", "楚雄某烟花爆竹有限公司")
    page.check("input[name=party_type][value=organisation]")
    page.fill("#summary", "检查发现仓库超量储存")
    shot(page, "02-file-case")
    page.click("button:has-text('登记')")
    page.wait_for_selector("#process-diagram [data-rendered=true], #diagram[data-rendered=true]", timeout=15000)
    assert "已登记" in page.inner_text(".flash")
    shot(page, "03-case-after-filing")

    page.click("#open-tasks >> text=立案登记")
    page.click("button:has-text('认领')")
    assert "已由我认领" in page.inner_text("#case-summary, main")
    # The form comes from forms/case_draft_filing.json: Chinese titles, required marks, a select, rows.
    form = page.locator("form[data-schema-form]")
    assert form.locator("[data-field=source] .required-mark").count() == 1
    assert page.input_value("[name='party.name']") == "楚雄某烟花爆竹有限公司"
    page.check("[name=handlers][value=handler1]")  # one handler only: 行政处罚法 Art 42 needs two
    page.fill("[name='violations.0.description']", "超量储存烟花爆竹成品")
    page.fill("[name='violations.0.provision']", "《烟花爆竹安全管理条例》第二十条")
    page.click("button:has-text('添加违法行为')")
    assert page.locator("[name='violations.1.description']").count() == 1
    page.locator("[data-field=violations] .row-item").nth(1).locator("[data-remove-row]").click()
    assert page.locator("[name='violations.1.description']").count() == 0
    page.fill("[name=summary]", "仓库超量储存")
    page.click("form[data-schema-form] button[type=submit]")

    error = page.locator("[data-field=handlers] .field-error")
    assert error.count() >= 1, page.content()
    assert page.locator(".flash[role=alert]").count() == 1
    # What was typed is still there.
    assert page.input_value("[name='violations.0.description']") == "超量储存烟花爆竹成品"
    shot(page, "04-task-validation-error")

    page.check("[name=handlers][value=handler2]")
    page.click("form[data-schema-form] button[type=submit]")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=15000)
    assert "已办结" in page.inner_text(".flash")
    assert "立案审批" in page.inner_text("#open-tasks")
    assert page.locator("#timeline li").count() >= 3
    # The diagram marks the completed filing step and the approval waiting now.
    assert page.locator(".djs-element.wf-completed[data-element-id=draft_filing]").count() == 1
    assert page.locator(".djs-element.wf-active[data-element-id=approve_filing]").count() == 1
    shot(page, "05-case-page")
    page.click("nav >> text=案件")
    assert "楚雄某烟花爆竹有限公司" in page.inner_text("main table")
    shot(page, "05b-case-list")


def test_a_supervisor_sees_an_escalation_appear_after_the_clock_moves(open_page, api, admin_api, live_server):
    handler, supervisor = api("handler1"), api("supervisor1")
    case = handler.post("/api/v1/cases", json={"source": "complaint", "party_name": "楚雄某矿业有限公司",
                                               "party_type": "organisation", "summary": "群众举报"}).get_json()
    tasks = handler.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    assert handler.post(f"/api/v1/tasks/{tasks[0]['id']}/complete", json={"data": FILING}).status_code == 200
    tasks = supervisor.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    assert tasks[0]["bpmn_id"] == "approve_filing"

    page = open_page("supervisor1")
    page.click("nav >> text=督办")
    assert "立案审批" in page.inner_text("#approvals")
    assert case["case_number"] not in page.inner_text("#alerts")
    shot(page, "06-supervision-before")
    supervisor.post(f"/api/v1/tasks/{tasks[0]['id']}/complete", json={"data": {"filing_approved": True}})

    # 行政处罚法 Art 60: 90 days to decide. Move the clock past it; the sweep raises the escalation.
    assert admin_api.post("/api/v1/admin/clock", json={"advance": "P100D"}).status_code == 200
    assert admin_api.post("/api/v1/admin/sweep").status_code == 200
    page.reload()
    alerts = page.inner_text("#alerts")
    assert "一级督办" in alerts and "楚雄某矿业有限公司" in alerts
    assert "楚雄市应急管理局" in page.inner_text("#alert-counts")
    shot(page, "07-supervision-escalation")
    # On the case page the overdue investigation is marked red in the diagram; its deadlines are listed.
    page.goto(f"{live_server.live_url}/cases/{case['id']}")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=15000)
    assert page.locator(".djs-element.wf-overdue[data-element-id=investigate]").count() == 1
    assert "《行政处罚法》第六十条" in page.inner_text("#deadlines")
    shot(page, "07b-case-overdue")
    page.click("nav >> text=待办")
    assert "一级督办" in page.inner_text("#alerts")
    # The overdue investigation sits first in the handler's queue with its legal basis.
    hpage = open_page("handler1")
    first = hpage.locator("#available tbody tr").first
    assert "超期" in first.inner_text()
    shot(hpage, "08-inbox-overdue")


def test_a_legal_reviewer_returns_then_passes_on_the_generic_task_page(open_page, api, admin_api):
    driver = CaseDriver(api, admin_api)
    driver.filed_and_investigated(filed_at="2026-10-12T09:00")
    driver.complete("investigation_report", fine_proposal(50000))  # a major fine for an organisation
    task = driver.open_task("legal_review")

    page = open_page("reviewer1")
    page.click(f"#available tr[data-task-id='{task['id']}'] >> text=认领")
    assert page.locator("[data-field=legal_review_outcome] input[type=radio]").count() == 3
    # The checklist: every item answered; the facts and evidence fail with a remark.
    for item in CHECK_ITEMS:
        verdict = "fail" if item == "facts_and_evidence" else "pass"
        page.check(f"input[name='legal_review_checklist.{item}.result'][value={verdict}]")
    page.fill("[name='legal_review_checklist.facts_and_evidence.remark']", "缺少检测报告")
    page.check("input[name=legal_review_outcome][value=return]")
    page.fill("[name=legal_review_opinion]", "证据不足")
    page.click("form[data-schema-form] button[type=submit]")
    # The reasons are required when the case is returned (the form's if/then): shown at the field.
    assert page.locator("[data-field=legal_review_reasons] .field-error").count() == 1
    shot(page, "09-legal-review-error")
    page.fill("[name=legal_review_reasons]", "缺少检测报告")
    page.click("form[data-schema-form] button[type=submit]")
    assert "已办结" in page.inner_text(".flash")
    assert driver.open_steps() == ["investigate"]
    assert "未通过" in page.inner_text("#sign-off-status")

    # The handlers supplement the investigation; the second review passes every item of the checklist.
    driver.complete("investigate", {"evidence": [{"type": "document", "description": "检测报告",
                                                  "collected_at": "2026-10-12T10:00:00+08:00"}]})
    driver.complete("investigation_report", fine_proposal(50000))
    task = driver.open_task("legal_review")
    page.click("nav >> text=待办")
    page.click(f"#available tr[data-task-id='{task['id']}'] >> text=认领")
    # Each of the eight items: its title, 符合/不符合 and a remark, one item a row.
    assert page.locator("fieldset[data-field=legal_review_checklist] > fieldset").count() == len(CHECK_ITEMS)
    for item in CHECK_ITEMS:
        page.check(f"input[name='legal_review_checklist.{item}.result'][value=pass]")
    page.fill("[name='legal_review_checklist.facts_and_evidence.remark']", "已补充检测报告")
    page.check("input[name=legal_review_outcome][value=pass]")
    page.fill("[name=legal_review_opinion]", "事实清楚，证据确实充分，同意")
    shot(page, "09b-legal-review-checklist")
    page.click("form[data-schema-form] button[type=submit]")
    assert "已办结" in page.inner_text(".flash")
    # The case page shows the valid sign-off and the checklist it signed.
    status = page.inner_text("#legal-review")
    assert "审核通过，有效" in status and "已补充检测报告" in status and "执法主体合法" in status
    page.locator("#legal-review").scroll_into_view_if_needed()
    shot(page, "09c-case-sign-off")
    assert driver.open_steps() == ["notify_intended_penalty"]


def test_error_pages_are_chinese_html_and_the_api_keeps_json(open_page, live_server):
    page = open_page("handler1")
    response = page.goto(f"{live_server.live_url}/supervision")
    assert response.status == 403 and "无权访问" in page.inner_text("h1")
    shot(page, "10-error-403")
    response = page.goto(f"{live_server.live_url}/cases/999999")
    assert response.status == 404 and "页面不存在" in page.inner_text("h1")
    api_response = page.request.get(f"{live_server.live_url}/api/v1/cases/999999")
    assert api_response.status == 404 and api_response.json()["code"] == "not_found"


@pytest.mark.parametrize("path,name", [
    ("/admin/users", "11-admin-users"), ("/admin/calendar", "12-admin-calendar"), ("/admin/rules", "13-admin-rules"),
    ("/admin/definitions", "14-admin-definitions"), ("/admin/clock", "15-admin-clock"),
])
def test_administrator_pages_open(open_page, live_server, path, name):
    # Process definitions are deployed by the platform's operator, not by a unit's administrator.
    page = open_page("operator" if path == "/admin/definitions" else "admin")
    response = page.goto(f"{live_server.live_url}{path}")
    assert response.status == 200
    assert page.locator("nav.mainnav a.current").count() == 1
    shot(page, name)


def test_an_administrator_edits_a_deadline_rule(open_page, live_server):
    page = open_page("admin")
    page.goto(f"{live_server.live_url}/admin/rules")
    page.click("tr:has-text('legal_review') >> text=编辑")
    page.fill("#amount", "0")
    with page.expect_navigation() as navigation:
        page.click("button:has-text('保存')")
    assert navigation.value.status == 422
    assert page.locator(".has-error:has(#amount) .field-error").count() == 1
    shot(page, "17-admin-rule-error")
    page.fill("#amount", "10")
    page.click("button:has-text('保存')")
    assert "已保存" in page.inner_text(".flash")
    row = page.locator("tr:has-text('legal_review')").first.inner_text()
    assert re.search(r"10\s*工作日", row), row


def test_the_inbox_fits_a_tablet(open_page):
    page = open_page("handler1", width=768, height=1024)
    assert page.locator("nav.mainnav").is_hidden()
    page.click("label.nav-toggle-label")
    assert page.locator("nav.mainnav").is_visible()
    # Nothing wider than the screen but the tables' own scroll boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot(page, "16-inbox-tablet")



def test_the_api_explorer_works_and_an_injected_inline_script_does_not_run(open_page, browser, live_server):
    page = open_page("handler1")
    page.goto(f"{live_server.live_url}/api/v1/docs")  # its start-up script is inline: that page alone allows it
    page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
    # On the pages, a script injected inline (what an XSS would do) is refused by the Content-Security-Policy.
    context = browser.new_context()
    try:
        login = context.new_page()
        login.goto(f"{live_server.live_url}/login")
        outcome = login.evaluate("""() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective));
            const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__ran ? 'ran' : 'nothing'), 3000);
        })""")
        assert outcome.startswith("script-src"), outcome
    finally:
        context.close()
