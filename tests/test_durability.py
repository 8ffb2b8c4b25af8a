"""Concurrency and restarts: no work lost, none done twice."""
from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from .conftest import T0, make_app, set_clock
from .test_foundation_flow import only_task, start_review


def _run_at_once(count, target):
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(i):
        barrier.wait()
        results[i] = target(i)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_users_completing_one_task_at_once_exactly_one_succeeds(app, login):
    handler1, handler2 = login("handler1"), login("handler2")
    start_review(handler1)
    task = only_task(handler1)
    clients = [handler1, handler2, login("handler1"), login("handler2")]
    data = {"data": {"amount": 50000, "description": "并发"}}

    statuses = _run_at_once(len(clients), lambda i: clients[i].post(f"/api/v1/tasks/{task['id']}/complete",
                                                                      json=data).status_code)
    # Requests are serialized on the task's row: the first wins, the others find it completed.
    assert sorted(statuses) == [200, 409, 409, 409], statuses
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent
    from workflow_service.modules.tasks.models import Task

    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="task_completed").count() == 1
        # Exactly one approval task was created downstream: the engine advanced once.
        assert db.session.query(Task).filter_by(bpmn_id="approve").count() == 1


def test_two_sweepers_over_the_same_due_timers_fire_each_once(app, login):
    handler, admin = login("handler1"), login("admin")
    for i in range(6):
        start_review(handler, title=f"案件{i}")
    admin.post("/api/v1/admin/clock", json={"advance": "P3DT1M"})  # warning and deadline both due

    from workflow_service.extensions import db
    from workflow_service.modules.alerts.models import Alert
    from workflow_service.modules.audit.models import AuditEvent
    from workflow_service.modules.steps.sweep import sweep_due_timers
    from workflow_service.modules.timers.models import Timer

    def sweeper(_):
        with app.app_context():
            try:
                return sweep_due_timers()
            finally:
                db.session.remove()

    results = _run_at_once(3, sweeper)
    assert sum(r.failed for r in results) == 0, [r.errors for r in results]
    with app.app_context():
        fired = db.session.execute(sa.select(AuditEvent.details).filter_by(action="timer_fired")).scalars().all()
        assert len(fired) == 12  # 6 cases x (warning + deadline)
        assert db.session.query(Timer).filter_by(status="fired").count() == 12
        assert db.session.query(Alert).filter_by(level="warning").count() == 6
        assert db.session.query(Alert).filter_by(level="escalation1").count() == 6


def test_state_survives_a_restart_and_an_overdue_timer_fires_on_the_first_sweep(app, database_url, login):
    handler = login("handler1")
    start_review(handler, title="重启前的案件")
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/claim")

    # The service is "down" for five days; a fresh app instance comes up on the same database.
    restarted = make_app(database_url)
    set_clock(restarted, T0 + timedelta(days=5))
    client = restarted.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "handler1", "password": "test-password-1"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    mine = client.get("/api/v1/tasks?scope=mine", headers=headers).get_json()["items"]
    assert [(t["name"], t["case_title"]) for t in mine] == [("起草", "重启前的案件")]

    from workflow_service.modules.steps.sweep import sweep_due_timers

    with restarted.app_context():
        result = sweep_due_timers()
    assert result.fired >= 1 and result.failed == 0
    supervisor = client.post("/api/v1/auth/token", json={"username": "supervisor1", "password": "test-password-1"})
    alerts = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {supervisor.get_json()['token']}"})
    assert [a["level"] for a in alerts.get_json()["items"]] == ["escalation1"]
    # The restarted instance completes the task the first one started.
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                       json={"data": {"amount": 1, "description": "重启后办结"}})
    assert done.status_code == 200
    with restarted.app_context():
        from workflow_service.extensions import db

        db.engine.dispose()


def test_a_failing_timer_is_retried_then_becomes_an_incident_without_blocking_others(app, login, monkeypatch):
    handler, admin = login("handler1"), login("admin")
    start_review(handler, title="坏案件")
    start_review(handler, title="好案件")
    admin.post("/api/v1/admin/clock", json={"advance": "P2DT1M"})

    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessInstance
    from workflow_service.modules.steps import pipeline
    from workflow_service.modules.steps import sweep as jobs
    from workflow_service.modules.timers.models import Timer

    with app.app_context():
        bad_id = db.session.scalar(sa.select(ProcessInstance.id).filter_by(title="坏案件"))
    original = pipeline.fire_due_timers

    def flaky(instance):
        if instance.id == bad_id:
            raise RuntimeError("diagram expression failed")
        return original(instance)

    monkeypatch.setattr(pipeline, "fire_due_timers", flaky)
    with app.app_context():
        first = jobs.sweep_due_timers()
        assert (first.fired, first.failed) == (1, 1)
        bad_timer = db.session.scalar(sa.select(Timer).where(Timer.instance_id == bad_id, Timer.bpmn_id == "warn_draft"))
        assert bad_timer.status == "waiting" and bad_timer.attempts == 1 and "diagram expression" in bad_timer.last_error
        # Backoff: an immediate second sweep leaves it alone.
        assert jobs.sweep_due_timers().failed == 0
    # After enough failures (moving past each backoff) it becomes an incident for administrators.
    for _ in range(10):
        admin.post("/api/v1/admin/clock", json={"advance": "PT20M"})
        with app.app_context():
            jobs.sweep_due_timers()
    incidents = admin.get("/api/v1/admin/incidents").get_json()
    assert [(i["bpmn_id"], i["attempts"]) for i in incidents] == [("warn_draft", 5)]
    monkeypatch.setattr(pipeline, "fire_due_timers", original)
    assert admin.post(f"/api/v1/admin/incidents/{incidents[0]['id']}/retry").status_code == 200
    with app.app_context():
        assert jobs.sweep_due_timers().failed == 0
        assert db.session.get(Timer, incidents[0]["id"]).status == "fired"


def test_instance_state_is_stored_without_the_specs_and_with_the_serializer_version(app, login):
    import json

    handler = login("handler1")
    instance = start_review(handler)
    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessInstance

    with app.app_context():
        row = db.session.get(ProcessInstance, instance["id"])
        state = json.loads(row.state)
        assert "spec" not in state and "subprocess_specs" not in state
        assert row.serializer_version == state["serializer_version"] == "1.5"
        # The specs are stored once, with the definition version the instance started on.
        assert row.definition.specs["spec"]["name"] == "fixture_review"
        assert len(row.state) < len(json.dumps(row.definition.specs))
