"""Prometheus metrics at /metrics: who may read them, what they count, and several gunicorn workers adding up."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import PASSWORD, ROOT, make_app
from .s3_server import free_port
from .test_foundation_flow import only_task, start_review
from .test_reliability_faults import BIN, _env

OUTSIDE = {"REMOTE_ADDR": "198.51.100.7"}


def samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return samples(response.get_data(as_text=True))


def value(metrics: dict, name: str, **labels) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_read_from_an_allowed_network_or_with_the_token_only(app, monkeypatch):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # loopback: allowed by default
    refused = client.get("/metrics", environ_base=OUTSIDE)
    assert refused.status_code == 403
    assert set(refused.get_json()) == {"code", "message", "details"} and refused.get_json()["code"] == "forbidden"
    assert b"wfs_" not in refused.data
    monkeypatch.setitem(app.config["WFS"], "METRICS_TOKEN", "scrape-secret-1")
    assert client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": "Bearer scrape-secret-1"}).status_code == 200
    assert client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": "Bearer scrape-secret-2"}).status_code == 403
    monkeypatch.setitem(app.config["WFS"], "METRICS_ALLOWED_NETWORKS", "198.51.100.0/24, 10.0.0.0/8")
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    monkeypatch.setitem(app.config["WFS"], "METRICS_ALLOWED_NETWORKS", "")
    assert client.get("/metrics").status_code == 403  # not even loopback


def test_behind_a_proxy_the_client_address_decides_not_the_proxys(database_url):
    proxied = make_app(database_url, PROXY_COUNT=1)
    client = proxied.test_client()
    # nginx on the same machine forwards a request from the internet: loopback is the proxy, not the client.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
    # A client cannot smuggle an address in: only the last hop (the one nginx appends) counts.
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}).status_code == 403


def test_a_completion_and_its_request_are_counted_once_committed(app, login):
    client, handler = app.test_client(), login("handler1")
    start_review(handler)
    task = only_task(handler)
    before = scrape(client)
    refused = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": "many"}})
    assert refused.status_code == 422  # rolled back: not a completion
    done = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"amount": 50000, "description": "x"}})
    assert done.status_code == 200, done.get_json()
    after = scrape(client)
    assert value(after, "wfs_task_completions_total") - value(before, "wfs_task_completions_total") == 1
    assert value(after, "wfs_audit_events_total", action="task_completed") - \
        value(before, "wfs_audit_events_total", action="task_completed") == 1
    for status in ("200", "422"):
        labels = {"method": "POST", "endpoint": "tasks.complete", "status": status}
        assert value(after, "wfs_http_requests_total", **labels) - value(before, "wfs_http_requests_total", **labels) == 1
    latency = {"method": "POST", "endpoint": "tasks.complete"}
    assert value(after, "wfs_http_request_duration_seconds_count", **latency) - \
        value(before, "wfs_http_request_duration_seconds_count", **latency) == 2
    assert value(after, "wfs_http_request_duration_seconds_bucket", le="+Inf", **latency) >= 2
    # An unknown URL adds no series of its own.
    client.get("/no/such/page/12345")
    assert not any("12345" in str(key) for key in scrape(client))


def test_due_timers_their_lag_the_firing_and_its_delay(app, login, sweep):
    client, handler, admin = app.test_client(), login("handler1"), login("admin")
    start_review(handler)
    idle = scrape(client)
    assert value(idle, "wfs_timers_due", state="ready") == 0 and value(idle, "wfs_timers_overdue_seconds") == 0
    assert value(idle, "wfs_database_up") == 1
    # The warning timer (P2D) falls due; nobody has swept for 90 s.
    assert admin.post("/api/v1/admin/clock", json={"advance": "P2DT90S"}).status_code == 200
    due = scrape(client)
    assert value(due, "wfs_timers_due", state="ready") == 1
    assert value(due, "wfs_timers_overdue_seconds") == pytest.approx(90, abs=1)
    assert sweep().fired == 1
    fired = scrape(client)
    assert value(fired, "wfs_timers_due", state="ready") == 0 and value(fired, "wfs_timers_overdue_seconds") == 0
    assert value(fired, "wfs_timers_fired_total") - value(due, "wfs_timers_fired_total") == 1
    assert value(fired, "wfs_timer_fire_delay_seconds_count") - value(due, "wfs_timer_fire_delay_seconds_count") == 1
    assert value(fired, "wfs_timer_fire_delay_seconds_sum") - value(due, "wfs_timer_fire_delay_seconds_sum") == \
        pytest.approx(90, abs=1)
    assert value(fired, "wfs_timer_fire_delay_seconds_bucket", le="60.0") == \
        value(due, "wfs_timer_fire_delay_seconds_bucket", le="60.0")  # 90 s late: not within a minute


def test_a_failing_timer_and_its_incident_are_counted(app, login, sweep, monkeypatch):
    from workflow_service.modules.steps import pipeline

    client, handler, admin = app.test_client(), login("handler1"), login("admin")
    start_review(handler)
    admin.post("/api/v1/admin/clock", json={"advance": "P2DT1M"})
    before = scrape(client)

    def broken(instance):
        raise RuntimeError("diagram expression failed")

    monkeypatch.setattr(pipeline, "fire_due_timers", broken)
    monkeypatch.setitem(app.config["WFS"], "TIMER_MAX_ATTEMPTS", 1)
    assert sweep().incidents == 1
    after = scrape(client)
    assert value(after, "wfs_timer_failures_total") - value(before, "wfs_timer_failures_total") == 1
    assert value(after, "wfs_timer_incidents_total") - value(before, "wfs_timer_incidents_total") == 1
    assert value(after, "wfs_timer_incidents_open") == 1 and value(after, "wfs_timers_due", state="ready") == 0


def test_connections_lent_out_by_the_pool_are_counted(app):
    from workflow_service.extensions import db

    client = app.test_client()
    with app.app_context():
        base = value(scrape(client), "wfs_db_pool_connections_in_use")
        held = db.engine.connect()
        try:
            assert value(scrape(client), "wfs_db_pool_connections_in_use") == base + 1
        finally:
            held.close()
        assert value(scrape(client), "wfs_db_pool_connections_in_use") == base
    assert value(scrape(client), "wfs_db_pool_capacity") >= 1


def test_an_exhausted_pool_is_a_503_to_retry_not_a_server_error(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool settings are PostgreSQL's")
    from workflow_service.extensions import db

    small = make_app(database_url, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0, DB_POOL_TIMEOUT=1)
    client = small.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "handler1", "password": PASSWORD}).get_json()["token"]
    with small.app_context():
        held = db.engine.connect()  # a slow request elsewhere in this process holds the only connection
        try:
            started = time.monotonic()
            response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 503 and response.get_json()["code"] == "database_busy"
            assert response.headers["Retry-After"] == "1" and time.monotonic() - started < 10
        finally:
            held.close()
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        db.engine.dispose()


def test_gunicorn_workers_in_multiprocess_mode_add_up_whichever_answers(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("about gunicorn and prometheus_client, not the database: once is enough")
    port, metrics_dir = free_port(), tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999999.db").write_bytes(b"stale")  # a previous run's: removed at start
    env = dict(_env(database_url), PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-w", "2",
                             "-b", f"127.0.0.1:{port}", "--control-socket", str(tmp_path / "gunicorn.ctl")],
                            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "gunicorn.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                # A long timeout: a request given up while the workers boot would still be served (and counted).
                urllib.request.urlopen(base + "/healthz", timeout=60).read()
                break
            except OSError:
                time.sleep(0.1)
        healthz = {"method": "GET", "endpoint": "ops.healthz", "status": "200"}

        def scraped():
            text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
            return value(samples(text), "wfs_http_requests_total", **healthz)
        before = scraped()
        threads = [threading.Thread(target=lambda: [urllib.request.urlopen(base + "/healthz", timeout=10).read()
                                                    for _ in range(10)]) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = [scraped() for _ in range(6)]
        assert counts == [before + 40] * 6, counts  # every scrape, whichever worker answers it
        pids = {p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("*.db")}
        assert len(pids) >= 2 and "99999999" not in pids, pids
        # The JSON lines of gunicorn itself.
        assert '"logger": "gunicorn.error"' in Path(tmp_path / "gunicorn.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
