"""/healthz and /readyz for load balancers and systemd, and `wfs scheduler`, the sweep in a process of its own.

Live = the process answers. Ready = the database answers, its schema is at the migrations' head, and where the
process runs the scheduler, a sweep finished within the last three intervals. No login; nothing else revealed.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import sqlalchemy as sa

from .conftest import ROOT, make_app
from .s3_server import free_port
from .test_foundation_flow import start_review
from .test_reliability_faults import _env


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def test_healthz_answers_anyone_with_nothing_but_ok(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_when_the_database_answers_at_the_migrations_head(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    # No scheduler runs in the test app: no scheduler check.
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_an_unreachable_database_is_not_ready_and_the_answer_keeps_the_reason_to_the_log(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite'}", SETTABLE_CLOCK=False)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # alive all the same: a restart would not help
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"code": "not_ready", "message": body["message"],
                    "details": {"checks": {"database": "failed", "migrations": "failed"}}}
    assert "unable to open" not in response.get_data(as_text=True)
    assert any("unable to open database file" in r.getMessage() for r in caplog.records)


def test_a_database_behind_the_migrations_is_not_ready_until_upgraded(tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}")  # with the settable clock, whose table is missing too
    client = app.test_client()
    assert client.get("/readyz").get_json()["details"]["checks"] == {"database": "ok", "migrations": "failed"}
    with app.app_context():
        script = ScriptDirectory(app.extensions["migrate"].directory)
        (head,) = script.get_heads()
        upgrade(revision=script.get_revision(head).down_revision)
    assert client.get("/readyz").get_json()["details"]["checks"] == {"database": "ok", "migrations": "failed"}
    with app.app_context():
        upgrade()
    assert client.get("/readyz").status_code == 200


def test_a_stopped_or_stuck_scheduler_makes_its_process_not_ready(app, database_url):
    from workflow_service.extensions import db

    # A short interval: the scheduler counts as stuck after three of them without a finished sweep.
    worker = make_app(database_url, SCHEDULER_ENABLED=True, SWEEP_INTERVAL_SECONDS=0.3)
    scheduler = worker.extensions["wfs_scheduler"]
    client = worker.test_client()
    try:
        heartbeat = worker.extensions["wfs_sweep_heartbeat"]
        assert wait_until(lambda: heartbeat.last_sweep_at is not None, 15)
        response = client.get("/readyz")
        assert response.status_code == 200 and response.get_json()["checks"]["scheduler"] == "ok"
        # Sweeps stop finishing (a job stuck, its thread gone): not ready after three intervals.
        scheduler.pause_job("sweep_due_timers")
        assert wait_until(lambda: client.get("/readyz").status_code == 503, 10)
        assert client.get("/readyz").get_json()["details"]["checks"] == {
            "database": "ok", "migrations": "ok", "scheduler": "failed"}
        scheduler.resume_job("sweep_due_timers")
        assert wait_until(lambda: client.get("/readyz").status_code == 200, 10)
        # A scheduler shut down is not ready at once.
        scheduler.shutdown(wait=True)
        assert client.get("/readyz").status_code == 503
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        with worker.app_context():
            db.engine.dispose()


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return None, b""


def test_wfs_scheduler_sweeps_in_its_own_process_and_answers_health_and_metrics_only(app, login, database_url,
                                                                                      tmp_path):
    handler, admin = login("handler1"), login("admin")
    start_review(handler, title="独立调度进程")
    port = free_port()
    env = dict(_env(database_url), WFS_SWEEP_INTERVAL_SECONDS="0.3", WFS_LOG_LEVEL="INFO")  # its lines are read below
    log_file = open(tmp_path / "scheduler.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", "from workflow_service.cli import main; main()", "scheduler",
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _get(base + "/readyz")[0] == 200, 60), (tmp_path / "scheduler.log").read_text()
        status, body = _get(base + "/readyz")
        assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "scheduler": "ok"}
        assert _get(base + "/healthz")[0] == 200
        assert _get(base + "/api/v1/openapi.json")[0] == 404  # the API is the web workers' business
        assert admin.post("/api/v1/admin/clock", json={"advance": "P2DT1M"}).status_code == 200

        def fired():
            with app.app_context():
                from workflow_service.extensions import db

                count = db.session.scalar(sa.text("SELECT count(*) FROM timers WHERE status = 'fired'"))
                db.session.rollback()
                return count
        assert wait_until(fired, 30, step=0.3) == 1
        status, metrics = _get(base + "/metrics")
        assert status == 200
        text = metrics.decode()
        assert "wfs_timers_fired_total 1.0" in text and "wfs_sweep_duration_seconds_count" in text
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # stops cleanly, after the running sweep
        output = (tmp_path / "scheduler.log").read_text()
        assert '"message": "scheduler stopping' in output, output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log_file.close()
