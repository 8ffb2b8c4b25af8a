"""An approver opens the approval task in headless Chromium and sees the decision being approved, as it will be
issued; after approving, the case page lists the issued decision with its number and download links."""
from __future__ import annotations

import re

import pytest

from ..case_driver import DECISION, FILING, CaseDriver, fine_proposal
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


@pytest.fixture
def admin_api(api):
    admin = api("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200, response.get_json()
    return admin


def test_the_approver_sees_the_decision_on_the_approval_task(open_page, api, admin_api, live_server):
    d = CaseDriver(api, admin_api).at("2026-10-12T09:00")
    d.file(party_name="楚雄某烟花爆竹有限公司")
    d.complete("draft_filing", {**FILING, "party": {"name": "楚雄某烟花爆竹有限公司", "type": "organisation",
                                                    "credit_code": "91532301MA6K0XY099"}})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-10-12T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(8000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-10-12T11:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    # The drafting handler sees the decision as it will be issued, from the case, and writes only the reasoning.
    draft = d.open_task("draft_decision")
    handler_page = open_page("handler1")
    handler_page.goto(f"{live_server.live_url}/tasks/{draft['id']}")
    drafted = handler_page.locator("#document-preview").inner_text()
    assert "楚雄某烟花爆竹有限公司" in drafted and "人民币捌仟元整" in drafted and "出具时编号" in drafted
    assert handler_page.locator("#task-form textarea[name=decision_reasoning]").count() == 1
    assert handler_page.locator("#task-form input[name=decision_number]").count() == 0
    shot(handler_page, "29-draft-decision-with-its-document")
    d.complete("draft_decision", DECISION)
    task = d.open_task("approve_decision")

    page = open_page("supervisor1")
    page.goto(f"{live_server.live_url}/tasks/{task['id']}")
    section = page.locator("#document-preview")
    shown = section.inner_text()
    # The decision as it will be issued: its reserved number and the six items of 行政处罚法 Art 59.
    # (the browser tests share one database: the sequence number depends on which decisions went before)
    assert "行政处罚决定书" in shown and "已预留" in shown and re.search(r"罚〔2026〕\d+号", shown)
    for label in ("当事人", "违法事实和证据", "行政处罚的种类和依据", "履行方式和期限",
                  "申请行政复议、提起行政诉讼的途径和期限", "作出决定的行政机关和日期"):
        assert label in shown, label
    url = section.locator("a.preview-link").get_attribute("href")
    preview = page.request.get(f"{live_server.live_url}{url}")
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.body()[:5] == b"%PDF-"
    shot(page, "30-approval-task-with-its-document")

    # Approving issues the decision (the step pipeline's documents handler): the case page lists it.
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    issued = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/documents").get_json()["items"]
    number = next(x["number"] for x in issued if x["doc_type"] == "penalty_decision")
    assert number in shown  # issued under the number the approver saw
    page.goto(f"{live_server.live_url}/cases/{d.case['id']}")
    row = page.locator("#documents tr[data-document-id]", has_text=number).first
    assert "行政处罚决定书" in row.inner_text() and "第 1 版" in row.inner_text() and "有效" in row.inner_text()
    shot(page, "31-case-page-documents")
