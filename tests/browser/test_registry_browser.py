"""The registry, the annual plan and a random draw in the browser (headless Chromium, live server)."""
from __future__ import annotations

import pytest

from ..enterprise_driver import company_row, csv_bytes
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


def test_import_search_plan_approve_draw_and_publish_in_the_browser(open_page, api, live_server, tmp_path):
    admin = api("admin")
    assert admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True}).status_code == 200
    handler = open_page("handler1")
    handler.click("nav >> text=单位名录")
    handler.click("text=批量导入")
    bad = [company_row(i, prefix="MB") for i in range(1, 31)]
    bad[4][1] = bad[4][1][:-1] + ("0" if bad[4][1][-1] != "0" else "1")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(bad))
    handler.set_input_files("#file", str(path))
    handler.click("#import-form button[type=submit]")
    assert "未导入任何单位" in handler.inner_text("#import-message")
    assert "第 6 行" in handler.inner_text("#import-report") and "校验位错误" in handler.inner_text("#import-report")
    shot(handler, "registry-01-import-refused")
    path.write_bytes(csv_bytes([company_row(i, prefix="MB") for i in range(1, 31)]))
    handler.set_input_files("#file", str(path))
    handler.click("#import-form button[type=submit]")
    assert "已导入 30 家" in handler.inner_text(".flash")
    handler.fill("#q", "测试0007")
    handler.click("#enterprise-search button[type=submit]")
    assert "共 1 家" in handler.inner_text("#enterprise-total")
    shot(handler, "registry-02-search")
    handler.click("#enterprise-list >> text=测试0007化工有限公司")
    assert "测试0007化工有限公司" in handler.inner_text("h1")
    handler.click("#file-case-for-enterprise")
    handler.select_option("#source", "inspection")
    handler.fill("#summary", "检查发现安全设施缺失")
    handler.click("button:has-text('登记')")
    assert "已登记" in handler.inner_text(".flash")
    handler.go_back()
    handler.goto(handler.url.split("/cases")[0] + "/enterprises?q=测试0007")
    handler.click("#enterprise-list >> text=测试0007化工有限公司")
    assert "行政处罚" in handler.inner_text("#history-list")
    shot(handler, "registry-03-company-page")

    supervisor = open_page("supervisor1")
    supervisor.click("nav >> text=检查计划")
    supervisor.click("text=编制计划")
    supervisor.select_option("[name='targets.0.kind']", "key")
    supervisor.select_option("[name='targets.0.classification']", "A")
    supervisor.select_option("[name='targets.0.basis']", "times")
    supervisor.fill("[name='targets.0.number']", "2")
    supervisor.select_option("[name='targets.1.kind']", "random")
    supervisor.fill("[name='targets.1.number']", "6")
    shot(supervisor, "registry-04-plan-form")
    supervisor.click("#plan-form button[type=submit]")
    assert "草稿" in supervisor.inner_text("#plan-status")
    plan_url = supervisor.url

    head = open_page("head1")
    head.goto(plan_url)
    head.click("#plan-approve")
    assert "已批准" in head.inner_text("#plan-status")
    assert "进度预警" in head.inner_text("#plan-alert")
    shot(head, "registry-05-plan-progress")

    supervisor.goto(plan_url)
    supervisor.click("#plan-file")
    assert "已报备" in supervisor.inner_text("#plan-status")
    supervisor.click("text=组织双随机抽取")
    supervisor.fill("#title", "浏览器抽查")
    supervisor.check("input[name=classifications][value=B]")
    supervisor.fill("#company_count", "4")
    supervisor.fill("#seed", "browser-2026")
    supervisor.click("#draw-form button[type=submit]")
    assert "browser-2026" in supervisor.inner_text("#draw-seed")
    assert "结果一致" in supervisor.inner_text("#draw-verified")
    assert supervisor.locator("#draw-items tbody tr").count() == 4
    shot(supervisor, "registry-06-draw")
    supervisor.locator("#draw-items form.inline-form button").first.click()
    assert "已登记检查完成" in supervisor.inner_text(".flash")

    supervisor.click("text=查看公开页面")
    assert "browser-2026" in supervisor.inner_text("#draw-seed")
    assert supervisor.locator("form.inline-form").count() == 0
    shot(supervisor, "registry-07-public-draw")
    supervisor.goto(plan_url)
    assert "已完成 1 次" in supervisor.inner_text("#plan-rate")
