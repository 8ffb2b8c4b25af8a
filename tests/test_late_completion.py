"""A missed deadline is recorded even when the work is done before the sweep notices (issue 22).

A step at time T first fires the instance's timers that fell due before T (steps/pipeline.py, "settle"), so a
task completed one minute after its deadline with the sweep stopped leaves the same record as one the sweep
reached first: the same audit events, the same lateness on the task, the same statistics, no alert left open.
"""
from __future__ import annotations

import threading

import sqlalchemy as sa

from .case_driver import FILING, CaseDriver

EVIDENCE = {"evidence": [{"type": "photo", "description": "现场照片", "collected_at": "2026-09-21T10:00:00+08:00"}]}
DEADLINE_ACTIONS = ("timer_fired", "deadline_missed", "alert_raised", "task_completed")


def _at_investigation(login, admin) -> CaseDriver:
    d = CaseDriver(login, admin)
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    # 行政处罚法 Art 60: 90 days from 21 Sep end at 24:00 on Monday 21 Dec.
    assert d.due("investigate") == ("2026-12-21T16:00:00+00:00", "decision_after_filing")
    return d


def _deadline_record(app, instance_id: int) -> list[tuple]:
    """What the case record says about the investigation's deadline, without ids and times of recording."""
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent

    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action.in_(DEADLINE_ACTIONS),
            AuditEvent.occurred_at >= sa.literal("2026-12-01")).order_by(AuditEvent.seq))
        record = []
        for e in events:
            details = dict(e.details or {})
            details.pop("data", None)
            if e.action == "alert_raised":
                details = {k: details[k] for k in ("level", "title", "target_role")}
            record.append((e.action, tuple(sorted((k, str(v)) for k, v in details.items()))))
        return record


def _alerts(app, task_id: int) -> list[tuple]:
    from workflow_service.extensions import db
    from workflow_service.modules.alerts.models import Alert

    with app.app_context():
        return [(a.level, a.raised_at.isoformat(), a.cleared_at.isoformat() if a.cleared_at else None)
                for a in db.session.scalars(sa.select(Alert).where(Alert.task_id == task_id)
                                            .order_by(Alert.id))]


def test_a_task_done_one_minute_late_with_the_sweep_stopped_is_recorded_as_if_the_sweep_had_fired(
        app, login, sweep):
    admin = login("admin")
    unswept, swept = _at_investigation(login, admin), _at_investigation(login, admin)
    unswept_task, swept_task = unswept.open_task("investigate"), swept.open_task("investigate")

    admin.post("/api/v1/admin/clock", json={"now": "2026-12-22T00:01:00+08:00"})  # one minute past the deadline
    unswept.complete("investigate", EVIDENCE)        # the sweep never ran for it
    assert sweep().fired >= 1                       # the other case: the sweep gets there first ...
    swept.complete("investigate", EVIDENCE)          # ... and the work comes after it

    late = {"amount": 1, "unit": "calendar_days", "label": "超期 1 日办结"}
    for d, task in ((unswept, unswept_task), (swept, swept_task)):
        body = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()
        assert body["late"] == late
        assert body["due_at"] == body["missed_deadline_at"] == "2026-12-21T16:00:00+00:00"
    # The same audit events, in the same order: the deadline fired, was recorded as missed and escalated,
    # then the work was completed, late.
    record = _deadline_record(app, unswept.case["instance_id"])
    assert record == _deadline_record(app, swept.case["instance_id"])
    assert [a for a, _ in record][:6] == ["timer_fired", "timer_fired", "deadline_missed", "alert_raised",
                                      "alert_raised", "task_completed"]
    assert ("rule", "decision_after_filing") in record[2][1]
    assert ("due_at", "2026-12-21T16:00:00+00:00") in record[2][1]
    # No alert about the late task stays open; those the unswept case's own step raised are in the record,
    # raised and cleared at the same instant.
    swept_alerts, unswept_alerts = _alerts(app, swept_task["id"]), _alerts(app, unswept_task["id"])
    assert len(swept_alerts) == len(unswept_alerts) == 2
    assert all(cleared for _, _, cleared in swept_alerts + unswept_alerts)
    assert all(raised == cleared for _, raised, cleared in unswept_alerts)
    # The next step inherits the running decision deadline, already missed: it shows it, not "no deadline".
    report = unswept.open_task("investigation_report")
    assert report["due_at"] == "2026-12-21T16:00:00+00:00" and report["missed_deadline_at"] == report["due_at"]
    # The record and the case page say so; the statistics count both the same way.
    timeline = swept.detail()["timeline"]
    assert [e["late_label"] for e in timeline if e["action"] == "task_completed"][-1] == "超期 1 日办结"
    stats = login("supervisor1").get("/api/v1/statistics?period=2026-12").get_json()
    own = [r for r in stats["rows"] if r["unit_code"] == "532301"][0]["figures"]
    assert own["late_completions"] == 2


def test_the_case_page_and_the_case_file_review_show_a_late_completion(app, login, sweep):
    from .test_web_pages import browser

    admin = login("admin")
    d = _at_investigation(login, admin)
    admin.post("/api/v1/admin/clock", json={"now": "2026-12-23T10:00:00+08:00"})
    d.complete("investigate", EVIDENCE)
    page = browser(app, "supervisor1").get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "超期 2 日办结" in page  # 90 calendar days: done on the second day after the last day


def test_the_case_file_review_flags_a_late_completion_with_its_lateness():
    from datetime import datetime, timezone

    from workflow_service.modules.case_file_review.checks import CaseFacts, Completion, check_task_deadlines

    due = datetime(2026, 12, 21, 16, 0, tzinfo=timezone.utc)
    late = Completion("legal_review", "法制审核", datetime(2026, 12, 23, 2, 0, tzinfo=timezone.utc), "reviewer1", due,
                      "legal_review", {}, "超期 2 个工作日办结")
    in_time = Completion("legal_review", "法制审核", due.replace(day=1), "reviewer1", due, "legal_review", {})
    facts = CaseFacts(data={}, completions=[late, in_time], shifts={}, deadline=None)
    (found,) = check_task_deadlines(facts)
    assert found["code"] == "deadline_missed" and found["detail"].endswith("超期 2 个工作日办结")


def test_the_sweep_and_a_completion_racing_on_one_due_timer_settle_it_once(app, login, sweep):
    """100 times: the sweep and a person's completion reach the same due deadline at the same moment; the
    deadline fires once, is recorded missed once, and the completion is late, whichever wins the lock."""
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent
    from workflow_service.modules.tasks.models import Task

    handler, admin = login("handler1"), login("admin")
    errors: list = []
    for _ in range(100):
        started = handler.post("/api/v1/process-instances", json={"process_id": "fixture_review", "title": "竞争"})
        assert started.status_code == 201, started.get_json()
        instance_id = started.get_json()["id"]
        (task,) = [t for t in handler.get("/api/v1/tasks?scope=available&limit=200").get_json()["items"]
                   if t["instance_id"] == instance_id]
        admin.post("/api/v1/admin/clock", json={"advance": "P3DT1M"})  # past 起草逾期 (P3D)
        barrier = threading.Barrier(2)
        answers = {}

        def run_sweep():
            barrier.wait()
            try:
                sweep()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        def complete():
            barrier.wait()
            answers["status"] = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                                             json={"data": {"amount": 100, "description": "起草完成"}}).status_code

        threads = [threading.Thread(target=run_sweep), threading.Thread(target=complete)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers["status"] == 200 and not errors
        with app.app_context():
            counts = dict(db.session.execute(
                sa.select(AuditEvent.action, sa.func.count()).where(
                    AuditEvent.instance_id == instance_id,
                    AuditEvent.action.in_(["timer_fired", "deadline_missed", "alert_raised"]))
                .group_by(AuditEvent.action)).all())
            done = db.session.get(Task, task["id"])
            assert counts == {"timer_fired": 2, "deadline_missed": 1, "alert_raised": 2}, counts
            assert done.status == "completed" and done.late_amount == 1 and done.missed_deadline_at is not None


def test_the_case_page_names_every_event_of_the_record_in_chinese(app, login):
    from .test_web_pages import browser

    admin = login("admin")
    d = _at_investigation(login, admin)
    admin.post("/api/v1/admin/clock", json={"now": "2026-12-22T00:01:00+08:00"})
    d.complete("investigate", EVIDENCE)
    page = browser(app, "supervisor1").get(f"/cases/{d.case['id']}").get_data(as_text=True)
    record = page[page.index('id="timeline"'):]
    record = record[:record.index("</section>")]
    assert "期限届满未办结" in record and "deadline_missed" not in record
