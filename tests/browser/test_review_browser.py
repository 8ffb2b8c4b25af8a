"""The committee's ballot and minutes, and the supervisors' statistics, transfers and audit check, in headless
Chromium against the live server (round 2 of the web application)."""
from __future__ import annotations

import pytest

from ..case_driver import FILING, CaseDriver, fine_proposal, review
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


@pytest.fixture
def admin_api(api):
    admin = api("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200, response.get_json()
    return admin


def _case_at_the_committee(driver: CaseDriver) -> CaseDriver:
    driver.at("2026-10-12T09:00")
    driver.file(party_name="楚雄某危险化学品有限公司")
    driver.complete("draft_filing", FILING)
    driver.complete("approve_filing", {"filing_approved": True})
    driver.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                                  "collected_at": "2026-10-12T10:00:00+08:00"}]})
    driver.complete("investigation_report", fine_proposal(50000))
    driver.complete("legal_review", review("pass", "同意"))
    driver.complete("notify_intended_penalty", {"notified_at": "2026-10-12T11:00:00+08:00", "hearing_offered": True})
    driver.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    driver.open_ballot("拟对当事人罚款五万元")
    return driver


def test_committee_members_vote_on_the_ballot_page_and_the_minutes_appear_after_the_last_vote(
        open_page, api, admin_api, live_server):
    d = _case_at_the_committee(CaseDriver(api, admin_api))
    ballot = d.ballot()
    voters = [s["username"] for s in ballot["seats"] if s["status"] == "eligible"]
    assert "member1" in voters and "member5" in voters

    # member1 opens the vote from the inbox task, reads the ballot and votes.
    page = open_page("member1")
    page.click("#available >> text=集体讨论网上表决（辅助）")
    page.click("button:has-text('认领')")
    page.click("#ballot-link >> text=打开表决页面")
    assert "拟对当事人罚款五万元" in page.inner_text("#ballot-summary")
    assert "未表决" in page.inner_text("tr[data-seat=member1]")
    page.click("#vote-form button[type=submit]")  # nothing chosen: the server says what is missing
    assert "请选择表决意见" in page.inner_text("[data-field=choice]")
    page.check("input[name=choice][value=agree]")
    page.fill("#opinion", "事实清楚，处罚适当")
    shot(page, "18-ballot-vote")
    page.click("#vote-form button[type=submit]")
    assert "已记录" in page.inner_text(".flash")
    assert "已表决" in page.inner_text("tr[data-seat=member1]")
    assert page.locator("#vote-form").count() == 0

    # The chair cannot close the ballot before its deadline: a 409 shown on the page, in Chinese.
    chair = open_page("head1")
    chair.goto(f"{live_server.live_url}/ballots/{ballot['id']}")
    chair.click("#close-form button")
    assert "表决期限届满前" in chair.inner_text("#ballot-error")

    for member in voters:
        if member not in ("member1", "member5"):
            d.vote(member, "agree" if member != "member4" else "abstain", f"{member} 的意见", ballot_id=ballot["id"])
    last = open_page("member5")
    last.goto(f"{live_server.live_url}/ballots/{ballot['id']}")
    last.check("input[name=choice][value=disagree]")
    last.fill("#opinion", "建议减轻处罚")
    last.click("#vote-form button[type=submit]")
    assert "已生成会议纪要" in last.inner_text(".flash")
    last.click("#minutes-link")
    minutes = last.inner_text("#minutes")
    assert "集体讨论会议纪要" in minutes and d.case["case_number"] in minutes
    assert "事实清楚，处罚适当" in minutes and "建议减轻处罚" in minutes
    assert "通过" in last.inner_text("#result")
    shot(last, "19-ballot-minutes")
    # The vote is an aid: the heads' discussion record (负责人集体讨论记录) is the step that decides.
    assert d.open_steps() == ["record_collective_discussion"]


def test_a_supervisor_sees_statistics_transfers_and_verifies_an_audit_chain(open_page, api, admin_api, live_server):
    handler = api("handler1")
    for party in ("楚雄某矿业有限公司", "楚雄某冶金有限公司"):
        response = handler.post("/api/v1/transfers", json={"party_name": party, "party_type": "organisation",
                                                           "summary": "涉嫌危险作业罪"})
        assert response.status_code == 201, response.get_json()
    case = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": "楚雄某化工有限公司",
                                               "party_type": "organisation", "summary": "检查发现"}).get_json()

    page = open_page("city_supervisor")  # the city bureau: its own figures and the county's below it
    page.click("nav >> text=督办")
    transfers = page.inner_text("#transfers")
    assert "楚雄某矿业有限公司" in transfers and "专案组写出移送报告" in transfers
    page.fill("#period", "2026-10")
    page.click("#statistics button[type=submit]")
    assert page.locator("#statistics svg.chart").count() == 3
    assert "立案数" in page.inner_text("#statistics-table")
    assert "零立案" in page.inner_text("#zero-units") or "均有立案" in page.inner_text("#zero-units")
    assert page.locator("#export-xlsx").count() == 1
    page.locator("#statistics").scroll_into_view_if_needed()
    shot(page, "20-supervision-statistics")
    page.fill("#audit-case", str(case["id"]))
    page.click("#audit button[type=submit]")
    assert "审计链完整" in page.inner_text("#chain-ok")
    shot(page, "21-audit-verified")
    page.click("nav >> text=移送")
    assert "楚雄某冶金有限公司" in page.inner_text("#transfer-list")
