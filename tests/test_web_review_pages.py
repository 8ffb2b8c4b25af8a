"""The pages wired to the committee, legal review, evidence, transfers, rectification and statistics (on both
databases, Flask's test client): what each role sees and may do, and the refusals as Chinese pages."""
from __future__ import annotations

import io
import re

import pytest

from .case_driver import CHECK_ITEMS, CaseDriver, fine_proposal
from .test_auth_and_access import csrf_token_in
from .test_review_and_committee import _to_committee, _to_legal_review, review
from .test_web_pages import browser
from .transfer_driver import TransferDriver

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, page_url, url, data):
    token = csrf_token_in(_text(client.get(page_url)))
    return client.post(url, data={"csrf_token": token, **data})


# -- the ballot page ------------------------------------------------------------------------------------
def test_members_vote_on_the_ballot_page_and_the_minutes_follow_the_last_vote(app, driver):
    d = _to_committee(driver)
    d.open_ballot("拟罚款五万元", conflicts=[("member5", "与当事人存在亲属关系")])
    ballot = d.ballot()
    url = f"/ballots/{ballot['id']}"
    member1 = browser(app, "member1")
    page = _text(member1.get(url))
    assert "拟罚款五万元" in page and 'id="vote-form"' in page and 'id="recusal-form"' in page
    assert re.search(r'data-seat="member5".*?回避.*?与当事人存在亲属关系', page, re.S)
    assert 'id="close-form"' not in page  # only the chair closes
    # The member's vote task links to the same page.
    (vote_task,) = [t for t in d.client("member1").get("/api/v1/tasks?scope=available").get_json()["items"]
                    if t["bpmn_id"] == "committee_vote"]
    assert f'href="{url}"' in _text(member1.get(f"/tasks/{vote_task['id']}"))

    empty = _post(member1, url, f"{url}/vote", {"choice": "agree", "opinion": ""})
    assert empty.status_code == 422 and "请填写表决意见说明" in _text(empty)
    done = _post(member1, url, f"{url}/vote", {"choice": "disagree", "opinion": "证据尚需补强"})
    assert done.status_code == 302
    page = _text(member1.get(url))
    assert "您已表决，表决意见不得更改" in page and 'id="vote-form"' not in page
    assert "不同意" not in page.split('id="ballot-seats"')[1]  # how a member voted is not shown while open
    again = _post(member1, url, f"{url}/vote", {"choice": "agree", "opinion": "改为同意"})
    assert again.status_code == 409 and "不得更改" in _text(again)
    recused = _post(browser(app, "member5"), url, f"{url}/vote", {"choice": "agree", "opinion": "同意"})
    assert recused.status_code == 403 and "您已回避本案" in _text(recused)
    early = _post(browser(app, "head1"), url, f"{url}/close", {})
    assert early.status_code == 409 and "表决期限届满前" in _text(early)
    assert browser(app, "supervisor1").get(f"{url}/minutes").status_code == 409
    assert _post(browser(app, "handler1"), url, f"{url}/close", {}).status_code == 403

    for member, choice in [("head1", "agree"), ("member2", "agree"), ("member3", "agree"), ("member4", "abstain")]:
        client = browser(app, member)
        assert _post(client, url, f"{url}/vote", {"choice": choice, "opinion": f"{member}意见"}).status_code == 302
    page = _text(client.get(url))
    assert "已结束" in page and f'href="{url}/minutes"' in page
    minutes = _text(browser(app, "supervisor1").get(f"{url}/minutes"))
    assert "集体讨论会议纪要" in minutes and d.case["case_number"] in minutes and "拟罚款五万元" in minutes
    present = minutes.split('id="present">')[1].split("</dd>")[0]
    assert present.count("、") == 4 and "委员5" not in present
    assert "与当事人存在亲属关系" in minutes.split('id="recused">')[1].split("</dd>")[0]
    votes = minutes.split('id="votes"')[1].split("</table>")[0]
    assert "不同意" in votes and "证据尚需补强" in votes and "弃权" in votes
    assert "通过" in minutes.split('id="result"')[1]
    case_page = _text(browser(app, "handler1").get(f"/cases/{d.case['id']}"))
    assert f'href="{url}"' in case_page and f'href="{url}/minutes"' in case_page


def test_a_member_declares_a_conflict_on_the_ballot_page(app, driver):
    d = _to_committee(driver)
    d.open_ballot()
    url = f"/ballots/{d.ballot()['id']}"
    client = browser(app, "member2")
    assert _post(client, url, f"{url}/recusal", {"reason": ""}).status_code == 422
    assert _post(client, url, f"{url}/recusal", {"reason": "曾为当事人提供咨询"}).status_code == 302
    seat = next(s for s in d.ballot()["seats"] if s["username"] == "member2")
    assert seat["status"] == "recused" and seat["recusal_reason"] == "曾为当事人提供咨询"
    assert "您已回避本案" in _text(client.get(url))


# -- legal review on the case page ----------------------------------------------------------------------
def test_the_case_page_shows_the_sign_off_its_checklist_and_when_it_stops_counting(app, driver):
    d = _to_legal_review(driver)
    client = browser(app, "handler1")
    section = lambda: _text(client.get(f"/cases/{d.case['id']}")).split('id="legal-review"')[1].split("</section>")[0]  # noqa: E731
    assert "未审核" in section()
    d.complete("legal_review", review("pass", "事实清楚，同意", failed=()))
    shown = section()
    assert "审核通过，有效" in shown and "执法主体合法" in shown and shown.count("符合") >= len(CHECK_ITEMS)
    assert "事实清楚，同意" in shown
    # Evidence uploaded afterwards: the sign-off no longer covers the case, and the page says what changed.
    upload = _post(client, f"/cases/{d.case['id']}", f"/cases/{d.case['id']}/evidence",
                   {"kind": "photo", "description": "补充照片", "file": (io.BytesIO(JPEG), "补充.jpg")})
    assert upload.status_code == 302
    shown = section()
    assert "审核后材料已变更" in shown and "证据文件" in shown


def test_the_legal_review_task_page_lays_out_the_checklist(app, driver):
    d = _to_legal_review(driver)
    task = d.open_task("legal_review")
    page = _text(browser(app, "reviewer1").get(f"/tasks/{task['id']}"))
    for item in CHECK_ITEMS:
        assert f'name="legal_review_checklist.{item}.result" value="pass"' in page
        assert f'name="legal_review_checklist.{item}.remark"' in page
    assert page.count("> 符合</label>") == len(CHECK_ITEMS) and page.count("> 不符合</label>") == len(CHECK_ITEMS)


def test_a_second_legal_review_opens_blank_not_with_the_first_rounds_answers(app, driver):
    """A returned review comes back after more investigation: the reviewer decides afresh. The task page must not
    offer the first round's outcome, checklist and reasons as this round's (a sign-off form, x-sign-off)."""
    d = _to_legal_review(driver)
    d.complete("legal_review", review("return", "证据不足", reasons="缺少检测报告", failed=("facts_and_evidence",)))
    d.complete("investigate", {"evidence": [{"type": "document", "description": "检测报告",
                                             "collected_at": "2026-09-25T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(50000))
    task = d.open_task("legal_review")
    page = _text(browser(app, "reviewer1").get(f"/tasks/{task['id']}"))
    assert 'name="legal_review_outcome"' in page
    assert "缺少检测报告" not in page and "证据不足" not in page
    assert "checked" not in page.split('name="legal_review_checklist')[1].split("</form>")[0]
    # A form that is not a sign-off still opens with what the case knows (the party recorded at filing).
    d2 = driver.at("2026-09-21T09:00")
    d2.file()
    draft = d2.open_task("draft_filing")
    assert 'value="楚雄某化工有限公司"' in _text(browser(app, "handler1").get(f"/tasks/{draft['id']}"))


# -- evidence -------------------------------------------------------------------------------------------
def test_evidence_is_uploaded_listed_and_downloaded_from_the_pages(app, driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    case_url = f"/cases/{d.case['id']}"
    handler = browser(app, "handler1")
    bad = _post(handler, case_url, f"{case_url}/evidence",
                {"kind": "recording", "description": "", "file": (io.BytesIO(JPEG), "照片.jpg")})
    assert bad.status_code == 302
    assert "上传失败：文件类型不被接受，或与所选证据类型不符" in _text(handler.get(case_url))
    nothing = _post(handler, case_url, f"{case_url}/evidence", {"kind": "photo", "description": ""})
    assert nothing.status_code == 302 and "请选择要上传的证据文件" in _text(handler.get(case_url))
    (task,) = d.detail()["open_tasks"]
    ok = _post(handler, f"/tasks/{task['id']}", f"{case_url}/evidence",
               {"kind": "photo", "description": "车间东侧", "next": f"/tasks/{task['id']}",
                "file": (io.BytesIO(JPEG), "现场照片1.jpg")})
    assert ok.status_code == 302 and ok.headers["Location"].startswith(f"/tasks/{task['id']}")
    task_page = _text(handler.get(f"/tasks/{task['id']}"))
    assert "现场照片1.jpg" in task_page and "车间东侧" in task_page and 'id="evidence-upload"' in task_page
    link = re.search(r'href="(/cases/\d+/evidence/\d+)"', task_page).group(1)
    download = browser(app, "supervisor1").get(link)
    assert download.status_code == 200 and download.get_data() == JPEG
    # A committee member sees the list, not the form; the operation refuses their upload with a 403 page.
    member = browser(app, "member1")
    assert 'id="evidence-upload"' not in _text(member.get(case_url))
    refused = _post(member, case_url, f"{case_url}/evidence",
                    {"kind": "photo", "description": "", "file": (io.BytesIO(JPEG), "x.jpg")})
    assert refused.status_code == 403 and "无权访问" in _text(refused)


def test_the_case_pages_evidence_list_is_paged(app, driver, monkeypatch):
    monkeypatch.setattr("workflow_service.web.evidence.EVIDENCE_PER_PAGE", 2)
    d = driver.at("2026-09-21T09:00")
    d.file()
    case_url = f"/cases/{d.case['id']}"
    handler = browser(app, "handler1")
    for n in (1, 2, 3):
        uploaded = _post(handler, case_url, f"{case_url}/evidence",
                         {"kind": "photo", "description": "", "file": (io.BytesIO(JPEG), f"现场照片{n}.jpg")})
        assert uploaded.status_code == 302
    first = _text(handler.get(case_url)).split('id="evidence"')[1]
    assert "现场照片1.jpg" in first and "现场照片2.jpg" in first and "现场照片3.jpg" not in first
    assert "第 1 / 2 页，共 3 条" in first and "evidence_page=2" in first
    second = _text(handler.get(f"{case_url}?evidence_page=2")).split('id="evidence"')[1]
    assert "现场照片3.jpg" in second and "现场照片1.jpg" not in second


# -- supervision: transfers, statistics, audit chain ----------------------------------------------------
def test_the_supervision_page_shows_transfers_statistics_and_charts(app, login):
    d = TransferDriver(login, login("admin")).at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某矿业有限公司", party_type="organisation")
    page = _text(browser(app, "supervisor1").get("/supervision?period=2026-10"))
    transfers = page.split('id="transfers"')[1].split("</section>")[0]
    assert d.transfer["transfer_number"] in transfers and "专案组写出移送报告" in transfers
    stats = page.split('id="statistics"')[1].split('id="audit"')[0]
    assert "<svg" in stats and "立案数" in stats and "楚雄市应急管理局" in stats
    assert "零立案" in stats.split('id="zero-units"')[1]
    assert "/api/v1/statistics/export?period=2026-10&amp;format=csv" in stats
    assert "format=xlsx" in stats
    export = browser(app, "supervisor1").get("/api/v1/statistics/export?period=2026-10&format=xlsx")
    assert export.status_code == 200 and export.get_data()[:2] == b"PK"
    bad = _text(browser(app, "supervisor1").get("/supervision?period=2026-13"))
    assert "统计期间无效" in bad
    assert browser(app, "handler1").get("/supervision").status_code == 403


def test_a_supervisor_verifies_a_cases_audit_chain_and_a_handler_cannot(app, driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    page = _text(browser(app, "supervisor1").get(f"/cases/{d.case['id']}"))
    assert f"/supervision/audit?case_id={d.case['id']}" in page
    result = browser(app, "supervisor1").get(f"/supervision/audit?case_id={d.case['id']}")
    assert result.status_code == 200 and "审计链完整" in _text(result)
    refused = browser(app, "handler1").get(f"/supervision/audit?case_id={d.case['id']}")
    assert refused.status_code == 403 and "无权访问" in _text(refused)
    assert 'id="verify-audit"' not in _text(browser(app, "handler1").get(f"/cases/{d.case['id']}"))


# -- rectification orders and transfers -----------------------------------------------------------------
def test_a_handler_issues_a_rectification_order_from_the_page(app, login):
    TransferDriver(login, login("admin")).at("2026-10-12T09:00")
    client = browser(app, "handler1")
    form = {"party_name": "楚雄某烟花爆竹有限公司", "party_type": "organisation", "legal_basis": "《安全生产法》第六十五条",
            "hidden_dangers.0.description": "中转库超量储存", "required_actions": "清运超量产品",
            "rectify_by": "2026-10-12", "stop_order.kind": "equipment", "stop_order.scope": "中转库停止使用"}
    refused = _post(client, "/rectifications/new", "/rectifications/new", form)
    body = _text(refused)
    assert refused.status_code == 422
    assert "整改期限须晚于今日" in body.split('data-field="rectify_by"')[1].split("</div>")[0]
    assert "重大事故隐患" in body.split('data-field="stop_order"')[1].split("</fieldset>")[0]
    assert 'value="中转库超量储存"' in body  # what was typed is kept
    issued = _post(client, "/rectifications/new", "/rectifications/new",
                   {**form, "rectify_by": "2026-10-19", "hidden_dangers.0.major": "1"})
    assert issued.status_code == 302
    detail = _text(client.get(issued.headers["Location"]))
    assert "中转库超量储存" in detail and "重大事故隐患" in detail and "2026-10-19 24:00" in detail
    assert "楚雄某烟花爆竹有限公司" in _text(browser(app, "supervisor1").get("/rectifications"))
    assert browser(app, "supervisor1").get("/rectifications/new").status_code == 403


def test_a_handler_screens_a_failed_order_and_opens_the_transfer_from_the_pages(app, login):
    """行刑衔接 from the browser: the failed order offers the screening, the refused stop order is counted from the
    record, the result suggests 危险作业罪 and opens the transfer with the party and the facts filled in."""
    from .test_transfer_scenarios import _failed_order_with_stop

    d = TransferDriver(login, login("admin"))
    order = _failed_order_with_stop(d)
    client = browser(app, "handler1")
    assert f"/screenings/new?rectification_id={order['id']}" in _text(client.get(f"/rectifications/{order['id']}"))
    form_url = f"/screenings/new?rectification_id={order['id']}"
    bad = _post(client, form_url, "/screenings/new", {"rectification_id": str(order["id"]), "deaths": "-1"})
    assert bad.status_code == 422 and "has-error" in _text(bad).split('data-field="deaths"')[0][-200:]
    screened = _post(client, form_url, "/screenings/new", {"rectification_id": str(order["id"]),
                                                           "real_danger_facts": "中转库超量储存仍在作业"})
    assert screened.status_code == 302
    result = _text(client.get(screened.headers["Location"]))
    assert "涉嫌犯罪，建议移送" in result and "危险作业罪（情形 2）" in result
    assert "复查仍拒不执行" in result  # counted from the order's re-inspection, not ticked by hand
    assert 'value="楚雄某' in result and "现实危险：中转库超量储存仍在作业" in result
    screening_id = screened.headers["Location"].rsplit("/", 1)[1]
    assert browser(app, "city_supervisor").get(f"/screenings/{screening_id}").status_code == 404
    links = {"rectification_id": str(order["id"]), "screening_id": screening_id, "party_name": "楚雄某烟花爆竹有限公司",
             "party_type": "organisation"}
    missing = _post(client, screened.headers["Location"], "/transfers/new", {**links, "summary": ""})
    assert missing.status_code == 422 and "has-error" in _text(missing).split('data-field="summary"')[0][-200:]
    opened = _post(client, screened.headers["Location"], "/transfers/new", {**links, "summary": "拒不执行停止使用决定"})
    assert opened.status_code == 302 and "/transfers/" in opened.headers["Location"]
    transfer = _text(client.get(opened.headers["Location"]))
    assert "起草移送报告" in transfer and "拒不执行停止使用决定" in transfer
    assert browser(app, "supervisor1").get("/transfers/new").status_code == 403
    assert browser(app, "supervisor1").get("/screenings/new").status_code == 403
    assert 'id="start-screening"' in _text(client.get("/transfers"))
    assert 'id="start-screening"' not in _text(browser(app, "supervisor1").get("/transfers"))


def test_an_open_case_offers_its_handlers_the_screening(app, driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    page = _text(browser(app, "handler1").get(f"/cases/{d.case['id']}"))
    assert f"/screenings/new?case_id={d.case['id']}" in page
    assert 'id="screen-case"' not in _text(browser(app, "supervisor1").get(f"/cases/{d.case['id']}"))
    form = _text(browser(app, "handler1").get(f"/screenings/new?case_id={d.case['id']}"))
    assert d.case["case_number"] in form and f'name="case_id" value="{d.case["id"]}"' in form


def test_a_handler_records_a_police_answer_on_the_transfer_page(app, login):
    from .transfer_driver import REPORT

    d = TransferDriver(login, login("admin")).at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某矿业有限公司", party_type="organisation")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.handed_over("2026-10-12T15:00")
    url = f"/transfers/{d.transfer['id']}"
    handler = browser(app, "handler1")
    page = _text(handler.get(url))
    assert "公安机关审查" in page.split('id="transfer-stage"')[1] and 'id="answer-form"' in page
    assert "涉嫌犯罪案件移送书" in page.split('id="materials"')[1].split("</section>")[0]
    assert 'value="judgment"' not in page  # only the answers this stage expects are offered
    missing = _post(handler, url, f"{url}/police-answers", {"kind": ""})
    assert missing.status_code == 422 and "请选择答复类型" in _text(missing)
    wrong = _post(handler, url, f"{url}/police-answers", {"kind": "judgment", "note": ""})
    assert wrong.status_code == 409 and "不接受该答复" in _text(wrong)
    done = _post(handler, url, f"{url}/police-answers", {"kind": "case_opened", "note": "已立案侦查",
                                                        "document_number": "楚公立字〔2026〕8号"})
    assert done.status_code == 302
    page = _text(browser(app, "supervisor1").get(url))
    assert "公安机关决定立案" in page and "楚公立字〔2026〕8号" in page and 'id="answer-form"' not in page
    assert "移交涉案物品" in page.split('id="transfer-stage"')[1]
    assert d.transfer["transfer_number"] in _text(browser(app, "city_supervisor").get("/transfers"))
    assert browser(app, "member1").get(url).status_code == 200  # same unit, read only
    refused = _post(browser(app, "supervisor1"), url, f"{url}/police-answers", {"kind": "stage", "note": "x"})
    assert refused.status_code == 403 and "无权访问" in _text(refused)


def test_the_navigation_links_the_new_pages_by_role(app):
    handler = _text(browser(app, "handler1").get("/"))
    member = _text(browser(app, "member1").get("/"))
    assert "/rectifications" in handler and "/transfers" in handler and "/gongshi/" in handler
    assert "/rectifications" not in member and "/gongshi/" in member
