"""One case's or one unit's rows are read through an index that starts with its id, however many rows the rest of
the service holds.

The index on (status, due_at) serves the sweep ("what is due"); the one on (action, occurred_at) and the task
queue's (status, ...) serve the service as a whole. Asked for the earliest waiting timer of ONE instance, the
completion event of one task, or one county's tasks, a database may walk those instead — every waiting timer,
every completion, every open task of the service — until it meets a row it wants. SQLite and PostgreSQL both did
so for the locking statement of every step (steps/locking.py): 0.23 ms a step at 300 open cases, 0.56 ms at 3,000,
growing with the service. These tests crowd another case or unit with thousands of rows and read the plan each
database chooses for the statements the service really sends.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from .conftest import T0
from .sql_log import Statements
from .test_auth_and_access import web_login
from .test_foundation_flow import start_review
from .transfer_driver import REPORT, TransferDriver

OTHER_TIMERS = 3000


def crowd(app, instance_id: int) -> None:
    """OTHER_TIMERS waiting timers for `instance_id`, due over the coming weeks, and as many completion events."""
    from workflow_service.extensions import db

    rows = [{"instance_id": instance_id, "engine_task_id": f"crowd-{i}", "due_at": T0 + timedelta(days=30, minutes=i),
             "created_at": T0, "seq": 1000 + i} for i in range(OTHER_TIMERS)]
    with app.app_context():
        db.session.execute(times(
            "INSERT INTO timers (instance_id, engine_task_id, bpmn_id, name, due_at, status, attempts, properties, "
            "provisional, created_at) VALUES (:instance_id, :engine_task_id, 'crowd', '他案期限', :due_at, 'waiting', "
            "0, '{}', FALSE, :created_at)", "due_at", "created_at"), rows)
        db.session.execute(times(
            "INSERT INTO audit_events (occurred_at, actor_name, action, instance_id, details, seq, prev_hash, hash) "
            "VALUES (:created_at, 'handler1', 'task_completed', :instance_id, '{}', :seq, '0', '0')", "created_at"),
            rows)
        db.session.commit()
        analyze("timers, audit_events")


def times(statement: str, *names: str) -> sa.TextClause:
    """A raw INSERT whose time parameters are stored as the service stores times (UTCDateTime)."""
    from workflow_service.core.db import UTCDateTime

    return sa.text(statement).bindparams(*(sa.bindparam(name, type_=UTCDateTime) for name in names))


def analyze(tables: str) -> None:
    """PostgreSQL: the planner's statistics of the crowded tables, as autovacuum would have them (SQLite plans
    from the schema)."""
    from workflow_service.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"ANALYZE {tables}")


def plan(app, statement: str, parameters) -> str:
    """The plan the test database chooses for a statement as the service sent it."""
    from workflow_service.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters)
            return "\n".join(row[0] for row in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, tuple(parameters))
        return "\n".join(row[-1] for row in rows)


# Indexes for the whole service's rows (the sweep's, the statistics'), never the way to one instance's.
SERVICE_WIDE = ("ix_timers_due", "ix_audit_events_action")


def of_instances(sent) -> list:
    """The statements that read the timers or the events of given instances or tasks (SELECT, UPDATE, DELETE)."""
    owned = ("timers.instance_id", "audit_events.instance_id", "audit_events.task_id")
    return [(s, p) for s, p in sent
            if any(column in s for column in owned) and s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))]


def test_a_step_reads_the_next_timer_of_its_own_instance_only(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.steps.locking import _statement

    handler = login("handler1")
    mine = start_review(handler, title="本案")["id"]
    crowd(app, start_review(handler, title="他案")["id"])
    task = handler.get("/api/v1/tasks?scope=available").get_json()["items"]
    task_id = next(t["id"] for t in task if t["instance_id"] == mine)
    for by, key in (("task", task_id), ("instance", mine)):
        with app.app_context():
            compiled = _statement(by, False).compile(db.engine)
            statement, parameters = str(compiled), compiled.construct_params({"key": key})
            if db.engine.dialect.name == "sqlite":
                parameters = [parameters[name] for name in compiled.positiontup]
        chosen = plan(app, statement, parameters)
        assert "ix_timers_instance" in chosen and "ix_timers_due" not in chosen, chosen


def test_no_statement_of_a_case_and_a_transfer_walks_the_timers_of_the_whole_service(app, login, sweep):
    """A case under investigation and a transfer waiting for approval, their pages and lists, a step of each and
    a sweep: every statement that asks for the timers of some instances uses the instances' index."""
    from workflow_service.extensions import db

    d = TransferDriver(login, login("admin"))
    d.filed_and_investigated()
    case = d.case
    d.at("2026-10-12T09:00")
    d.open_transfer(party_name="楚雄某化工有限公司", party_type="organisation")  # a page lists two transfers
    d.open_transfer(party_name="楚雄某冶金有限公司", party_type="organisation")
    d.step("draft_transfer_report", REPORT)
    crowd(app, start_review(login("handler1"), title="他案")["id"])
    with app.app_context():
        engine = db.engine
    with Statements(engine) as log:
        supervisor = d.client("supervisor1")
        assert supervisor.get(f"/api/v1/cases/{case['id']}").status_code == 200
        assert supervisor.get("/api/v1/transfers").status_code == 200
        assert supervisor.get("/api/v1/cases").status_code == 200
        assert supervisor.get("/api/v1/tasks?scope=available").status_code == 200
        browser = app.test_client()
        web_login(browser, "supervisor1")
        assert browser.get(f"/cases/{case['id']}").status_code == 200
        approval = d.tasks_of(d.transfer["instance_id"], username="head1")
        d.step("approve_transfer", {"transfer_approved": True, "approval_opinion": "同意"}, username="head1")
        d.at("2026-10-13T09:00")
        sweep()
        # A completed step's page shows what was submitted, from the task's completion event.
        head = app.test_client()
        web_login(head, "head1")
        done = [t for t in approval if t["bpmn_id"] == "approve_transfer"]
        assert done and head.get(f"/tasks/{done[0]['id']}").status_code == 200
    statements = of_instances(log.sent)
    # the lock, the case's deadlines, the transfer list, the completion event
    assert len({s for s, _ in statements}) >= 4, log.seen
    walking = [f"{s}\n{chosen}" for s, p in statements
               if any(index in (chosen := plan(app, s, p)) for index in SERVICE_WIDE)]
    assert not walking, "\n\n".join(walking)


def test_a_units_plan_progress_reads_that_units_inspections_of_the_year_only(app, login):
    """计划完成情况: a unit's inspections of the plan's days (Shanghai days, to the minute), through (unit_id,
    recorded_at) — not every inspection of the service made without a draw (SQLite took "draw_item_id IS NULL" on
    that column's unique index for one row)."""
    from datetime import date, datetime

    from workflow_service.core.workdays import SHANGHAI
    from workflow_service.extensions import db
    from workflow_service.modules.inspections.queries import plan_inspection_count

    source = start_review(login("handler1"), title="他单位检查")["id"]
    columns = ("definition_id, process_id, unit_id, business_key, title, status, state, serializer_version, data, "
               "waiting_events, version, started_at, started_by_id, updated_at")
    with app.app_context():
        other_unit, unit = (db.session.execute(sa.text("SELECT id FROM units WHERE code = :c"), {"c": c}).scalar_one()
                            for c in ("532300", "532301"))
        db.session.execute(sa.text(f"INSERT INTO process_instances ({columns}) SELECT {columns} "
                                   "FROM process_instances WHERE id = :source"), [{"source": source}] * OTHER_TIMERS)
        instances = db.session.scalars(sa.text("SELECT id FROM process_instances WHERE id <> :source"),
                                       {"source": source}).all()
        user = db.session.execute(sa.text("SELECT id FROM users WHERE username = 'handler1'")).scalar_one()
        db.session.execute(times(
            "INSERT INTO inspections (inspection_number, instance_id, unit_id, company_name, plan_kind, industry, "
            "source, inspectors, status, recorded_at, created_at, created_by_id) VALUES (:number, :instance, :unit, "
            "'他单位企业', 'general', 'general', 'plan', '[]', 'recorded', :at, :at, :user)", "at"),
            # The unit's own two: the last minute of October and the first of November (Shanghai time).
            [{"number": f"own-{i}", "instance": instance, "unit": unit, "at": at, "user": user}
             for i, (instance, at) in enumerate(zip(instances[:2], (datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI),
                                                                    datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI))))]
            + [{"number": f"crowd-{i}", "instance": instance, "unit": other_unit, "at": T0 - timedelta(days=i % 300),
                "user": user} for i, instance in enumerate(instances[2:])])
        db.session.commit()
        analyze("inspections")
        with Statements(db.engine) as log:
            october = plan_inspection_count(unit, date(2026, 10, 1), date(2026, 10, 31))
        assert [row["day"] for row in october] == [date(2026, 10, 31)]
        assert [row["day"] for row in plan_inspection_count(unit, date(2026, 11, 1), date(2026, 11, 30))] \
            == [date(2026, 11, 1)]
        db.session.rollback()
    [(statement, parameters)] = [(s, p) for s, p in log.sent if "FROM inspections" in s]
    chosen = plan(app, statement, parameters)
    assert "ix_inspections_unit_recorded" in chosen, chosen


def test_a_countys_statistics_read_that_countys_tasks_only(app, login):
    """统计: a county supervisor's figures for a month read the tasks of the county's units through indexes that
    start with the unit — not every open or completed task of the service through the queue's (status, ...)
    index, as both databases did for the overdue and the stage-duration figures."""
    from workflow_service.extensions import db

    source = start_review(login("handler1"), title="市局任务")["id"]
    with app.app_context():
        city = db.session.execute(sa.text("SELECT id FROM units WHERE code = '532300'")).scalar_one()
        db.session.execute(times(
            "INSERT INTO tasks (instance_id, engine_task_id, bpmn_id, name, role, unit_id, candidates_only, status, "
            "version, due_at, due_provisional, created_at, completed_at) VALUES (:instance, :engine, 'crowd', '市局任务', "
            "'case_handler', :unit, FALSE, :status, 1, :due, FALSE, :created, :completed)",
            "due", "created", "completed"),
            [{"instance": source, "engine": f"crowd-{i}", "unit": city, "status": ("completed", "ready")[i % 2],
              "due": T0 - timedelta(days=i % 60), "created": T0 - timedelta(days=90),
              "completed": T0 - timedelta(days=i % 50) if i % 2 == 0 else None} for i in range(OTHER_TIMERS)])
        db.session.commit()
        analyze("tasks")
        engine = db.engine
    with Statements(engine) as log:
        assert login("supervisor1").get("/api/v1/statistics?period=2026-10").status_code == 200
    by_unit = [(s, p) for s, p in log.sent if "FROM tasks" in s and "tasks.unit_id IN" in s]
    assert len(by_unit) >= 3, log.seen  # overdue, late, and stage durations
    walking = [f"{s}\n{chosen}" for s, p in by_unit if "ix_tasks_queue" in (chosen := plan(app, s, p))]
    assert not walking, "\n\n".join(walking)
