"""Whole penalty cases through the BPMN, over the HTTP API, as the users who do each step, with the clock
moved (DOMAIN.md: the lifecycle and the deadline table)."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal, review


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def test_the_standard_penalty_path_with_every_deadline(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    # The filing task waits in the handlers' queue of the unit, nowhere else.
    assert d.queue("handler1") == ["draft_filing"] and d.queue("handler2") == ["draft_filing"]
    assert d.queue("supervisor1") == [] and d.queue("reviewer1") == []
    d.complete("draft_filing", FILING)
    assert d.queue("supervisor1") == ["approve_filing"] and d.queue("handler1") == []
    d.complete("approve_filing", {"filing_approved": True})
    # 行政处罚法 Art 60: 90 calendar days from filing (21 Sep) end on Sunday 20 Dec -> Monday 21 Dec.
    assert d.due("investigate") == ("2026-12-21T16:00:00+00:00", "decision_after_filing")
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000))
    assert d.open_steps() == ["notify_intended_penalty"]  # no legal review, hearing or committee for 5,000 yuan
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    # Statement window: 3 working days from Thu 24 Sep; 25-27 Sep are the Mid-Autumn holiday -> 28, 29, 30 Sep.
    assert d.due("record_statements") == ("2026-09-30T16:00:00+00:00", "statement_window")
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    # DOMAIN.md's example: decided Monday 28 Sep, 1-7 Oct are holidays, Sat 10 Oct is worked -> Tue 13 Oct.
    assert d.due("serve_decision") == ("2026-10-13T16:00:00+00:00", "service_of_decision")
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    # Disclosure within 7 working days of the decision (安全生产法 Art 78); payment within 15 days of service.
    assert d.due("record_disclosure") == ("2026-10-13T16:00:00+00:00", "disclosure")
    assert d.due("record_payment") == ("2026-10-14T16:00:00+00:00", "payment")
    detail = d.detail()
    assert {x["rule_id"] for x in detail["deadlines"]} >= {"disclosure", "payment"}
    assert all(x["legal_basis"] for x in detail["deadlines"] if x["rule_id"])
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T10:00:00+08:00", "amount_paid": 5000})
    d.complete("record_disclosure", {"disclosure_publish": True})  # the reviewer confirms the redacted draft
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"})
    d.complete("approve_closure", {"closure_approved": True})
    d.complete("archive", {"archive_number": "A-2026-001", "archived_at": "2026-10-15T10:00:00+08:00"})
    detail = d.detail()
    assert detail["status"] == "closed" and detail["open_tasks"] == []
    actions = [e["action"] for e in detail["timeline"]]
    assert actions[0] == "process_started" and "case_filed" in actions
    # The archive step ends the process; its step then orders the case file (案卷), the last event of the record
    # (its PDF is drawn just after, by the scheduler or the first download).
    assert actions[-2:] == ["process_completed", "case_file_ordered"]
    assert actions.count("task_completed") == 14


def test_the_case_tasks_are_the_open_tasks_of_the_case_detail(driver):
    d = driver.at("2026-09-21T09:00")
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(5000))
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    url = f"/api/v1/cases/{d.case['id']}/tasks"
    for username in ("handler1", "supervisor1", "city_supervisor"):  # the case's unit, and the one above it
        body = d.client(username).get(url).get_json()
        assert body == {"items": d.detail(username)["open_tasks"], "total": 1}
    (task,) = body["items"]
    assert (task["bpmn_id"], task["due_at"]) == ("record_statements", "2026-09-30T16:00:00+00:00")
    assert task["due_rule"]["rule_id"] == "statement_window"
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    assert [t["bpmn_id"] for t in d.client("handler1").get(url).get_json()["items"]] == ["draft_decision"]
    assert d.client("handler1").get("/api/v1/cases/999999/tasks").status_code == 404


def test_filing_needs_two_handlers_of_the_unit(driver):
    d = driver.at("2026-10-12T09:00")
    d.file()
    body = d.complete("draft_filing", {**FILING, "handlers": ["handler1", "handler1"]}, expect=422)
    assert "handlers" in body["details"]
    body = d.complete("draft_filing", {**FILING, "handlers": ["handler1", "reviewer1"]}, expect=422)
    assert "reviewer1" in body["details"]["handlers"][0]
    d.complete("draft_filing", FILING)


def test_a_first_violation_is_not_punished_and_the_case_closes(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="no_penalty_first"))
    assert d.open_steps() == ["draft_no_penalty_decision"]
    d.complete("draft_no_penalty_decision", {"no_penalty_reason": "first_violation", "no_penalty_facts": "初次违法且危害后果轻微并及时改正",
                                             "no_penalty_basis": "《行政处罚法》第三十三条第一款"})
    d.complete("approve_no_penalty", {"no_penalty_approved": True})
    assert d.open_steps() == ["serve_no_penalty_decision"]


def test_facts_not_established_end_in_a_decision_of_their_own(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="not_established"))
    assert d.open_steps() == ["draft_no_penalty_decision"]
    assert d.detail()["data"]["case_outcome"] == "not_established"


def test_legal_review_returns_the_case_and_then_passes_it(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))  # >= 30,000 yuan for an organisation: major
    assert d.open_steps() == ["legal_review"]
    assert d.queue("reviewer1") == ["legal_review"] and d.queue("handler1") == []
    body = d.complete("legal_review", review("return", "证据不足"),
                      expect=422)
    assert "legal_review_reasons" in body["details"]
    d.complete("legal_review", review("return", "证据不足", reasons="缺少检测报告"))
    assert d.open_steps() == ["investigate"]
    d.complete("investigate", {"evidence": [{"type": "document", "description": "检测报告",
                                             "collected_at": "2026-09-25T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    assert d.open_steps() == ["notify_intended_penalty"]


def test_the_hearing_path_requested_in_time(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    # Hearing-eligible: the 5 working days of 行政处罚法 Art 64 skip Mid-Autumn and National Day:
    # 28, 29, 30 Sep, 8, 9 Oct.
    assert d.due("record_statements") == ("2026-10-09T16:00:00+00:00", "hearing_request")
    d.complete("record_statements", {"statement_made": False, "waived": False, "hearing_requested": True,
                                     "hearing_requested_at": "2026-10-09T17:00:00+08:00"})
    assert d.open_steps() == ["prepare_hearing"]
    hearing = {"hearing_at": "2026-10-19T09:00:00+08:00", "hearing_location": "局三楼会议室",
               "hearing_chair": "handler1", "hearing_notice_sent_at": "2026-10-09T09:00:00+08:00"}
    body = d.complete("prepare_hearing", hearing, expect=422)
    assert set(body["details"]) == {"hearing_chair", "hearing_at"}  # an investigator; less than 7 working days
    d.complete("prepare_hearing", {**hearing, "hearing_chair": "supervisor1", "hearing_at": "2026-10-20T09:00:00+08:00"})
    d.complete("record_hearing", {"hearing_held_at": "2026-10-20T09:00:00+08:00", "hearing_record": "笔录"})
    assert d.open_steps() == ["legal_review_after_hearing"]


def test_a_hearing_requested_too_late_is_refused(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    body = d.complete("record_statements", {"statement_made": False, "waived": False, "hearing_requested": True,
                                            "hearing_requested_at": "2026-10-10T09:00:00+08:00"}, expect=422)
    assert "2026-10-09" in body["message"]
    assert d.open_steps() == ["record_statements"]


def test_statements_may_never_raise_the_penalty(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": True, "statement": "申辩", "statement_review": "复核",
                                     "statement_points": [{"point": "已整改", "review": "属实，但不影响定性",
                                                           "adopted": False}],
                                     "waived": False, "hearing_requested": False})
    assert d.committee_decides("disagree")["result"] == "rejected"
    assert d.open_steps() == ["investigation_report"]
    body = d.complete("investigation_report", fine_proposal(60000), expect=422)
    assert "第四十五条" in body["message"]
    body = d.complete("investigation_report", fine_proposal(50000, types=("fine", "suspension")), expect=422)
    assert "suspension" in body["details"]["proposals"][0]
    d.complete("investigation_report", fine_proposal(40000))


def _served_with_fine(d, fine=5000):
    d.complete("investigation_report", fine_proposal(fine))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})


def test_an_unpaid_fine_accrues_the_surcharge_up_to_the_fine(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)
    assert d.due("record_payment")[0] == "2026-10-14T16:00:00+00:00"  # 15 days from service on 29 Sep
    d.at("2026-10-14T18:00")
    assert d.detail()["surcharge"] is None  # still within the 15th day
    d.at("2026-10-15T09:00")
    assert (d.detail()["surcharge"]["days_late"], d.detail()["surcharge"]["amount"]) == (1, 150.0)
    d.at("2026-10-24T09:00")
    assert (d.detail()["surcharge"]["days_late"], d.detail()["surcharge"]["amount"]) == (10, 1500.0)
    d.at("2026-11-20T09:00")
    surcharge = d.detail()["surcharge"]
    assert (surcharge["amount"], surcharge["capped"]) == (5000.0, True)  # 37 days x 3 % would exceed the fine
    d.complete("record_payment", {"paid": False})
    assert d.open_steps() == ["payment_demand", "record_disclosure"]


def test_an_overdue_decision_warns_then_escalates_to_the_county_then_the_city(driver, sweep):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    alerts = lambda user: [(a["level"], a["task_name"]) for a in d.client(user).get("/api/v1/alerts").get_json()["items"]]
    d.at("2026-12-11T23:00")
    sweep()
    assert alerts("handler1") == [] and alerts("supervisor1") == []
    d.at("2026-12-12T00:01")  # 240 hours before the deadline: the handlers of the unit are warned
    sweep()
    assert alerts("handler1") == [("warning", "调查取证")] and alerts("handler2") == [("warning", "调查取证")]
    assert alerts("supervisor1") == []
    d.at("2026-12-22T00:01")  # the 90 days are over: level 1 to the county's supervisors
    sweep()
    assert alerts("supervisor1") == [("escalation1", "调查取证")]
    assert alerts("city_supervisor") == [] and alerts("province_supervisor") == []
    d.at("2026-12-29T00:01")  # a week later: level 2 to the city above
    sweep()
    assert alerts("city_supervisor") == [("escalation2", "调查取证")]
    assert alerts("province_supervisor") == []
    overdue = d.client("supervisor1").get("/api/v1/cases?overdue=true").get_json()
    assert [c["id"] for c in overdue["items"]] == [d.case["id"]]


def test_an_approved_extension_moves_the_decision_deadline_now_and_later(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    case_id = d.case["id"]
    assert d.client("supervisor1").post(f"/api/v1/cases/{case_id}/extension",
                                        json={"days": 30, "reason": "案情复杂"}).status_code == 403
    response = d.client("head1").post(f"/api/v1/cases/{case_id}/extension", json={"days": 30, "reason": "案情复杂"})
    assert response.status_code == 200, response.get_json()
    assert d.due("investigate") == ("2027-01-20T16:00:00+00:00", "decision_after_filing")
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-22T10:00:00+08:00"}]})
    # A task reached after the extension is due at the extended time as well.
    assert d.due("investigation_report") == ("2027-01-20T16:00:00+00:00", "decision_after_filing")
    assert "deadline_extended" in [e["action"] for e in d.detail()["timeline"]]


def _suspended_on_12_october(driver):
    """Filed and approved on 21 Sep 2026 (decision due 21 Dec), suspended by the principal head on 12 Oct."""
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-10-12T09:00")
    assert d.client("head1").post(f"/api/v1/cases/{d.case['id']}/suspend",
                                  json={"reason": "等待司法鉴定"}).status_code == 200
    return d, d.case["id"]


def test_a_suspension_pauses_the_decision_deadline(driver, sweep):
    d, case_id = _suspended_on_12_october(driver)
    assert d.detail()["status"] == "suspended"
    d.at("2026-12-25T09:00")  # past the original deadline: nothing fires while suspended
    sweep()
    assert d.client("supervisor1").get("/api/v1/alerts").get_json()["items"] == []
    assert d.client("head1").post(f"/api/v1/cases/{case_id}/resume", json={"reason": "鉴定完成"}).status_code == 200
    # Suspended for 74 days: the deadline moves from 21 Dec 2026 to 5 Mar 2027.
    assert d.due("investigate")[0] == "2027-03-05T16:00:00+00:00"
    assert {"case_suspended", "case_resumed"} <= {e["action"] for e in d.detail()["timeline"]}


def test_a_step_done_during_a_suspension_keeps_its_deadline_paused(driver, sweep):
    """The handler finishes the investigation while the case is suspended: the report's decision-deadline
    timers (counted from the filing) are parked too, nothing fires, and the resumption moves them as well."""
    d, case_id = _suspended_on_12_october(driver)
    d.at("2026-10-20T09:00")
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-22T10:00:00+08:00"}]})
    d.at("2026-12-25T09:00")  # past the original 21 December deadline
    sweep()
    assert d.client("supervisor1").get("/api/v1/alerts").get_json()["items"] == []
    assert d.client("handler1").get("/api/v1/alerts").get_json()["items"] == []
    assert d.client("head1").post(f"/api/v1/cases/{case_id}/resume", json={"reason": "鉴定完成"}).status_code == 200
    # 74 days suspended: the report is due on 5 March 2027, like the investigation would have been.
    assert d.due("investigation_report") == ("2027-03-05T16:00:00+00:00", "decision_after_filing")


def test_a_suspected_crime_waits_for_the_transfer(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="transfer"))
    assert d.open_steps() == ["legal_review"]
    d.complete("legal_review", review("pass", "同意移送"))
    # nobody has a task: the case waits for the transfer's result (a message), and says so
    assert d.open_steps() == []
    detail = d.detail()
    assert detail["stage"] == ["等待移送结果"] and detail["waiting"][0]["bpmn_id"] == "await_transfer"
    assert detail["data"]["case_outcome"] == "transfer"


def test_a_decision_deadline_across_the_2026_spring_festival(driver):
    d = driver.filed_and_investigated(filed_at="2026-02-10T09:00")
    d.complete("investigation_report", fine_proposal(5000))
    d.at("2026-02-12T15:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-02-12T15:00:00+08:00", "hearing_offered": False})
    # 3 working days from Thu 12 Feb: Fri 13, Sat 14 (make-up working day); 15-23 Feb off; Tue 24 Feb.
    assert d.due("record_statements") == ("2026-02-24T16:00:00+00:00", "statement_window")


def test_a_deadline_in_2027_is_provisional_until_the_year_is_imported(driver):
    d = driver.filed_and_investigated(filed_at="2026-12-01T09:00")
    task = d.open_task("investigation_report")
    assert (task["due_at"], task["due_provisional"]) == ("2027-03-01T16:00:00+00:00", True)


def test_each_violation_gets_its_own_proposal(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    two = {**FILING, "violations": FILING["violations"] + [{"description": "未按规定开展安全培训",
                                                             "provision": "《安全生产法》第二十八条"}]}
    d.complete("draft_filing", two)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    body = d.complete("investigation_report", fine_proposal(5000), expect=422)
    assert "proposals" in body["details"]
    both = fine_proposal(5000)
    both["proposals"].append({"violation_index": 2, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 3000})
    d.complete("investigation_report", both)
    assert d.detail()["data"]["total_fine"] == 8000


def test_supervisors_list_escalations_of_their_unit_tree_by_level(driver, sweep):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-12-22T00:01")
    sweep()
    city = d.client("city_supervisor")
    everything = city.get("/api/v1/alerts?scope=units").get_json()["items"]
    assert sorted(a["level"] for a in everything) == ["escalation1", "warning"]
    only = city.get("/api/v1/alerts?scope=units&level=escalation1").get_json()["items"]
    assert [(a["level"], a["unit_id"]) for a in only] == [("escalation1", d.case["unit_id"])]
    assert d.client("handler1").get("/api/v1/alerts?scope=units").status_code == 403


def test_preserved_evidence_needs_a_decision_within_seven_working_days(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-09-28T10:00")
    d.preserve()  # the head approves the preservation during the investigation (行政处罚法 Art 56)
    assert d.open_steps() == ["decide_preserved_evidence", "investigate"]
    assert d.detail()["data"]["preserved_at"] == "2026-09-28T02:00:00+00:00"
    # 行政处罚法 Art 56, 85: 7 working days from Mon 28 Sep; 1-7 Oct are holidays, Sat 10 Oct is worked:
    # 29, 30 Sep, 8, 9, 10, 12, 13 Oct.
    assert d.due("decide_preserved_evidence") == ("2026-10-13T16:00:00+00:00", "evidence_preservation")
    d.complete("decide_preserved_evidence", {"preservation_decision": "transfer_to_expert",
                                             "preservation_decided_at": "2026-10-09T10:00:00+08:00"})
    assert d.open_steps() == ["investigate"]


def test_a_deferral_needs_the_supervisors_approval(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)
    d.complete("record_payment", {"paid": False, "deferral_requested": True, "deferral_reason": "经营困难"})
    # 行政处罚法 Art 66: deferral or instalments only with the department's approval.
    assert d.open_steps() == ["approve_payment_deferral", "record_disclosure"]
    assert d.queue("supervisor1") == ["approve_payment_deferral"]
    assert d.queue("handler1") == [] and d.queue("reviewer1") == ["record_disclosure"]  # the reviewer publishes
    body = d.complete("approve_payment_deferral", {"deferral_approved": True}, expect=422)
    assert "deferral_until" in body["details"]
    d.complete("approve_payment_deferral", {"deferral_approved": True, "instalments": True,
                                            "deferral_until": "2026-12-31T17:00:00+08:00",
                                            "deferral_opinion": "同意分两期缴纳"})
    assert d.open_steps() == ["record_disclosure", "record_payment"]
    assert d.queue("supervisor1") == []
    # No surcharge runs until the approved date.
    d.at("2026-12-20T09:00")
    assert d.detail()["surcharge"] is None
    d.complete("record_payment", {"paid": True, "paid_at": "2026-12-30T10:00:00+08:00", "amount_paid": 5000})
    assert d.open_steps() == ["record_disclosure"]
    data = d.detail()["data"]
    assert (data["deferral_approved"], data["instalments"], data["deferral_requested"]) == (True, True, False)


def test_an_unpaid_fine_is_demanded_after_thirty_days_and_the_enforcement_window_is_shown(driver):
    d = driver.filed_and_investigated()
    _served_with_fine(d)  # served Tue 29 Sep: payment due on Wed 14 Oct
    d.complete("record_payment", {"paid": False})
    assert d.open_steps() == ["payment_demand", "record_disclosure"]
    # 行政强制法 Art 45, 46: 30 calendar days after the payment period (ended 14 Oct) end on Saturday 14 Nov,
    # not a working day -> Monday 16 Nov.
    assert d.due("payment_demand") == ("2026-11-16T16:00:00+00:00", "payment_demand")
    deadlines = {(x["timer"], x["rule_id"]) for x in d.detail()["deadlines"]}
    # The court-enforcement window (行政强制法 Art 53) shows while the demand is open.
    assert ("remind_enforcement_payment_demand", "enforcement_application") in deadlines
    assert {("warn_payment_demand", "payment_demand"), ("due_payment_demand", "payment_demand"),
            ("esc2_payment_demand", "payment_demand")} <= deadlines


def test_a_suspected_crime_is_legally_reviewed_before_it_waits_for_the_transfer(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="transfer"))
    assert d.open_steps() == ["legal_review"]
    assert d.queue("reviewer1") == ["legal_review"] and d.queue("handler1") == []
    d.complete("legal_review", review("pass", "涉嫌危险作业罪，同意移送"))
    assert d.open_steps() == [] and d.detail()["stage"] == ["等待移送结果"]
    assert d.queue("handler1") == []  # a step nobody can do is in nobody's queue


def test_a_no_penalty_decision_is_served_within_seven_working_days(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="no_penalty_first"))
    d.complete("draft_no_penalty_decision", {"no_penalty_reason": "first_violation", "no_penalty_facts": "初次违法且危害后果轻微并及时改正",
                                             "no_penalty_basis": "《行政处罚法》第三十三条第一款"})
    d.at("2026-09-28T10:00")
    d.complete("approve_no_penalty", {"no_penalty_approved": True})
    assert d.detail()["data"]["no_penalty_decided_at"].startswith("2026-09-28T02:00:00")
    # Like a penalty decision (行政处罚法 Art 61, 85): from Mon 28 Sep, 1-7 Oct off, Sat 10 Oct worked -> Tue 13 Oct.
    assert d.due("serve_no_penalty_decision") == ("2026-10-13T16:00:00+00:00", "service_of_decision")
    d.complete("serve_no_penalty_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct",
                                             "recipient": "张三"})
    assert d.open_steps() == ["draft_closure_report"]


def test_an_approved_deferral_moves_the_payment_deadline(driver, sweep):
    d = driver.filed_and_investigated()
    _served_with_fine(d)
    d.complete("record_payment", {"paid": False, "deferral_requested": True, "deferral_reason": "经营困难"})
    d.at("2026-10-20T09:00")  # approved after the statutory period ended on 14 Oct
    d.complete("approve_payment_deferral", {"deferral_approved": True, "instalments": False,
                                            "deferral_until": "2026-12-31T17:00:00+08:00", "deferral_opinion": "同意"})
    assert d.due("record_payment") == ("2026-12-31T09:00:00+00:00", "payment")
    sweep()
    assert [a for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
            if a["task_name"] == "缴纳罚款"] == []
    d.at("2027-01-01T09:00")
    sweep()
    assert ("escalation1", "缴纳罚款") in [(a["level"], a["task_name"])
                                          for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]]


def test_a_paid_fine_stays_paid_when_a_deadline_fires_in_the_disclosure_branch(driver, sweep):
    d = driver.filed_and_investigated()
    _served_with_fine(d)
    d.at("2026-09-30T10:00")
    d.complete("record_payment", {"paid": True, "paid_at": "2026-09-30T09:00:00+08:00", "amount_paid": 5000})
    assert d.open_steps() == ["record_disclosure"]  # the payment branch waits at the join
    # the disclosure's warning and deadline fire in the other branch, after the 15 days of payment have passed
    d.at("2026-10-20T09:00")
    sweep()
    detail = d.detail()
    assert detail["data"]["paid"] is True and detail["data"]["amount_paid"] == 5000
    assert detail["surcharge"] is None  # no late-payment surcharge on a fine that was paid
