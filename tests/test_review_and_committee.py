"""Legal review sign-off (法制审核) and the committee vote (案件审查委员会集体讨论), driven through the API."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from .case_driver import DECISION, FILING, CaseDriver, fine_proposal, review

MEMBERS = ["head1", "member1", "member2", "member3", "member4", "member5"]


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _user(app, username, roles, qualified=False):
    """A user of the county bureau created for one test (users persist across tests: create once)."""
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


@pytest.fixture
def committee(login):
    """Set the county's committee for a test; the demo committee is restored afterwards."""
    admin = login("admin")

    def configure(members=MEMBERS, chair="head1", tie_rule="chair_casting", quorum="2/3"):
        response = admin.client.put("/api/v1/committees/532301", headers=admin.headers, json={
            "chair": chair, "members": members, "quorum": quorum, "pass_ratio": "1/2", "tie_rule": tie_rule})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    yield configure
    configure()


def _to_legal_review(d, handlers=("handler1", "handler2"), fine=50000):
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "handlers": list(handlers)})
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(fine))  # >= 30,000 yuan: legal review and committee
    assert d.open_steps() == ["legal_review"]
    return d


def _to_committee(d):
    _to_legal_review(d)
    d.complete("legal_review", review("pass", "同意"))
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    assert d.open_steps() == ["prepare_collective_discussion"]
    return d


def _sign_offs(d):
    return d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/legal-reviews").get_json()


# -- legal review ---------------------------------------------------------------------------------------
def test_a_pass_is_recorded_with_its_checklist_and_covers_the_decision(driver):
    d = _to_legal_review(driver)
    body = d.complete("legal_review", review("pass", "同意", failed=("discretion",)), expect=422)
    assert "legal_review_outcome" in body["details"]  # a failed item rules out a pass
    body = d.complete("legal_review", {**review("pass"), "legal_review_checklist": {}}, expect=422)
    assert {"legal_review_checklist.enforcement_body", "legal_review_checklist.crime_suspected"} <= set(body["details"])
    d.complete("legal_review", review("pass", "同意"))
    sign_off = _sign_offs(d)
    assert sign_off["valid"] is True and len(sign_off["reviews"]) == 1
    [signed] = sign_off["reviews"]
    assert signed["reviewer"] == "reviewer1" and signed["outcome"] == "pass"
    assert set(signed["checklist"]) == {"enforcement_body", "jurisdiction", "procedure", "facts_and_evidence",
                                        "legal_provisions", "discretion", "documents", "crime_suspected"}
    assert signed["fingerprint"] == sign_off["fingerprint"]
    timeline = [e["action"] for e in d.detail()["timeline"]]
    assert "legal_review_signed" in timeline


def test_a_return_then_a_second_review(driver):
    d = _to_legal_review(driver)
    body = d.complete("legal_review", review("return", "证据不足", failed=("facts_and_evidence",)), expect=422)
    assert "legal_review_reasons" in body["details"]
    d.complete("legal_review", review("return", "证据不足", reasons="缺少检测报告", failed=("facts_and_evidence",)))
    assert d.open_steps() == ["investigate"] and _sign_offs(d)["valid"] is False
    d.complete("investigate", {"evidence": [{"type": "document", "description": "检测报告",
                                             "collected_at": "2026-09-25T10:00:00+08:00"}]})
    d.complete("investigation_report", fine_proposal(50000))
    d.complete("legal_review", review("pass", "补充后同意"))
    sign_off = _sign_offs(d)
    assert sign_off["valid"] is True
    assert [r["outcome"] for r in sign_off["reviews"]] == ["pass", "return"]
    assert sign_off["reviews"][0]["fingerprint"] != sign_off["reviews"][1]["fingerprint"]  # new evidence
    assert d.open_steps() == ["notify_intended_penalty"]


def test_a_handler_of_the_case_cannot_review_it(app, driver):
    both = _user(app, "handler_reviewer", ["case_handler", "legal_reviewer"], qualified=True)
    d = _to_legal_review(driver, handlers=("handler1", both))
    task = d.open_task("legal_review")
    client = d.client(both)
    response = client.post(f"/api/v1/tasks/{task['id']}/claim")
    assert response.status_code == 403 and response.get_json()["code"] == "separation_of_duties"
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": review("pass")})
    assert response.status_code == 403 and response.get_json()["code"] == "separation_of_duties"
    assert d.open_steps() == ["legal_review"] and _sign_offs(d)["reviews"] == []
    d.complete("legal_review", review("pass"))  # an independent reviewer can


def test_a_reviewer_without_the_legal_qualification_cannot_sign(app, driver):
    unqualified = _user(app, "reviewer_unqualified", ["legal_reviewer"], qualified=False)
    d = _to_legal_review(driver)
    body = d.complete("legal_review", review("pass"), username=unqualified, expect=403)
    assert body["code"] == "legal_qualification_required" and "第五十八条" in body["message"]
    assert _sign_offs(d)["reviews"] == []


def test_the_reviewer_cannot_approve_the_decision(app, driver, committee):
    dual = _user(app, "reviewer_supervisor", ["legal_reviewer", "supervisor"], qualified=True)
    d = _to_legal_review(driver)
    d.complete("legal_review", review("pass"), username=dual)
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.committee_decides("agree")
    d.complete("draft_decision", DECISION)
    body = d.complete("approve_decision", {"decision_approved": True}, username=dual, expect=403)
    assert body["code"] == "separation_of_duties"
    d.complete("approve_decision", {"decision_approved": True}, username="supervisor1")
    assert d.open_steps() == ["record_disclosure", "serve_decision"]  # disclosure runs from the decision


def test_a_sign_off_stops_counting_when_the_proposal_changes_and_the_case_is_reviewed_again(driver):
    d = _to_committee(driver)
    first = _sign_offs(d)["fingerprint"]
    # The committee rejects the proposal; the handler proposes a lower fine, which must be reviewed again (below the
    # national 50,000-yuan threshold the case still needs a review when marked 疑难复杂, Art 58(1)(3)).
    assert d.committee_decides("disagree")["result"] == "rejected"
    d.complete("investigation_report", {**fine_proposal(40000), "complex_case": True})
    sign_off = _sign_offs(d)
    assert sign_off["valid"] is False and sign_off["reason"] == "changed_since_review"
    assert sign_off["changed"] == ["proposals"] and sign_off["fingerprint"] != first
    assert d.open_steps() == ["legal_review"]
    d.complete("legal_review", review("pass", "同意四万元"))
    assert _sign_offs(d)["valid"] is True


# -- the committee --------------------------------------------------------------------------------------
def test_a_ballot_reaching_its_majority_and_its_minutes(driver):
    d = _to_committee(driver)
    d.open_ballot("拟罚款五万元", conflicts=[("member5", "与当事人存在亲属关系")])
    ballot = d.ballot()
    assert ballot["status"] == "open" and ballot["round"] == 1 and ballot["chair"] == "head1"
    seats = {s["username"]: s["status"] for s in ballot["seats"]}
    assert seats == {"head1": "eligible", "member1": "eligible", "member2": "eligible", "member3": "eligible",
                     "member4": "eligible", "member5": "recused"}
    # Each member has a vote task of their own, nobody else's.
    assert d.queue("member1") == ["committee_vote"] and d.queue("member5") == [] and d.queue("handler1") == []
    for member, choice in [("head1", "agree"), ("member1", "agree"), ("member2", "disagree")]:
        d.vote(member, choice, f"{member} 的意见")
    ballot = d.ballot()
    assert ballot["tally"] is None  # how members voted is not shown while the ballot is open
    assert {s["username"] for s in ballot["seats"] if s["voted"]} == {"head1", "member1", "member2"}
    assert d.client("supervisor1").get(f"/api/v1/ballots/{ballot['id']}/minutes").status_code == 409
    d.vote("member3", "agree")
    d.vote("member4", "abstain", "需进一步了解")
    ballot = d.ballot()
    assert ballot["status"] == "closed" and ballot["result"] == "passed" and ballot["closed_how"] == "all_voted"
    assert ballot["tally"] == {"agree": 3, "disagree": 1, "abstain": 1, "cast": 5, "eligible": 5, "pending": 0,
                               "recused": 1}
    # The vote is an aid: the heads' discussion, as recorded, decides (行政处罚法 Art 57).
    assert d.open_steps() == ["record_collective_discussion"]
    d.record_discussion("passed")
    assert d.open_steps() == ["draft_decision"]
    minutes = d.client("member1").get(f"/api/v1/ballots/{ballot['id']}/minutes").get_json()
    assert minutes["case_number"] == d.case["case_number"] and minutes["proposal"] == "拟罚款五万元"
    assert [p["username"] for p in minutes["present"]] == ["head1", "member1", "member2", "member3", "member4"]
    assert minutes["recused"] == [{"username": "member5", "name": "委员5", "reason": "与当事人存在亲属关系"}]
    assert [(v["username"], v["choice"]) for v in minutes["votes"]] == [
        ("head1", "agree"), ("member1", "agree"), ("member2", "disagree"), ("member3", "agree"),
        ("member4", "abstain")]
    assert minutes["result_label"] == "通过"
    closed = [e for e in d.detail()["timeline"] if e["action"] == "ballot_closed"]
    assert len(closed) == 1 and closed[0]["details"]["result"] == "passed"
    d.complete("draft_decision", DECISION)
    d.complete("approve_decision", {"decision_approved": True})
    assert d.open_steps() == ["record_disclosure", "serve_decision"]  # disclosure runs from the decision


def test_a_failed_quorum_after_the_chair_closes_the_ballot(driver, sweep):
    d = _to_committee(driver)
    d.at("2026-09-28T09:00")
    d.open_ballot()
    ballot = d.ballot()
    d.vote("member1", "agree")
    d.vote("member2", "agree")
    d.vote("member3", "agree")
    close = lambda user: d.client(user).post(f"/api/v1/ballots/{ballot['id']}/close")
    response = close("member1")
    assert response.status_code == 403 and response.get_json()["code"] == "not_the_chair"
    response = close("head1")
    assert response.status_code == 409 and response.get_json()["code"] == "ballot_deadline_not_reached"
    # 5 working days from Monday 28 Sep skip the National Day holidays: 29, 30 Sep, 8, 9 and Saturday 10 Oct
    # (a make-up working day); due at the end of 10 October.
    assert ballot["deadline_at"] == "2026-10-10T16:00:00+00:00"
    d.at("2026-10-11T09:00")
    sweep()
    alerts = d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
    assert [(a["level"], a["task_name"]) for a in alerts] == [("escalation1", "集体讨论网上表决（辅助）")]
    response = close("head1")
    assert response.status_code == 200, response.get_json()
    closed = response.get_json()
    # Three of six members voted; two thirds (four) are needed.
    assert closed["result"] == "failed_quorum" and closed["closed_how"] == "chair"
    assert d.open_steps() == ["record_collective_discussion"]
    d.record_discussion("reopen")  # the heads decide to discuss it again
    assert d.open_steps() == ["prepare_collective_discussion"]
    assert d.vote("member4", expect=409, ballot_id=ballot["id"])["code"] == "ballot_closed"
    minutes = d.client("head1").get(f"/api/v1/ballots/{ballot['id']}/minutes").get_json()
    assert [p["username"] for p in minutes["absent"]] == ["head1", "member4", "member5"]
    d.open_ballot("重新表决")
    assert d.ballot()["round"] == 2


@pytest.mark.parametrize("chair_vote, expected, next_step", [
    ("agree", "passed", "draft_decision"), ("disagree", "rejected", "investigation_report")])
def test_a_tie_settled_by_the_chair(driver, committee, chair_vote, expected, next_step):
    committee(tie_rule="chair_casting")
    d = _to_committee(driver)
    d.open_ballot()
    others = "disagree" if chair_vote == "agree" else "agree"
    votes = [("head1", chair_vote), ("member1", chair_vote), ("member2", chair_vote),
             ("member3", others), ("member4", others), ("member5", others)]
    for member, choice in votes:
        d.vote(member, choice)
    ballot = d.ballot()
    assert ballot["tally"]["agree"] == ballot["tally"]["disagree"] == 3
    assert ballot["result"] == expected and d.open_steps() == ["record_collective_discussion"]
    d.record_discussion(expected)
    assert d.open_steps() == [next_step]


def test_a_tie_discussed_again_under_the_rediscuss_rule(driver, committee):
    committee(tie_rule="rediscuss")
    d = _to_committee(driver)
    d.open_ballot()
    for member, choice in zip(MEMBERS, ["agree"] * 3 + ["disagree"] * 3):
        d.vote(member, choice)
    assert d.ballot()["result"] == "tie"
    d.record_discussion("reopen")
    assert d.open_steps() == ["prepare_collective_discussion"]


def test_recused_members_cannot_vote_and_nobody_votes_twice(driver):
    d = _to_committee(driver)
    d.open_ballot(conflicts=[("member5", "曾为当事人提供咨询")])
    ballot_id = d.ballot()["id"]
    assert d.vote("member5", expect=403)["code"] == "recused"
    assert d.vote("handler1", expect=403)["code"] == "not_a_member"
    d.vote("member1", "agree")
    assert d.vote("member1", "disagree", expect=409)["code"] == "already_voted"
    # A member who discovers a conflict after the ballot opened declares it and leaves the ballot.
    response = d.client("member2").post(f"/api/v1/ballots/{ballot_id}/recusals", json={"reason": "发现利害关系"})
    assert response.status_code == 201
    assert d.vote("member2", expect=403)["code"] == "recused"
    seats = {s["username"]: s["status"] for s in d.ballot()["seats"]}
    assert seats["member2"] == "recused" and seats["member5"] == "recused"
    # The remaining four vote; the ballot closes with the four votes and a quorum (4 of 6).
    for member in ("head1", "member3", "member4"):
        d.vote(member, "agree")
    ballot = d.ballot()
    assert ballot["result"] == "passed" and ballot["tally"]["cast"] == 4
    assert d.vote("member3", expect=409)["code"] == "ballot_closed"


def test_votes_and_sign_offs_cannot_be_edited(app, driver):
    from workflow_service.extensions import db
    from workflow_service.modules.review.models import LegalReview, Vote

    d = _to_committee(driver)
    d.open_ballot()
    d.vote("member1", "agree")
    with app.app_context():
        vote = db.session.scalar(sa.select(Vote))
        vote.choice = "disagree"
        with pytest.raises(RuntimeError, match="written once"):
            db.session.flush()
        db.session.rollback()
        sign_off = db.session.scalar(sa.select(LegalReview))
        db.session.delete(sign_off)
        with pytest.raises(RuntimeError, match="written once"):
            db.session.flush()
        db.session.rollback()


def test_nine_members_voting_at_the_same_moment(app, driver, committee, login):
    nine = MEMBERS + [_user(app, f"member{i}", ["committee_member"]) for i in (6, 7, 8)]
    committee(members=nine)
    d = _to_committee(driver)
    d.open_ballot()
    ballot_id = d.ballot()["id"]
    clients = [login(m) for m in nine]
    barrier = threading.Barrier(len(nine))
    statuses = [None] * len(nine)

    def run(i):
        barrier.wait()
        statuses[i] = clients[i].post(f"/api/v1/ballots/{ballot_id}/votes",
                                      json={"choice": "agree" if i < 5 else "disagree", "opinion": "意见"}).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(nine))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [201] * 9
    ballot = d.ballot()
    assert ballot["status"] == "closed" and ballot["result"] == "passed"
    assert ballot["tally"] == {"agree": 5, "disagree": 4, "abstain": 0, "cast": 9, "eligible": 9, "pending": 0,
                               "recused": 0}
    timeline = [e["action"] for e in d.detail()["timeline"]]
    assert timeline.count("vote_cast") == 9 and timeline.count("ballot_closed") == 1
    assert d.open_steps() == ["record_collective_discussion"]  # the process moved on exactly once


def test_the_review_is_due_by_the_rule_table_with_warning_and_escalation(driver, sweep):
    d = _to_legal_review(driver)
    # Submitted on Monday 21 Sep: 10 working days (the national default, set per province) skip National Day.
    due_at, rule = d.due("legal_review")
    assert rule == "legal_review" and due_at == "2026-10-12T16:00:00+00:00"
    task = d.open_task("legal_review")
    assert d.client("reviewer1").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    alerts = lambda user: [(a["level"], a["task_name"]) for a in
                           d.client(user).get("/api/v1/alerts").get_json()["items"]]
    d.at("2026-10-11T09:00")  # within the 48-hour warning lead
    sweep()
    assert alerts("reviewer1") == [("warning", "法制审核")] and alerts("supervisor1") == []
    d.at("2026-10-13T09:00")
    sweep()
    assert alerts("supervisor1") == [("escalation1", "法制审核")]
    d.complete("legal_review", review("pass"))
    assert alerts("reviewer1") == [] and alerts("supervisor1") == []  # done: the alerts are cleared


def _upload_photo(app, d, tmp_path, monkeypatch, payload=b"\x00" * 200):
    import io

    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + payload + b"\xff\xd9"
    client = d.client("handler1")
    response = client.client.post(f"/api/v1/cases/{d.case['id']}/evidence", headers=client.headers,
                                  content_type="multipart/form-data",
                                  data={"kind": "photo", "description": "补充照片", "file": (io.BytesIO(jpeg), "补充.jpg")})
    assert response.status_code == 201, response.get_json()


def test_evidence_added_after_the_sign_off_sends_the_case_back_for_review(app, driver, tmp_path, monkeypatch):
    d = _to_committee(driver)
    d.committee_decides("agree")
    # A photo is added to the case after the legal review signed it off: the sign-off no longer covers it.
    _upload_photo(app, d, tmp_path, monkeypatch)
    sign_off = _sign_offs(d)
    assert sign_off["valid"] is False and sign_off["changed"] == ["evidence_files"]
    d.complete("draft_decision", DECISION)
    # Drafting the decision routed the case to a new legal review, not to the approval.
    assert d.open_steps() == ["legal_review_after_hearing"]
    d.complete("legal_review_after_hearing", review("pass", "补充证据已审核"))
    assert _sign_offs(d)["valid"] is True
    d.open_ballot("补充证据后再次讨论")  # the committee discusses the reviewed material again
    for member in MEMBERS:
        d.vote(member, "agree")
    d.record_discussion("passed")
    d.complete("draft_decision", DECISION)
    assert d.open_steps() == ["approve_decision"]


def test_a_decision_is_not_approved_when_the_evidence_changed_after_drafting(app, driver, tmp_path, monkeypatch):
    d = _to_committee(driver)
    d.committee_decides("agree")
    d.complete("draft_decision", DECISION)
    assert d.open_steps() == ["approve_decision"]
    _upload_photo(app, d, tmp_path, monkeypatch, payload=b"\x01" * 300)
    body = d.complete("approve_decision", {"decision_approved": True}, expect=409)
    assert body["code"] == "legal_review_invalid" and "第五十八条" in body["message"]
    assert body["details"]["changed"] == ["evidence_files"]
    assert d.open_steps() == ["approve_decision"]  # nothing changed; the approver sends it back
    d.complete("approve_decision", {"decision_approved": False, "decision_opinion": "证据已变更，退回重新审核"})
    d.complete("draft_decision", DECISION)
    assert d.open_steps() == ["legal_review_after_hearing"]
