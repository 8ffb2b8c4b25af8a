"""One case walked from filing to archive in the browser, as each role (issue 16): at every step the person whose
step it is opens the task in their own browser and the page shows what is true — the step, the case number, the
handlers' names, the deadline the service computed (or none), no English sentence — before the step is done.
What the case already holds is on the page, never typed again: the summary entered at filing is in the 立案登记
form, the decision's preview carries the party, the facts of the report and the fine, and the 公示 review opens
with the generated, redacted disclosure draft the reviewer confirms.
Screenshots of every page go to test-artifacts/screenshots/walk-*.png."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import re

import pytest

from ..case_driver import DECISION, FILING, ROLE_USERS, CaseDriver, fine_proposal
from ..test_chinese_text import english_sentences
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")
SHANGHAI = ZoneInfo("Asia/Shanghai")

SUMMARY = "日常检查发现重大危险源监测监控系统断电"  # entered when the case is registered
# The violation as filed names a phone number: the disclosure draft must not.
WALK_FILING = {**FILING, "summary": SUMMARY, "violations": [
    {"description": "未对重大危险源进行监测监控，值班负责人联系电话13812345678", "provision": "《安全生产法》第四十条"}]}
FACTS = "经查，当事人重大危险源监测监控系统断电停用，未进行监测监控"
FINE = "罚款人民币伍仟元整（¥5,000.00）"
DECISION_NUMBER = re.compile(r"^楚应急罚〔2026〕\d+号$")

# (step, its data, the service clock before it, in Shanghai time)
WALK = [
    ("draft_filing", WALK_FILING, "2026-09-21T09:00"),
    ("approve_filing", {"filing_approved": True}, None),
    ("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                   "collected_at": "2026-09-21T10:00:00+08:00"}]}, None),
    ("investigation_report", {**fine_proposal(5000), "facts": FACTS}, None),
    ("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False},
     "2026-09-24T10:00"),
    ("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False}, None),
    ("draft_decision", DECISION, None),
    ("approve_decision", {"decision_approved": True}, "2026-09-28T10:00"),
    ("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"}, None),
    ("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000}, "2026-10-09T11:00"),
    ("record_disclosure", {"disclosure_publish": True}, None),
    ("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"}, None),
    ("approve_closure", {"closure_approved": True}, None),
    ("archive", {"archive_number": "A-2026-001", "archived_at": "2026-10-15T10:00:00+08:00"}, "2026-10-15T10:00"),
]


def _local_day(due_at: str) -> str:
    """The day a due time is shown on: a period ending at 24:00 is stored as 00:00 of the next day."""
    local = datetime.fromisoformat(due_at).astimezone(SHANGHAI)
    if (local.hour, local.minute) == (0, 0):
        return f"{(local - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def check_prefilled(page, step):
    """What the case holds is already on the page of the step that needs it."""
    if step == "draft_filing":
        assert page.input_value('#task-form [name="summary"]') == SUMMARY
        assert page.input_value('#task-form [name="party.name"]') == "楚雄某化工有限公司"
    if step in ("prepare_collective_discussion", "draft_decision", "approve_decision"):
        # The decision as it will be issued: its number, the party, the facts of the report and the fine.
        preview = page.inner_text('#document-preview [data-doc-type="penalty_decision"]')
        assert re.search(r"楚应急罚〔2026〕\d+号", preview), preview
        for text in ("楚雄某化工有限公司", FACTS, "未对重大危险源进行监测监控", FINE, "《安全生产法》第四十条"):
            assert text in preview, (step, text, preview)
    if step == "record_disclosure":
        # The form opens with the generated draft, redacted: the reviewer confirms text they can read.
        value = {name: page.input_value(f'#task-form [name="disclosure_draft.{name}"]') for name in (
            "decision_number", "party_name", "violation", "legal_basis", "penalty", "deciding_body", "decision_date")}
        assert DECISION_NUMBER.match(value["decision_number"]), value
        assert value["party_name"] == "楚雄某化工有限公司"
        assert "未对重大危险源进行监测监控" in value["violation"] and "【电话已隐去】" in value["violation"]
        assert "13812345678" not in value["violation"]
        assert value["legal_basis"] == "《安全生产法》第四十条" and value["penalty"] == FINE
        assert value["deciding_body"] == "楚雄市应急管理局" and value["decision_date"] == "2026-09-28"


def test_one_case_from_filing_to_archive_as_each_role(open_page, api, live_server):
    d = CaseDriver(api, api("admin"))
    d.at("2026-09-21T09:00")
    case = d.file("楚雄某化工有限公司", summary=SUMMARY)
    pages: dict = {}
    english: list[str] = []

    def page_of(username):
        if username not in pages:
            pages[username] = open_page(username)
        return pages[username]

    def read(page, label):
        text = page.inner_text("main")
        english.extend(f"{label}: {s}" for s in english_sentences(text))
        return text

    for n, (step, data, at) in enumerate(WALK, start=1):
        if at:
            d.at(at)
        task = d.open_task(step)
        username = ROLE_USERS[task["role"]]
        page = page_of(username)
        page.goto(f"{live_server.live_url}/tasks/{task['id']}")
        text = read(page, f"{step} as {username}")
        assert task["name"] in page.inner_text("h1"), step
        assert case["case_number"] in text and "楚雄某化工有限公司" in text
        if n > 1:  # the filing named the handlers: by name, never by username
            assert "张承办、李承办" in text, (step, text)
            assert "handler1、handler2" not in text
        if task["due_at"]:
            assert _local_day(task["due_at"]) in text, (step, task["due_at"])
        check_prefilled(page, step)
        shot(page, f"walk-{n:02d}-{step}-{username}")
        # Where the case stands, as the case page shows it: this step, with the people it waits for.
        page.goto(f"{live_server.live_url}/cases/{case['id']}")
        steps = read(page, f"case page before {step}")
        assert task["name"] in page.inner_text("#open-tasks")
        assert "system" not in page.inner_text("#timeline") and "系统" in page.inner_text("#timeline")
        assert "张承办" in steps
        d.complete(step, data, username=username)

    detail = d.detail()
    assert detail["status"] == "closed" and detail["open_tasks"] == []
    page = page_of("supervisor1")
    page.goto(f"{live_server.live_url}/cases/{case['id']}")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=15000)
    text = read(page, "archived case page")
    assert "已结案" in text and "无待办环节" in page.inner_text("#open-tasks")
    timeline = page.inner_text("#timeline")
    assert "刘法制" in timeline or "王分管" in timeline
    shot(page, "walk-15-archived-case")
    page.goto(f"{live_server.live_url}/cases?q={case['case_number']}")
    assert "已结案" in read(page, "case list")
    shot(page, "walk-16-case-list-search")
    assert not english, "English on the pages of the walk:\n" + "\n".join(english)
