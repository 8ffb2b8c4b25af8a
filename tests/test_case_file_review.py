"""Case-file review (案卷评查): a closed case's file is checked — required documents, two officers, every
deadline met or extended, legal review before the decision, notice before the decision, service and
disclosure on time — and scored. Cases are driven through the API with the settable clock; where the
process itself cannot produce a defect (it refuses one officer, skips no document), the test says so and
edits the rows of a closed case instead."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def closed_case(d, *, preservation_decided="", notice_at="2026-09-24T10:00", statements=None,
                decide_at="2026-09-28T10:00", served_at="2026-09-29T10:00", disclosed_at="2026-10-09T11:00",
                extension_days=None, party="楚雄某化工有限公司", during_investigation=None):
    """The standard penalty path (5,000 yuan, no legal review or hearing) to its archive; times in Shanghai."""
    d.at("2026-09-21T09:00")
    d.file(party_name=party)
    d.complete("draft_filing", {**FILING, "party": {"name": party, "type": "organisation"}})
    d.complete("approve_filing", {"filing_approved": True})
    if extension_days:
        response = d.client("head1").post(f"/api/v1/cases/{d.case['id']}/extension",
                                          json={"days": extension_days, "reason": "案情复杂"})
        assert response.status_code == 200, response.get_json()
    evidence = [{"type": "photo", "description": "现场照片", "collected_at": "2026-09-21T10:00:00+08:00"}]
    if preservation_decided:
        evidence.append({"type": "preserved", "description": "先行登记保存的检测仪表",
                         "collected_at": "2026-09-21T10:00:00+08:00"})
    if preservation_decided:
        d.preserve()  # approved on filing day (行政处罚法 Art 56); the decision is due 7 working days later
    if during_investigation:
        during_investigation(d)
    d.complete("investigate", {"evidence": evidence})
    if preservation_decided:
        d.at(preservation_decided)
        d.complete("decide_preserved_evidence", {"preservation_decision": "transfer_to_expert",
                                                 "preservation_decided_at": f"{preservation_decided}:00+08:00"})
    d.complete("investigation_report", fine_proposal(5000))
    d.at(notice_at)
    d.complete("notify_intended_penalty", {"notified_at": f"{notice_at}:00+08:00", "hearing_offered": False})
    d.complete("record_statements", statements or {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION)
    d.at(decide_at)
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": f"{served_at}:00+08:00", "service_method": "direct",
                                  "recipient": "李四"})
    d.complete("record_payment", {"paid": True, "paid_at": f"{served_at}:00+08:00", "amount_paid": 5000})
    d.at(disclosed_at)  # the reviewer confirms the redacted draft and publishes it (行政执法公示)
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"})
    d.complete("approve_closure", {"closure_approved": True})
    d.complete("archive", {"archive_number": "A-2026-001", "archived_at": f"{disclosed_at}:00+08:00"})
    assert d.detail()["status"] == "closed"
    return d.case


def review(d, user="supervisor1", expect=200, **args):
    response = d.client(user).post("/api/v1/case-reviews", json=args)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def reviewed(d, case):
    return review(d, case_id=case["id"])["items"][0]


def codes(item):
    return sorted(x["code"] for x in item["defects"])


def edit_closed_case(app, case, *, data=None, cancel_task=None):
    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessInstance
    from workflow_service.modules.tasks.models import Task

    with app.app_context():
        if data:
            instance = db.session.get(ProcessInstance, case["instance_id"])
            instance.data = {**instance.data, **data}
            flag_modified(instance, "data")
        if cancel_task:
            db.session.execute(sa.update(Task).where(Task.instance_id == case["instance_id"], Task.bpmn_id == cancel_task)
                               .values(status="cancelled"))
        db.session.commit()


def test_a_clean_case_scores_full_marks_and_the_review_is_on_its_record(driver):
    case = closed_case(driver)
    item = reviewed(driver, case)
    assert (item["score"], item["grade"], item["defects"]) == (100, "优秀", [])
    events = [e for e in driver.detail()["timeline"] if e["action"] == "case_file_reviewed"]
    assert events[-1]["details"] == {"score": 100, "grade": "优秀", "defects": []}
    assert events[-1]["action_label"] == "案卷评查"


def test_a_late_step_is_a_missed_deadline(driver):
    # 先行登记保存: 7 working days from Mon 21 Sep (25-27 Sep and 1-7 Oct off) end on Thu 8 Oct; decided 20 Oct.
    case = closed_case(driver, preservation_decided="2026-10-20T10:00", notice_at="2026-10-21T10:00",
                       decide_at="2026-10-26T10:00", served_at="2026-10-27T10:00", disclosed_at="2026-10-28T10:00")
    item = reviewed(driver, case)
    assert codes(item) == ["deadline_missed"]
    assert item["defects"][0]["step"] == "decide_preserved_evidence" and item["score"] == 90


def test_a_decision_after_ninety_days_is_overdue_unless_an_extension_covers_it(driver):
    late = dict(notice_at="2026-12-10T10:00", decide_at="2026-12-28T10:00", served_at="2026-12-29T10:00",
                disclosed_at="2026-12-30T10:00")
    case = closed_case(driver, **late)
    item = reviewed(driver, case)
    assert codes(item) == ["decision_overdue"]
    assert "2026-12-22 00:00" in item["defects"][0]["detail"]  # 90 days from 21 Sep end with Monday 21 Dec
    extended = closed_case(driver, extension_days=30, **late)
    assert reviewed(driver, extended)["defects"] == []


def test_a_decision_before_the_statement_window_closes_is_found(driver):
    # Told on Thu 24 Sep; the 3 working days (25-27 Sep are holidays) run to Wed 30 Sep; decided on Tue 29 Sep.
    case = closed_case(driver, statements={"statement_made": False, "waived": False, "hearing_requested": False},
                       decide_at="2026-09-29T10:00", served_at="2026-09-30T10:00")
    assert codes(reviewed(driver, case)) == ["statement_window_cut"]


def test_late_service_and_late_disclosure_are_found(driver):
    # Decided Mon 28 Sep: service and disclosure were due by Tue 13 Oct (7 working days over National Day).
    case = closed_case(driver, served_at="2026-10-14T10:00", disclosed_at="2026-10-15T10:00")
    item = reviewed(driver, case)
    assert codes(item) == ["disclosure_late", "service_late"] and item["score"] == 80


def test_a_file_with_one_officer_is_found(app, driver):
    case = closed_case(driver)
    # The filing rule refuses a single handler (行政处罚法 Art 42): the closed case's data is edited instead.
    edit_closed_case(app, case, data={"handlers": ["handler1"]})
    assert codes(reviewed(driver, case)) == ["one_officer"]


def test_a_missing_document_and_a_missing_notice_are_found(app, driver):
    case = closed_case(driver)
    # The process skips no step: the notice's completion is removed from the closed case's record instead.
    edit_closed_case(app, case, cancel_task="notify_intended_penalty")
    item = reviewed(driver, case)
    assert codes(item) == ["missing_document", "notice_missing"]
    assert item["defects"][0]["detail"] == "缺少行政处罚告知书"


def test_a_decision_without_the_required_legal_review_is_found(app, driver):
    case = closed_case(driver)
    # A 5,000 yuan case needs no review, so the process skipped it; marking it as needing one (as the DMN
    # would for a major case) shows a decision made without it.
    edit_closed_case(app, case, data={"needs_legal_review": True})
    item = reviewed(driver, case)
    assert codes(item) == ["legal_review_missing"] and item["score"] == 80


def test_supervisors_review_a_period_or_a_sample_of_their_unit_tree(app, driver):
    first = closed_case(driver, party="甲公司")
    second = closed_case(driver, party="乙公司", served_at="2026-10-14T10:00")
    everything = review(driver, "city_supervisor", closed_from="2026-09-01", closed_to="2026-12-31")
    assert [(i["case_id"], i["score"]) for i in everything["items"]] == [(first["id"], 100), (second["id"], 90)]
    assert everything["average_score"] == 95.0 and everything["defects_by_code"] == {"service_late": 1}
    assert review(driver, closed_from="2026-11-01", closed_to="2026-11-30")["items"] == []
    sample = review(driver, sample=1, seed=7)
    assert sample["reviewed"] == 1 and sample["seed"] == 7
    assert review(driver, sample=1, seed=7)["items"][0]["case_id"] == sample["items"][0]["case_id"]


def test_only_supervisors_review_and_only_closed_cases(driver):
    case = closed_case(driver)
    assert review(driver, "handler1", expect=403, case_id=case["id"])["code"] == "forbidden"
    driver.at("2026-10-20T09:00")
    driver.file(party_name="丙公司")
    assert review(driver, expect=409, case_id=driver.case["id"])["code"] == "case_not_closed"
    assert review(driver, expect=422, case_id=case["id"], sample=3)["code"] == "validation_failed"
