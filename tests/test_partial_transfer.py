"""A case whose investigation report transfers part of it to the police (部分移送) and punishes the rest: the
other violations, and a company whose crime has no unit liability, are decided in the same case while the transfer
runs; the no-fine rule binds only the transferred conduct; the case closes when both outcomes are in (国务院令第310号
Art 11; DOMAIN.md, December 2026 review: 不得选择性处罚). Through the HTTP API as the users, with the clock moved."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, review
from .transfer_driver import MATERIALS, REPORT, TransferDriver

TWO = {**FILING, "violations": [
    {"description": "主要负责人拒不执行停止使用中转库的决定", "provision": "《安全生产法》第六十五条"},
    {"description": "未如实记录隐患排查治理情况", "provision": "《安全生产法》第四十一条"}]}
TRANSFER_1_FINE_2 = {"facts": "经查属实", "proposals": [
    {"violation_index": 1, "outcome": "transfer"},
    {"violation_index": 2, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 30000}]}


@pytest.fixture
def d(login):
    return TransferDriver(login, login("admin"))


def _pdf_text(d, document):
    from .test_documents import text_of

    response = d.client("handler1").get(document["pdf_url"])
    assert response.status_code == 200
    return text_of(response.data)


def _reported(d, filing=TWO, report=TRANSFER_1_FINE_2, *, complex_case=False):
    """Filed, investigated and reported with a partial transfer, legally reviewed: the transfer has started.
    `complex_case`: the approving head marks the case complex, so the heads discuss it collectively (Art 57)."""
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", filing)
    d.complete("approve_filing", {"filing_approved": True, **({"complex_circumstances": True} if complex_case else {})})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", report)
    # a transfer is reviewed before it goes (the review needs table), the penalty with it
    assert d.open_steps() == ["legal_review"]
    d.complete("legal_review", review("pass", "同意部分移送、其余处罚"))
    [t] = d.client("supervisor1").get("/api/v1/transfers").get_json()["items"]
    d.transfer = t
    return t


def _notified_and_heard(d):
    d.at("2026-09-22T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-22T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})


def _police_open_and_judge(d, when="2026-10-12T10:00"):
    d.at(when)
    d.police("received")
    d.police("case_opened", note="决定立案侦查")
    d.step("hand_over_evidence", {"evidence_handed_over_at": f"{when}:00+08:00", "evidence_items": "现场照片"})
    d.police("judgment", note="以危险作业罪判处主要负责人有期徒刑六个月")
    d.step("act_after_judgment", {"judgment_summary": "判处有期徒刑六个月", "post_judgment_actions": [
        {"action": "principal_bar", "handling": "已通报主要负责人五年内不得担任主要负责人"}]})


def test_the_other_violations_are_decided_while_the_transfer_runs_and_the_case_closes_on_both(d, app):
    from .test_auth_and_access import web_login

    t = _reported(d)
    # the transfer opened from the report carries exactly the violations whose proposal says transfer
    assert d.transfer_detail()["data"]["transferred_violations"] == [1]
    # violation 2 goes on at once: the notice, while the case also waits for the transfer's result
    assert d.open_steps() == ["notify_intended_penalty"]
    case = d.detail()
    assert [w["bpmn_id"] for w in case["waiting"]] == ["await_transfer"]
    assert case["data"]["case_outcome"] == "penalty" and case["data"]["partial_transfer"] is True
    # the case page shows both: the step to do and the transfer it waits for
    client = app.test_client()
    assert web_login(client, "supervisor1").status_code == 302
    page = client.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "等待移送结果" in page and t["transfer_number"] in page and "行政处罚告知" in page
    d.at("2026-09-21T15:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    # the approval does not suspend a case that still has violations to decide
    assert d.detail()["status"] == "open"
    d.at("2026-09-21T16:00")
    d.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                         "procuratorate": "楚雄市人民检察院", "handed_over_at": "2026-09-21T16:00:00+08:00"})
    _notified_and_heard(d)
    # the fine on violation 2 is decided while the transfer is pending (the rule binds violation 1 only)
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    # the decision says what became of violation 1 and decides violation 2
    [decision] = [x for x in d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/documents").get_json()["items"]
                  if x["doc_type"] == "penalty_decision"]
    text = _pdf_text(d, decision)
    assert "第1项违法行为涉嫌犯罪，本机关已依法移送公安机关" in text and "对第2项违法行为" in text
    assert "罚款人民币叁万元整" in text and "对第1项违法行为" not in text
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 30000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    # executed; the case stays open until the police's side has its outcome
    case = d.detail()
    assert case["status"] == "open" and case["open_tasks"] == []
    assert [w["bpmn_id"] for w in case["waiting"]] == ["await_transfer"]
    _police_open_and_judge(d)
    assert d.transfer_detail()["status"] == "concluded"
    assert d.open_steps() == ["draft_closure_report"]
    data = d.detail()["data"]
    assert (data["transfer_result"], data["transfer_number"], data["paid"]) == ("criminal", t["transfer_number"], True)
    # 结案情形 names both outcomes
    body = d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"},
                      expect=422)
    assert "部分移送" in body["details"]["closure_reason"][0]
    d.complete("draft_closure_report", {"closure_reason": "partly_transferred_executed",
                                        "closure_summary": "第1项移送公安机关已判决；第2项罚款已缴清"})
    d.complete("approve_closure", {"closure_approved": True})
    d.complete("archive", {"archive_number": "A-2026-009", "archived_at": "2026-10-15T10:00:00+08:00"})
    assert d.detail()["status"] == "closed"


def test_a_fine_on_the_transferred_violation_is_still_refused_while_the_other_is_decided(d):
    """The transfer started by the report's outcome records the violations whose proposal says transfer, so the
    no-fine rule binds those: a new report that fines violation 1 while its transfer is pending is refused at the
    decision, whatever happens to violation 2."""
    t = _reported(d, complex_case=True)
    assert d.transfer_detail()["data"]["transferred_violations"] == [1]
    _notified_and_heard(d)
    d.complete("prepare_collective_discussion", {"ballot_proposal": "第2项罚款三万元", "online_vote": False})
    # the heads send it back: new facts about violation 1 come to light, the handler proposes fining it too
    d.record_discussion("rejected")
    assert d.open_steps() == ["investigation_report"]
    both = {"facts": "经查属实", "new_facts": "告知后查明第1项违法行为另有违法所得", "proposals": [
        {"violation_index": 1, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 10000},
        {"violation_index": 2, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 30000}]}
    d.complete("investigation_report", both)
    # the transfer still runs: one wait for it, not a second
    case = d.detail()
    assert [w["bpmn_id"] for w in case["waiting"]] == ["await_transfer"]
    assert d.transfer_detail()["status"] == "pending"
    d.at("2026-09-25T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-25T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("prepare_collective_discussion", {"ballot_proposal": "两项罚款共四万元", "online_vote": False})
    d.record_discussion("passed")
    body = d.complete("draft_decision", DECISION, expect=409)
    assert body["code"] == "transfer_pending" and body["details"]["transfer_number"] == t["transfer_number"]
    assert d.open_steps() == ["draft_decision"]


def test_the_company_is_fined_while_its_principal_is_transferred_for_a_crime_without_unit_liability(d):
    """危险作业罪 punishes the person, not the company: the same violation has a transfer (the principal's conduct)
    and a penalty (the company's), and the company's fine goes ahead in this case while the transfer runs."""
    one = {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 20000},
        {"violation_index": 1, "outcome": "transfer"}]}
    t = _reported(d, filing=FILING, report=one)
    assert d.transfer_detail()["data"]["transferred_violations"] == [1]
    assert d.open_steps() == ["notify_intended_penalty"]
    _notified_and_heard(d)
    # until the transfer report names the crime, the fine on the transferred conduct waits
    assert d.complete("draft_decision", DECISION, expect=409)["code"] == "transfer_pending"
    d.step("draft_transfer_report", REPORT)  # 危险作业罪: no unit liability
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    # the decision states the company's penalty for the violation whose person is transferred
    [decision] = [x for x in d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/documents").get_json()["items"]
                  if x["doc_type"] == "penalty_decision"]
    assert "对第1项违法行为" in _pdf_text(d, decision) and "罚款人民币贰万元整" in _pdf_text(d, decision)
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 20000})
    d.complete("record_disclosure", {"disclosure_publish": True})
    assert d.detail()["open_tasks"] == [] and d.transfer_detail()["status"] == "pending"
    d.at("2026-10-10T09:00")
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                         "procuratorate": "楚雄市人民检察院", "handed_over_at": "2026-10-10T09:00:00+08:00"})
    _police_open_and_judge(d)
    assert d.open_steps() == ["draft_closure_report"]
    d.complete("draft_closure_report", {"closure_reason": "partly_transferred_executed",
                                        "closure_summary": "主要负责人移送公安机关已判决；单位罚款已缴清"})
    assert d.open_steps() == ["approve_closure"]
    assert t["transfer_number"] == d.detail()["data"]["transfer_number"]


def test_a_case_without_a_partial_transfer_cannot_close_as_one(d):
    d.filed_and_investigated()
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "penalty", "penalty_types": ["warning"]}]})
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-21T15:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    d.complete("record_disclosure", {"disclosure_publish": True})
    body = d.complete("draft_closure_report", {"closure_reason": "partly_transferred_executed",
                                               "closure_summary": "执行完毕"}, expect=422)
    assert "没有部分移送" in body["details"]["closure_reason"][0]


def _decided_and_paid(d, amount=30000):
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": amount})
    d.complete("record_disclosure", {"disclosure_publish": True})


def _case(d, case_id):
    return d.client("supervisor1").get(f"/api/v1/cases/{case_id}").get_json()


def test_a_refused_partial_transfer_is_decided_in_a_case_of_its_own_and_this_case_goes_on(d):
    t = _reported(d)
    d.at("2026-09-21T15:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": False, "approval_opinion": "不同意",
                                "refusal_reasons": "现实危险证据不足，依法给予行政处罚"}, username="head1")
    detail = d.transfer_detail()
    assert detail["status"] == "refused" and detail["returned_case_id"]
    # violation 1 is decided in a case of its own, filed from this one; this case is not sent back to its report
    split = _case(d, detail["returned_case_id"])
    assert split["stage"] == ["立案登记"] and split["source"] == "inspection"
    assert split["data"]["split_from_case"] == d.case["case_number"]
    assert [v["description"] for v in split["data"]["violations"]] == [TWO["violations"][0]["description"]]
    assert d.open_steps() == ["notify_intended_penalty"]
    case = d.detail()
    assert case["waiting"] == [] and case["source"] == "inspection"
    assert "transfer_split_case_filed" in [e["action"] for e in case["timeline"]]
    _notified_and_heard(d)
    _decided_and_paid(d)
    assert d.open_steps() == ["draft_closure_report"]
    # nothing of this case went to the police in the end
    body = d.complete("draft_closure_report", {"closure_reason": "partly_transferred_executed",
                                               "closure_summary": "x"}, expect=422)
    assert "没有部分移送" in body["details"]["closure_reason"][0]
    d.complete("draft_closure_report", {"closure_reason": "executed",
                                        "closure_summary": f"第2项罚款已缴清；第1项不予移送，另案（{split['case_number']}）处理"})
    assert t["transfer_number"] == d.detail()["data"]["transfer_number"]


def test_conduct_the_police_send_back_after_the_rest_was_executed_goes_to_a_case_of_its_own(d):
    _reported(d)
    d.at("2026-09-21T15:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                         "procuratorate": "楚雄市人民检察院", "handed_over_at": "2026-09-21T15:00:00+08:00"})
    _notified_and_heard(d)
    _decided_and_paid(d)
    assert d.detail()["open_tasks"] == []
    d.at("2026-10-12T10:00")
    d.police("received")
    d.police("returned", note="不构成犯罪，依法应当追究行政责任，退回处理")
    detail = d.transfer_detail()
    assert detail["status"] == "returned"
    split = _case(d, detail["returned_case_id"])
    assert split["source"] == "returned_by_police" and split["stage"] == ["立案登记"]
    # this case has made its decision: it closes, it is not decided again
    assert d.open_steps() == ["draft_closure_report"]
    assert d.detail()["source"] == "inspection"


def test_a_violation_not_punished_gets_its_decision_while_the_other_is_with_the_police(d):
    first = {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "transfer"}, {"violation_index": 2, "outcome": "no_penalty_first"}]}
    _reported(d, report=first)
    assert d.transfer_detail()["data"]["transferred_violations"] == [1]
    # 不予行政处罚决定 for violation 2 at once, beside the wait for the transfer
    assert d.open_steps() == ["draft_no_penalty_decision"]
    assert [w["bpmn_id"] for w in d.detail()["waiting"]] == ["await_transfer"]
    d.at("2026-09-22T09:00")
    d.complete("draft_no_penalty_decision", {"no_penalty_reason": "first_violation",
                                             "no_penalty_facts": "初次违法且危害后果轻微并及时改正",
                                             "no_penalty_basis": "《行政处罚法》第三十三条第一款"})
    d.complete("approve_no_penalty", {"no_penalty_approved": True})
    d.complete("serve_no_penalty_decision", {"served_at": "2026-09-23T10:00:00+08:00", "service_method": "direct",
                                             "recipient": "张三"})
    assert d.detail()["open_tasks"] == [] and d.detail()["status"] == "open"
    d.at("2026-09-24T09:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                         "procuratorate": "楚雄市人民检察院", "handed_over_at": "2026-09-24T09:00:00+08:00"})
    _police_open_and_judge(d)
    assert d.open_steps() == ["draft_closure_report"]
    body = d.complete("draft_closure_report", {"closure_reason": "partly_transferred_executed",
                                               "closure_summary": "x"}, expect=422)
    assert "未作出行政处罚决定" in body["details"]["closure_reason"][0]
    d.complete("draft_closure_report", {"closure_reason": "partly_transferred_no_penalty",
                                        "closure_summary": "第1项移送公安机关已判决；第2项不予行政处罚"})
    assert d.open_steps() == ["approve_closure"]


def test_a_new_report_while_the_transfer_runs_is_what_the_closed_case_keeps(d):
    """The heads send the decision back and the handler lowers the fine on violation 2 while violation 1 is with
    the police: one transfer, one wait, and when the branches meet the case keeps the new report, not the one the
    transfer started from."""
    _reported(d, complex_case=True)
    _notified_and_heard(d)
    d.complete("prepare_collective_discussion", {"ballot_proposal": "第2项罚款三万元", "online_vote": False})
    d.record_discussion("rejected")
    lower = {"facts": "经查属实，当事人已整改", "proposals": [
        {"violation_index": 1, "outcome": "transfer"},
        {"violation_index": 2, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 20000}]}
    d.complete("investigation_report", lower)
    d.complete("legal_review", review("pass", "同意"))
    assert d.open_steps() == ["notify_intended_penalty"]
    assert [w["bpmn_id"] for w in d.detail()["waiting"]] == ["await_transfer"]
    assert len(d.client("supervisor1").get("/api/v1/transfers").get_json()["items"]) == 1
    d.at("2026-09-25T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-25T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("prepare_collective_discussion", {"ballot_proposal": "第2项罚款二万元", "online_vote": False})
    d.record_discussion("passed")
    _decided_and_paid(d, amount=20000)
    d.at("2026-10-10T09:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    d.step("hand_over", {"materials": MATERIALS, "police_bureau": "楚雄市公安局", "procuratorate_copied": True,
                         "procuratorate": "楚雄市人民检察院", "handed_over_at": "2026-10-10T09:00:00+08:00"})
    _police_open_and_judge(d)
    assert d.open_steps() == ["draft_closure_report"]
    data = d.detail()["data"]
    assert data["total_fine"] == 20000 and data["facts"] == "经查属实，当事人已整改"
    assert [p.get("fine_amount") for p in data["proposals"]] == [None, 20000]
    assert (data["transfer_result"], data["paid"], data["amount_paid"]) == ("criminal", True, 20000)


def test_a_refused_transfer_of_the_principal_leaves_the_company_fined_here_and_files_nothing_against_it(d):
    one = {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "transfer"},
        {"violation_index": 1, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 20000}]}
    _reported(d, filing=FILING, report=one)
    d.at("2026-09-21T15:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": False, "approval_opinion": "不同意",
                                "refusal_reasons": "现实危险证据不足"}, username="head1")
    # the company is punished in this case for violation 1: no second case against it; the person's conduct is
    # left for the handler to file, and the timeline says so
    assert d.transfer_detail()["returned_case_id"] is None
    [event] = [e for e in d.detail()["timeline"] if e["action"] == "case_return_needs_filing"]
    assert event["details"]["violations"] == [1]
    assert d.open_steps() == ["notify_intended_penalty"]
    _notified_and_heard(d)
    d.complete("draft_decision", DECISION)  # nothing is pending any more
    assert d.open_steps() == ["approve_decision"]


def test_the_split_leaves_no_working_names_in_the_case_data(d):
    _reported(d)
    data = d.detail()["data"]
    assert not {"name", "rest", "key", "k"} & set(data)
