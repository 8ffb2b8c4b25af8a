"""Faults and hostile input against a real server: gunicorn on the test database.

- a worker killed with SIGKILL in the middle of completions, and the sweep process killed in the middle of a
  sweep: afterwards nothing is lost or done twice and the overdue timers fire;
- the database restarted under load (PostgreSQL: `pg_ctl restart` of the throwaway server), and every
  connection cut (pg_terminate_backend): clients get 503 and retry, nothing is half-written, and timers that fell
  due meanwhile fire on the next sweep;
- the OpenAPI document fuzzed with schemathesis (no 5xx anywhere), as a handler, an administrator and the platform
  operator, on each database (FUZZ_RUNS; what it cannot reach is listed there). The requests are drawn once and
  sent again for every role and database (`_recorded`).
WFS_LONG_TESTS=1 runs longer variants (more cases, more fuzzing examples).
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from .conftest import BPMN_DIRS, FORMS_DIRS, PASSWORD, ROOT, TEST_PASSWORD_HASH_METHOD
from .test_foundation_flow import start_review

LONG = os.environ.get("WFS_LONG_TESTS") == "1"
CASES = 40 if LONG else 12
DRAFT = {"data": {"amount": 50000, "description": "故障"}}
BIN = Path(sys.executable).parent


def _env(database_url: str) -> dict:
    return dict(os.environ, WFS_DATABASE_URL=database_url, WFS_BPMN_DIR=BPMN_DIRS, WFS_FORMS_DIR=FORMS_DIRS,
                WFS_SETTABLE_CLOCK="1", WFS_SCHEDULER_ENABLED="0", WFS_ENV="test", WFS_SECRET_KEY="test-secret",
                WFS_DEMO_PASSWORD=PASSWORD, WFS_PASSWORD_HASH_METHOD=TEST_PASSWORD_HASH_METHOD,
                WFS_LOG_LEVEL="WARNING")  # as make_app (tests/conftest.py): no line per request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with `workers` workers on the test database; stopped (its whole process group) at the end."""

    def __init__(self, database_url: str, workers: int = 2):
        self.base = f"http://127.0.0.1:{_free_port()}"
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", self.base[7:], "--graceful-timeout", "5",
             "--log-level", "warning", "workflow_service.app:create_app()"],
            cwd=ROOT, env=_env(database_url), start_new_session=True)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def call(self, method, path, body=None, token=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def token(self, username):
        status, body = self.call("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
        assert status == 201, body
        return body["token"]


@pytest.fixture(scope="module")
def server(app, database_url):
    """One fleet per database for the module: each fault test runs on the fleet the tests before it killed,
    cut off or restarted the database under (starting one costs about 3 s of boot and first requests)."""
    with app.app_context():  # the test process's connections must not hold SQLite's write lock
        from workflow_service.extensions import db
        db.session.remove()
    started = Server(database_url)
    yield started
    started.stop()


def _rows(app, sql):
    from workflow_service.extensions import db

    with app.app_context():
        try:
            return db.session.execute(sa.text(sql)).all()
        finally:
            db.session.remove()


def _complete_all(server, token, task_ids, stop_when=None):
    """Complete tasks from several threads; connection errors (a killed worker) are recorded, not raised."""
    outcomes = Counter()
    lock = threading.Lock()

    def run(ids):
        for task_id in ids:
            try:
                status, _ = server.call("POST", f"/api/v1/tasks/{task_id}/complete", DRAFT, token)
            # The worker died with the request: no answer, or half of one (IncompleteRead, an HTTPException).
            except (OSError, ValueError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            with lock:
                outcomes[status] += 1

    threads = [threading.Thread(target=run, args=(task_ids[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    if stop_when is not None:
        stop_when()
    for t in threads:
        t.join(timeout=300)
    return outcomes


def _assert_each_draft_done_once_and_advanced_once(app, cases):
    drafts = _rows(app, "SELECT id, status, instance_id FROM tasks WHERE bpmn_id = 'draft'")
    assert len(drafts) == cases
    assert {s for _, s, _ in drafts} == {"completed"}, drafts
    audit = Counter(r[0] for r in _rows(app, "SELECT task_id FROM audit_events WHERE action = 'task_completed'"))
    assert all(audit[t] == 1 for t, _, _ in drafts), audit
    approvals = Counter(r[0] for r in _rows(app, "SELECT instance_id FROM tasks WHERE bpmn_id = 'approve'"))
    assert sorted(approvals.values()) == [1] * cases, approvals


def test_a_worker_killed_mid_request_loses_nothing_and_does_nothing_twice(app, login, server):
    handler = login("handler1")
    for i in range(CASES):
        start_review(handler, title=f"故障案件{i}")
    drafts = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' ORDER BY id")]
    token = server.token("handler1")
    victims = server.workers()

    def kill_a_worker_while_busy():
        # Wait until completions are under way, then SIGKILL one worker with whatever it is doing.
        for _ in range(600):
            if _rows(app, "SELECT COUNT(*) FROM tasks WHERE bpmn_id = 'approve'")[0][0] > 0:
                break
            time.sleep(0.01)
        os.kill(victims[0], signal.SIGKILL)

    first = _complete_all(server, token, drafts, kill_a_worker_while_busy)
    assert set(first) <= {200, 409, "RemoteDisconnected", "ConnectionResetError", "URLError", "BadStatusLine",
                          "IncompleteRead", "ConnectionRefusedError"}, first
    # Whatever the kill interrupted was rolled back whole: an open task has no completion and no next step.
    for task_id, status, instance_id in _rows(app, "SELECT id, status, instance_id FROM tasks WHERE bpmn_id = 'draft'"):
        next_steps = _rows(app, f"SELECT COUNT(*) FROM tasks WHERE instance_id = {instance_id} AND bpmn_id = 'approve'")
        assert next_steps[0][0] == (1 if status == "completed" else 0)
    # The master replaced the worker; the clients retry what got no answer.
    still_open = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' AND status = 'ready'")]
    retry = _complete_all(server, token, still_open)
    assert set(retry) <= {200}, retry
    _assert_each_draft_done_once_and_advanced_once(app, CASES)


def test_a_sweep_killed_midway_leaves_each_timer_fired_once_after_the_next_sweep(app, login, database_url, sweep):
    handler, admin = login("handler1"), login("admin")
    for i in range(CASES):
        start_review(handler, title=f"定时案件{i}")
    admin.post("/api/v1/admin/clock", json={"advance": "P3DT1M"})  # two due timers per case
    with app.app_context():
        from workflow_service.extensions import db
        db.session.remove()
    # `wfs sweep`, from this checkout (the `wfs` script imports whichever checkout the virtualenv installed).
    sweeper = subprocess.Popen([sys.executable, "-c", "from workflow_service.cli import main; main()", "sweep"],
                               cwd=ROOT, env=_env(database_url),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):  # kill it as soon as it has fired something (or, if it was very quick, after it ended)
        if sweeper.poll() is not None or _rows(app, "SELECT COUNT(*) FROM timers WHERE status = 'fired'")[0][0] > 0:
            break
        time.sleep(0.005)
    sweeper.kill()
    sweeper.wait()
    sweep()  # the next sweep (any worker) picks up the rest
    timers = _rows(app, "SELECT id, status FROM timers")
    assert len(timers) == 2 * CASES and {s for _, s in timers} == {"fired"}, timers
    fired_events = _rows(app, "SELECT COUNT(*) FROM audit_events WHERE action = 'timer_fired'")[0][0]
    assert fired_events == 2 * CASES
    alerts = Counter(r[0] for r in _rows(app, "SELECT level FROM alerts"))
    assert alerts == {"warning": CASES, "escalation1": CASES}, alerts


@pytest.mark.postgres
def test_cutting_every_database_connection_under_load_loses_nothing(app, login, database_url, server):
    if not database_url.startswith("postgresql"):
        pytest.skip("a database restart is simulated on PostgreSQL (pg_terminate_backend)")
    handler = login("handler1")
    for i in range(CASES):
        start_review(handler, title=f"断线案件{i}")
    drafts = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' ORDER BY id")]
    token = server.token("handler1")
    engine = sa.create_engine(database_url)

    def cut_connections():
        for _ in range(3):
            time.sleep(0.2)
            with engine.begin() as conn:
                conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    first = _complete_all(server, token, drafts, cut_connections)
    engine.dispose()
    assert set(first) <= {200, 409, 503}, first  # a lost connection is a 503 to retry, never a 500
    still_open = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' AND status = 'ready'")]
    retry = _complete_all(server, token, still_open)
    assert set(retry) <= {200}, retry
    _assert_each_draft_done_once_and_advanced_once(app, CASES)


def _restart_postgres():
    """Restart the throwaway server (scripts/with_postgres.sh exports where it lives): a real database restart."""
    bindir, datadir = os.environ["WFS_TEST_POSTGRES_BINDIR"], os.environ["WFS_TEST_POSTGRES_DATADIR"]
    user = os.environ.get("WFS_TEST_POSTGRES_OS_USER") or ""
    command = [f"{bindir}/pg_ctl", "-D", datadir, "-m", "fast", "-w", "-t", "60", "restart"]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    subprocess.run(command, cwd=str(Path(datadir).parent), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


@pytest.mark.postgres
@pytest.mark.restarts_postgres
def test_the_database_restarted_under_load_loses_nothing_and_overdue_timers_fire(app, login, database_url,
                                                                                  server, sweep):
    if not database_url.startswith("postgresql") or not os.environ.get("WFS_TEST_POSTGRES_DATADIR"):
        pytest.skip("needs the throwaway PostgreSQL of scripts/with_postgres.sh")
    handler, admin = login("handler1"), login("admin")
    for i in range(4):  # nobody works on these: their timers fall due while the database is down
        start_review(handler, title=f"等待案件{i}")
    waiting = {r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft'")}
    for i in range(CASES):
        start_review(handler, title=f"重启案件{i}")
    drafts = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' ORDER BY id") if r[0] not in waiting]
    token = server.token("handler1")
    with app.app_context():
        from workflow_service.extensions import db
        db.engine.dispose()  # the test process's own pooled connections die with the server too

    def restart_when_busy():
        for _ in range(600):
            if _rows(app, "SELECT COUNT(*) FROM tasks WHERE bpmn_id = 'approve'")[0][0] > 0:
                break
            time.sleep(0.01)
        _restart_postgres()

    first = _complete_all(server, token, drafts, restart_when_busy)
    with app.app_context():
        db.engine.dispose()
    assert set(first) <= {200, 409, 503}, first
    still_open = [r[0] for r in _rows(app, "SELECT id FROM tasks WHERE bpmn_id = 'draft' AND status = 'ready'")
                  if r[0] not in waiting]
    retry = _complete_all(server, token, still_open)
    assert set(retry) <= {200}, retry
    drafts_done = _rows(app, "SELECT id, status FROM tasks WHERE bpmn_id = 'draft'")
    assert {s for t, s in drafts_done if t not in waiting} == {"completed"}
    audit = Counter(r[0] for r in _rows(app, "SELECT task_id FROM audit_events WHERE action = 'task_completed'"))
    assert all(audit[t] == 1 for t in drafts), audit
    assert _rows(app, "SELECT COUNT(*) FROM tasks WHERE bpmn_id = 'approve'")[0][0] == CASES
    # Time passed while the database was down: the waiting cases' timers are overdue and fire on the next sweep.
    assert admin.post("/api/v1/admin/clock", json={"advance": "P3DT1M"}).status_code == 200
    sweep()
    fired = _rows(app, "SELECT COUNT(*) FROM timers WHERE status = 'fired'")[0][0]
    still_waiting = _rows(app, "SELECT COUNT(*) FROM timers WHERE status = 'waiting'")[0][0]
    assert (fired, still_waiting) == (2 * 4, 0)


# What the fuzzing does not reach, and why (each is tested on its own):
# - POST /api/v1/auth/logout: it would end the fuzzing run's own token (tests/test_trust_sessions.py);
# - PUT /api/v1/deadline-rules/{rule_id} as the administrator: national rule values outlive a test
#   (tests/test_deadlines.py); the handler's run reaches it and is refused;
# - states behind a whole case (an open ballot's vote, a transfer's answer): the fuzzer reaches these endpoints
#   with ids of rows that exist only by chance; tests/test_access_matrix.py and the scenario tests cover them.
# Each run: who sends the requests, and the paths (query left out) they go to: a path matching `include` (when
# given) and not `exclude`.
FUZZ_RUNS = [
    # A handler over every operation (the administrators' ones answer 403).
    ("handler1", {"exclude": r"^/api/v1/auth/logout$"}),
    # An administrator over every operation, the users and units of their tree included.
    ("admin", {"exclude": r"^/api/v1/(auth/logout|deadline-rules/.*)$"}),
    # The platform operator deploys definitions: hostile and broken packages are refused, never a 500.
    ("operator", {"include": r"^/api/v1/process-definitions$"}),
]
# What schemathesis generates from one seed does not depend on who sends it or on the database behind the server:
# run as the administrator or on another database, it draws the same requests for every operation (two runs differ
# in about 4 % of them, from Hypothesis's own timing). Drawing them is 60 % of the fuzzer's cost, so the first run of
# a test process draws them once, as the handler over every operation, and records them (a cassette); every other
# run, for each role and each database, sends exactly the recorded requests its paths select, and no answer may be
# a 5xx there either.
_recorded: list[dict] = []


def _selected(path: str, include: str | None = None, exclude: str | None = None) -> bool:
    return (include is None or re.match(include, path) is not None) and (exclude is None or not re.match(exclude, path))


def _fuzz_and_record(server, token: str, selection: dict, directory: Path) -> str | None:
    """schemathesis run as `token` over the selected operations; the requests it sent go to `_recorded`. Returns
    what failed, or None."""
    cassette = directory / "fuzz-cassette.yaml"
    result = subprocess.run(
        [str(BIN / "st"), "run", server.base + "/api/v1/openapi.json", "--checks", "not_a_server_error",
         "-H", f"Authorization: Bearer {token}", "--hypothesis-max-examples", "60" if LONG else "5",
         "--hypothesis-seed", "8", "--hypothesis-suppress-health-check", "all", "--request-timeout", "60000",
         "-D", "all", *(arg for key, value in selection.items() for arg in (f"--{key}-path-regex", value)),
         "--cassette-path", str(cassette), "--cassette-preserve-exact-body-bytes"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200 if LONG else 300, env=dict(os.environ, NO_COLOR="1"))
    if cassette.exists():  # a run that found a 5xx recorded its requests too: the other runs still send them
        with cassette.open() as stream:
            # libyaml's loader where PyYAML has it: 0.5 s for the run's 1.6 MB, against 2.2 s in pure Python.
            recording = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        _recorded.extend(entry["request"] for entry in recording["http_interactions"])
    # schemathesis prints a summary with the checks it performed; none performed would be a silent pass.
    if result.returncode != 0 or "not_a_server_error" not in result.stdout:
        return f"{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    return None


def _replay(server, token: str, selection: dict) -> tuple[int, list[str]]:
    """Sends the recorded requests whose paths `selection` takes, as `token`: how many, and which got a 5xx or no
    answer."""
    sent, failures = 0, []
    host, port = server.base[len("http://"):].split(":")
    for request in _recorded:
        url = urllib.parse.urlsplit(request["uri"])
        if not _selected(url.path, **selection):
            continue
        target = url.path + (f"?{url.query}" if url.query else "")
        headers = {name: values[0] for name, values in request["headers"].items()
                   if name.lower() not in ("authorization", "content-length", "connection")}
        headers["Authorization"] = f"Bearer {token}"
        body = base64.b64decode(request["body"]["base64_string"]) if request.get("body") else None
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(request["method"], target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status >= 500:
                failures.append(f"{response.status} {request['method']} {target} {body[:300] if body else ''}")
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{type(exc).__name__} {request['method']} {target}")
        finally:
            connection.close()
        sent += 1
    return sent, failures


def test_the_openapi_document_fuzzed_never_gets_a_server_error(app, login, server, tmp_path):
    """schemathesis generates requests from /api/v1/openapi.json — valid ones, and (`-D all`) invalid ones: ids past
    2^63-1, wrong types, missing fields — for every operation, as a handler, an administrator and the platform
    operator; not one answer may be a 5xx. Bounded: a few examples per operation, a time limit per run. The
    requests are drawn once per test process and sent again for every role and database (`_recorded`)."""
    handler = login("handler1")
    start_review(handler, title="模糊测试案件")
    # Tokens first: a run posts made-up credentials to /auth/token, and this source would soon be throttled.
    tokens = {username: server.token(username) for username, _ in FUZZ_RUNS}
    failures = []
    for username, selection in FUZZ_RUNS:
        if not _recorded:
            failure = _fuzz_and_record(server, tokens[username], selection, tmp_path)
            if failure is not None:
                failures.append(f"as {username}:\n{failure}")
            assert _recorded or failures, "schemathesis recorded no request"
            continue
        sent, refused = _replay(server, tokens[username], selection)
        # Every run reaches its operations: the handler's every one, the operator's the definitions (6 requests).
        assert sent >= (5 if username == "operator" else 500), (username, sent)
        if refused:
            failures.append(f"as {username}, {len(refused)} of {sent} recorded requests:\n" + "\n".join(refused[:20]))
    assert not failures, "\n\n".join(failures)
