"""What the locking statement of an engine step knows about an instance (core/presence.py): a case with no
deadline adjustment and no open alert is stepped without summing or clearing them, and anything added later
in the same transaction is still seen."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .sql_log import Statements


@pytest.fixture()
def serving(login):
    """An instance of the fixture deadline process waiting at its first task (no adjustment, no alert)."""
    handler = login("handler1")
    login("admin").post("/api/v1/admin/clock", json={"now": "2026-09-28T10:00:00+08:00"})
    response = handler.post("/api/v1/process-instances", json={
        "process_id": "fixture_deadline", "title": "送达测试", "data": {"decided_at": "2026-09-28T10:00:00+08:00"}})
    assert response.status_code == 201, response.get_json()
    task = handler.get("/api/v1/tasks?scope=available").get_json()["items"][0]
    return response.get_json()["id"], task["id"]


def test_an_extension_added_after_the_lock_counts_in_the_same_transaction(app, serving):
    from workflow_service.core.services import clock
    from workflow_service.extensions import db
    from workflow_service.modules.deadlines.models import DeadlineAdjustment
    from workflow_service.modules.deadlines.queries import deadline_shifts
    from workflow_service.modules.steps.locking import lock_instance

    instance_id, _ = serving
    with app.app_context():
        instance = lock_instance(instance_id)
        with Statements(db.engine) as statements:
            assert deadline_shifts(instance.id) == {}
        assert statements.touching("deadline_adjustments") == []  # known from the locking statement
        db.session.add(DeadlineAdjustment(instance_id=instance_id, rule_id="service_of_decision", kind="extension",
                                          shift_seconds=86400 * 3, reason="延期", created_at=clock().now()))
        # Not flushed yet, and the lock said "none": the addition itself must make it count.
        assert deadline_shifts(instance.id) == {"service_of_decision": timedelta(days=3)}
        db.session.commit()

        instance = lock_instance(instance_id)  # a later step reads it from the locking statement
        assert instance.has_adjustments
        assert deadline_shifts(instance.id) == {"service_of_decision": timedelta(days=3)}
        db.session.rollback()


def test_an_alert_raised_after_the_lock_is_cleared_with_its_task(app, serving):
    from workflow_service.core.services import clock
    from workflow_service.extensions import db
    from workflow_service.modules.alerts.models import Alert
    from workflow_service.modules.alerts.operations import clear_alerts_for_tasks
    from workflow_service.modules.steps.locking import lock_instance_of_task

    instance_id, task_id = serving
    with app.app_context():
        instance = lock_instance_of_task(task_id)
        assert instance.id == instance_id and not instance.has_open_alerts
        with Statements(db.engine) as statements:
            clear_alerts_for_tasks([task_id], clock().now(), instance_id)
        assert statements.touching("alerts") == []  # nothing open: no UPDATE
        alert = Alert(instance_id=instance_id, task_id=task_id, level="warning", title="办案期限预警",
                      source_bpmn_id="warn", raised_at=clock().now(), target_role="case_handler")
        db.session.add(alert)
        db.session.flush()
        clear_alerts_for_tasks([task_id], clock().now(), instance_id)
        db.session.commit()
        assert db.session.get(Alert, alert.id).cleared_at is not None

        # After the commit nothing is known: the next transaction asks the database again.
        with Statements(db.engine) as statements:
            clear_alerts_for_tasks([task_id], clock().now(), instance_id)
        assert len(statements.touching("UPDATE alerts")) == 1
        db.session.rollback()
