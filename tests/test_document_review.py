"""The handler checks, never retypes; the approver sees what they approve (issues 16 and 18).

- The decision's number is the system's: no form types it; it is reserved when the draft is submitted, the
  approver sees it, the decision is issued under it, and disclosure, the case page and the API carry it.
- Forms open with what the case holds; a step's document is previewed with what its form holds.
- Approval tasks show the document's content (the six items of a decision; a closure's reason, summary and
  payment), and a draft sent back shows the approver's opinion.
- Receipts record where and before whom; the case-file review names a decision without its own served receipt
  and documents missing a signature.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .case_driver import DECISION, FILING, fine_proposal, review
from .test_auth_and_access import csrf_token_in
from .test_documents import PARTY, Steps, steps, text_of  # noqa: F401 - the fixture
from .test_web_pages import browser


def _to_decision(d: Steps, fine=5000):
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(fine))
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    return d


def _served(d: Steps, **service):
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct", **service})
    return d


# -- 1. one number: the system's -------------------------------------------------------------------------------
def test_no_form_types_a_document_number(steps):
    d = _to_decision(steps)
    refused = d.complete("draft_decision", {**DECISION, "decision_number": "手填〔2026〕9号"}, expect=422)
    assert "decision_number" in refused["details"]
    forms = Path(__file__).resolve().parent.parent / "forms"
    for name in ("case_draft_decision", "case_draft_no_penalty_decision", "case_notify_intended_penalty"):
        properties = json.loads((forms / f"{name}.json").read_text())["properties"]
        assert not {"decision_number", "no_penalty_decision_number", "notice_number"} & set(properties), name


def test_the_decision_is_issued_under_the_number_its_approver_saw_and_disclosure_the_case_and_the_api_carry_it(
        steps, login, app):
    d = _to_decision(steps)
    d.complete("draft_decision", DECISION)
    approval = d.client("supervisor1").get(f"/api/v1/tasks/{d.open_task('approve_decision')['id']}").get_json()
    seen = approval["documents"][0]["number"]
    assert seen == "楚市应急罚〔2026〕1号"
    assert d.detail()["decision_number"] == seen  # reserved: the case already knows its decision's number

    # Another case's decision issued while this one waits for approval takes the next number, not this one's.
    other = Steps(login, steps.admin, app)
    other.file(party_name="楚雄另一化工有限公司")
    other.complete("draft_filing", {**FILING, "party": {"name": "楚雄另一化工有限公司", "type": "organisation"}})
    other.complete("approve_filing", {"filing_approved": True})
    issued_meanwhile = other.client("handler1").post(f"/api/v1/cases/{other.case['id']}/documents",
                                                     json={"doc_type": "penalty_decision"}).get_json()
    assert issued_meanwhile["number"] == "楚市应急罚〔2026〕2号"

    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    issued = [x for x in d.documents() if x["doc_type"] == "penalty_decision"]
    assert [x["number"] for x in issued] == [seen]
    assert seen in text_of(d.pdf(issued[0]))
    assert d.detail()["decision_number"] == seen
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct",
                                  "recipient": "李四"})
    task = d.open_task("record_disclosure")
    draft = d.client("reviewer1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]["disclosure_draft"]
    assert draft["decision_number"] == seen
    # The disclosure's basis and penalty are the decision's, from the case (nothing typed a second time).
    assert "《安全生产法》第四十条" in draft["legal_basis"] and "人民币伍仟元整" in draft["penalty"]
    page = browser(app, "supervisor1").get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert re.search(r'id="decision-number">\s*' + re.escape(seen), page)
    # The decision's receipt names it by that number.
    receipts = [text_of(d.pdf(x)) for x in d.documents() if x["doc_type"] == "service_receipt"]
    assert any(seen in r and "李四" in r for r in receipts)


def test_a_decision_sent_back_keeps_its_number(steps):
    d = _to_decision(steps)
    d.complete("draft_decision", DECISION)
    d.complete("approve_decision", {"decision_approved": False, "decision_opinion": "说理不充分，请补充裁量理由"},
               username="supervisor1")
    d.complete("draft_decision", {"decision_reasoning": "补充：当事人系初次违法，按下限裁量"})
    approval = d.client("supervisor1").get(f"/api/v1/tasks/{d.open_task('approve_decision')['id']}").get_json()
    assert approval["documents"][0]["number"] == "楚市应急罚〔2026〕1号"
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    assert [x["number"] for x in d.documents() if x["doc_type"] == "penalty_decision"] == ["楚市应急罚〔2026〕1号"]


# -- 2. the handler checks, never retypes ---------------------------------------------------------------------
def test_the_filing_form_opens_with_the_summary_entered_when_the_case_was_filed(steps, app):
    d = steps.at("2026-09-21T09:00")
    d.file()
    task = d.open_task("draft_filing")
    detail = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()
    assert detail["data"]["summary"] == "日常检查发现"
    page = browser(app, "handler1").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="summary"[^>]*>\s*日常检查发现', page) or \
        re.search(r'name="summary"[^>]*value="日常检查发现"', page)


def test_the_collective_discussion_opens_with_the_reports_proposal(steps):
    d = steps.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    proposal = fine_proposal(50000)
    proposal["proposals"][0]["basis"] = "《中华人民共和国安全生产法》第一百零一条第二项"
    d.complete("investigation_report", proposal)
    d.complete("legal_review", review("pass"), username="reviewer1")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    task = d.open_task("prepare_collective_discussion")
    data = d.client("supervisor1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    text = data["ballot_proposal"]
    assert PARTY["name"] in text and "罚款人民币伍万元整" in text and "未对重大危险源进行监测监控" in text
    assert "第一百零一条第二项" in text


def test_the_decision_is_previewed_with_what_the_form_holds_before_it_is_submitted(steps, app):
    d = _to_decision(steps)
    task = d.open_task("draft_decision")
    handler = d.client("handler1")
    url = f"/api/v1/tasks/{task['id']}/document-preview"
    response = handler.post(url, json={"doc_type": "penalty_decision",
                                       "data": {"decision_reasoning": "当事人整改积极，从轻处罚"}})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert "当事人整改积极，从轻处罚" in text and PARTY["credit_code"] in text and "人民币伍仟元整" in text
    assert handler.post(url, json={"doc_type": "penalty_decision", "data": {"total_fine": 1}}).status_code == 422
    assert [x for x in d.documents() if x["doc_type"] == "penalty_decision"] == []  # nothing issued or kept
    # The page: the form's own preview button posts what it holds.
    client = browser(app, "handler1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    action = f"/tasks/{task['id']}/document-preview?doc_type=penalty_decision"
    assert action in html.unescape(page)
    preview = client.post(action, data={"csrf_token": csrf_token_in(page), "decision_reasoning": "页面上写的说理"})
    assert preview.mimetype == "application/pdf" and "页面上写的说理" in text_of(preview.data)


# -- 3. the approver sees what they approve -------------------------------------------------------------------
def test_the_decision_approval_page_shows_the_number_and_the_six_items(steps, app):
    d = _to_decision(steps)
    d.complete("draft_decision", DECISION)
    task = d.open_task("approve_decision")
    page = html.unescape(browser(app, "supervisor1").get(f"/tasks/{task['id']}").get_data(as_text=True))
    panel = page[page.index('id="document-preview"'):page.index('id="task-form"')]
    assert "楚市应急罚〔2026〕1号" in panel and "已预留" in panel
    for label in ("当事人", "违法事实和证据", "行政处罚的种类和依据", "履行方式和期限",
                  "申请行政复议、提起行政诉讼的途径和期限", "作出决定的行政机关和日期", "说理"):
        assert f"<dt>{label}</dt>" in panel, label
    assert "人民币伍仟元整" in panel and DECISION["decision_reasoning"] in panel


def test_the_closure_approval_shows_reason_summary_and_payment_and_a_returned_closure_shows_why(steps, app):
    d = _served(_to_decision(steps), recipient="李四")
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "罚款已缴清，整改完毕"})
    task = d.open_task("approve_closure")
    shown = d.client("supervisor1").get(f"/api/v1/tasks/{task['id']}").get_json()["documents"]
    assert [x["doc_type"] for x in shown] == ["closure_approval"]
    items = {i["label"]: i["text"] for i in shown[0]["items"]}
    assert items["结案情形"] == "行政处罚决定已执行完毕" and items["案件办理及执行情况"] == "罚款已缴清，整改完毕"
    assert items["罚款缴纳情况"].startswith("已于2026年10月9日缴纳人民币伍仟元整")
    d.complete("approve_closure", {"closure_approved": False, "closure_opinion": "请补充罚款收据"},
               username="supervisor1")
    reopened = d.open_task("draft_closure_report")
    returned = d.client("handler1").get(f"/api/v1/tasks/{reopened['id']}").get_json()["returned"]
    assert returned["opinion"] == "请补充罚款收据" and returned["step"] == "approve_closure" and returned["by"]
    page = browser(app, "handler1").get(f"/tasks/{reopened['id']}").get_data(as_text=True)
    assert 'id="returned-opinion"' in page and "请补充罚款收据" in page


# -- 4. signatures and receipts ------------------------------------------------------------------------------
def _review_codes(d: Steps):
    result = d.client("supervisor1").post("/api/v1/case-reviews", json={"case_id": d.case["id"]}).get_json()
    return result["items"][0]["defects"]


def _closed(d: Steps):
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "罚款已缴清"})
    d.complete("approve_closure", {"closure_approved": True}, username="supervisor1")
    d.complete("archive", {"archive_number": "档1", "archived_at": "2026-10-15T10:00:00+08:00", "retention": "30年"})
    return d


def test_a_receipt_records_place_and_witness_and_the_approval_forms_carry_their_signatures(steps):
    d = _served(_to_decision(steps), service_method="left", service_place="当事人厂区门卫室", witness="王五（村委会）")
    receipt = next(x for x in d.documents() if x["doc_type"] == "service_receipt"
                   and "楚市应急罚〔2026〕1号" in text_of(d.pdf(x)))
    text = text_of(d.pdf(receipt))
    assert "留置送达" in text and "当事人厂区门卫室" in text and "王五（村委会）" in text
    # The approval form carries its approver's and its handler's names in the signature blocks.
    filing = text_of(d.pdf(next(x for x in d.documents() if x["doc_type"] == "filing_approval")))
    assert "签名：王分管" in filing and "签名：张承办" in filing
    codes = {x["code"] for x in _review_codes(_closed(d))}
    assert not codes & {"receipt_missing", "signature_missing"}


def test_the_review_flags_a_decision_served_without_a_signed_receipt(steps):
    # Left at the premises without a witness: the receipt lacks the signature that makes the service.
    d = _closed(_served(_to_decision(steps), service_method="left"))
    defects = _review_codes(d)
    missing = [x for x in defects if x["code"] == "signature_missing"]
    assert missing and "文书送达回执" in missing[0]["detail"] and "见证人" in missing[0]["detail"]


def test_the_review_flags_a_decision_whose_only_receipt_is_the_notices():
    from datetime import datetime, timezone

    from workflow_service.modules.case_file_review.checks import CaseFacts, DocumentFact, check_issued_documents

    day = lambda d: datetime(2026, 9, d, 2, 0, tzinfo=timezone.utc)  # noqa: E731
    notice = DocumentFact("penalty_notice", "楚应急罚告〔2026〕1号", day(24))
    notice_receipt = DocumentFact("service_receipt", None, day(24), {"document_number": "楚应急罚告〔2026〕1号",
                                                                      "served_at": "2026-09-24T10:00:00+08:00"})
    decision = DocumentFact("penalty_decision", "楚应急罚〔2026〕1号", day(28))
    unsigned = DocumentFact("closure_approval", "楚应急结〔2026〕1号", day(30),
                            signatures=[{"role": "承办人", "name": "张三", "signed": True},
                                        {"role": "审批人", "name": "", "signed": False}])
    facts = CaseFacts(data={}, completions=[], shifts={}, deadline=None,
                      documents=[notice, notice_receipt, decision, unsigned])
    found = {x["code"]: x for x in check_issued_documents(facts)}
    assert "楚应急罚〔2026〕1号" in found["receipt_missing"]["detail"]
    assert "结案审批表" in found["signature_missing"]["detail"] and "审批人" in found["signature_missing"]["detail"]


def test_officers_sign_with_their_certificate_numbers_and_the_review_names_one_without(steps, app):
    # Users stay for the test session (conftest): the officer may exist from an earlier run on this database.
    created = steps.admin.post("/api/v1/admin/users", json={
        "username": "handler9", "password": "新来的承办人密码123", "display_name": "孙新人", "unit_code": "532301",
        "roles": ["case_handler"]})
    assert created.status_code in (201, 409), created.get_json()
    if created.status_code == 201:
        assert created.get_json()["certificate_number"] is None
    d = steps.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY, "handlers": ["handler1", "handler9"]})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "inspection_record", "description": "监测监控系统未运行",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    record = next(x for x in d.documents() if x["doc_type"] == "inspection_record")
    text = text_of(d.pdf(record))
    assert "张承办" in text and "执法证件号：53230119001" in text and "孙新人" in text
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.modules.case_file_review.checks import check_issued_documents
        from workflow_service.modules.case_file_review.operations import gather_facts
        from workflow_service.modules.cases.models import Case

        found = [x for x in check_issued_documents(gather_facts(db.session.get(Case, d.case["id"])))
                 if x["code"] == "signature_missing"]
    assert found and all("孙新人（无执法证件号）" in x["detail"] for x in found)
    assert any("现场检查记录" in x["detail"] for x in found)
    # An administrator records the officer's certificate; the next record carries it.
    def put(client, number):
        return client.client.put("/api/v1/admin/users/handler9/certificate", headers=client.headers,
                                 json={"number": number, "valid_to": "2029-12-31" if number else None})

    done = put(steps.admin, "53010026099")
    assert done.status_code == 200 and done.get_json()["certificate_number"] == "53010026099"
    assert put(d.client("handler1"), "1").status_code == 403
    corrected = d.client("handler1").post(f"/api/v1/cases/{d.case['id']}/documents/{record['id']}/corrections",
                                          json={"reason": "补记执法证件号"}).get_json()
    assert "执法证件号：53010026099" in text_of(d.pdf(corrected))
    put(steps.admin, None)


def test_a_no_penalty_decision_opens_with_the_reports_facts_and_is_issued_under_its_reserved_number(steps):
    d = steps.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    report = fine_proposal(0, types=(), outcome="no_penalty_first")
    report["facts"] = "当事人初次违法，已当场整改，未造成危害后果"
    d.complete("investigation_report", report)
    task = d.open_task("draft_no_penalty_decision")
    data = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert data["no_penalty_facts"] == report["facts"]
    d.complete("draft_no_penalty_decision", {"no_penalty_reason": "first_violation", "no_penalty_facts": report["facts"],
                                             "no_penalty_basis": "《行政处罚法》第三十三条第一款"})
    approval = d.client("supervisor1").get(f"/api/v1/tasks/{d.open_task('approve_no_penalty')['id']}").get_json()
    number = approval["documents"][0]["number"]
    assert number == "楚市应急不罚〔2026〕1号" and approval["documents"][0]["number_reserved"] is True
    d.complete("approve_no_penalty", {"no_penalty_approved": True}, username="supervisor1")
    issued = [x for x in d.documents() if x["doc_type"] == "no_penalty_decision"]
    assert [x["number"] for x in issued] == [number] and d.detail()["decision_number"] == number


def test_a_preview_of_a_form_holding_nonsense_is_refused_with_a_message(steps):
    d = steps.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    task = d.open_task("investigation_report")
    response = d.client("handler1").post(f"/api/v1/tasks/{task['id']}/document-preview", json={
        "doc_type": "case_report", "data": {"proposals": [{"violation_index": 1, "outcome": "penalty",
                                                            "penalty_types": ["fine"], "fine_amount": "很多"}]}})
    assert response.status_code == 422 and response.get_json()["code"] == "validation_failed"
