"""The foundation, end to end through the HTTP API on the fixture process (two lanes, a form, a DMN
decision, an exclusive gateway, a warning timer and an overdue timer that escalates)."""
from __future__ import annotations

from datetime import timedelta

from .conftest import T0


def start_review(client, title="测试案件", **data):
    response = client.post("/api/v1/process-instances", json={"process_id": "fixture_review", "title": title,
                                                                "data": data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def task_names(client, scope):
    response = client.get(f"/api/v1/tasks?scope={scope}")
    assert response.status_code == 200, response.get_json()
    return [(t["name"], t["case_title"]) for t in response.get_json()["items"]]


def only_task(client, scope="available"):
    items = client.get(f"/api/v1/tasks?scope={scope}").get_json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_started_case_appears_in_the_handlers_queue_only(login):
    handler1, handler2, supervisor, reviewer = (login(u) for u in ("handler1", "handler2", "supervisor1", "reviewer1"))
    start_review(handler1)
    assert task_names(handler1, "available") == [("起草", "测试案件")]
    assert task_names(handler2, "available") == [("起草", "测试案件")]
    assert task_names(supervisor, "available") == []
    assert task_names(reviewer, "available") == []
    assert task_names(handler1, "mine") == []


def test_task_due_time_comes_from_its_overdue_timer(login):
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    # The non-warning boundary timer ("P3D") marks the deadline; the warning timer (P2D) does not.
    assert task["due_at"] == (T0 + timedelta(days=3)).isoformat()


def test_claim_takes_the_task_out_of_everyone_elses_queue(login):
    handler1, handler2 = login("handler1"), login("handler2")
    start_review(handler1)
    task = only_task(handler1)
    response = handler1.post(f"/api/v1/tasks/{task['id']}/claim")
    assert response.status_code == 200
    assert response.get_json()["assignee"] == "handler1"
    assert task_names(handler1, "mine") == [("起草", "测试案件")]
    assert task_names(handler2, "available") == []
    assert handler2.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    assert handler1.post(f"/api/v1/tasks/{task['id']}/release").status_code == 200
    assert task_names(handler2, "available") == [("起草", "测试案件")]


def test_opening_a_task_returns_its_form_and_data(login):
    handler = login("handler1")
    start_review(handler, region="楚雄")
    task = only_task(handler)
    body = handler.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert body["form"]["title"] == "起草"
    assert body["form"]["required"] == ["amount", "description"]
    assert body["data"]["region"] == "楚雄"


def test_bad_form_data_is_refused_per_field_and_changes_nothing(app, login):
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/claim")
    before = handler.get(f"/api/v1/tasks/{task['id']}").get_json()
    response = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                            json={"data": {"amount": "lots", "__builtins__": {}, "extra": 1}})
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_failed"
    assert set(body["details"]) == {"amount", "description", "__builtins__", "extra"}
    after = handler.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert after["status"] == "ready" and after["version"] == before["version"]
    assert task_names(handler, "mine") == [("起草", "测试案件")]
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent

    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="task_completed").count() == 0


def test_completing_routes_through_the_dmn_and_gateway_to_the_supervisor(login):
    handler, supervisor = login("handler1"), login("supervisor1")
    start_review(handler)
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/claim")
    response = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                            json={"data": {"amount": 50000, "description": "大额罚款"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "completed"
    # The answer is built from the rows as the request wrote them (not read back): it is what a fresh read
    # shows, field for field.
    fresh = handler.get(f"/api/v1/tasks/{task['id']}").get_json()
    answered = response.get_json()
    assert {k: fresh[k] for k in answered} == answered
    assert answered["version"] == task["version"] + 2 and answered["assignee"] == "handler1"
    assert task_names(handler, "mine") == []
    assert task_names(supervisor, "available") == [("审批", "测试案件")]
    # Completing it again is a conflict, not a second completion.
    again = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 1, "description": "x"}})
    assert again.status_code == 409


def test_a_small_amount_needs_no_approval_and_the_case_completes(login):
    handler, supervisor = login("handler1"), login("supervisor1")
    instance = start_review(handler)
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 500, "description": "小额"}})
    assert task_names(supervisor, "available") == []
    assert handler.get(f"/api/v1/process-instances/{instance['id']}").get_json()["status"] == "completed"


def test_a_task_of_another_role_or_unit_is_forbidden(login):
    handler, supervisor, city = login("handler1"), login("supervisor1"), login("city_supervisor")
    reviewer = login("reviewer1")
    start_review(handler)
    task = only_task(handler)
    assert reviewer.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403
    assert reviewer.get(f"/api/v1/tasks/{task['id']}").status_code == 403
    assert reviewer.post(f"/api/v1/tasks/{task['id']}/complete",
                         json={"data": {"amount": 1, "description": "x"}}).status_code == 403
    # Supervisors may look (their unit tree) but not do a handler's task.
    assert supervisor.get(f"/api/v1/tasks/{task['id']}").status_code == 200
    assert city.get(f"/api/v1/tasks/{task['id']}").status_code == 200
    assert supervisor.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403


def test_a_stale_version_is_a_conflict(login):
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    claimed = handler.post(f"/api/v1/tasks/{task['id']}/claim", json={"version": task["version"]}).get_json()
    response = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                            json={"version": task["version"], "data": {"amount": 1, "description": "x"}})
    assert response.status_code == 409
    assert response.get_json()["code"] == "stale_version"
    ok = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                      json={"version": claimed["version"], "data": {"amount": 1, "description": "x"}})
    assert ok.status_code == 200


def test_supervisor_reassigns_within_the_unit_tree(login):
    handler1, handler2, city = login("handler1"), login("handler2"), login("city_supervisor")
    start_review(handler1)
    task = only_task(handler1)
    handler1.post(f"/api/v1/tasks/{task['id']}/claim")
    assert handler1.post(f"/api/v1/tasks/{task['id']}/reassign", json={"assignee": "handler2"}).status_code == 403
    assert city.post(f"/api/v1/tasks/{task['id']}/reassign", json={"assignee": "reviewer1"}).status_code == 422
    response = city.post(f"/api/v1/tasks/{task['id']}/reassign", json={"assignee": "handler2"})
    assert response.status_code == 200
    assert response.get_json()["assignee"] == "handler2"
    assert task_names(handler2, "mine") == [("起草", "测试案件")]
    assert task_names(handler1, "mine") == []


def test_overdue_timer_escalates_to_the_supervisor_and_no_one_else(login, sweep):
    handler, handler2, supervisor, admin = (login(u) for u in ("handler1", "handler2", "supervisor1", "admin"))
    city, reviewer = login("city_supervisor"), login("reviewer1")
    start_review(handler)
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/claim")

    # Nothing due yet: the sweep fires nothing.
    assert sweep().fired == 0

    # Two days on: the warning goes to the assignee only.
    assert admin.post("/api/v1/admin/clock", json={"advance": "P2DT1M"}).status_code == 200
    assert sweep().fired == 1
    warnings = handler.get("/api/v1/alerts").get_json()["items"]
    assert [(a["level"], a["task_name"]) for a in warnings] == [("warning", "起草")]
    assert handler2.get("/api/v1/alerts").get_json()["items"] == []
    assert supervisor.get("/api/v1/alerts").get_json()["items"] == []

    # Three days on: the deadline passes; the escalation reaches the county supervisor.
    admin.post("/api/v1/admin/clock", json={"advance": "P1D"})
    assert sweep().fired == 1
    escalations = supervisor.get("/api/v1/alerts").get_json()["items"]
    assert [(a["level"], a["task_name"]) for a in escalations] == [("escalation1", "起草")]
    assert escalations[0]["due_at"] == (T0 + timedelta(days=3)).isoformat()
    assert escalations[0]["overdue_seconds"] == 60
    assert city.get("/api/v1/alerts").get_json()["items"] == []
    assert reviewer.get("/api/v1/alerts").get_json()["items"] == []
    assert [a["level"] for a in handler.get("/api/v1/alerts").get_json()["items"]] == ["warning"]

    # A second sweep fires nothing more; completing the task clears its alerts.
    assert sweep().fired == 0
    handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 1, "description": "x"}})
    assert supervisor.get("/api/v1/alerts").get_json()["items"] == []
    assert handler.get("/api/v1/alerts").get_json()["items"] == []


def test_completed_task_cancels_its_timers(app, login, sweep):
    handler, admin = login("handler1"), login("admin")
    instance = start_review(handler)
    task = only_task(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 1, "description": "x"}})
    admin.post("/api/v1/admin/clock", json={"advance": "P10D"})
    assert sweep().fired == 0
    timers = handler.get(f"/api/v1/process-instances/{instance['id']}/timers").get_json()
    assert sorted(t["status"] for t in timers) == ["cancelled", "cancelled"]


def test_a_reassignment_answers_with_the_new_assignee(app, login):
    """The answer is dumped from the rows as the request wrote them, before its commit (core/transaction.py):
    it names the user the task was handed to, not the one who held it when the request began."""
    handler1, supervisor = login("handler1"), login("supervisor1")
    start_review(handler1)
    task = only_task(handler1)
    claimed = handler1.post(f"/api/v1/tasks/{task['id']}/claim").get_json()
    assert claimed["assignee"] == "handler1"
    answer = supervisor.post(f"/api/v1/tasks/{task['id']}/reassign",
                             json={"assignee": "handler2", "version": claimed["version"]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["assignee"] == "handler2" and answer.get_json()["status"] == "ready"
    assert login("handler2").get(f"/api/v1/tasks/{task['id']}").get_json()["assignee"] == "handler2"