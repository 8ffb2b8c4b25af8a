"""The steps the law shapes (issue 17, "Legal fidelity, round two", the Steps part): each test drives a case
through the API as the users' roles, with the settable clock (DOMAIN.md, "Corrections and additions")."""
from __future__ import annotations

import pytest

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal, review


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _alerts(d, user):
    return [(a["level"], a["task_name"]) for a in d.client(user).get("/api/v1/alerts").get_json()["items"]]


def _alert_titles(d, user):
    return [a["title"].split("：")[0] + "/" + (a["task_name"] or "")
            for a in d.client(user).get("/api/v1/alerts").get_json()["items"]]


# -- 3. the decision limit (决定期限) runs over every step until the decision ------------------------------------
DECISION_DUE = ("2026-12-21T16:00:00+00:00", "decision_after_filing")  # filed 21 Sep 2026, 90 days


def test_the_decision_limit_follows_the_case_into_legal_review_and_escalates_there(driver, sweep):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    assert d.open_steps() == ["legal_review"]
    d.at("2026-12-22T00:01")  # the 90 days are over while the reviewer still holds the case
    sweep()
    # The review's own period has long run out too; the decision limit is an alert of its own.
    assert "办案期限逾期督办/法制审核" in _alert_titles(d, "supervisor1")
    d.at("2026-12-29T00:01")
    sweep()
    assert "办案期限二级督办/法制审核" in _alert_titles(d, "city_supervisor")


def test_the_decision_limit_is_the_due_time_of_the_notice_and_the_approval(driver, sweep):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(5000))
    assert d.due("notify_intended_penalty") == DECISION_DUE
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    assert d.due("approve_decision") == DECISION_DUE
    d.at("2026-12-12T00:01")  # 240 hours before: the approver's step warns
    sweep()
    assert ("warning", "决定审批") in _alerts(d, "supervisor1")
    d.at("2026-12-22T00:01")
    sweep()
    assert ("escalation1", "决定审批") in _alerts(d, "supervisor1")


def _user(app, username, roles, qualified=False):
    """A user of the county bureau made for these tests (users persist across tests: made once)."""
    import sqlalchemy as sa

    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    from .conftest import PASSWORD
    with app.app_context():
        if db.session.scalar(sa.select(User).filter_by(username=username)) is None:
            create_user(None, username=username, password=PASSWORD, display_name=username, unit_code="532301",
                        roles=roles, legal_qualification=qualified)
            db.session.commit()
    return username


def _to_collective(d, amount=50000):
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(amount))
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    assert d.open_steps() == ["prepare_collective_discussion"]
    return d


def _report(d, proposal=None, **flags):
    d.filed_and_investigated()
    d.complete("investigation_report", {**(proposal or fine_proposal(5000)), **flags})
    return d.detail()["data"]


# -- 14. collective discussion is a meeting of the heads (负责人集体讨论) ------------------------------------------
def test_the_heads_discussion_record_is_the_step_without_an_online_vote(driver):
    d = _to_collective(driver)
    d.complete("prepare_collective_discussion", {"ballot_proposal": "罚款五万元", "online_vote": False})
    assert d.open_steps() == ["record_collective_discussion"]
    assert d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/ballots").get_json()["items"] == []
    assert d.queue("supervisor1") == ["record_collective_discussion"] and d.queue("member1") == []
    # Only the unit's heads attend; the chair is one of them; every attendee's opinion is recorded.
    body = d.record_discussion(expect=422, discussion_attendees=["head1", "handler1"],
                               discussion_opinions=[{"attendee": "head1", "opinion": "同意"},
                                                    {"attendee": "handler1", "opinion": "同意"}])
    assert "handler1" in body["details"]["discussion_attendees"][0]
    body = d.record_discussion(expect=422, discussion_chair="member1")
    assert "discussion_chair" in body["details"]
    body = d.record_discussion(expect=422, discussion_opinions=[{"attendee": "head1", "opinion": "同意"}])
    assert "supervisor1" in body["details"]["discussion_opinions"][0]
    body = d.record_discussion(expect=422, discussion_held_at="2027-01-01T09:00:00+08:00", move_clock=False)
    assert "discussion_held_at" in body["details"]
    d.record_discussion("passed")
    assert d.open_steps() == ["draft_decision"]
    recorded = [e for e in d.detail()["timeline"] if e["action"] == "collective_discussion_recorded"]
    assert len(recorded) == 1 and recorded[0]["details"]["attendees"] == ["head1", "supervisor1"]
    assert recorded[0]["details"]["chair"] == "head1" and recorded[0]["details"]["presenter"] == "handler1"


def test_the_record_decides_even_against_the_vote(driver):
    d = _to_collective(driver)
    assert d.committee_decides("agree", record=False)["result"] == "passed"
    assert d.open_steps() == ["record_collective_discussion"]  # the vote alone decides nothing
    d.record_discussion("rejected", discussion_conclusion_text="事实需进一步查清")
    assert d.open_steps() == ["investigation_report"]


def test_a_complex_case_flagged_by_the_handler_goes_to_collective_discussion(driver):
    data = _report(driver, complex_circumstances=True)
    assert data["needs_collective_discussion"] is True and "情节复杂" in data["review_reason"]
    assert data["needs_legal_review"] is False  # 5,000 yuan, nothing else: no legal review, no hearing


def test_confiscation_and_a_licence_revocation_go_to_collective_discussion(driver):
    data = _report(driver, {"facts": "经查属实", "proposals": [{
        "violation_index": 1, "outcome": "penalty", "penalty_types": ["confiscation"], "confiscation_value": 3000}]})
    assert data["needs_collective_discussion"] is True and "没收违法所得" in data["review_reason"]


def test_a_unit_that_discusses_every_case_discusses_a_small_fine(driver):
    admin = driver.admin
    assert admin.put("/api/v1/admin/units/532301/collective-discussion",
                     json={"collective_discussion_every_case": True}).status_code == 200
    data = _report(driver)
    assert data["needs_collective_discussion"] is True and "每案集体讨论" in data["review_reason"]


# -- 13. legal review: every limb of Art 58, the qualification by appointment date ------------------------------
@pytest.mark.parametrize("flag, words", [
    ("major_public_interest", "重大公共利益"), ("complex_case", "疑难复杂"), ("review_required_by_law", "第四项")])
def test_each_limb_of_article_58_requires_a_legal_review(driver, flag, words):
    data = _report(driver, **{flag: True})
    assert data["needs_legal_review"] is True and words in data["review_reason"]
    assert driver.open_steps() == ["legal_review"]


def test_the_qualification_binds_only_reviewers_first_appointed_from_2021_07_15(app, driver):
    old_hand = _user(app, "reviewer_2019", ["legal_reviewer"])
    newcomer = _user(app, "reviewer_2022", ["legal_reviewer"])
    admin = driver.admin
    assert admin.put(f"/api/v1/admin/users/{old_hand}/legal-review",
                     json={"legal_qualification": False, "legal_review_appointed_on": "2019-03-01"}).status_code == 200
    body = admin.put(f"/api/v1/admin/users/{newcomer}/legal-review",
                     json={"legal_qualification": False, "legal_review_appointed_on": "2027-03-01"}).get_json()
    assert "legal_review_appointed_on" in body["details"]  # a day in the future
    assert admin.put(f"/api/v1/admin/users/{newcomer}/legal-review",
                     json={"legal_qualification": False, "legal_review_appointed_on": "2022-03-01"}).status_code == 200
    d = driver
    _report(d, fine_proposal(50000))
    body = d.complete("legal_review", review(), username=newcomer, expect=403)
    assert body["code"] == "legal_qualification_required" and "2021年7月15日" in body["message"]
    d.complete("legal_review", review(), username=old_hand)
    assert d.open_steps() == ["notify_intended_penalty"]


# -- 12. hearing eligibility: large confiscations, closure, bans; thresholds as versioned data --------------------
def test_the_national_default_threshold_is_50000_yuan_for_an_organisation(driver):
    data = _report(driver, fine_proposal(40000))
    assert data["hearing_eligible"] is False and data["large_fine_org"] == 50000
    assert data["large_fine_individual"] == 20000


@pytest.mark.parametrize("penalty, words", [("closure", "责令关闭"), ("practice_ban", "限制从业"),
                                            ("licence_revocation", "吊销许可证件")])
def test_closure_bans_and_revocations_open_a_hearing(driver, penalty, words):
    data = _report(driver, {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "penalty", "penalty_types": [penalty]}]})
    assert data["hearing_eligible"] is True and words in data["review_reason"]


def test_a_large_confiscation_opens_a_hearing(driver):
    data = _report(driver, {"facts": "经查属实", "proposals": [{
        "violation_index": 1, "outcome": "penalty", "penalty_types": ["confiscation"], "confiscation_value": 60000}]})
    assert data["hearing_eligible"] is True and "没收较大数额" in data["review_reason"]


def test_a_province_threshold_applies_by_the_version_in_force(app, driver):
    import sqlalchemy as sa

    from workflow_service.extensions import db
    from workflow_service.modules.cases.models import BusinessSetting
    from workflow_service.modules.cases.operations import large_fine_thresholds

    with app.app_context():
        db.session.add(BusinessSetting(key="large_fine_threshold", jurisdiction="530000", basis="云南省规定", value={
            "versions": [{"effective_from": None, "effective_to": "2026-09-30", "organisation": 30000,
                          "individual": 10000},
                         {"effective_from": "2026-10-01", "effective_to": None, "organisation": 60000,
                          "individual": 20000}]}, updated_at=sa.func.now()))
        db.session.commit()
        from datetime import date
        assert large_fine_thresholds("530000", date(2026, 9, 30))["organisation"] == 30000
        assert large_fine_thresholds("530000", date(2026, 10, 1))["organisation"] == 60000
        assert large_fine_thresholds("530000", date(2026, 10, 1))["confiscation_individual"] == 20000
    data = _report(driver, fine_proposal(40000))  # reported on 21 Sep 2026: the old version, 30,000
    assert data["hearing_eligible"] is True and data["large_fine_org"] == 30000


# -- 11. the defence: not raised because of it; raised on new facts with a fresh notice; review point by point ---
STATEMENT = {"statement_made": True, "statement": "已经整改完毕，请求从轻", "statement_review": "经复核，不予采纳",
             "waived": False, "hearing_requested": False}


def _after_statements_rejected(d):
    d.filed_and_investigated()
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    body = d.complete("record_statements", STATEMENT, expect=422)  # a statement needs its review, point by point
    assert "statement_points" in body["details"]
    body = d.complete("record_statements", {**STATEMENT, "waived": True, "statement_points": [
        {"point": "已整改", "review": "整改属实", "adopted": True}]}, expect=422)
    assert "waived" in body["details"]
    d.complete("record_statements", {**STATEMENT, "statement_points": [
        {"point": "已整改", "review": "整改属实，但违法行为已经完成", "adopted": False},
        {"point": "首次违法", "review": "系统记录显示2025年曾受处罚", "adopted": False}]})
    reviewed = [e for e in d.detail()["timeline"] if e["action"] == "statements_reviewed"]
    assert reviewed[0]["details"] == {"points": 2, "adopted": 0}
    d.committee_decides("disagree")
    assert d.open_steps() == ["investigation_report"]
    return d


def test_new_facts_may_raise_the_penalty_with_a_fresh_notice(driver):
    d = _after_statements_rejected(driver)
    body = d.complete("investigation_report", fine_proposal(80000), expect=422)
    assert "第四十五条" in body["message"] and "new_facts" in body["details"]
    d.complete("investigation_report", {**fine_proposal(80000), "new_facts": "复查发现另一处重大危险源未监控"})
    assert d.open_steps() == ["legal_review"]
    d.complete("legal_review", review("pass", "同意"))
    assert d.open_steps() == ["notify_intended_penalty"]  # the party is told the heavier penalty afresh
    d.complete("notify_intended_penalty", {"notified_at": "2026-10-12T10:00:00+08:00", "hearing_offered": True})
    assert d.detail()["data"]["notified_total_fine"] == 80000
    assert "penalty_raised_on_new_facts" in [e["action"] for e in d.detail()["timeline"]]


# -- 10. report outcomes: no fault, time-barred, referral; every penalty type ------------------------------------
def _one(outcome, **extra):
    return {"facts": "经查", "proposals": [{"violation_index": 1, "outcome": outcome, **extra}]}


def test_no_fault_ends_in_a_no_penalty_decision(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", _one("no_penalty_no_fault"))
    assert d.open_steps() == ["draft_no_penalty_decision"]


def test_a_violation_undiscovered_for_two_years_is_time_barred(driver):
    d = driver.filed_and_investigated()  # filed 21 Sep 2026
    body = d.complete("investigation_report", {**fine_proposal(5000), "proposals": [
        {**fine_proposal(5000)["proposals"][0], "violation_date": "2024-09-20"}]}, expect=422)
    assert "第三十六条" in body["message"] and "2024-09-20" in body["details"]["proposals"][0]
    body = d.complete("investigation_report", _one("time_barred"), expect=422)  # the date is required
    assert "proposals.0.violation_date" in body["details"]
    body = d.complete("investigation_report", _one("time_barred", violation_date="2024-09-22"), expect=422)
    assert "未超过追责时效" in body["details"]["proposals"][0]
    # Five years where life or health was endangered with harm: 2024 is still within them.
    d.complete("investigation_report", {"facts": "经查", "proposals": [
        {**fine_proposal(5000)["proposals"][0], "violation_date": "2023-05-01", "harms_life_or_health": True}]})
    assert d.open_steps() == ["notify_intended_penalty"]


def test_a_time_barred_violation_is_not_punished(driver):
    d = driver.filed_and_investigated()
    d.complete("investigation_report", _one("time_barred", violation_date="2024-09-20"))
    assert d.open_steps() == ["draft_no_penalty_decision"]


def test_a_case_outside_the_jurisdiction_is_referred_and_closed(driver):
    d = driver.filed_and_investigated()
    body = d.complete("investigation_report", _one("refer"), expect=422)
    assert "proposals.0.refer_to" in body["details"]
    d.complete("investigation_report", _one("refer", refer_to="楚雄市市场监督管理局"))
    assert d.open_steps() == ["draft_closure_report"]
    d.complete("draft_closure_report", {"closure_reason": "referred", "closure_summary": "已移送市场监管部门"})
    d.complete("approve_closure", {"closure_approved": True})
    assert d.open_steps() == ["archive"]


def test_the_report_offers_every_penalty_type_of_the_law(login):
    import json
    from pathlib import Path

    form = json.loads((Path(__file__).resolve().parent.parent / "forms" / "case_investigation_report.json")
                      .read_text(encoding="utf-8"))
    offered = {o["title"] for o in form["properties"]["proposals"]["items"]["properties"]["penalty_types"]["items"]["oneOf"]}
    for name in ("警告", "通报批评", "罚款", "降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业整顿",
                 "限制从业", "撤销资格证书"):
        assert any(name in title for title in offered), name
    assert any("责令关闭" in title for title in offered)


# -- 9. evidence preservation: the head approves first; the decision runs beside the investigation ----------------
def test_preservation_is_approved_by_a_head_and_decided_while_the_investigation_goes_on(driver, sweep):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    assert driver.client("supervisor1").post(f"/api/v1/cases/{d.case['id']}/preservation-requests", json={
        "items": [{"description": "压力表"}], "reason": "可能灭失"}).status_code == 403  # a handler asks
    d.at("2026-09-28T10:00")
    d.preserve()
    assert d.open_steps() == ["decide_preserved_evidence", "investigate"]
    assert d.due("decide_preserved_evidence") == ("2026-10-13T16:00:00+00:00", "evidence_preservation")
    # Confiscation is a penalty (Art 9): it is not a way of handling preserved evidence.
    body = d.complete("decide_preserved_evidence", {"preservation_decision": "confiscate",
                                                    "preservation_decided_at": "2026-10-09T10:00:00+08:00"}, expect=422)
    assert "preservation_decision" in body["details"]
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    # The report does not wait for the decision, and the decision does not wait for the report.
    assert d.open_steps() == ["decide_preserved_evidence", "investigation_report"]
    d.at("2026-10-14T00:01")
    sweep()
    assert ("escalation1", "先行登记保存证据处理决定") in _alerts(d, "supervisor1")


def test_a_refused_preservation_opens_no_decision(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.preserve(approved=False)
    assert d.open_steps() == ["investigate"]
    # One request per round of investigation (the request waits on the investigation step): asked again, 409.
    assert d.preserve(expect=409)["code"] == "message_not_expected"


# -- 16. rectification: "overdue" is the re-inspection's finding; no presumed 从重; fines at once need the case -----
@pytest.fixture
def td(login):
    from .transfer_driver import TransferDriver
    return TransferDriver(login, login("admin"))


def test_a_failed_reinspection_opens_a_case_that_weighs_the_finding_without_presuming_aggravation(td, sweep):
    td.at("2026-10-12T09:00")
    td.issue("2026-10-16")
    td.at("2026-10-17T00:01")  # the deadline passed: the order is due for re-inspection, not yet found overdue
    sweep()
    detail = td.order_detail()
    assert detail["status"] == "reinspection_due" and detail["penalty_case_id"] is None
    assert ("escalation1", "整改期限届满待复查督办") in td.alerts("supervisor1")
    td.at("2026-10-19T10:00")
    td.reinspect("failed", "2026-10-19T09:30", proof_of_non_compliance=[{"type": "photo", "description": "仍未整改"}])
    detail = td.order_detail()
    case = td.client("supervisor1").get(f"/api/v1/cases/{detail['penalty_case_id']}").get_json()
    assert "aggravating_circumstances" not in case["data"]
    [weigh] = case["data"]["circumstances_to_weigh"]
    assert weigh["code"] == "overdue_rectification" and weigh["found_at"] == "2026-10-19T09:30:00+08:00"
    assert "复查认定" in case["summary"]
    opened = [e for e in case["timeline"] if e["action"] == "case_opened_from_rectification"]
    assert opened[0]["details"]["aggravating"] is None


def test_an_order_under_an_article_that_fines_at_once_needs_its_case_or_a_reason(td):
    td.at("2026-10-12T09:00")
    body = td.issue("2026-10-19", expect=422, article_fines_at_once=True)
    assert "no_case_reason" in body["details"]
    order = td.issue("2026-10-19", article_fines_at_once=True, no_case_reason="当事人已于当日另案立案查处")
    assert order["status"] == "rectifying"
    td.issue("2026-10-19")  # an article without an immediate fine: no case needed


# -- 15. transfers: materials where they exist; a transferred case closes, is approved and archived --------------
def test_a_transferred_case_hands_over_the_materials_it_has_and_closes_when_the_judgment_comes(td):
    from .transfer_driver import MATERIALS, REPORT

    td.filed_and_investigated()
    td.complete("investigation_report", fine_proposal(0, types=(), outcome="transfer"))
    td.complete("legal_review", review("pass", "同意移送"))
    [t] = td.client("supervisor1").get("/api/v1/transfers").get_json()["items"]
    td.transfer = t
    td.at("2026-09-22T09:00")
    td.step("draft_transfer_report", REPORT)
    td.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username="head1")
    td.at("2026-09-22T15:00")
    hand_over = {"materials": {k: v for k, v in MATERIALS.items()
                               if k not in ("items_list", "appraisal_reports", "administrative_decisions")},
                 "police_bureau": "楚雄市公安局", "procuratorate_copied": True, "procuratorate": "楚雄市人民检察院",
                 "handed_over_at": "2026-09-22T15:00:00+08:00"}
    body = td.step("hand_over", hand_over, expect=422)
    assert "涉案物品清单" in body["details"]["materials"][0]
    # No items were seized, nothing was appraised, no decision was made yet: those materials do not exist.
    body = td.step("hand_over", {**hand_over, "materials_not_applicable": ["transfer_letter"]}, expect=422)
    td.step("hand_over", {**hand_over, "materials_not_applicable": [
        "items_list", "appraisal_reports", "administrative_decisions"]})
    td.police("received")
    td.police("case_opened", note="决定立案侦查")
    td.at("2026-09-23T09:00")
    td.step("hand_over_evidence", {"evidence_handed_over_at": "2026-09-23T09:00:00+08:00", "evidence_items": "照片"})
    td.police("judgment", note="以危险作业罪判处有期徒刑六个月")
    # After the judgment the follow-up actions the law asks of the department open as a task.
    assert td.transfer_steps() == ["act_after_judgment"]
    body = td.step("act_after_judgment", {"judgment_summary": "判处有期徒刑六个月", "post_judgment_actions": []},
                   expect=422)
    assert "post_judgment_actions" in body["details"]
    td.step("act_after_judgment", {"judgment_summary": "判处有期徒刑六个月", "post_judgment_actions": [
        {"action": "company_penalty", "handling": "危险作业罪无单位刑事责任：对公司依法给予行政处罚"},
        {"action": "principal_bar", "handling": "主要负责人五年内不得担任主要负责人"}]})
    # The case does not just end: it closes with the reason 移送司法机关, approved, then archived.
    assert td.open_steps() == ["draft_closure_report"]
    td.complete("draft_closure_report", {"closure_reason": "transferred", "closure_summary": "已移送公安机关并判决"})
    td.complete("approve_closure", {"closure_approved": True})
    assert td.open_steps() == ["archive"]


# -- 17. terms as DOMAIN.md lists them ----------------------------------------------------------------------------
def test_diagrams_forms_pages_and_readme_use_the_reviewed_terms():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("bpmn/*.bpmn"), *root.glob("forms/*.json"), *root.glob("workflow_service/web/templates/*.html"),
             root / "README.md"]
    # 负责人集体讨论 (not 案审会表决); 文书送达回执 (not 送达回证); 鉴定意见 (not 鉴定结论); 不予行政处罚决定;
    # 先行登记保存证据.
    wrong = ("案审会表决", "送达回证", "鉴定结论", "不予处罚决定", "先行登记保存物品")
    found = [(f.name, w) for f in files for w in wrong if w in f.read_text(encoding="utf-8")]
    assert found == []
    case = (root / "bpmn" / "case_handling.bpmn").read_text(encoding="utf-8")
    assert 'name="负责人集体讨论记录"' in case and 'name="先行登记保存证据处理决定"' in case


@pytest.mark.parametrize("facts, situation, charge", [
    ({"direct_loss": 1200000}, "accident", "重大责任事故罪"),
    ({"forced_risky_operation": True, "deaths": 1}, "134-2", "强令、组织他人违章冒险作业罪"),
    ({"accident_concealed": True}, "139-1", "不报、谎报安全事故罪"),
    ({"false_certificate": True}, "229", "提供虚假证明文件罪"),
    ({"illegal_explosives": True}, "125", "非法制造、储存爆炸物罪")])
def test_screening_covers_the_crimes_the_review_added(td, facts, situation, charge):
    response = td.client("handler1").post("/api/v1/screenings", json={**facts, "real_danger_facts": "记录的事实"})
    assert response.status_code == 201, response.get_json()
    matches = response.get_json()["result"]["matches"]
    assert any(m["situation"] == situation and charge in m["suggested_charge"] for m in matches), matches


def test_screening_needs_the_threshold_for_the_accident_crimes(td):
    result = td.client("handler1").post("/api/v1/screenings", json={"direct_loss": 999999}).get_json()["result"]
    assert result["suggest_transfer"] is False


def test_the_no_fine_rule_binds_only_the_transferred_conduct_and_person(td):
    from .transfer_driver import REPORT

    td.at("2026-09-21T09:00")
    td.file()
    two = {**FILING, "violations": [{"description": "拒不执行停止使用决定", "provision": "《安全生产法》第六十五条"},
                                    {"description": "未如实记录隐患排查治理情况", "provision": "《安全生产法》第四十一条"}]}
    td.complete("draft_filing", two)
    td.complete("approve_filing", {"filing_approved": True})
    td.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                              "collected_at": "2026-09-21T10:00:00+08:00"}]})
    td.complete("investigation_report", {"facts": "经查", "proposals": [
        {"violation_index": i, "outcome": "penalty", "penalty_types": ["fine"], "fine_amount": 5000} for i in (1, 2)]})
    td.complete("notify_intended_penalty", {"notified_at": "2026-09-21T10:00:00+08:00", "hearing_offered": False})
    td.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    # The principal's conduct in violation 1 goes to the police.
    response = td.client("handler1").post("/api/v1/transfers", json={
        "case_id": td.case["id"], "summary": "主要负责人涉嫌危险作业罪", "transferred_violations": [1]})
    assert response.status_code == 201, response.get_json()
    td.transfer = response.get_json()
    body = td.complete("draft_decision", DECISION, expect=409)  # whose crime it is is not yet reported
    assert body["code"] == "transfer_pending"
    td.step("draft_transfer_report", REPORT)  # 危险作业罪: no unit liability
    # The company is still fined, for both violations, in this case (不得选择性处罚).
    td.complete("draft_decision", DECISION)
    assert td.open_steps() == ["approve_decision"]


# -- 9 (cont.). 查封扣押: decision with its record, 30 days, once 30 more with approval, release -------------------
def test_a_seizure_runs_thirty_days_extends_once_with_approval_and_is_released(driver, sweep):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-10-12T10:00")
    d.preserve()
    seal = {"preservation_decision": "seal", "preservation_decided_at": "2026-10-13T10:00:00+08:00"}
    body = d.complete("decide_preserved_evidence", seal, expect=422)  # the decision number, time and record
    assert "seizure_decision_number" in body["details"]
    d.at("2026-10-13T11:00")
    d.complete("decide_preserved_evidence", {**seal, "seizure_decision_number": "楚应急封〔2026〕1号",
                                             "seized_at": "2026-10-13T10:30:00+08:00", "seizure_record": "现场笔录、清单"})
    # 行政强制法 Art 25: 30 days from Tue 13 Oct end on Thu 12 Nov.
    assert d.due("handle_seizure") == ("2026-11-12T16:00:00+00:00", "seizure_period")
    d.complete("handle_seizure", {"seizure_action": "extend", "seizure_extension_reason": "鉴定尚未完成"})
    assert "approve_seizure_extension" in d.open_steps()
    d.complete("approve_seizure_extension", {"seizure_extension_approved": True, "seizure_extension_opinion": "同意"})
    assert d.due("handle_seizure") == ("2026-12-14T16:00:00+00:00", "seizure_period")  # 30 more: Sat 12 Dec -> Mon 14
    body = d.complete("handle_seizure", {"seizure_action": "extend", "seizure_extension_reason": "再延"}, expect=422)
    assert "seizure_action" in body["details"]  # only once
    d.at("2026-11-20T10:00")
    d.complete("handle_seizure", {"seizure_action": "release", "seizure_released_at": "2026-11-20T09:00:00+08:00",
                                  "seizure_release_record": "楚应急解封〔2026〕1号"})
    assert d.open_steps() == ["investigate"]
    assert "seizure_released" in [e["action"] for e in d.detail()["timeline"]]


def test_the_head_presiding_over_the_work_approves_a_transfer(app, td):
    from .transfer_driver import REPORT

    deputy = _user(app, "deputy_head", ["supervisor"])
    td.at("2026-10-12T09:00")
    td.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")
    td.step("draft_transfer_report", REPORT)
    assert "approve_transfer" not in [t["bpmn_id"] for t in td.tasks_of(td.transfer["instance_id"], deputy)]
    assert td.admin.put(f"/api/v1/admin/users/{deputy}/presiding", json={"presides_over_work": True}).status_code == 200
    assert td.admin.put("/api/v1/admin/users/handler1/presiding",
                        json={"presides_over_work": True}).status_code == 422  # not a head
    td.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意移送"}, username=deputy)
    assert td.transfer_detail()["stage"] == "handover"


def test_a_head_marks_a_case_complex_when_approving_its_filing(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True, "complex_circumstances": True, "complex_case": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(5000))
    data = d.detail()["data"]
    assert data["needs_collective_discussion"] is True and data["needs_legal_review"] is True
    assert d.open_steps() == ["legal_review"]
