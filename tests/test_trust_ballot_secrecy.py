"""Ballot secrecy (集体讨论): how a member voted is nobody's to read until the ballot closes — not in the case
detail and its timeline, not in the completed vote task or the process data the other members' tasks show, not on
the case, task and ballot pages; after the close the minutes (and the timeline's ballot_closed event) show every
vote and opinion."""
from __future__ import annotations

import json
import re

import pytest

from .case_driver import CaseDriver
from .test_review_and_committee import _to_committee
from .test_web_pages import browser

SECRET = "赵局长的秘密意见XYZ"
CHOICE = re.compile(r'"vote_choice":\s*"(agree|disagree|abstain)"|"choice":\s*"(agree|disagree|abstain)"')


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _everything_readable(app, d, username):
    """Every answer about the case that `username` can get from the API and the pages, as one text."""
    client = d.client(username)
    case_id, instance_id = d.case["id"], d.case["instance_id"]
    texts = []
    for path in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/timeline", f"/api/v1/cases/{case_id}/ballots",
                 f"/api/v1/process-instances/{instance_id}", f"/api/v1/process-instances/{instance_id}/tasks",
                 "/api/v1/tasks?scope=mine", "/api/v1/tasks?scope=available"):
        response = client.get(path)
        if response.status_code == 200:
            texts.append(json.dumps(response.get_json(), ensure_ascii=False))
    tasks = client.get(f"/api/v1/process-instances/{instance_id}/tasks")
    task_ids = [t["id"] for t in tasks.get_json()] if tasks.status_code == 200 else []
    task_ids += [t["id"] for t in d.detail()["open_tasks"]]
    for task_id in task_ids:
        response = client.get(f"/api/v1/tasks/{task_id}")
        if response.status_code == 200:
            texts.append(json.dumps(response.get_json(), ensure_ascii=False))
    pages = browser(app, username)
    for path in [f"/cases/{case_id}", f"/ballots/{d.ballot()['id']}", *[f"/tasks/{t}" for t in task_ids]]:
        response = pages.get(path)
        if response.status_code == 200:
            texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


def test_nobody_reads_a_vote_before_the_ballot_closes_and_the_minutes_show_it_after(app, driver):
    d = _to_committee(driver)
    d.open_ballot("拟罚款五万元")
    d.vote("head1", "disagree", SECRET)
    for username in ("member2", "supervisor1", "handler1", "city_supervisor"):
        seen = _everything_readable(app, d, username)
        assert SECRET not in seen, f"{username} reads the opinion of an open ballot"
        assert not CHOICE.search(seen), f"{username} reads a choice of an open ballot: {CHOICE.search(seen)}"
    # The timeline still says that a member voted, and when.
    timeline = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/timeline").get_json()["items"]
    assert [e["actor"] for e in timeline if e["action"] == "vote_cast"] == ["head1"]
    for member in ("member1", "member2", "member3", "member4", "member5"):
        d.vote(member, "agree", "同意")
    ballot = d.ballot()
    assert ballot["status"] == "closed"
    # Closed: the minutes and the timeline's ballot_closed event carry every vote and opinion.
    minutes = d.client("member2").get(f"/api/v1/ballots/{ballot['id']}/minutes").get_json()
    assert {(v["username"], v["choice"], v["opinion"]) for v in minutes["votes"]} >= {("head1", "disagree", SECRET)}
    timeline = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/timeline").get_json()["items"]
    (closed,) = [e for e in timeline if e["action"] == "ballot_closed"]
    assert ("head1", "disagree", SECRET) in {(v["username"], v["choice"], v["opinion"]) for v in closed["details"]["votes"]}
    # The chain still verifies, votes sealed and all.
    assert d.client("supervisor1").get(f"/api/v1/audit/verify?case_id={d.case['id']}").get_json()["ok"] is True


def test_each_vote_is_sealed_in_the_chain_and_the_seal_matches_the_minutes(app, driver):
    from workflow_service.modules.review.committee import vote_seal

    d = _to_committee(driver)
    d.open_ballot("拟罚款五万元")
    ballot_id = d.ballot()["id"]
    for member in ("head1", "member1", "member2", "member3", "member4"):
        d.vote(member, "agree", f"{member} 同意")
    d.vote("member5", "abstain", SECRET)
    timeline = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/timeline").get_json()["items"]
    seals = {e["actor"]: e["details"]["seal"] for e in timeline if e["action"] == "vote_cast"}
    (closed,) = [e for e in timeline if e["action"] == "ballot_closed"]
    with app.app_context():
        for v in closed["details"]["votes"]:
            assert seals[v["username"]] == vote_seal(ballot_id, v["username"], v["choice"], v["opinion"])
