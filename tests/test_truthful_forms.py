"""What a person enters must make sense (issue 16, "Forms and input"): the whole schema at every depth, dates
against the service clock and the case's own chronology, amounts against the fine, codes against their check
character, the closure against the decision; every error named on the first submit."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal
from .test_case_scenarios import _served_with_fine


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _refused(d, bpmn_id, data, username=None):
    """Complete with the clock where it is; the step must be refused and stay open."""
    body = d.complete(bpmn_id, data, username=username, expect=422, move_clock=False)
    assert body["code"] == "validation_failed"
    assert bpmn_id in d.open_steps()
    return body["details"]


def test_an_unknown_field_inside_a_closed_object_is_refused_at_its_path(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    party = {**FILING["party"], "age": 40}
    details = _refused(d, "draft_filing", {**FILING, "party": party,
                                           "violations": [{**FILING["violations"][0], "note": "x"}]})
    assert details["party.age"] == ["未知字段"] and details["violations.0.note"] == ["未知字段"]
    assert "party" not in d.detail()["data"] or "age" not in d.detail()["data"]["party"]
    # A key meant for the script engine is refused at any depth, whatever the schema allows.
    details = _refused(d, "draft_filing", {**FILING, "party": {**FILING["party"], "__class__": 1}})
    assert details["party.__class__"] == ["不允许的字段"]
    # Messages are Chinese, by path; the index of a list is part of it.
    details = _refused(d, "draft_filing", {**FILING, "handlers": ["handler1"], "summary": ""})
    assert details["handlers"] == ["至少 2 项"] and details["summary"] == ["必填"]
    d.complete("draft_filing", FILING)


def test_a_notice_served_in_the_future_is_refused_naming_both_times(driver):
    d = driver.filed_and_investigated()  # filed 21 Sep 09:00, evidence recorded at 10:00: the clock is at 10:00
    d.complete("investigation_report", fine_proposal(5000))
    details = _refused(d, "notify_intended_penalty", {"notified_at": "2027-03-24T10:00:00+08:00",
                                                      "hearing_offered": False})
    assert details["notified_at"] == ["告知书送达时间（2027-03-24 10:00）不能晚于当前时间（2026-09-21 10:00）"]
    details = _refused(d, "notify_intended_penalty", {"notified_at": "2026-09-20T09:30:00+08:00",
                                                      "hearing_offered": False})
    assert details["notified_at"] == ["告知书送达时间（2026-09-20 09:30）不能早于立案登记时间（2026-09-21 09:00）"]
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-21T09:30:00+08:00", "hearing_offered": False})


def test_a_decision_served_before_it_was_decided_or_the_case_filed_is_refused(driver):
    d = driver.filed_and_investigated()  # filed 21 Sep 09:00
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    details = _refused(d, "serve_decision", {"served_at": "2026-09-20T10:00:00+08:00", "service_method": "direct"})
    assert details["served_at"] == ["决定书送达时间（2026-09-20 10:00）不能早于处罚决定批准时间（2026-09-28 10:00）"]
    details = _refused(d, "serve_decision", {"served_at": "2026-09-27T10:00:00+08:00", "service_method": "direct"})
    assert "处罚决定批准时间（2026-09-28 10:00）" in details["served_at"][0]
    d.complete("serve_decision", {"served_at": "2026-09-28T11:00:00+08:00", "service_method": "direct"})


def test_a_partial_payment_is_not_paid_in_full(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d, fine=5000)
    d.at("2026-10-09T12:00")
    details = _refused(d, "record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00",
                                             "amount_paid": 1000})
    assert details["amount_paid"][0].startswith("已缴 1,000.00 元，少于罚款 5,000.00 元，不能记为已足额缴纳")
    details = _refused(d, "record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00"})
    assert "amount_paid" in details
    # Paid before the decision was approved cannot be.
    details = _refused(d, "record_payment", {"paid": True, "paid_at": "2026-09-27T10:00:00+08:00",
                                             "amount_paid": 5000})
    assert "处罚决定批准时间（2026-09-28 10:00）" in details["paid_at"][0]
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000})
    assert d.detail()["data"]["paid"] is True


def test_a_credit_code_must_carry_its_check_character(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    for code, problem in (("123", "应为 18 位"), ("91350100M000100Y44", "第 18 位应为“3”"),
                          ("91350100M000100I43", "不允许的字符")):
        details = _refused(d, "draft_filing", {**FILING, "party": {**FILING["party"], "credit_code": code}})
        assert problem in details["party.credit_code"][0], details
    d.complete("draft_filing", {**FILING, "party": {**FILING["party"], "credit_code": "91350100M000100Y43"}})


def test_a_case_with_a_penalty_decision_is_not_closed_as_no_penalty(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d, fine=5000)
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    details = _refused(d, "draft_closure_report", {"closure_reason": "no_penalty", "closure_summary": "结案"})
    assert details["closure_reason"] == ["本案已作出行政处罚决定（楚应急罚〔2026〕1号），结案情形不能是“决定不予行政处罚”"]
    details = _refused(d, "draft_closure_report", {"closure_reason": "enforcement", "closure_summary": "结案"})
    assert "未申请人民法院强制执行" in details["closure_reason"][0]
    # Input of the wrong shape is a message at its field, never an error of the service.
    details = _refused(d, "draft_closure_report", {"closure_reason": ["no_penalty"], "closure_summary": "结案"})
    assert details["closure_reason"][0] == "类型不正确，应为文字"
    details = _refused(d, "draft_closure_report", {"closure_reason": "enforcement", "closure_summary": "结案"})
    assert "未申请人民法院强制执行" in details["closure_reason"][0]
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"})


def test_a_violation_that_does_not_exist_is_named_on_the_first_submit_with_the_other_errors(driver):
    d = driver.filed_and_investigated()  # one violation
    details = _refused(d, "investigation_report", {"proposals": [
        {"violation_index": 2, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 5000}]})
    assert details["facts"] == ["必填"]
    assert details["proposals.0.violation_index"] == ["第 2 项违法行为不存在（本案共 1 项）"]
    assert details["proposals"] == ["应对第 1 至 1 项违法行为各提出一项意见，缺第 1 项"]
    d.complete("investigation_report", fine_proposal(5000))


def test_the_disclosure_review_form_opens_with_the_generated_draft(app, driver):
    from .test_disclosure import CREDIT_CODE, PERSONAL, decided
    from .test_web_pages import browser

    d = decided(driver)
    task = d.open_task("record_disclosure")
    page = browser(app, "reviewer1").get(f"/tasks/{task['id']}").get_data(as_text=True)
    form = page[page.index('id="task-form"'):]
    form = form[:form.index("</form>")]
    assert 'name="disclosure_draft.decision_number" value="楚应急罚〔2026〕1号"' in form
    assert 'name="disclosure_draft.party_name" value="楚雄某化工有限公司"' in form
    assert f'name="disclosure_draft.party_credit_code" value="{CREDIT_CODE}"' in form
    assert 'name="disclosure_draft.deciding_body" value="楚雄市应急管理局"' in form
    assert "未经安全培训上岗作业" in form  # the violation, in its textarea
    assert not any(value in form for value in PERSONAL)  # the redacted draft, not the case data


def test_a_surcharge_above_the_fine_is_refused(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d, fine=5000)
    d.complete("record_payment", {"paid": False})
    d.at("2026-11-17T12:00")
    details = _refused(d, "payment_demand", {"demand_served_at": "2026-11-17T10:00:00+08:00", "surcharge_amount": 6000})
    assert details["surcharge_amount"] == ["加处罚款 6,000.00 元超过罚款 5,000.00 元（加处罚款数额不得超出罚款数额）"]
    d.complete("payment_demand", {"demand_served_at": "2026-11-17T10:00:00+08:00", "surcharge_amount": 5000})


@pytest.mark.parametrize("value", [None, True, 0, -1, 1e308, "", "x", "2026-13-45T99:99", [], [1], {}, {"a": 1},
                                   [{"violation_index": True}], [None], "2026-09-21T10:00:00+08:00"])
def test_the_case_checks_answer_messages_for_input_of_any_shape(value):
    """A check runs on data the schema may still refuse: whatever the shape, it answers messages, never raises."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from workflow_service.modules.cases.rules import DECLARED

    current = {"filed_at": "2026-09-21T01:00:00+00:00", "decided_at": "2026-09-28T02:00:00+00:00",
               "total_fine": 5000, "violations": [{}], "case_outcome": "penalty", "decision_approved": True,
               "served_at": "2026-09-29T10:00:00+08:00"}
    for (_process, bpmn_id), check in DECLARED.task_checks:
        task = SimpleNamespace(bpmn_id=bpmn_id, created_at=datetime(2026, 10, 1, tzinfo=timezone.utc), unit_id=1)
        fields = ["party", "proposals", "paid", "amount_paid", "closure_reason", "surcharge_amount", "served_at",
                  "paid_at", "archived_at", "notified_at", "demand_served_at", "enforcement_applied_at"]
        for data in ({f: value for f in fields}, {"party": {"type": "organisation", "credit_code": value}},
                     {"proposals": [{"violation_index": value}]}, {"paid": True, "amount_paid": value}):
            result = check(None, task, data, current)
            assert isinstance(result, dict)
            assert all(isinstance(m, str) for messages in result.values() for m in messages)
