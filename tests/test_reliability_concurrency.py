"""Concurrency storms: many clients claiming and completing the same tasks while sweepers fire timers.

Invariants checked afterwards: no task completed twice, no lost update (every completion reached the saved
engine state: its next task exists and can be done), every due timer fired exactly once, no 500.
WFS_LONG_TESTS=1 runs the long variant (more cases, more clients). tests/test_durability.py has the two-user
race and the two-sweeper race; these are the storms around them.
"""
from __future__ import annotations

import os
import random
import threading
from collections import Counter

import sqlalchemy as sa

from .test_foundation_flow import start_review

LONG = os.environ.get("WFS_LONG_TESTS") == "1"
CASES = 40 if LONG else 6
CLIENTS = 12 if LONG else 6
DRAFT = {"data": {"amount": 50000, "description": "并发"}}  # large: goes on to the supervisor's approval


def storm(count, target):
    """Run target(i) for i in range(count) in threads released at once; return results (exceptions kept)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(i):
        barrier.wait()
        try:
            results[i] = target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def _rows(app, sql, **params):
    from workflow_service.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(sql), params).all()


def _draft_tasks(app):
    return [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' ORDER BY id")]


def test_a_storm_of_clients_claims_and_completes_every_task_exactly_once(app, login):
    handler = login("handler1")
    for i in range(CASES):
        start_review(handler, title=f"并发案件{i}")
    tasks = _draft_tasks(app)
    assert len(tasks) == CASES
    clients = [login("handler1" if i % 2 else "handler2") for i in range(CLIENTS)]

    def client_run(i):
        order = tasks[:]
        random.Random(i).shuffle(order)
        statuses = []
        for task_id in order:
            claim = clients[i].post(f"/api/v1/tasks/{task_id}/claim")
            statuses.append(claim.status_code)
            if claim.status_code == 200:
                statuses.append(clients[i].post(f"/api/v1/tasks/{task_id}/complete", json=DRAFT).status_code)
        return statuses

    results = storm(CLIENTS, client_run)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    statuses = Counter(s for r in results for s in r)
    assert set(statuses) <= {200, 403, 409}, statuses  # 403: claimed by the other handler; never a 500
    # Each task completed once, by one person, with one audit event; each case advanced once.
    completed = _rows(app, "SELECT id, completed_by_id FROM tasks WHERE bpmn_id = 'draft' AND status = 'completed'")
    audit = Counter(r[0] for r in _rows(app, "SELECT task_id FROM audit_events WHERE action = 'task_completed'"))
    claimed = Counter(r[0] for r in _rows(app, "SELECT task_id FROM audit_events WHERE action = 'task_claimed'"))
    still_open = set(tasks) - {r[0] for r in completed}
    # A handler whose claim won but whose completion found the task claimed by the other handler: nothing else.
    assert all(audit[t] == 1 for t in tasks if t not in still_open)
    assert all(claimed[t] == 1 for t in tasks), claimed
    approvals = Counter(r[0] for r in _rows(app, "SELECT instance_id FROM tasks WHERE bpmn_id = 'approve'"))
    assert sorted(approvals.values()) == [1] * (CASES - len(still_open)), approvals
    # No lost update: every approval is really open in the saved engine state — the supervisor completes it.
    supervisor = login("supervisor1")
    for (task_id,) in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'approve' AND status = 'ready'"):
        done = supervisor.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"approved": True}})
        assert done.status_code == 200, done.get_json()


def test_sweepers_racing_with_completions_fire_or_cancel_each_timer_once(app, login, sweep):
    handler, admin = login("handler1"), login("admin")
    for i in range(CASES + 1):
        start_review(handler, title=f"竞态案件{i}")
    # Nobody completes the spare case's draft: its timers must fire, whichever side wins the races of the others
    # (on a loaded machine the completions may all come first).
    *tasks, spare = _draft_tasks(app)
    admin.post("/api/v1/admin/clock", json={"advance": "P3DT1M"})  # the draft's warning and deadline are due
    clients = [login("handler1") for _ in range(3)]

    from workflow_service.extensions import db
    from workflow_service.modules.steps.sweep import sweep_due_timers

    def sweeper():
        with app.app_context():
            try:
                return sweep_due_timers()
            finally:
                db.session.remove()

    def worker(i):
        if i < 3:
            return sweeper()
        client = clients[i - 3]
        return [client.post(f"/api/v1/tasks/{t}/complete", json=DRAFT).status_code for t in tasks[i - 3::3]]

    results = storm(6, worker)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.failed for r in results[:3]) == 0, [r.errors for r in results[:3]]
    assert set(s for r in results[3:] for s in r) <= {200, 409}, results[3:]
    sweep()  # whatever was skipped while an instance was busy fires now
    timers = _rows(app, "SELECT id, status, instance_id, bpmn_id FROM timers")
    # Every due timer ended fired or cancelled (its task done first), none is left waiting, none fired twice.
    assert {s for _, s, _, _ in timers} <= {"fired", "cancelled"}, timers
    per_instance = Counter((inst, bpmn) for _, s, inst, bpmn in timers if s == "fired")
    assert all(v == 1 for v in per_instance.values()), per_instance
    assert len(_rows(app, "SELECT id FROM audit_events WHERE action = 'timer_fired'")) == sum(per_instance.values())
    (spare_instance,) = _rows(app, "SELECT instance_id FROM tasks WHERE id = :id", id=spare)[0]
    assert spare_instance in {inst for inst, _ in per_instance}, per_instance
    completed = _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' AND status = 'completed'")
    assert len(completed) == CASES
    assert len(_rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'approve'")) == CASES


# Committee members voting at once (集体讨论): tests/test_review_and_committee.py::
# test_nine_members_voting_at_the_same_moment starts nine votes on one barrier, on both databases, and checks every
# vote is accepted once (9 × 201, 9 vote_cast events), the tally equals the votes cast, the ballot closed once and the
# process moved on exactly once.
