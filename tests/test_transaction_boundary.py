"""One transaction per entry point (workflow_service/core/transaction.py): a request that returns commits, one
that raises rolls back, a refused form keeps nothing, a failed CLI command keeps nothing, and a commit that fails
is answered 409, not 500.

Some cases need a view that does exactly one thing (write and return, write and raise, write a row that goes stale
before the commit): they are routes of a second application on the same database (`probe`), since routes cannot
be added to the session's application once it has served a request."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from .case_driver import FILING
from .conftest import make_app
from .test_auth_and_access import csrf_token_in, web_login
from .test_foundation_flow import only_task, start_review

# handler2's failed-login count (login_throttles): rows any view can change, emptied before every test
# (conftest._clean); the probe row (source "probe") is made again for each test (_probe_row).
PROBE_USER = "handler2"


def failed_logins(app, username=PROBE_USER) -> int:
    from workflow_service.extensions import db

    with app.app_context():
        return db.session.scalar(sa.text("SELECT COALESCE(SUM(failures), 0) FROM login_throttles WHERE username = :u"),
                                 {"u": username})


@pytest.fixture(autouse=True)
def _probe_row(app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import LoginThrottle

    with app.app_context():
        db.session.add(LoginThrottle(username=PROBE_USER, source="probe", failures=0, locks=0))
        db.session.commit()


def rows(app) -> dict:
    """What a step leaves behind: every task (status, version), instance (version), audit event, chain head."""
    from workflow_service.extensions import db

    with app.app_context():
        def q(sql):
            return [tuple(r) for r in db.session.execute(sa.text(sql))]

        return {"tasks": q("SELECT id, status, version, assignee_id FROM tasks ORDER BY id"),
                "instances": q("SELECT id, version, status FROM process_instances ORDER BY id"),
                "timers": q("SELECT id, status FROM timers ORDER BY id"),
                "audit": q("SELECT id, action FROM audit_events ORDER BY id"),
                "heads": q("SELECT chain, seq FROM audit_chain_heads ORDER BY chain")}


@pytest.fixture(scope="module")
def probe(app, database_url):
    """A second application on the test database, with views that each do one thing to handler2's row."""
    from flask import flash, request

    from workflow_service.core.errors import Conflict
    from workflow_service.core.transaction import discard
    from workflow_service.extensions import db
    from workflow_service.modules.tasks.models import Task
    from workflow_service.modules.users.models import LoginThrottle, Unit

    probe = make_app(database_url)
    probe.config["WTF_CSRF_ENABLED"] = False

    def user():
        return db.session.scalar(sa.select(LoginThrottle).filter_by(username=PROBE_USER, source="probe"))

    @probe.route("/probe/returns", methods=["POST"])
    def returns():
        user().failures = 3
        db.session.flush()
        return "ok"

    @probe.route("/probe/raises", methods=["POST"])
    def raises():
        user().failures = 4
        db.session.flush()
        raise Conflict("模拟：写入后被拒绝 (refused after writing)", code="probe_refused")

    @probe.route("/probe/discards", methods=["POST"])
    def discards():
        row = user()
        row.failures = 5
        db.session.flush()
        discard()
        seen = row.failures  # what a re-rendered page would show: the state before the attempt
        row.failures = 6  # written after discard(): not committed either
        db.session.flush()
        return str(seen), 422

    @probe.route("/probe/reads", methods=["GET"])
    def reads():
        user().failures = 7  # a page that shapes a row for display changes nothing
        return "ok"

    @probe.route("/probe/draws", methods=["GET"])
    def draws():
        from workflow_service.core.transaction import takes_write_lock, unit_of_work

        # As a download drawing its PDF: the request reads (a snapshot, no write lock on SQLite) ...
        seen = user().failures
        read_only = not takes_write_lock()
        # ... another request commits meanwhile ...
        other = sa.create_engine(database_url)
        try:
            with other.begin() as conn:
                conn.execute(sa.text("UPDATE login_throttles SET locks = locks + 1 WHERE source = 'probe'"))
        finally:
            other.dispose()
        # ... and the one write a GET makes goes through a unit of work of its own, which takes the lock.
        with unit_of_work():
            writes = takes_write_lock()
            user().failures = 10
        return {"seen": seen, "read_only": read_only, "unit_takes_lock": writes}

    @probe.route("/probe/stale/<int:task_id>", methods=["POST"])
    def stale(task_id):
        from sqlalchemy.orm.attributes import set_committed_value

        user().failures = 8
        task = db.session.get(Task, task_id)
        # As if another request had completed the task after this one loaded it: the commit's UPDATE ... WHERE
        # version = <what we loaded> finds no row.
        set_committed_value(task, "version", task.version - 1)
        task.name = "不应保存"
        return "ok"

    @probe.route("/probe/duplicate", methods=["POST"])
    def duplicate():
        from workflow_service.core.clock import utcnow

        user().failures = 9
        db.session.add(Unit(code=request.args["code"], name="重复单位", level="county", path="/dup/",
                            created_at=utcnow()))
        flash("单位已创建。", "success")  # as a page does before the commit
        return "ok"

    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def call(probe, path, method="POST"):
    return probe.test_client().open(path, method=method, headers={"Accept": "application/json"})


# -- HTTP requests ------------------------------------------------------------------------------------------
def test_a_view_that_returns_commits_what_it_flushed(app, probe):
    assert call(probe, "/probe/returns").status_code == 200
    assert failed_logins(app) == 3


def test_a_view_that_raises_after_flushing_leaves_nothing_behind(app, probe):
    response = call(probe, "/probe/raises")
    assert response.status_code == 409 and response.get_json()["code"] == "probe_refused"
    assert failed_logins(app) == 0


def test_a_discarded_request_shows_the_state_before_the_attempt_and_commits_nothing(app, probe):
    response = call(probe, "/probe/discards")
    assert response.status_code == 422 and response.get_data(as_text=True) == "0"
    assert failed_logins(app) == 0


def test_a_page_that_changes_a_row_it_shows_writes_nothing(app, probe):
    assert call(probe, "/probe/reads", "GET").status_code == 200
    assert failed_logins(app) == 0


def test_a_unit_of_work_inside_a_safe_request_writes_in_a_transaction_of_its_own(app, probe):
    """A GET reads from a snapshot (on SQLite without the write lock); a write it must keep (a PDF drawn on
    download) begins a transaction of its own with the lock — also after another request committed since the
    snapshot, which on SQLite could not be turned into a write."""
    response = call(probe, "/probe/draws", "GET")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"seen": 0, "read_only": True, "unit_takes_lock": True}
    assert failed_logins(app) == 10


def test_pages_answer_while_a_step_holds_its_locks_and_a_step_on_the_case_waits_for_them(app, login, database_url):
    """What a step holds till its commit — SQLite's write lock, PostgreSQL's row lock on the instance — makes the
    next step on the case wait (the two never interleave), but never a page, a list or a download: a safe request
    reads a snapshot (on SQLite without the write lock, core/transaction.takes_write_lock)."""
    import sqlite3
    import threading

    handler = login("handler1")
    case = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": "某公司",
                                               "party_type": "organisation", "summary": "检查"}).get_json()
    (task,) = [t for t in handler.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
               if t["bpmn_id"] == "draft_filing"]
    holding, let_go, released = threading.Event(), threading.Event(), threading.Event()

    def writer():
        if database_url.startswith("sqlite"):
            conn = sqlite3.connect(database_url.split("sqlite:///", 1)[1], isolation_level=None, timeout=5)
            conn.execute("BEGIN IMMEDIATE")
            end = lambda: (conn.execute("ROLLBACK"), conn.close())  # noqa: E731
        else:
            engine = sa.create_engine(database_url)
            conn = engine.connect()
            transaction = conn.begin()
            conn.execute(sa.text("SELECT id FROM process_instances WHERE id = :i FOR UPDATE"),
                         {"i": case["instance_id"]})
            end = lambda: (transaction.rollback(), conn.close(), engine.dispose())  # noqa: E731
        holding.set()
        let_go.wait(timeout=10)  # a read that waited for the lock would come back only after this
        end()
        released.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        reads = [handler.get("/api/v1/me"), handler.get(f"/api/v1/cases/{case['id']}"),
                 handler.get("/api/v1/tasks?scope=available")]
        answered_while_held = not released.is_set()
        assert [r.status_code for r in reads] == [200, 200, 200]
        assert answered_while_held, "a read waited for the writer"
        threading.Timer(0.5, let_go.set).start()
        step = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": FILING})
        assert step.status_code == 200, step.get_json()
        assert released.is_set()  # it queued behind the writer, then went through
    finally:
        let_go.set()
        thread.join()


def test_a_commit_that_meets_a_stale_version_is_a_409_and_keeps_nothing(app, probe, login):
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    before = rows(app)
    response = call(probe, f"/probe/stale/{task['id']}")
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.get_json()["code"] == "stale_version" and "刷新" in response.get_json()["message"]
    assert rows(app) == before and failed_logins(app) == 0
    assert handler.get(f"/api/v1/tasks/{task['id']}").get_json()["name"] == task["name"]


def test_a_commit_that_meets_a_duplicate_row_is_a_409_and_keeps_nothing(app, probe):
    client = probe.test_client()
    response = client.post("/probe/duplicate?code=532301", headers={"Accept": "application/json"})  # the county's
    assert response.status_code == 409 and response.get_json()["code"] == "conflict"
    assert failed_logins(app) == 0
    with client.session_transaction() as session:  # the next page does not announce what was not saved
        assert not session.get("_flashes")


def test_an_api_request_whose_operation_fails_after_flushing_leaves_nothing_behind(app, login, monkeypatch):
    """The completion flushes the task, its audit event and the engine step; a refusal after that (here: the
    alerts step handler) must take all of it back."""
    from workflow_service.core.errors import Conflict
    from workflow_service.modules.alerts import operations as alert_ops

    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    before = rows(app)

    def refuse(*_args, **_kwargs):
        raise Conflict("模拟：流程推进后被拒绝 (refused after the step)", code="probe_refused")

    monkeypatch.setattr(alert_ops, "clear_alerts_for_tasks", refuse)
    response = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                            json={"data": {"amount": 1, "description": "x"}, "version": task["version"]})
    assert response.status_code == 409 and response.get_json()["code"] == "probe_refused"
    assert rows(app) == before
    assert only_task(handler)["id"] == task["id"]

    monkeypatch.undo()
    done = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                        json={"data": {"amount": 1, "description": "x"}, "version": task["version"]})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"


def test_a_completion_answers_from_the_rows_as_written_and_commits_them(app, login):
    """The answer is dumped before the commit, from the rows the completion wrote — and they are committed."""
    handler = login("handler1")
    start_review(handler)
    task = only_task(handler)
    answer = handler.post(f"/api/v1/tasks/{task['id']}/complete",
                          json={"data": {"amount": 1, "description": "x"}, "version": task["version"]}).get_json()
    assert answer["status"] == "completed" and answer["assignee"] == "handler1"
    assert answer["version"] == task["version"] + 1
    assert handler.get(f"/api/v1/tasks/{task['id']}").get_json()["version"] == answer["version"]


def test_no_request_leaves_its_transaction_open(app, login, database_url):
    """Even when the caller's application context outlives the request (so the session is not removed at its
    end), the boundary has ended the transaction: SQLite's write lock and PostgreSQL's row locks are released."""
    from workflow_service.extensions import db

    handler = login("handler1")
    with app.app_context():
        for response in (handler.get("/api/v1/me"), handler.get("/api/v1/tasks?scope=available"),
                         handler.post("/api/v1/cases", json={"source": "inspection", "party_name": "某公司",
                                                             "party_type": "organisation", "summary": "检查"})):
            assert response.status_code in (200, 201), response.get_json()
            assert not db.session().in_transaction()
    other = sa.create_engine(database_url, connect_args={"timeout": 1} if database_url.startswith("sqlite") else {})
    try:
        with other.begin() as conn:  # would wait for the lock, then fail, if a request had kept it
            conn.execute(sa.text("UPDATE login_throttles SET failures = 1 WHERE username = :u"), {"u": PROBE_USER})
    finally:
        other.dispose()


def test_a_failed_login_is_counted_although_the_request_is_refused(app):
    response = app.test_client().post("/api/v1/auth/token", json={"username": PROBE_USER, "password": "wrong-1"})
    assert response.status_code == 401 and response.get_json()["code"] == "bad_credentials"
    assert failed_logins(app) == 1


# -- a web form refused with 422 -----------------------------------------------------------------------------
def test_a_web_form_refused_after_the_step_ran_comes_back_with_422_and_changes_nothing(app, login, monkeypatch):
    from workflow_service.core.errors import ValidationFailed
    from workflow_service.modules.steps import tasks as task_ops

    api = login("handler1")
    response = api.post("/api/v1/cases", json={"source": "inspection", "party_name": FILING["party"]["name"],
                                               "party_type": "organisation", "summary": FILING["summary"]})
    case = response.get_json()
    (task,) = api.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    client = app.test_client()
    assert web_login(client, "handler1").status_code == 302
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    before = rows(app)
    real_complete = task_ops.complete_task

    def complete_then_refuse(*args, **kwargs):
        real_complete(*args, **kwargs)  # the task completed, its event written, the engine stepped, all flushed
        raise ValidationFailed("模拟：提交后被拒绝 (refused after the step)", {"summary": ["模拟的拒绝理由"]})

    monkeypatch.setattr(task_ops, "complete_task", complete_then_refuse)
    form = MultiDict({"csrf_token": csrf_token_in(page), "version": str(task["version"]), "source": "inspection",
                      "party.name": FILING["party"]["name"], "party.type": "organisation",
                      "handlers.__present": "1", "violations.__present": "1",
                      "violations.0.description": FILING["violations"][0]["description"],
                      "violations.0.provision": FILING["violations"][0]["provision"], "summary": FILING["summary"]})
    form.setlist("handlers", ["handler1", "handler2"])  # 承办人 are checked by name
    refused = client.post(f"/tasks/{task['id']}", data=form)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "模拟的拒绝理由" in body and 'data-schema-form' in body  # the form again, open, with the message
    assert rows(app) == before
    detail = api.get(f"/api/v1/cases/{case['id']}").get_json()
    assert [t["bpmn_id"] for t in detail["open_tasks"]] == [task["bpmn_id"]]
    assert "task_completed" not in [e["action"] for e in detail["timeline"]]


# -- CLI commands and jobs -----------------------------------------------------------------------------------
def test_a_cli_command_that_fails_half_way_changes_nothing(app, tmp_path, monkeypatch):
    """The calendar year is imported (flushed) before the provisional deadlines are recomputed; when that fails
    the command exits 2 and the year is not there."""
    from workflow_service.core.errors import ServiceError
    from workflow_service.extensions import db
    from workflow_service.modules.steps import calendar as process_ops

    def fail(_actor):
        raise ServiceError("模拟：重新计算失败 (recomputation failed)")

    monkeypatch.setattr(process_ops, "recompute_provisional_timers", fail)
    path = tmp_path / "2031.json"
    path.write_text(json.dumps({"source": "国办发明电〔2030〕1号", "holidays": [{"date": "2031-01-01", "name": "元旦"}]}),
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["wfs", "import-calendar", "2031", str(path)])
    assert result.exit_code == 2 and "重新计算失败" in result.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM calendar_years WHERE year = 2031")) == 0
        assert db.session.scalar(sa.text("SELECT count(*) FROM calendar_days WHERE year = 2031")) == 0

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["wfs", "import-calendar", "2031", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM calendar_days WHERE year = 2031")) == 1


def test_a_unit_of_work_commits_when_it_ends_and_rolls_back_when_it_raises(app):
    from workflow_service.core.errors import ServiceError
    from workflow_service.core.transaction import discard, unit_of_work
    from workflow_service.extensions import db

    def set_failed_logins(session, value):
        session.execute(sa.text("UPDATE login_throttles SET failures = :v WHERE username = :u AND source = 'probe'"),
                        {"v": value, "u": PROBE_USER})

    with app.app_context():
        with unit_of_work() as session:
            set_failed_logins(session, 2)
        assert not db.session().in_transaction()
    assert failed_logins(app) == 2

    with app.app_context(), pytest.raises(ServiceError):
        with unit_of_work() as session:
            set_failed_logins(session, 3)
            raise ServiceError("模拟 (simulated)")
    assert failed_logins(app) == 2

    with app.app_context():
        with unit_of_work() as session:
            set_failed_logins(session, 4)
            discard()
            set_failed_logins(session, 5)
        with pytest.raises(RuntimeError):
            discard()  # outside any boundary: a mistake, not a silent no-op
    assert failed_logins(app) == 2


# -- the rows as written are the rows as stored (core/db.py) --------------------------------------------------
def test_a_row_written_in_a_request_reads_as_it_will_be_stored(app, login):
    """Answers are dumped before the commit, from the session's rows: a many-to-one follows a changed foreign
    key, and a time given in Beijing time reads back in UTC, as the database returns it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from workflow_service.extensions import db
    from workflow_service.modules.tasks.models import Task
    from workflow_service.modules.users.models import User

    handler1 = login("handler1")
    start_review(handler1)
    task_id = only_task(handler1)["id"]
    handler1.post(f"/api/v1/tasks/{task_id}/claim")
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.assignee.username == "handler1"  # loaded before its key changes
        task.assignee_id = db.session.scalar(sa.select(User.id).filter_by(username="handler2"))
        assert task.assignee.username == "handler2"
        task.claimed_at = datetime(2026, 10, 12, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
        assert task.claimed_at.utcoffset().total_seconds() == 0 and task.claimed_at.hour == 1
        db.session.rollback()
