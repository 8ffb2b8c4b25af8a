"""Enforcement documents (执法文书) and the case file (案卷), read back as a person reads them: the text of each PDF.

The step pipeline issues a step's documents when the step completes (documents.issue_for_step, connected in
wiring.py): the tests complete tasks over the API and read what was issued.
"""
from __future__ import annotations

import io
import os
from datetime import datetime, timezone
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from .conftest import ROOT
from .case_driver import DECISION, FILING, CaseDriver, fine_proposal, review
from .test_reliability_concurrency import storm

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PARTY = {"name": "楚雄某化工有限公司", "type": "organisation", "credit_code": "91532301MA6K0ABC1P",
         "address": "云南省楚雄市鹿城镇阳光大道88号", "legal_representative": "李四"}


def text_of(pdf: bytes) -> str:
    """The text of a PDF with the line breaks and spaces of its layout removed."""
    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


class Steps(CaseDriver):
    def __init__(self, login, admin, app):
        super().__init__(login, admin)
        self.app = app

    def documents(self, username="handler1"):
        return self.client(username).get(f"/api/v1/cases/{self.case['id']}/documents").get_json()["items"]

    def pdf(self, document, username="handler1"):
        response = self.client(username).get(document["pdf_url"])
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return response.data


@pytest.fixture
def steps(login, app):
    admin = login("admin")
    # The county bureau's own code in numbers, set by an administrator (not the default 楚应急).
    response = admin.client.put("/api/v1/admin/document-settings/532301", headers=admin.headers, json={
        "dept_code": "楚市应急", "type_codes": {"penalty_notice": "罚告"},
        "payment_account": "中国农业银行楚雄分行（账号53-0000001）", "court": "楚雄市人民法院"})
    assert response.status_code == 200, response.get_json()
    return Steps(login, admin, app)


def _png(width=40, height=30) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _major_case_to_archive(d: Steps):
    """A 50,000-yuan case: legal review, notice with the hearing right, collective discussion, decision,
    service, payment, disclosure, closure, archive."""
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True, "filing_opinion": "同意立案调查。"})
    photo = d.client("handler1").client.post(
        f"/api/v1/cases/{d.case['id']}/evidence", headers=d.client("handler1").headers,
        data={"kind": "photo", "description": "监测监控系统断电现场照片", "file": (io.BytesIO(_png()), "p.png")},
        content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    d.complete("investigate", {"evidence": [
        {"type": "inspection_record", "description": "重大危险源监测监控系统未运行",
         "collected_at": "2026-09-21T10:00:00+08:00"},
        {"type": "photo", "description": "现场照片", "collected_at": "2026-09-21T10:05:00+08:00"}]})
    proposal = fine_proposal(50000)
    proposal["proposals"][0]["basis"] = "《中华人民共和国安全生产法》第一百零一条第二项"
    d.complete("investigation_report", proposal)
    d.complete("legal_review", review("pass", "事实清楚，证据确凿，同意"), username="reviewer1")
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.committee_decides("agree", proposal="罚款五万元")
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct",
                                  "recipient": "李四"})
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 50000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "罚款已缴清"})
    d.complete("approve_closure", {"closure_approved": True})
    d.at("2026-10-15T10:00")
    d.complete("archive", {"archive_number": "楚市应急档〔2026〕7号", "archived_at": "2026-10-15T10:00:00+08:00",
                           "retention": "永久"})
    return d


def test_a_case_from_filing_to_archive_produces_its_documents(steps, app):
    d = _major_case_to_archive(steps)
    docs = {doc["doc_type"]: doc for doc in d.documents()}
    assert set(docs) >= {"filing_approval", "inspection_record", "case_report", "legal_review_opinion",
                         "penalty_notice", "hearing_notice", "collective_discussion_record", "penalty_decision",
                         "service_receipt", "closure_approval"}
    assert docs["penalty_decision"]["number"] == "楚市应急罚〔2026〕1号"
    assert docs["penalty_notice"]["number"] == "楚市应急罚告〔2026〕1号"
    assert docs["service_receipt"]["number"] is None  # it names the document it acknowledges instead

    texts = {key: text_of(d.pdf(doc)) for key, doc in docs.items()}  # the last of each type
    for key, doc in docs.items():
        text = texts[key]
        assert "楚雄市应急管理局" in text and doc["title"].replace("（", "(")[:4] in text.replace("（", "("), key
        assert PARTY["name"] in text, key
        if doc["number"]:
            assert doc["number"] in text, key

    decision = texts["penalty_decision"]
    # 行政处罚法 Art 59: (1) the party, (2) facts and evidence, (3) penalty and basis, (4) how and by when to perform,
    # (5) reconsideration and lawsuit routes with their time limits, (6) the department and the date.
    assert PARTY["credit_code"] in decision and PARTY["address"] in decision and "李四" in decision
    assert "未对重大危险源进行监测监控" in decision and "重大危险源监测监控系统未运行" in decision
    assert "《安全生产法》第四十条" in decision
    assert "《中华人民共和国安全生产法》第一百零一条第二项" in decision
    assert "罚款人民币伍万元整（¥50,000.00）" in decision
    assert "自收到本决定书之日起十五日内缴至中国农业银行楚雄分行" in decision
    assert "六十日内依法向楚雄市人民政府申请行政复议" in decision and "六个月内依法向楚雄市人民法院提起行政诉讼" in decision
    assert decision.endswith("2026年9月28日本文书一式两份：一份送达当事人，一份归档。第2页共2页") or \
        "楚雄市应急管理局2026年9月28日" in decision

    notice = texts["penalty_notice"]
    assert "人民币伍万元整" in notice and "三个工作日内" in notice and "五个工作日内" in notice
    assert "2026年9月24日" in notice
    assert "2026年9月21日" in texts["filing_approval"] and "同意立案调查" in texts["filing_approval"]
    receipts = [text_of(d.pdf(doc)) for doc in d.documents() if doc["doc_type"] == "service_receipt"]
    assert len(receipts) == 2  # the notice's and the decision's
    assert any("楚市应急罚告〔2026〕1号" in r and "2026年9月24日10时00分" in r for r in receipts)
    receipt = next(r for r in receipts if "楚市应急罚〔2026〕1号" in r)
    assert "直接送达" in receipt and "2026年9月29日10时00分" in receipt and "李四" in receipt
    assert "事实清楚，证据确凿，同意" in texts["legal_review_opinion"]
    assert "罚款五万元" in texts["collective_discussion_record"]
    # One record, of the heads' discussion; the online vote that prepared it is shown beside it for reference.
    assert [doc["step"] for doc in d.documents() if doc["doc_type"] == "collective_discussion_record"] == [
        "record_collective_discussion"]
    assert "网上表决情况" in texts["collective_discussion_record"] and "王分管" in texts["collective_discussion_record"]

    # The case file: cover, contents with first pages, every document in binding order, the photo, page numbers.
    case_file = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/case-file").get_json()
    assert case_file["retention"] == "永久" and case_file["archive_number"] == "楚市应急档〔2026〕7号"
    titles = [row["title"] for row in case_file["contents"]]
    assert titles[0] == "行政处罚决定书" and titles[1] == "立案审批表"
    assert titles.index("行政处罚告知书") < titles.index("案件处理呈批表") < titles.index("文书送达回执")
    assert titles.index("文书送达回执") < titles.index("结案审批表") < len(titles) - 1
    assert titles[-1].startswith("证据材料：监测监控系统断电现场照片")
    # Archiving ordered it (what it binds is fixed); its PDF is drawn by the first download (or the scheduler).
    assert case_file["pdf_ready"] is False and case_file["pages"] is None and case_file["requested_at"]
    response = d.client("supervisor1").get(case_file["pdf_url"])
    assert response.status_code == 200
    case_file = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/case-file").get_json()
    assert case_file["pdf_ready"] and [row["title"] for row in case_file["contents"]] == titles
    rows = case_file["contents"]
    for before, after in zip(rows, rows[1:]):
        assert after["first_page"] == before["first_page"] + before["pages"]
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == case_file["pages"] == rows[-1]["first_page"] + rows[-1]["pages"] - 1
    cover = re.sub(r"\s+", "", pages[0].extract_text())
    assert "楚雄某化工有限公司安全生产违法行为行政处罚案" in cover and "永久" in cover and "2026年9月21日" in cover
    contents = re.sub(r"\s+", "", pages[1].extract_text())
    assert "楚市应急罚〔2026〕1号" in contents and "卷内目录" in contents
    decision_page = re.sub(r"\s+", "", pages[rows[0]["first_page"] - 1].extract_text())
    assert str(rows[0]["first_page"]) in decision_page and "行政处罚决定书" in decision_page

    # Frozen: the hashes are in the case's audit chain, and the chain still verifies.
    import hashlib

    timeline = d.detail()["timeline"]
    issued = {e["details"]["document_id"]: e["details"] for e in timeline if e["action"] == "document_issued"}
    drawn = {e["details"]["document_id"]: e["details"] for e in timeline if e["action"] == "document_rendered"}
    now = {doc["id"]: doc for doc in d.documents()}
    for doc in docs.values():
        # The text is frozen at the step; the PDF drawn from it once (by the case file at the latest), both chained.
        assert issued[doc["id"]]["html_sha256"] == doc["html_sha256"] == now[doc["id"]]["html_sha256"]
        assert drawn[doc["id"]]["html_sha256"] == doc["html_sha256"]
        assert drawn[doc["id"]]["pdf_sha256"] == now[doc["id"]]["pdf_sha256"] == hashlib.sha256(d.pdf(doc)).hexdigest()
    assert len(drawn) == len([e for e in timeline if e["action"] == "document_rendered"])  # each drawn once
    built = [e for e in timeline if e["action"] == "case_file_built"]
    assert built[-1]["details"]["pdf_sha256"] == case_file["pdf_sha256"] == hashlib.sha256(response.data).hexdigest()
    with app.app_context():
        from workflow_service.modules.audit.chain import verify_chain

        assert verify_chain(d.case["instance_id"]).ok

    # Each document's context builds only what its template prints: every template, drawn from this case's full
    # context and from the one its own names ask for, gives the same text.
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.models import Case
        from workflow_service.modules.documents.context import build_context
        from workflow_service.modules.documents.registry import DOCUMENT_TYPES
        from workflow_service.modules.documents.rendering import render_html, template_names

        from workflow_service.modules.documents.signatures import signature_blocks, signers

        case, now = db.session.get(Case, d.case["id"]), datetime(2026, 12, 1, tzinfo=timezone.utc)

        def drawn(kind, needs):
            context = build_context(case, now=now, needs=needs)
            context["doc"] = {"type": kind.key, "title": kind.title, "number": "X", "version": 1, "issued_date": "Y"}
            context["signers"] = signers(signature_blocks(case, kind, context))
            return render_html(kind.template, context)

        left_out = set()
        for kind in DOCUMENT_TYPES.values():
            needs = template_names(kind.template)
            assert needs is not None, kind.key
            left_out |= {"ballot", "transfer", "rectification", "evidence_files"} - needs
            assert drawn(kind, needs) == drawn(kind, None), kind.key
        assert left_out  # some template leaves a part out (else `needs` saves nothing)

    # The case-file review (案卷评查) reads the documents: the decision has its receipt, the notice came first.
    review_codes = {x["code"] for x in d.client("supervisor1").post(
        "/api/v1/case-reviews", json={"case_id": d.case["id"]}).get_json()["items"][0]["defects"]}
    assert not review_codes & {"receipt_missing", "notice_after_decision", "signature_missing"}

    # A page as a person sees it: rasterised for a look (Chinese in the embedded font, not boxes).
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "penalty_decision.pdf").write_bytes(d.pdf(docs["penalty_decision"]))
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(ARTIFACTS / "penalty_decision.pdf"),
                    str(ARTIFACTS / "penalty_decision")], check=True)
    assert (ARTIFACTS / "penalty_decision-1.png").stat().st_size > 10_000


def test_a_decision_without_its_amount_in_capitals_would_fail(steps):
    """The capitals come from the converter, not from the test's own arithmetic."""
    from workflow_service.modules.documents.text import amount_both, amount_in_capitals

    assert amount_in_capitals(50000) == "人民币伍万元整"
    assert amount_in_capitals(10005) == "人民币壹万零伍元整"
    assert amount_in_capitals(1234567.89) == "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"
    assert amount_in_capitals("100.05") == "人民币壹佰元零伍分"
    assert amount_both(3000) == "人民币叁仟元整（¥3,000.00）"


def _filed(d: Steps):
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    return d


def test_a_void_document_keeps_its_number_and_the_next_one_never_reuses_it(steps):
    d = _filed(steps)
    handler, supervisor = d.client("handler1"), d.client("supervisor1")
    url = f"/api/v1/cases/{d.case['id']}/documents"
    first = handler.post(url, json={"doc_type": "penalty_notice"}).get_json()
    assert first["number"] == "楚市应急罚告〔2026〕1号"
    refused = handler.post(f"{url}/{first['id']}/void", json={"reason": "告知内容有误"})
    assert refused.status_code == 403  # a handler may not void; a supervisor may
    assert supervisor.post(f"{url}/{first['id']}/void", json={"reason": ""}).status_code == 422
    voided = supervisor.post(f"{url}/{first['id']}/void", json={"reason": "告知内容有误"}).get_json()
    assert voided["status"] == "void" and voided["void_reason"] == "告知内容有误"
    # Issued by hand: its text frozen, its PDF not drawn yet; voiding draws it first (the void copy is stamped on it).
    assert first["pdf_sha256"] is None and first["pdf_ready"] is False and first["html_sha256"]
    assert voided["number"] == first["number"] and voided["html_sha256"] == first["html_sha256"]
    assert voided["pdf_ready"] and len(voided["pdf_sha256"]) == 64
    second = handler.post(url, json={"doc_type": "penalty_notice"}).get_json()
    assert second["number"] == "楚市应急罚告〔2026〕2号"
    stamped = text_of(handler.get(first["pdf_url"]).data)
    assert "作废" in stamped and "告知内容有误" in stamped and first["number"] in stamped
    assert supervisor.post(f"{url}/{first['id']}/void", json={"reason": "再次"}).status_code == 409
    listed = {doc["id"]: doc for doc in d.documents()}
    assert listed[first["id"]]["status"] == "void" and listed[second["id"]]["status"] == "issued"


def test_a_correction_is_a_new_version_of_the_same_number_and_keeps_the_old(steps):
    d = _filed(steps)
    handler = d.client("handler1")
    url = f"/api/v1/cases/{d.case['id']}/documents"
    first = handler.post(url, json={"doc_type": "penalty_decision", "fields": {"reasoning": "说理一"}}).get_json()
    assert "说理一" in text_of(handler.get(first["pdf_url"]).data)
    second = handler.post(f"{url}/{first['id']}/corrections",
                          json={"reason": "补充说理", "fields": {"reasoning": "说理二：当事人系初次违法"}}).get_json()
    assert (second["number"], second["version"], second["supersedes_id"]) == (first["number"], 2, first["id"])
    assert "说理二：当事人系初次违法" in text_of(handler.get(second["pdf_url"]).data)
    old = handler.get(f"{url}/{first['id']}").get_json()
    assert old["status"] == "superseded" and "说理一" in text_of(handler.get(first["pdf_url"]).data)
    assert handler.post(url, json={"doc_type": "penalty_decision", "fields": {"bogus": 1}}).status_code == 422


def test_the_editable_copy_is_a_docx_with_the_same_text(steps):
    from docx import Document

    d = _filed(steps)
    handler = d.client("handler1")
    doc = handler.post(f"/api/v1/cases/{d.case['id']}/documents", json={"doc_type": "filing_approval"}).get_json()
    response = handler.get(doc["docx_url"])
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    word = Document(io.BytesIO(response.data))
    text = "".join(p.text for p in word.paragraphs) + "".join(
        c.text for t in word.tables for r in t.rows for c in r.cells)
    assert doc["number"] in text and PARTY["name"] in text and PARTY["credit_code"] in text


def test_who_sees_the_case_sees_its_documents(steps, login):
    d = _filed(steps)
    doc = d.client("handler1").post(f"/api/v1/cases/{d.case['id']}/documents",
                                    json={"doc_type": "filing_approval"}).get_json()
    assert d.client("city_supervisor").get(doc["pdf_url"]).status_code == 200  # the unit above
    gateway = login("police_gateway")
    assert gateway.get(doc["pdf_url"]).status_code == 403
    assert gateway.get(f"/api/v1/cases/{d.case['id']}/documents").status_code == 403
    # Issuing belongs to the case's own unit.
    assert d.client("city_supervisor").post(f"/api/v1/cases/{d.case['id']}/documents",
                                            json={"doc_type": "filing_approval"}).status_code == 403
    assert d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/documents/99999/content").status_code == 404


def test_the_approver_sees_the_decision_as_it_will_be_issued(steps):
    d = steps.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    task = d.open_task("approve_decision")
    detail = d.client("supervisor1").get(f"/api/v1/tasks/{task['id']}").get_json()
    assert [x["doc_type"] for x in detail["documents"]] == ["penalty_decision"]
    shown = detail["documents"][0]
    # 决定审批 shows the decision's number (reserved when its draft was submitted) and the six items of Art 59.
    assert shown["number"] == "楚市应急罚〔2026〕1号" and shown["number_reserved"] is True
    items = {i["label"]: i["text"] for i in shown["items"]}
    assert list(items)[:6] == ["当事人", "违法事实和证据", "行政处罚的种类和依据", "履行方式和期限",
                               "申请行政复议、提起行政诉讼的途径和期限", "作出决定的行政机关和日期"]
    assert PARTY["credit_code"] in items["当事人"] and "未对重大危险源进行监测监控" in items["违法事实和证据"]
    assert "罚款人民币伍仟元整（¥5,000.00）" in items["行政处罚的种类和依据"]
    assert "十五日内缴至中国农业银行楚雄分行" in items["履行方式和期限"]
    assert "楚雄市人民政府" in items["申请行政复议、提起行政诉讼的途径和期限"]
    assert items["作出决定的行政机关和日期"].startswith("楚雄市应急管理局") and items["说理"] == DECISION["decision_reasoning"]
    response = d.client("supervisor1").get(shown["preview_url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert "楚市应急罚〔2026〕1号" in text and "预览" not in text and "罚款人民币伍仟元整（¥5,000.00）" in text
    assert PARTY["credit_code"] in text and DECISION["decision_reasoning"] in text
    # Previewing froze nothing; another case's decision issued meanwhile takes the next number, not this one's.
    assert [x for x in d.documents() if x["doc_type"] == "penalty_decision"] == []
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    issued = [x for x in d.documents() if x["doc_type"] == "penalty_decision"]
    assert [x["number"] for x in issued] == ["楚市应急罚〔2026〕1号"]
    assert DECISION["decision_reasoning"] in text_of(d.pdf(issued[0]))


def test_two_issuers_at_the_same_instant_never_share_a_number(steps, app, database_url):
    """PostgreSQL: the sequence row is locked by the first issuer until it commits (SQLite takes turns anyway)."""
    from workflow_service.extensions import db
    from workflow_service.modules.documents.operations import issue_document
    from workflow_service.modules.users.models import User

    d = _filed(steps)
    count = 6

    def issuer(i):
        with app.app_context():
            actor = db.session.scalar(sa.select(User).filter_by(username="handler1" if i % 2 else "handler2"))
            document = issue_document(actor, d.case["id"], "payment_demand")
            db.session.commit()
            return document.number

    numbers = storm(count, issuer)
    assert not [n for n in numbers if isinstance(n, BaseException)], numbers
    assert sorted(numbers) == sorted(f"楚市应急催〔2026〕{i}号" for i in range(1, count + 1))


def test_the_case_page_lists_the_documents_and_a_supervisor_voids_one_there(steps, app):
    from .test_auth_and_access import csrf_token_in
    from .test_web_pages import browser

    d = _filed(steps)
    issued = d.client("handler1").post(f"/api/v1/cases/{d.case['id']}/documents",
                                       json={"doc_type": "penalty_notice"}).get_json()
    handler = browser(app, "handler1")
    page = handler.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "执法文书" in page and issued["number"] in page and "第 1 版" in page
    assert issued["pdf_url"] in page.replace("&amp;", "&") and "format=docx" in page
    assert 'id="document-issue"' in page and "作废理由" not in page  # handlers issue; only heads void
    # Issuing from the page takes the next number.
    handler.post(f"/cases/{d.case['id']}/documents", data={"csrf_token": csrf_token_in(page),
                                                            "doc_type": "penalty_notice", "reasoning": "说理"})
    assert "楚市应急罚告〔2026〕2号" in handler.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    supervisor = browser(app, "supervisor1")
    page = supervisor.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    supervisor.post(f"/cases/{d.case['id']}/documents/{issued['id']}/void",
                    data={"csrf_token": csrf_token_in(page), "reason": "送达地址错误"})
    page = supervisor.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "作废" in page and "送达地址错误" in page and issued["number"] in page
    # The PDF link of the page downloads with the session login.
    assert supervisor.get(issued["pdf_url"]).mimetype == "application/pdf"


def test_the_approval_task_page_shows_the_document_being_approved(steps, app):
    from .test_web_pages import browser

    d = _filed(steps)
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    task = d.open_task("approve_decision")
    client = browser(app, "supervisor1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'id="document-preview"' in page and "行政处罚决定书" in page
    url = f"/api/v1/tasks/{task['id']}/document-preview?doc_type=penalty_decision"
    assert url in page.replace("&amp;", "&")
    preview = client.get(url)
    assert preview.mimetype == "application/pdf" and "罚款人民币伍仟元整" in text_of(preview.data)


def test_the_case_file_review_reads_the_documents_that_exist():
    from datetime import datetime, timezone

    from workflow_service.modules.case_file_review.checks import CaseFacts, check_issued_documents

    def facts(*documents):
        return CaseFacts(data={}, completions=[], shifts={}, deadline=None, documents=list(documents))

    day = lambda d: datetime(2026, 9, d, 2, 0, tzinfo=timezone.utc)  # noqa: E731
    notice, decision = ("penalty_notice", "楚应急罚告〔2026〕1号", day(24)), ("penalty_decision", "楚应急罚〔2026〕1号", day(28))
    receipt = ("service_receipt", None, day(29), {"document_number": "楚应急罚〔2026〕1号",
                                                  "served_at": "2026-09-29T10:00:00+08:00"})
    assert check_issued_documents(facts(notice, decision, receipt)) == []
    assert [d["code"] for d in check_issued_documents(facts(notice, decision))] == ["receipt_missing"]
    late = ("penalty_notice", "楚应急罚告〔2026〕2号", day(29))
    found = check_issued_documents(facts(notice, decision, receipt, late))
    assert [d["code"] for d in found] == ["notice_after_decision"] and "楚应急罚告〔2026〕2号" in found[0]["detail"]
    assert check_issued_documents(facts()) == []  # a case from before the service issued documents


def test_a_transfer_of_the_case_puts_its_approval_form_and_letter_with_the_materials_in_the_case_file(login, app):
    from .transfer_driver import REPORT, TransferDriver

    d = TransferDriver(login, login("admin"))
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "party": PARTY})
    d.complete("approve_filing", {"filing_approved": True})
    d.open_transfer(case_id=d.case["id"])

    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.handed_over("2026-10-12T10:00")
    docs = {x["doc_type"]: x for x in d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/documents")
            .get_json()["items"]}
    assert set(docs) == {"filing_approval", "transfer_approval_form", "transfer_letter"}  # the filing's, and the transfer's
    letter = text_of(d.client("handler1").get(docs["transfer_letter"]["pdf_url"]).data)
    assert "楚雄市公安局" in letter and "抄送：楚雄市人民检察院" in letter and docs["transfer_letter"]["number"] in letter
    assert "涉案物品清单" in letter and "有关检验报告或者鉴定意见" in letter
    assert "同意移送" in text_of(d.client("handler1").get(docs["transfer_approval_form"]["pdf_url"]).data)


def test_a_receipt_for_service_by_public_notice_records_the_publication_and_its_thirty_days(steps):
    d = _filed(steps)
    handler = d.client("handler1")
    url = f"/api/v1/cases/{d.case['id']}/documents"
    decision = handler.post(url, json={"doc_type": "penalty_decision"}).get_json()
    receipt = handler.post(url, json={"doc_type": "service_receipt", "fields": {
        "document_title": "行政处罚决定书", "document_number": decision["number"], "method": "public_notice",
        "published_at": "2026-10-09T09:00:00+08:00", "publication": "楚雄市应急管理局门户网站"}}).get_json()
    text = text_of(handler.get(receipt["pdf_url"]).data)
    assert decision["number"] in text and "公告送达" in text and "楚雄市应急管理局门户网站" in text
    assert "公告于2026年10月9日" in text and "经过30日，即视为送达（2026年11月8日）" in text


def test_a_step_goes_on_when_the_document_font_is_missing_and_the_record_says_what_waits(steps, app, monkeypatch):
    """Without the font (npm never ran) people can still work: the step completes, the documents it would have
    issued wait, and the case record says so."""
    monkeypatch.setitem(app.config["WFS"], "DOCUMENT_FONT_DIR", "/nonexistent/fonts")
    d = _filed(steps)  # 立案审批 issues the 立案审批表: not now
    assert d.open_steps() == ["investigate"]
    assert d.documents() == []
    timeline = d.detail()["timeline"]
    waiting = [e for e in timeline if e["action"] == "documents_not_issued"]
    assert len(waiting) == 1 and waiting[0]["details"]["step"] == "approve_filing"
    assert waiting[0]["action_label"] == "文书待出具"


def test_a_department_that_issues_by_hand_gets_no_document_from_a_step():
    from .conftest import make_app

    app = make_app("sqlite://", DOCUMENTS_AUTO_ISSUE=False)
    names = [name for name, _ in app.extensions["wfs_registry"].step_handlers]
    assert "documents.issue_for_step" not in names and "alerts.raise_and_clear" in names


def test_the_heads_discussion_record_is_issued_without_an_online_vote(steps):
    """Issue 18: the 集体讨论记录 comes from the heads' record of their discussion (行政处罚法 Art 57), the step
    that decides — also when they skip the online vote (online_vote: false), which produced no document before."""
    d = steps
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("prepare_collective_discussion", {"ballot_proposal": "罚款五万元", "online_vote": False})
    assert not [doc for doc in d.documents() if doc["doc_type"] == "collective_discussion_record"]
    d.record_discussion("passed", discussion_presenter="handler1",
                        discussion_opinions=[{"attendee": "head1", "opinion": "事实清楚，同意罚款五万元"},
                                             {"attendee": "supervisor1", "opinion": "同意，注意听取整改情况"}],
                        discussion_conclusion_text="经集体讨论，同意对当事人罚款人民币五万元")
    assert d.open_steps() == ["draft_decision"]
    records = [doc for doc in d.documents() if doc["doc_type"] == "collective_discussion_record"]
    assert len(records) == 1 and records[0]["number"]
    text = text_of(d.pdf(records[0]))
    names = {"head1": "赵局长", "supervisor1": "王分管", "handler1": "张承办"}  # by name, never by username
    assert records[0]["number"] in text and "集体讨论记录" in text
    assert f"出席人员{names['head1']}、{names['supervisor1']}" in text
    assert f"主持人{names['head1']}" in text and f"汇报人{names['handler1']}" in text
    assert "事实清楚，同意罚款五万元" in text and "同意，注意听取整改情况" in text
    assert "同意报请的处理意见" in text and "经集体讨论，同意对当事人罚款人民币五万元" in text
    assert "网上表决" not in text  # there was none


def test_a_step_freezes_the_text_at_once_and_its_pdf_is_drawn_once_after_it(steps, app):
    """The completion that issues 立案审批表 does not wait for WeasyPrint: the document's number and text are
    frozen (and chained) by the step; its PDF is drawn after it — by the scheduler's job, or by the first download —
    exactly once, from the frozen text."""
    import hashlib

    from workflow_service.modules.documents.pdfs import draw_pending_documents

    d = _filed(steps)
    [filing] = [x for x in d.documents() if x["doc_type"] == "filing_approval"]
    assert filing["pdf_ready"] is False and filing["pdf_sha256"] is None and len(filing["html_sha256"]) == 64
    handler = d.client("handler1")
    notice = handler.post(f"/api/v1/cases/{d.case['id']}/documents", json={"doc_type": "penalty_notice"}).get_json()
    assert notice["pdf_ready"] is False

    # The scheduler's job (scheduler.py, every few seconds; `wfs render-documents` by hand) draws what waits.
    with app.app_context():
        assert draw_pending_documents() == 2
        assert draw_pending_documents() == 0
    listed = {x["id"]: x for x in d.documents()}
    assert listed[filing["id"]]["pdf_ready"] and listed[notice["id"]]["pdf_ready"]
    pdf = d.pdf(filing)
    assert hashlib.sha256(pdf).hexdigest() == listed[filing["id"]]["pdf_sha256"]
    assert "立案审批表" in text_of(pdf) and PARTY["name"] in text_of(pdf)

    # A document downloaded before the job came by is drawn by the download, kept, and never drawn again.
    decision = handler.post(f"/api/v1/cases/{d.case['id']}/documents", json={"doc_type": "penalty_notice"}).get_json()
    first = handler.get(decision["pdf_url"])
    again = handler.get(decision["pdf_url"])
    assert first.data == again.data and first.headers["X-Content-SHA256"] == hashlib.sha256(first.data).hexdigest()
    with app.app_context():
        assert draw_pending_documents() == 0
    timeline = d.detail()["timeline"]
    drawn = [e["details"]["document_id"] for e in timeline if e["action"] == "document_rendered"]
    assert sorted(drawn) == sorted([filing["id"], notice["id"], decision["id"]])
    assert {e["action_label"] for e in timeline if e["action"] == "document_rendered"} == {"生成文书 PDF"}

    # A case file ordered (as archiving does) binds what is in force then and is drawn by the same job, once.
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.models import Case
        from workflow_service.modules.documents.casefile import draw_pending_case_files, order_case_file

        ordered = order_case_file(db.session.get(Case, d.case["id"]), None, retention="10年")
        db.session.commit()
        assert ordered.pdf_sha256 is None and len(ordered.contents) == 3
    late = handler.post(f"/api/v1/cases/{d.case['id']}/documents", json={"doc_type": "penalty_notice"}).get_json()
    with app.app_context():
        assert draw_pending_case_files() == 1 and draw_pending_case_files() == 0
        assert draw_pending_documents() == 1  # the late notice, which the file does not bind
    case_file = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/case-file").get_json()
    assert case_file["pdf_ready"] and late["id"] not in [row["id"] for row in case_file["contents"]]
    rows = case_file["contents"]
    assert rows[0]["first_page"] == 3 and all(b["first_page"] == a["first_page"] + a["pages"] for a, b in zip(rows, rows[1:]))
    assert case_file["pages"] == rows[-1]["first_page"] + rows[-1]["pages"] - 1  # cover, contents, then the documents


def test_a_process_that_drew_a_pdf_leaves_no_copy_of_the_fonts_behind(tmp_path):
    """WeasyPrint copies the fonts (29 MB) into a temporary folder per font configuration and removes it when the
    configuration is collected. The service keeps its configuration for the life of the process, so it is collected
    while the interpreter shuts down, and when WeasyPrint's module has been torn down first, the removal fails
    ("Exception ignored in FontConfiguration.__del__") and the fonts stay (a test run left one or two copies). The
    script leaves WeasyPrint's module as that shutdown does."""
    script = """if True:
        from workflow_service.modules.documents import rendering
        pdf = rendering.html_to_pdf('<html><body style="font-family: DocSerif">行政处罚决定书</body></html>',
                                    rendering.font_dir(None))
        assert pdf.startswith(b'%PDF')
        import weasyprint.text.fonts
        weasyprint.text.fonts.rmtree = None  # as a shutdown that has torn the module down leaves it
    """
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=dict(os.environ, TMPDIR=str(tmp_path)),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Exception ignored" not in result.stderr
    assert list(tmp_path.iterdir()) == []
