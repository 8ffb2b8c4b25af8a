"""Deadline rules, the holiday calendar and deadline timers (行政处罚法 Art 85 counting; DOMAIN.md)."""
from __future__ import annotations


import pytest
from urllib.parse import quote


def compute(client, rule, start, **extra):
    query = f"/api/v1/deadlines/compute?rule={rule}&from={quote(start)}"
    for key, value in extra.items():
        query += f"&{key}={value}"
    return client.get(query)


@pytest.mark.parametrize("rule, start, last_day, due_at_local", [
    # DOMAIN.md's example: 1-7 October are holidays, Saturday 10 October is a make-up working day.
    ("service_of_decision", "2026-09-28T10:00:00+08:00", "2026-10-13", "2026-10-14T00:00:00+08:00"),
    # Spring Festival 2026: 15-23 February off, Saturday 14 February worked.
    ("hearing_request", "2026-02-12T15:00:00+08:00", "2026-02-26", "2026-02-27T00:00:00+08:00"),
    # 15 calendar days ending on 7 October (a holiday) run to the next working day.
    ("payment", "2026-09-22T09:00:00+08:00", "2026-10-08", "2026-10-09T00:00:00+08:00"),
    # The 90 days from filing are calendar days.
    ("decision_after_filing", "2026-06-03T09:00:00+08:00", "2026-09-01", "2026-09-02T00:00:00+08:00"),
])
def test_compute_counts_on_the_right_calendar(login, rule, start, last_day, due_at_local):
    body = compute(login("handler1"), rule, start).get_json()
    assert (body["last_day"], body["due_at_local"], body["provisional"]) == (last_day, due_at_local, False)
    assert body["basis"].startswith("《")


def test_24_hours_run_from_the_exact_instant(login):
    body = compute(login("handler1"), "transfer_handover", "2026-09-30T15:20:00+08:00").get_json()
    assert body["due_at"] == "2026-10-01T07:20:00+00:00"
    assert body["last_day"] is None


def test_a_deadline_in_2027_is_provisional(login):
    body = compute(login("handler1"), "service_of_decision", "2026-12-28T10:00:00+08:00").get_json()
    assert body["provisional"] is True
    assert body["last_day"] == "2027-01-06"  # weekdays only until 2027's arrangement is loaded


def test_rules_list_their_basis_and_confidence(login):
    rules = {r["rule_id"]: r for r in login("reviewer1").get("/api/v1/deadline-rules").get_json()}
    assert {"service_of_decision", "decision_after_filing", "hearing_request", "payment", "disclosure",
            "transfer_handover", "reinspection"} <= set(rules)
    assert rules["decision_after_filing"]["amount"] == 90
    assert rules["decision_after_filing"]["unit"] == "calendar_days"
    assert "第六十条" in rules["decision_after_filing"]["legal_basis"]
    assert rules["reinspection"]["confidence"] == "M"


def test_bad_compute_requests_get_clear_errors(login):
    client = login("handler1")
    assert compute(client, "no_such_rule", "2026-10-12T09:00:00+08:00").status_code == 404
    naive = compute(client, "payment", "2026-10-12T09:00:00")
    assert naive.status_code == 422 and "from" in naive.get_json()["details"]
    assert client.get("/api/v1/deadlines/compute?rule=payment").status_code == 422


def test_a_province_tunes_its_legal_review_period_without_changing_the_national_rule(login):
    admin, handler = login("admin"), login("handler1")
    assert handler.client.put("/api/v1/deadline-rules/legal_review?jurisdiction=530000", json={"amount": 7},
                              headers=handler.headers).status_code == 403
    response = admin.client.put("/api/v1/deadline-rules/legal_review?jurisdiction=530000",
                                json={"amount": 7}, headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    try:
        start = "2026-11-02T09:00:00+08:00"  # Monday
        assert compute(handler, "legal_review", start, jurisdiction="530000").get_json()["last_day"] == "2026-11-11"
        assert compute(handler, "legal_review", start).get_json()["last_day"] == "2026-11-16"
    finally:
        admin.client.put("/api/v1/deadline-rules/legal_review?jurisdiction=530000", json={"amount": 10},
                         headers=admin.headers)


def test_a_rule_changed_by_another_worker_applies_at_once(app, login):
    """Rules are cached per process: a change another worker committed (here: written straight to the table,
    as another process would) is seen by the next computation — even one that left the rule's timestamp as
    it was (a settable demo clock can repeat or go back)."""
    import sqlalchemy as sa

    from workflow_service.extensions import db

    handler = login("handler1")
    start = "2026-11-02T09:00:00+08:00"  # Monday; legal review: 10 working days
    assert compute(handler, "legal_review", start).get_json()["last_day"] == "2026-11-16"
    where = "WHERE rule_id = 'legal_review' AND jurisdiction = 'national'"

    def set_amount(amount):
        with app.app_context():
            db.session.execute(sa.text(f"UPDATE deadline_rules SET amount = :a {where}"), {"a": amount})
            db.session.commit()

    set_amount(5)
    try:
        assert compute(handler, "legal_review", start).get_json()["last_day"] == "2026-11-09"
    finally:
        set_amount(10)
    assert compute(handler, "legal_review", start).get_json()["last_day"] == "2026-11-16"


def start_serving(client, decided_at):
    response = client.post("/api/v1/process-instances", json={
        "process_id": "fixture_deadline", "title": "送达测试", "data": {"decided_at": decided_at}})
    assert response.status_code == 201, response.get_json()
    items = client.get("/api/v1/tasks?scope=available").get_json()["items"]
    return response.get_json(), items[0]


def test_a_timer_calls_the_rule_and_the_task_shows_its_due_time_and_rule(login):
    handler = login("handler1")
    login("admin").post("/api/v1/admin/clock", json={"now": "2026-09-28T10:00:00+08:00"})
    instance, task = start_serving(handler, "2026-09-28T10:00:00+08:00")
    assert task["due_at"] == "2026-10-13T16:00:00+00:00"
    assert task["due_rule"]["rule_id"] == "service_of_decision"
    assert "第六十一条" in task["due_rule"]["legal_basis"]
    assert task["due_provisional"] is False
    timers = {t["bpmn_id"]: t for t in handler.get(f"/api/v1/process-instances/{instance['id']}/timers").get_json()}
    assert timers["serve_warning"]["due_at"] == "2026-10-11T16:00:00+00:00"  # 48 hours before
    assert timers["serve_level2"]["due_at"] == "2026-10-15T16:00:00+00:00"   # 48 hours after


def test_importing_2027_recomputes_a_provisional_deadline(login):
    handler, admin = login("handler1"), login("admin")
    _, task = start_serving(handler, "2026-12-28T10:00:00+08:00")
    assert (task["due_at"], task["due_provisional"]) == ("2027-01-06T16:00:00+00:00", True)
    # A made-up arrangement: 1-3 January off (Friday to Sunday), 4 January off too, Saturday 9 January worked.
    response = admin.post("/api/v1/admin/calendar/2027", json={
        "source": "测试通知", "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-01-04", "name": "元旦"}],
        "workdays": [{"date": "2027-01-09", "name": "元旦"}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["recomputed_timers"] == 3
    refreshed = handler.get(f"/api/v1/tasks/{task['id']}").get_json()
    # 29, 30, 31 Dec, 5, 6, 7, 8 Jan = 7 working days.
    assert (refreshed["due_at"], refreshed["due_provisional"]) == ("2027-01-08T16:00:00+00:00", False)
    assert compute(handler, "service_of_decision", "2026-12-28T10:00:00+08:00").get_json()["provisional"] is False


def test_calendar_import_refuses_bad_entries_and_non_admins(login):
    admin, handler = login("admin"), login("handler1")
    body = {"source": "x", "holidays": [{"date": "2028-01-03"}], "workdays": [{"date": "2027-01-05"}]}
    assert handler.post("/api/v1/admin/calendar/2027", json=body).status_code == 403
    response = admin.post("/api/v1/admin/calendar/2027", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["details"]) == {"holidays.0.date", "workdays.0.date"}
    assert admin.get("/api/v1/calendar/2027").get_json()["official"] is False


def test_the_deadline_escalates_to_the_supervisor_then_the_city(login, sweep):
    handler, supervisor, city, admin = (login(u) for u in ("handler1", "supervisor1", "city_supervisor", "admin"))
    admin.post("/api/v1/admin/clock", json={"now": "2026-09-28T10:00:00+08:00"})
    start_serving(handler, "2026-09-28T10:00:00+08:00")
    admin.post("/api/v1/admin/clock", json={"now": "2026-10-14T00:00:01+08:00"})
    sweep()
    assert [a["level"] for a in handler.get("/api/v1/alerts").get_json()["items"]] == ["warning"]
    assert [a["level"] for a in supervisor.get("/api/v1/alerts").get_json()["items"]] == ["escalation1"]
    assert city.get("/api/v1/alerts").get_json()["items"] == []
    admin.post("/api/v1/admin/clock", json={"now": "2026-10-16T00:00:01+08:00"})
    sweep()
    assert [a["level"] for a in city.get("/api/v1/alerts").get_json()["items"]] == ["escalation2"]
