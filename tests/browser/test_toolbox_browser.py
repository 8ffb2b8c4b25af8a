"""The enforcement toolbox pages (issue 20) in headless Chromium: a handler records an on-the-spot penalty, is
refused a 5,000-yuan fine on the task page with the reason, decides 2,000 yuan and sees the numbered decision; a
supervisor sees the record in the unit's list."""
from __future__ import annotations

import pytest

from ..case_driver import CaseDriver
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


@pytest.fixture(autouse=True)
def leave_no_trace(live_server):
    """The live server's database is shared by every browser test: what these tests create (records with running
    deadlines, a discretion benchmark that would apply to later cases) is removed afterwards, and the clock is put
    back, so the tests that follow see the service as they expect it."""
    yield
    import sqlalchemy as sa

    from workflow_service.extensions import db
    from workflow_service.modules.system.operations import move_clock

    from ..conftest import _PER_TEST_TABLES, T0

    with live_server.app_context():
        for table in _PER_TEST_TABLES:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        move_clock(None, now=T0, frozen=True)
        db.session.commit()


@pytest.fixture
def admin_api(api):
    admin = api("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200, response.get_json()
    return admin


def test_a_handler_imposes_a_penalty_on_the_spot(open_page, api, admin_api, live_server):
    CaseDriver(api, admin_api).at("2026-10-12T09:00")
    page = open_page("handler1")
    page.click("nav >> text=执法工具")
    page.click("#tool-simple")
    page.click("#open-simple")
    page.fill("#party_name", "楚雄某五金店")
    page.fill("#place", "鹿城镇某街12号")
    page.fill("[name='officers.0.certificate_number']", "53010001")
    page.fill("#violation_description", "未设置安全警示标志")
    page.fill("#provision", "《安全生产法》第三十五条")
    page.fill("#facts", "仓库门口未设置安全警示标志")
    page.click("#simple-form button[type=submit]")
    # one officer only: refused at the field, with the article
    assert page.locator("[data-field=officers] .field-error").count() == 1
    assert "第五十二条" in page.inner_text(".flash[role=alert]")
    shot(page, "60-simple-record-refused")
    page.fill("[name='officers.1.username']", "handler2")
    page.fill("[name='officers.1.certificate_number']", "53010002")
    page.click("#simple-form button[type=submit]")
    assert "已记录" in page.inner_text(".flash")
    shot(page, "61-simple-record")

    page.click("#simple-tasks >> text=当场作出处罚决定")
    page.click("button:has-text('认领')")
    form = page.locator("form[data-schema-form]")
    form.locator("input[name=converted][value=false]").check()
    form.locator("input[name=facts_certain][value=true]").check()
    page.fill("[name=legal_basis]", "《安全生产法》第九十九条第一项")
    if page.locator("select[name=penalty_kind]").count():
        page.select_option("select[name=penalty_kind]", "fine")
    else:
        page.check("input[name=penalty_kind][value=fine]")
    page.fill("[name=fine_amount]", "5000")
    form.locator("input[name=certificates_shown][value=true]").check()
    form.locator("input[name=party_stated][value=false]").check()
    page.fill("[name=decided_at]", "2026-10-12T09:00")
    if page.locator("select[name=payment_method]").count():
        page.select_option("select[name=payment_method]", "bank")
    else:
        page.check("input[name=payment_method][value=bank]")
    page.click("form[data-schema-form] button[type=submit]")
    error = page.locator("[data-field=fine_amount] .field-error")
    assert "3000元" in error.inner_text() and "一般程序" in error.inner_text()
    shot(page, "62-simple-decision-refused")
    page.fill("[name=fine_amount]", "2000")
    page.click("form[data-schema-form] button[type=submit]")
    assert "已办结" in page.inner_text(".flash")

    page.goto(f"{live_server.live_url}/simple-penalties")
    page.click("#simple-list >> text=532301-JY-2026")
    assert "已决定" in page.inner_text("#simple-status")
    assert "当罚〔2026〕" in page.inner_text("#simple-documents")
    assert "报所属行政机关备案" in page.inner_text("#simple-tasks")
    assert "当场处罚决定备案期限" in page.inner_text("#simple-deadlines")
    shot(page, "63-simple-decided")

    supervisor = open_page("supervisor1")
    supervisor.goto(f"{live_server.live_url}/simple-penalties")
    assert "楚雄某五金店" in supervisor.inner_text("#simple-list")


def test_an_administrator_imports_a_benchmark_and_the_report_and_review_pages_show_it(open_page, api, admin_api,
                                                                                      live_server):
    from ..test_discretion import ROWS, sheet
    from ..case_driver import fine_proposal

    admin = open_page("admin")
    admin.click("nav >> text=执法工具")
    admin.click("#tool-discretion")
    admin.fill("#title", "云南省应急管理行政处罚裁量基准")
    admin.fill("#basis", "云应急规〔2023〕1号")
    admin.fill("#effective_from", "2026-01-01")
    admin.set_input_files("#file", files=[{"name": "bad.csv", "mimeType": "text/csv",
                                           "buffer": sheet(ROWS[0], ROWS[1].replace(",一般,", ",很重,"))}])
    admin.click("#discretion-import button[type=submit]")
    shot(admin, "64-discretion-import-refused")
    assert "情节" in admin.inner_text("#import-errors") and "未导入" in admin.inner_text(".flash[role=alert]")
    admin.fill("#title", "云南省应急管理行政处罚裁量基准")
    admin.fill("#effective_from", "2026-01-01")
    admin.set_input_files("#file", files=[{"name": "ok.csv", "mimeType": "text/csv", "buffer": sheet(*ROWS)}])
    admin.click("#discretion-import button[type=submit]")
    assert "已导入第 1 版" in admin.inner_text(".flash")
    assert "50000–80000 元" in admin.inner_text("#benchmark-detail")
    shot(admin, "65-discretion-benchmark")

    d = CaseDriver(api, admin_api).filed_and_investigated("2026-10-12T09:00")
    task = d.open_task("investigation_report")
    handler = open_page("handler1")
    handler.goto(f"{live_server.live_url}/tasks/{task['id']}")
    panel = handler.locator("#discretion-suggestions")
    assert "较重" in panel.inner_text() and "50000–80000" in panel.inner_text()
    shot(handler, "66-report-with-benchmark")
    d.complete("investigation_report", {**fine_proposal(60000), "proposals": [{
        **fine_proposal(60000)["proposals"][0], "circumstance": "general", "discretion": "一处未监控",
        "out_of_range_reason": "关闭监控三个月，从重"}]})
    review = d.open_task("legal_review")
    reviewer = open_page("reviewer1")
    reviewer.goto(f"{live_server.live_url}/tasks/{review['id']}")
    findings = reviewer.inner_text("#discretion-findings")
    assert "超出幅度" in findings and "关闭监控三个月" in findings
    shot(reviewer, "67-legal-review-sees-the-reason")


def test_a_reconsideration_is_recorded_and_its_revocation_withdraws_the_disclosure(open_page, api, admin_api,
                                                                                   live_server):
    from ..case_driver import FILING
    from ..test_disclosure import decided

    d = decided(CaseDriver(api, admin_api), FILING)
    d.complete("record_disclosure", {"disclosure_publish": True}, username="reviewer1")
    d.at("2026-10-17T10:00")
    handler = open_page("handler1")
    handler.goto(f"{live_server.live_url}/cases/{d.case['id']}")
    handler.click("#challenges-link")
    handler.fill("#body", "楚雄市人民政府")
    handler.fill("#filed_at", "2026-10-18T09:00")  # tomorrow: refused
    handler.click("#challenge-form button[type=submit]")
    assert "不能晚于当前时间" in handler.inner_text("#challenge-form")
    handler.fill("#filed_at", "2026-10-17T09:00")
    handler.click("#challenge-form button[type=submit]")
    assert "已登记行政复议" in handler.inner_text(".flash")
    shot(handler, "68-reconsideration-recorded")

    d.at("2026-11-27T10:00")
    supervisor = open_page("supervisor1")
    supervisor.goto(f"{live_server.live_url}/challenges")
    supervisor.click(f"#challenge-list >> text={d.case['case_number']}")
    assert "复议、诉讼期间" in supervisor.inner_text("#surcharge")
    supervisor.select_option(".result-form select[name=result]", "revoked")
    supervisor.fill(".result-form input[name=decided_at]", "2026-11-27T09:00")
    supervisor.click(".result-form button[type=submit]")
    assert "必填" in supervisor.inner_text(".result-form")  # a revocation needs its content
    supervisor.select_option(".result-form select[name=result]", "revoked")
    supervisor.fill(".result-form input[name=decided_at]", "2026-11-27T09:00")
    supervisor.fill(".result-form textarea[name=note]", "认定事实不清，撤销")
    supervisor.click(".result-form button[type=submit]")
    assert "已启动撤回公示" in supervisor.inner_text(".flash")
    assert "撤销" in supervisor.inner_text("#case-challenges")
    shot(supervisor, "69-reconsideration-revoked")


def test_a_suspension_is_ordered_and_lifted_only_after_the_restart_inspection(open_page, api, admin_api, live_server):
    d = CaseDriver(api, admin_api).at("2026-10-12T09:00")
    handler = open_page("handler1")
    handler.click("nav >> text=执法工具")
    handler.click("#tool-suspensions")
    handler.click("#order-suspension")
    handler.fill("#party_name", "楚雄某化工厂")
    handler.fill("#legal_basis", "《安全生产法》第一百零二条")
    handler.fill("#scope", "全厂")
    handler.fill("#suspend_until", "2026-11-12")
    handler.click("#suspension-form button[type=submit]")
    assert "已下达" in handler.inner_text(".flash")
    suspension_url = handler.url

    supervisor = open_page("supervisor1")
    supervisor.goto(suspension_url)
    supervisor.fill("#lifted_at", "2026-10-12T09:00")
    supervisor.click("#lift-form button[type=submit]")
    assert "复产验收合格前不得恢复生产" in supervisor.inner_text(".flash[role=alert]")
    shot(supervisor, "70-lift-refused-before-inspection")

    handler.goto(suspension_url)
    handler.fill("#applied_at", "2026-10-12T08:30")
    handler.click("#application-form button[type=submit]")
    assert "待复产验收" in handler.inner_text("#suspension-status")
    suspension_id = int(suspension_url.rstrip("/").split("/")[-1])
    detail = d.client("supervisor1").get(f"/api/v1/suspensions/{suspension_id}").get_json()
    [task] = detail["open_tasks"]
    response = d.client("handler1").post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {
        "inspected_at": "2026-10-12T08:45:00+08:00", "restart_result": "passed", "findings": "已具备安全生产条件",
        "inspectors": ["handler1", "handler2"]}})
    assert response.status_code == 200, response.get_json()
    supervisor.goto(suspension_url)
    supervisor.fill("#lifted_at", "2026-10-12T09:00")
    supervisor.click("#lift-form button[type=submit]")
    assert "已恢复生产" in supervisor.inner_text("#suspension-status")
    shot(supervisor, "71-suspension-lifted")


def test_a_head_lists_a_company_and_the_public_sees_it_without_logging_in(open_page, browser, api, admin_api,
                                                                          live_server):
    from ..case_driver import FILING
    from ..test_disclosure import decided

    party = "楚雄某失信化工有限公司"
    d = decided(CaseDriver(api, admin_api), {**FILING, "party": {"name": party, "type": "organisation"}})
    supervisor = open_page("supervisor1")
    supervisor.click("nav >> text=执法工具")
    supervisor.click("#tool-credit")
    supervisor.select_option("#case_id", str(d.case["id"]))
    supervisor.click("#credit-form button[type=submit]")
    assert "事实" in supervisor.inner_text("#credit-form")  # facts are required
    supervisor.select_option("#case_id", str(d.case["id"]))
    supervisor.fill("#facts", "存在重大事故隐患逾期未整改")
    supervisor.click("#credit-form button[type=submit]")
    assert party in supervisor.inner_text("#credit-list") and "公示中" in supervisor.inner_text("#credit-list")
    shot(supervisor, "72-credit-list")
    anonymous = browser.new_context(locale="zh-CN").new_page()
    anonymous.goto(f"{live_server.live_url}/xinyong/")
    assert party in anonymous.inner_text("#credit-public")
    shot(anonymous, "73-credit-public")
    anonymous.context.close()


def test_a_supervisor_marks_a_typical_case_and_submits_the_periods_report(open_page, api, admin_api, live_server):
    from ..test_typical import closed_case

    d = CaseDriver(api, admin_api).at("2026-10-12T09:30")
    case_id = closed_case(d, party="楚雄某典型五金店")
    page = open_page("supervisor1")
    page.click("nav >> text=执法工具")
    page.click("#tool-typical")
    page.click("#open-period")
    row = page.locator("#report-list tr[data-report-id]").first
    assert "未报送" in row.inner_text()
    page.select_option("#case_id", str(case_id))
    page.fill("#title", "未设警示标志当场处罚案")
    page.fill("#write_up", "简易程序当场处罚的典型案例")
    page.click("#typical-form button[type=submit]")
    assert "未设警示标志当场处罚案" in page.inner_text("#typical-list")
    page.locator("#report-list tr[data-report-id] .submit-report button").first.click()
    assert "已报送" in page.inner_text("#report-list")
    shot(page, "74-typical-report-submitted")
    export = page.locator("#report-list a", has_text="Excel").first.get_attribute("href")
    response = page.request.get(f"{live_server.live_url}{export}")
    assert response.status == 200 and response.body()[:2] == b"PK"


def test_a_head_suspends_a_licence_from_the_licence_actions_page(open_page, api, admin_api, live_server):
    from workflow_service.modules.system.codes import make_credit_code

    CaseDriver(api, admin_api).at("2026-10-12T09:00")
    response = api("handler1").post("/api/v1/enterprises", json={
        "name": "楚雄某暂扣矿业有限公司", "credit_code": make_credit_code("91532301MA0000888"), "region_code": "532301",
        "industry_code": "B0610", "principal": "李四", "licences": [
            {"type": "安全生产许可证", "number": "（滇）FM安许证字〔2026〕888", "valid_from": "2026-01-01",
             "valid_to": "2028-12-31"}]})
    assert response.status_code == 201, response.get_json()
    page = open_page("supervisor1")
    page.goto(f"{live_server.live_url}/toolbox")
    page.click("#tool-licences")
    page.fill("#lic-basis", "《安全生产许可证条例》第十四条")
    page.click("#licence-action-form button[type=submit]")  # 暂扣 without its period
    assert "暂扣须写明期限" in page.inner_text(".flash[role=alert]")
    page.fill("#lic-basis", "《安全生产许可证条例》第十四条")
    page.fill("#lic-until", "2026-11-11")
    page.click("#licence-action-form button[type=submit]")
    assert "已暂扣许可证" in page.inner_text(".flash")
    assert "楚雄某暂扣矿业有限公司" in page.inner_text("#licence-action-list")
    shot(page, "75-licence-suspended")
