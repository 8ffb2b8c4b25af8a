"""Criminal transfers (行刑衔接, 国务院令第310号) and crime screening (刑法 Art 134-1) through the HTTP API with the
clock moved; the police's answers recorded by a handler or posted by the integration account."""
from __future__ import annotations

import csv
import io

import pytest

from .case_driver import DECISION, FILING, fine_proposal, review
from .transfer_driver import MATERIALS, REPORT, STOP, TransferDriver


@pytest.fixture
def d(login):
    return TransferDriver(login, login("admin"))


def _failed_order_with_stop(d):
    d.at("2026-10-12T09:00")
    order = d.issue("2026-10-19", stop_order=STOP)
    d.at("2026-10-19T10:00")
    d.do(order["instance_id"], "await_rectification", {"applied_at": "2026-10-19T09:00:00+08:00"}, "handler1")
    d.at("2026-10-20T10:00")
    d.reinspect("failed", "2026-10-20T09:30", order_still_refused=True,
                proof_of_non_compliance=[{"type": "photo", "description": "中转库仍在使用"}])
    return order


def test_screening_suggests_situation_2_after_a_refused_stop_order(d, sweep):
    d.at("2026-10-12T09:00")
    order = d.issue("2026-10-16", stop_order=STOP)
    d.at("2026-10-17T08:00")
    sweep()  # the deadline passed without an application
    d.reinspect("failed", "2026-10-17T07:30", order_still_refused=True,
                proof_of_non_compliance=[{"type": "photo", "description": "中转库仍在使用"}])
    response = d.client("handler1").post("/api/v1/screenings", json={
        "rectification_id": order["id"], "real_danger_facts": "超量储存成品，距居民区不足百米"})
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["suggest_transfer"] is True
    assert [m["situation"] for m in result["matches"]] == ["2"]
    assert result["matches"][0]["suggested_charge"] == "危险作业罪"
    assert "refused_stop_order" in result["derived_from_record"]
    assert "由负责人决定" in result["note"]  # it suggests; people decide
    # Nothing recorded → nothing suggested; an accident with casualties → the accident crimes.
    empty = d.client("handler1").post("/api/v1/screenings", json={}).get_json()["result"]
    assert empty["suggest_transfer"] is False and empty["matches"] == []
    accident = d.client("handler1").post("/api/v1/screenings", json={
        "deaths": 1, "monitoring_disabled": True, "real_danger_facts": "关闭可燃气体报警器"}).get_json()["result"]
    assert sorted(m["situation"] for m in accident["matches"]) == ["1", "accident"]
    assert d.client("supervisor1").post("/api/v1/screenings", json={}).status_code == 403


def test_a_transfer_approved_handed_over_the_police_open_the_case_and_the_evidence_is_handed_over(d, login, sweep):
    order = _failed_order_with_stop(d)
    t = d.open_transfer(rectification_id=order["id"])
    # the order, re-inspection and proof travel with the transfer
    assert t["stage"] == "report" and t["data"]["rectification"]["stop_order"] == STOP
    d.at("2026-10-20T11:00")
    body = d.step("draft_transfer_report", {**REPORT, "team": ["handler1"]}, expect=422)
    assert "team" in body["details"]  # 国务院令310 Art 5: two or more officers
    d.step("draft_transfer_report", REPORT)
    # only the principal head approves (正职负责人 lane)
    assert [t["bpmn_id"] for t in d.tasks_of(t["instance_id"], "head1")] == ["approve_transfer"]
    assert d.tasks_of(t["instance_id"], "handler1") == []
    detail = d.transfer_detail()
    assert detail["stage"] == "approval"
    # 3 days from the report (Tue 20 Oct) → Fri 23 Oct, 24:00
    assert (detail["next_deadline"]["due_at"], detail["next_deadline"]["rule_id"]) == \
        ("2026-10-23T16:00:00+00:00", "transfer_approval")
    d.at("2026-10-21T09:00")
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    detail = d.transfer_detail()
    assert detail["stage"] == "handover"
    assert detail["next_deadline"]["due_at"] == "2026-10-22T01:00:00+00:00"  # 24 hours after the approval
    d.handed_over("2026-10-21T15:00")
    assert d.transfer_detail()["stage"] == "police_review"
    # the police's own system answers with the integration account's token
    gateway = login("police_gateway")
    assert gateway.post(f"/api/v1/transfers/{t['id']}/police-answers", json={"kind": "judgment"}).status_code == 409
    response = gateway.post(f"/api/v1/transfers/{t['id']}/police-answers",
                            json={"kind": "received", "document_number": "楚公受〔2026〕8号"})
    assert response.status_code == 201, response.get_json()
    d.at("2026-10-22T10:00")
    detail = d.police("case_opened", note="决定立案侦查")
    assert detail["stage"] == "evidence_handover"
    assert [(a["kind"], a["via"]) for a in detail["police_answers"]] == [("received", "integration"),
                                                                          ("case_opened", "handler")]
    # 国务院令310 Art 12: evidence within 3 days of the opening notice (Thu 22 Oct → Sun 25 → Mon 26 Oct)
    assert detail["next_deadline"]["rule_id"] == "evidence_handover"
    assert detail["next_deadline"]["due_at"] == "2026-10-26T16:00:00+00:00"
    d.at("2026-10-23T09:00")
    d.step("hand_over_evidence", {"evidence_handed_over_at": "2026-10-23T09:00:00+08:00", "evidence_items": "现场照片、检查记录"})
    detail = d.transfer_detail()
    assert detail["stage"] == "criminal_proceedings" and detail["next_deadline"]["rule_id"] == "police_followup"
    # followed up at the configured interval (30 days by default): the handler is asked for the progress
    assert detail["next_deadline"]["due_at"] == "2026-11-23T16:00:00+00:00"
    d.at("2026-11-24T09:00")
    sweep()
    assert d.transfer_steps() == ["follow_up"]
    d.step("follow_up", {"progress_answer": {"kind": "stage", "stage": "prosecution", "note": "已移送审查起诉"}})
    detail = d.transfer_detail()
    assert detail["stage"] == "criminal_proceedings" and detail["next_deadline"]["due_at"] == "2026-12-24T16:00:00+00:00"
    d.police("judgment", note="以危险作业罪判处有期徒刑六个月")
    # after the judgment the department still acts where the law says so (安全生产法 Art 94 and others)
    assert d.transfer_detail()["stage"] == "after_judgment" and d.transfer_steps() == ["act_after_judgment"]
    d.step("act_after_judgment", {"judgment_summary": "判处有期徒刑六个月", "post_judgment_actions": [
        {"action": "principal_bar", "handling": "已通报主要负责人五年内不得担任主要负责人"}]})
    detail = d.transfer_detail()
    assert (detail["status"], detail["stage"]) == ("concluded", "concluded")
    # an integration account answers; it does not open transfers
    assert gateway.post("/api/v1/transfers", json={"summary": "x"}).status_code == 403


def test_a_refusal_needs_reasons_and_the_case_continues_administratively(d):
    t = _case_waiting_for_its_transfer(d)
    # 不得以行政处罚代替移送: the case opened the transfer itself and waits for its result (等待移送结果, a message
    # catch event): no task in anybody's queue, but the case says where it stands
    assert d.open_steps() == [] and d.queue("handler1") == [] and d.queue("supervisor1") == []
    assert t["case_number"] == d.case["case_number"] and t["stage"] == "report"
    case = d.detail()
    assert case["stage"] == ["等待移送结果"]
    [waiting] = case["waiting"]
    assert (waiting["bpmn_id"], waiting["message"], waiting["transfer_number"], waiting["transfer_stage"]) == \
        ("await_transfer", "transfer_result", t["transfer_number"], "report")
    assert waiting["next_deadline"] is None  # the report has no deadline of its own; the approval's comes next
    d.step("draft_transfer_report", REPORT)
    body = d.step("approve_transfer", {"transfer_approved": False, "approval_opinion": "不同意"}, username="head1",
                  expect=422)
    assert "refusal_reasons" in body["details"]
    d.step("approve_transfer", {"transfer_approved": False, "approval_opinion": "不同意",
                                "refusal_reasons": "现实危险证据不足，依法给予行政处罚"}, username="head1")
    detail = d.transfer_detail()
    assert (detail["status"], detail["stage"]) == ("refused", "refused")
    # the penalty case decides the penalty again from the investigation report
    assert d.open_steps() == ["investigation_report"]
    assert d.detail()["data"]["transfer_refusal_reasons"] == "现实危险证据不足，依法给予行政处罚"


def test_the_police_do_not_open_the_case_reconsideration_requested_and_decided(d, sweep):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某矿业有限公司", party_type="organisation")
    d.reported_and_approved("2026-10-12T09:00")
    d.handed_over("2026-10-12T15:00")
    d.at("2026-10-13T10:00")
    d.police("received")
    d.at("2026-10-14T10:00")
    detail = d.police("not_opened", document_number="楚公不立〔2026〕3号")
    assert detail["stage"] == "not_opened"
    # 国务院令310 Art 9: 3 days to ask for reconsideration (Wed 14 Oct → Sat 17 → Mon 19 Oct, next working day)
    assert (detail["next_deadline"]["rule_id"], detail["next_deadline"]["due_at"]) == \
        ("reconsideration_request", "2026-10-19T16:00:00+00:00")
    d.at("2026-10-15T10:00")
    d.step("decide_after_not_opened", {"not_opened_choice": "reconsideration", "not_opened_reasons": "证据足以证明现实危险"})
    detail = d.transfer_detail()
    assert detail["stage"] == "reconsideration" and detail["next_deadline"]["rule_id"] == "reconsideration_decision"
    assert d.police("received", expect=409)["code"] == "answer_not_expected"
    d.at("2026-10-16T10:00")
    detail = d.police("reconsideration_upheld")
    assert detail["stage"] == "reconsideration_upheld" and detail["next_deadline"]["rule_id"] == "procuratorate_request"
    d.step("decide_after_reconsideration", {"reconsideration_choice": "procuratorate",
                                            "reconsideration_reasons": "仍有异议，建议检察院立案监督"})
    detail = d.transfer_detail()
    assert detail["stage"] == "procuratorate_supervision"
    d.at("2026-10-26T10:00")
    detail = d.police("case_opened", note="经检察院监督立案")
    assert detail["stage"] == "evidence_handover"


def test_missing_materials_block_the_hand_over_and_are_supplemented(d):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")
    d.reported_and_approved()
    body = d.step("hand_over", {"materials": {**MATERIALS, "appraisal_reports": False}, "police_bureau": "楚雄市公安局",
                                "procuratorate_copied": False, "handed_over_at": "2026-10-12T09:00:00+08:00"}, expect=422)
    assert "有关检验报告或者鉴定意见" in body["details"]["materials"][0]
    assert "procuratorate_copied" in body["details"]
    d.handed_over("2026-10-12T10:00")
    d.at("2026-10-12T14:00")
    d.police("received", answered_at="2026-10-12T14:00:00+08:00")
    d.at("2026-10-13T09:00")
    detail = d.police("materials_missing", note="缺少检测报告原件")
    assert detail["stage"] == "materials_supplement" and detail["police_answers"][-1]["late"] is False
    assert (detail["next_deadline"]["rule_id"], detail["next_deadline"]["due_at"]) == \
        ("materials_supplement", "2026-10-16T16:00:00+00:00")
    d.step("supplement_materials", {"supplemented_at": "2026-10-13T09:00:00+08:00", "supplemented_materials": "检测报告原件"})
    detail = d.transfer_detail()
    assert detail["stage"] == "police_review" and detail["next_deadline"]["rule_id"] == "police_decision"


def test_the_24_hour_and_3_day_deadlines_escalate_when_missed(d, sweep):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某冶金有限公司", party_type="organisation")
    d.step("draft_transfer_report", REPORT)
    # 3 days for the principal head: Mon 12 Oct → Thu 15 Oct, 24:00
    d.at("2026-10-16T00:01")
    sweep()
    assert ("escalation1", "移送审批期限逾期督办") in d.alerts("supervisor1")
    d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意"}, username="head1")
    assert d.alerts("supervisor1") == []  # done: cleared
    # 24 hours to hand over (from 00:01 on Fri 16 Oct): warned 4 hours before, then escalated twice
    _warns_then_escalates(d, sweep, "移送期限", "2026-10-16T20:30", "2026-10-17T00:02", "2026-10-18T00:03")
    d.handed_over("2026-10-18T09:00")
    d.at("2026-10-18T09:30")
    d.police("received", answered_at="2026-10-18T09:30:00+08:00")
    # the police's 3 days (Sun 18 Oct → Wed 21 Oct) pass without a decision: the supervisors hear of it
    d.at("2026-10-22T00:01")
    sweep()
    assert ("escalation1", "公安机关答复期限逾期督办") in d.alerts("supervisor1")
    listed = d.client("supervisor1").get("/api/v1/transfers").get_json()["items"]
    assert listed[0]["stage"] == "police_review"
    # the answer comes (late): nobody has a task here, the alerts about the waiting are cleared all the same
    d.at("2026-10-24T00:01")
    sweep()
    assert ("escalation2", "公安机关答复期限二级督办") in d.alerts("city_supervisor")
    d.at("2026-10-26T10:00")
    d.police("case_opened", note="决定立案侦查")
    assert [a for a in d.alerts("supervisor1") if a[1].startswith("公安机关答复")] == []
    assert [a for a in d.alerts("city_supervisor") if a[1].startswith("公安机关答复")] == []


def test_a_fine_decision_is_refused_while_the_transfer_is_pending(d):
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000, types=("fine", "warning")))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-21T15:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    # facts pointing to a crime come to light: the handler opens a transfer of this case
    d.open_transfer(case_id=d.case["id"])
    body = d.complete("draft_decision", DECISION, expect=409)
    assert body["code"] == "transfer_pending" and "第十一条" in body["message"]
    assert d.open_steps() == ["draft_decision"]
    # a second transfer of the same case is refused
    assert d.open_transfer(expect=409, case_id=d.case["id"])["code"] == "transfer_pending"


def test_a_warning_is_still_possible_while_the_transfer_is_pending(d):
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(0, types=("warning",)))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-21T15:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.open_transfer(case_id=d.case["id"])
    d.complete("draft_decision", DECISION)
    assert d.open_steps() == ["approve_decision"]


def test_a_case_sent_back_by_the_police_continues_as_a_penalty_case(d):
    _case_waiting_for_its_transfer(d)
    d.reported_and_approved("2026-09-22T09:00")
    d.handed_over("2026-09-22T15:00")
    d.police("received")
    d.police("returned", note="不构成犯罪，依法应当追究行政责任，退回处理")
    detail = d.transfer_detail()
    assert (detail["status"], detail["returned_case_id"]) == ("returned", d.case["id"])
    case = d.detail()
    assert case["source"] == "returned_by_police" and case["data"]["original_source"] == "inspection"
    assert d.open_steps() == ["investigation_report"]
    # the penalty case goes on to a fine now that nothing is pending
    d.complete("investigation_report", fine_proposal(5000))
    assert d.open_steps() == ["notify_intended_penalty"]
    # the outcome the process recomputed, not the old "transfer" the report task's data still held (the case
    # page, the statistics and the case-file review read it)
    assert d.detail()["data"]["case_outcome"] == "penalty"


def test_a_transfer_without_a_case_sent_back_starts_a_penalty_case(d):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某建筑公司", party_type="organisation")
    d.reported_and_approved()
    d.handed_over("2026-10-12T15:00")
    d.police("not_opened")
    d.step("decide_after_not_opened", {"not_opened_choice": "accept", "not_opened_reasons": "接受，依法作出行政处理"})
    detail = d.transfer_detail()
    assert detail["status"] == "returned" and detail["returned_case_id"]
    case = d.client("supervisor1").get(f"/api/v1/cases/{detail['returned_case_id']}").get_json()
    assert case["source"] == "returned_by_police" and case["stage"] == ["立案登记"]


def test_supervisors_see_every_transfer_of_their_tree_and_the_report(d):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")
    d.reported_and_approved()
    d.handed_over("2026-10-12T15:00")
    d.police("received")
    city = d.client("city_supervisor").get("/api/v1/transfers").get_json()
    assert city["total"] == 1 and city["items"][0]["stage"] == "police_review"
    assert city["items"][0]["next_deadline"]["legal_basis"].startswith("《行政执法机关移送涉嫌犯罪案件的规定》")
    report = d.client("province_supervisor").get(
        "/api/v1/transfers/report?from=2026-10-01T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00").get_json()
    assert report["totals"]["transfers"] == 1 and report["totals"]["handed_over_within_24h"] == 1
    assert report["items"][0]["police_outcome"] == "received"
    response = d.client("province_supervisor").get(
        "/api/v1/transfers/report?from=2026-10-01T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "移送编号" and rows[1][2] == "楚雄某化工有限公司"


def test_statistics_queries_count_orders_and_transfers_of_a_unit_subtree(d, app):
    from datetime import datetime, timezone

    from workflow_service.extensions import db
    from workflow_service.modules.rectification.queries import rectification_statistics
    from workflow_service.modules.transfers.queries import transfer_statistics
    from workflow_service.modules.users.models import Unit

    d.at("2026-10-12T09:00")
    d.issue("2026-10-19", stop_order=STOP)
    order = d.issue("2026-10-20")
    d.at("2026-10-13T09:00")
    d.do(order["instance_id"], "await_rectification", {"applied_at": "2026-10-13T09:00:00+08:00"}, "handler1")
    d.reinspect("passed", "2026-10-13T09:00")
    d.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")
    d.reported_and_approved("2026-10-13T09:00")
    d.handed_over("2026-10-13T09:00")
    d.police("case_opened")
    start, end = datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc)
    with app.app_context():
        province = db.session.scalar(db.select(Unit).filter_by(code="530000"))
        city = db.session.scalar(db.select(Unit).filter_by(code="532300"))
        rect = rectification_statistics(province, start, end)
        assert (rect["issued"], rect["completed"], rect["open"], rect["with_stop_order"]) == (2, 1, 1, 1)
        assert rect["completion_rate"] == 0.5
        transfers = transfer_statistics(city, start, end)
        assert transfers["transfers"] == 1 and transfers["police_outcomes"] == {"case_opened": 1}
        assert transfers["cases_opened_by_police"] == 1 and transfers["handed_over_within_24h"] == 1
        assert rectification_statistics(province, end, datetime(2027, 1, 1, tzinfo=timezone.utc))["issued"] == 0


def test_a_fine_already_paid_is_recorded_for_offset_when_the_case_is_transferred(d):
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(5000))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    d.at("2026-10-09T10:00")
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-09T09:00:00+08:00", "amount_paid": 5000})
    # 国务院令310 Art 11 / 行政处罚法 Art 35: the fine paid before the transfer is offset against a criminal fine
    t = d.open_transfer(case_id=d.case["id"])
    assert t["fine_paid_for_offset"] == 5000 and t["case_number"] == d.case["case_number"]
    assert any(e["action"] == "transfer_opened" for e in d.detail()["timeline"])


def _warns_then_escalates(d, sweep, title, warned_at, overdue_at, level2_at):
    """A deadline named `title`: its warning reaches the handler, then its level-1 escalation the county's
    supervisors, then its level-2 escalation the city's, each at the local time given."""
    for at, level, user in ((warned_at, "warning", "handler1"), (overdue_at, "escalation1", "supervisor1"),
                            (level2_at, "escalation2", "city_supervisor")):
        d.at(at)
        sweep()
        suffix = {"warning": "预警", "escalation1": "逾期督办", "escalation2": "二级督办"}[level]
        assert (level, f"{title}{suffix}") in d.alerts(user), (level, title, d.alerts(user))


def _case_waiting_for_its_transfer(d):
    d.filed_and_investigated()  # filed Mon 21 Sep 2026: the 90 days run to Mon 21 Dec 2026, 24:00
    d.complete("investigation_report", fine_proposal(0, types=(), outcome="transfer"))
    d.complete("legal_review", review("pass", "同意移送"))
    [t] = d.client("supervisor1").get("/api/v1/transfers").get_json()["items"]
    d.transfer = t
    return t


def test_the_decision_deadline_stops_while_the_case_is_with_the_police(d, sweep):
    _case_waiting_for_its_transfer(d)
    d.reported_and_approved("2026-09-22T09:00")
    # from the principal head's approval the case is suspended (中止), with the reason and basis in its record
    case = d.detail()
    assert case["status"] == "suspended"
    [suspended] = [e for e in case["timeline"] if e["action"] == "case_suspended"]
    assert suspended["actor"] == "head1" and suspended["details"]["transfer_number"] == d.transfer["transfer_number"]
    assert "第十一条" in suspended["details"]["basis"]
    # only the transfer's end lifts it
    response = d.client("supervisor1").post(f"/api/v1/cases/{d.case['id']}/resume", json={"reason": "恢复"})
    assert response.status_code == 409 and response.get_json()["code"] == "transfer_pending"
    d.handed_over("2026-09-22T15:00")
    d.police("received")
    # the police keep the case long past the 90 days, then send it back (no crime, administrative liability)
    d.at("2027-01-10T09:00")
    sweep()
    d.police("returned", note="不构成犯罪，退回处理")
    case = d.detail()
    assert case["status"] == "open" and case["source"] == "returned_by_police"
    assert d.open_steps() == ["investigation_report"]
    # 110 days with the police do not count: the deadline moves from 21 Dec 2026 to 10 Apr 2027
    assert d.due("investigation_report") == ("2027-04-10T16:00:00+00:00", "decision_after_filing")
    [resumed] = [e for e in case["timeline"] if e["action"] == "case_resumed"]
    assert resumed["details"]["paused_days"] == 110.0 and resumed["details"]["outcome"] == "returned"
    sweep()
    # nothing about the decision escalates the moment the case comes back (the police's own lateness did)
    assert not [a for a in d.alerts("supervisor1") + d.alerts("handler1") if a[1].startswith("办案期限")]
    d.at("2027-04-11T00:01")
    sweep()
    assert ("escalation1", "办案期限逾期督办") in d.alerts("supervisor1")


def test_a_refused_transfer_never_suspended_the_case(d):
    _case_waiting_for_its_transfer(d)
    d.at("2026-09-22T09:00")
    d.step("draft_transfer_report", REPORT)
    d.step("approve_transfer", {"transfer_approved": False, "approval_opinion": "不同意",
                                "refusal_reasons": "证据不足"}, username="head1")
    case = d.detail()
    assert case["status"] == "open" and case["waiting"] == []
    assert not any(e["action"] in ("case_suspended", "case_resumed") for e in case["timeline"])
    assert d.due("investigation_report") == ("2026-12-21T16:00:00+00:00", "decision_after_filing")


def test_a_late_missing_materials_notice_escalates_to_the_supervisors(d):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")
    d.reported_and_approved()
    d.handed_over("2026-10-12T10:00")
    d.at("2026-10-12T14:00")
    d.police("received", answered_at="2026-10-12T14:00:00+08:00")
    # 国务院令310 Art 8: missing materials are notified within 24 hours of acceptance; this notice is an hour late
    d.at("2026-10-13T15:00")
    detail = d.police("materials_missing", note="缺少检测报告原件")
    assert detail["police_answers"][-1]["late"] is True
    assert ("escalation1", "公安机关逾期告知补充材料") in d.alerts("supervisor1")
    assert ("escalation1", "公安机关逾期告知补充材料") in d.alerts("head1")  # head1 supervises too
    assert not [a for a in d.alerts("handler2") if a[1] == "公安机关逾期告知补充材料"]
    # done: the supplement clears it
    d.at("2026-10-13T16:00")
    d.step("supplement_materials", {"supplemented_at": "2026-10-13T16:00:00+08:00", "supplemented_materials": "检测报告原件"})
    assert not [a for a in d.alerts("supervisor1") if a[1] == "公安机关逾期告知补充材料"]


def test_the_follow_up_of_the_criminal_proceedings_warns_and_escalates(d, sweep):
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某矿业有限公司", party_type="organisation")
    d.reported_and_approved()
    d.handed_over("2026-10-12T10:00")
    d.police("case_opened")
    d.step("hand_over_evidence", {"evidence_handed_over_at": "2026-10-12T10:00:00+08:00", "evidence_items": "现场照片"})
    # the follow-up falls due after 30 days (Wed 11 Nov, 24:00); the handler then has 5 working days
    # (followup_record: Fri 13, Mon 16 … Thu 19 Nov) to record the progress
    d.at("2026-11-12T09:00")
    sweep()
    [task] = d.transfer_detail()["open_tasks"]
    assert task["bpmn_id"] == "follow_up"
    assert (task["due_at"], task["due_rule"]["rule_id"]) == ("2026-11-19T16:00:00+00:00", "followup_record")
    assert d.transfer_detail()["next_deadline"]["rule_id"] == "followup_record"
    _warns_then_escalates(d, sweep, "跟踪登记期限", "2026-11-19T09:00", "2026-11-20T00:01", "2026-11-24T00:01")
    d.step("follow_up", {"progress_answer": {"kind": "stage", "stage": "prosecution", "note": "已移送审查起诉"}})
    assert not [a for a in d.alerts("supervisor1") if a[1].startswith("跟踪登记")]


def test_the_case_page_says_the_case_waits_for_its_transfer(d, app):
    from .test_auth_and_access import web_login

    t = _case_waiting_for_its_transfer(d)
    d.reported_and_approved("2026-09-22T09:00")
    client = app.test_client()
    assert web_login(client, "supervisor1").status_code == 302
    page = client.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "等待移送结果" in page and t["transfer_number"] in page and "待移送公安机关" in page
    assert '"active": ["await_transfer"]' in page  # marked in the diagram
    assert "中止" in page  # suspended while with the police
