"""Cost of one task completion (立案审批 approve_filing: the step that starts the 90-day decision deadline),
measured four ways in the same run:

  engine   the bare SpiffWorkflow engine: load the state, complete the task, save — in memory (the ceiling)
  sql      a bare SQL transaction writing the rows the service writes for that step (the floor)
  service  the service's complete_task operation + commit, in process (no HTTP)
  (all three: the median of n single completions, each timed on its own; an engine completion is timed
   before each service one, so those two ratios come from the same stretch of machine time)
  http     POST /api/v1/tasks/{id}/complete against gunicorn, C concurrent clients, 1 and 2 workers
           (PostgreSQL), and one process on SQLite: throughput and p50/p95/p99

WFS_BENCH_APP names another gunicorn app (e.g. a module that wraps create_app() in a profiler).

Run:  scripts/with_postgres.sh .venv/bin/python bench/completion.py [--open-cases 10000] [--n 200]
      (PostgreSQL from WFS_TEST_POSTGRES_URL, the variable with_postgres.sh exports; without it, SQLite only.)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402

ROOT = dataset.ROOT
APPROVE = {"filing_approved": True}


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def ms(x):
    return f"{x * 1000:7.2f} ms"


def add_approval_cases(app, templates, count, unit_code=dataset.LOCAL_COUNTY) -> list[int]:
    """`count` open cases waiting at 立案审批 in the demo county; returns their approve_filing task ids."""
    from workflow_service.extensions import db
    from workflow_service.models import Task, Unit

    rng = random.Random(7)
    with app.app_context():
        unit_id = db.session.scalar(sa.select(Unit.id).filter_by(code=unit_code))
        writer = dataset.Writer()
        ids = [dataset.copy_case(writer, templates["approval"], unit_id, closed=False, shift=timedelta(0), rng=rng)
               for _ in range(count)]
        writer.finish()
        return list(db.session.scalars(sa.select(Task.id).where(Task.instance_id.in_(ids),
                                                                Task.bpmn_id == "approve_filing",
                                                                Task.status == "ready").order_by(Task.id)))


def engine_step(app, template):
    """One bare engine completion on the same state as the service's: stand-in deadline functions, no
    database. Returns a function that runs one and returns its time."""
    from workflow_service.engine import Definition, Engine
    from workflow_service.extensions import db
    from workflow_service.models import ProcessDefinition

    def offset(days):
        return lambda rule, start, level=2: (datetime.fromisoformat(str(start)) + timedelta(days=days)).isoformat()

    engine = Engine({"deadline": offset(90), "warning_time": offset(80), "escalation_time": offset(95),
                     "moved_deadline": offset(90), "now_iso": lambda: dataset.FAR.isoformat()})
    with app.app_context():
        row = db.session.get(ProcessDefinition, template.instance["definition_id"])
        definition = Definition(row.content_hash, row.specs)
    state = template.instance["state"]
    task_id = next(t["engine_task_id"] for t in template.tasks if t["bpmn_id"] == "approve_filing")
    engine.complete_user_task(definition, state, task_id, APPROVE, dataset.FAR)  # warm the spec cache

    def step() -> float:
        started = time.perf_counter()
        engine.complete_user_task(definition, state, task_id, APPROVE, dataset.FAR)
        return time.perf_counter() - started
    return step


def bench_service(app, task_ids, engine_once, profile=None) -> tuple[list[float], list[float], dict]:
    """complete_task + commit, in process; also counts the rows one completion writes. Before each completion
    one bare engine completion (`engine_once`, from engine_step) is timed, so both medians come from the same
    stretch of machine time (apart, the engine's median moved 1.4-2.6 ms between runs). With `profile` (a
    path), the completions run under pyinstrument and its text report is written there."""
    from workflow_service.extensions import db
    from workflow_service.modules.steps.tasks import complete_task

    times, engine_times = [], []
    with app.app_context():
        supervisor = dataset.user("supervisor1")
        tables = ("tasks", "timers", "audit_events", "alerts")
        before = {t: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {t}")) for t in tables}
        statements = []
        engine = db.engine

        def count(*_args, **_kw):
            statements.append(1)

        sa.event.listen(engine, "before_cursor_execute", count)
        profiler = None
        if profile:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
            profiler.start()
        try:
            for task_id in task_ids:
                if not profiler:
                    engine_times.append(engine_once())
                started = time.perf_counter()
                complete_task(supervisor, task_id, dict(APPROVE))
                db.session.commit()
                times.append(time.perf_counter() - started)
                db.session.expire_all()
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
            if profiler:
                profiler.stop()
                Path(profile).write_text(profiler.output_text(unicode=True, show_all=False))
                print(f"profile of the in-process completions: {profile}")
        after = {t: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {t}")) for t in tables}
    rows = {t: (after[t] - before[t]) / len(task_ids) for t in tables}
    rows["statements"] = len(statements) / len(task_ids)
    if not engine_times:  # profiled: the engine apart, after
        engine_times = [engine_once() for _ in task_ids]
    return times, engine_times, rows


def bench_sql(app, template, n, rows_per_step) -> float:
    """A bare transaction writing what one completion writes: the instance state and data, the completed task,
    the new tasks, timers and audit events (same sizes), with plain SQL and no ORM. The audit events are linked
    into the instance's hash chain as the service links them (head row locked, seq, prev_hash, hash), but with
    one head read and one head update per step."""
    from workflow_service.extensions import db

    state = template.instance["state"]
    data = json.dumps(template.instance["data"] or {})
    from workflow_service.modules.audit.chain import chain_key, event_hash

    details = {"task": "approve_filing", "data": APPROVE}
    details_json = json.dumps(details)
    new_tasks = max(1, round(rows_per_step["tasks"]))
    new_timers = round(rows_per_step["timers"])
    new_events = max(1, round(rows_per_step["audit_events"]))
    with app.app_context():
        conn = db.session.connection()
        instance_id, task_id = conn.execute(sa.text(
            "SELECT instance_id, id FROM tasks WHERE status = 'ready' ORDER BY id LIMIT 1")).one()
        db.session.commit()
        key = chain_key(instance_id)
        now = dataset.FAR
        is_pg = db.session.get_bind().dialect.name == "postgresql"
        times = []
        for i in range(n):
            started = time.perf_counter()
            conn = db.session.connection()
            conn.execute(sa.text("SELECT id FROM process_instances WHERE id = :i" + (" FOR UPDATE" if is_pg else "")),
                         {"i": instance_id})
            conn.execute(sa.text("UPDATE process_instances SET state = :s, data = :d, version = version + 1, "
                                 "updated_at = :now WHERE id = :i"), {"s": state, "d": data, "now": now,
                                                                      "i": instance_id})
            conn.execute(sa.text("UPDATE tasks SET version = version + 1, completed_at = :now WHERE id = :t"),
                         {"now": now, "t": task_id})
            for k in range(new_tasks):
                conn.execute(sa.text(
                    "INSERT INTO tasks (instance_id, engine_task_id, bpmn_id, name, role, unit_id, status, version, "
                    "due_provisional, created_at) SELECT instance_id, :e, 'investigate', '调查取证', role, unit_id, "
                    "'cancelled', 1, false, :now FROM tasks WHERE id = :t"),
                    {"e": f"sql-{i}-{k}-{time.time_ns()}", "now": now, "t": task_id})
            for k in range(new_timers):
                conn.execute(sa.text(
                    "INSERT INTO timers (instance_id, engine_task_id, bpmn_id, name, due_at, status, attempts, "
                    "properties, provisional, created_at) VALUES (:i, :e, 'decision_deadline', '决定期限', :due, "
                    "'cancelled', 0, :p, false, :now)"),
                    {"i": instance_id, "e": f"sqlt-{i}-{k}-{time.time_ns()}", "due": now + timedelta(days=90),
                     "p": "{}", "now": now})
            # The audit hash chain: lock the chain head once, link and hash each event, move the head.
            head = conn.execute(sa.text("SELECT seq, hash FROM audit_chain_heads WHERE chain = :c"
                                        + (" FOR UPDATE" if is_pg else "")), {"c": key}).one()
            seq, prev_hash = head.seq, head.hash
            for k in range(new_events):
                seq += 1
                event = SimpleNamespace(instance_id=instance_id, seq=seq, occurred_at=now, actor_id=None,
                                        actor_name="supervisor1", action="task_completed", task_id=None,
                                        details=details, prev_hash=prev_hash)
                event.hash = event_hash(event)
                conn.execute(sa.text(
                    "INSERT INTO audit_events (occurred_at, actor_name, action, instance_id, details, seq, prev_hash, "
                    "hash) VALUES (:now, 'supervisor1', 'task_completed', :i, :d, :seq, :prev, :hash)"),
                    {"now": now, "i": instance_id, "d": details_json, "seq": seq, "prev": prev_hash,
                     "hash": event.hash})
                prev_hash = event.hash
            conn.execute(sa.text("UPDATE audit_chain_heads SET seq = :seq, hash = :hash, updated_at = :now "
                                 "WHERE chain = :c"), {"seq": seq, "hash": prev_hash, "now": now, "c": key})
            db.session.commit()
            times.append(time.perf_counter() - started)
        return statistics.median(times)


# -- HTTP -----------------------------------------------------------------------------------------------

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_gunicorn(url: str, workers: int, checkout: Path = ROOT):
    """gunicorn on `url` with the app of `checkout` (this one by default; another runs on this one's .venv)."""
    port = free_port()
    env = dict(os.environ, WFS_DATABASE_URL=url, WFS_SCHEDULER_ENABLED="0", WFS_SETTABLE_CLOCK="1",
               WFS_ENV="development", WFS_SECRET_KEY="bench-secret")
    if checkout != ROOT:
        env["PYTHONPATH"] = str(checkout)
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", os.environ.get("WFS_BENCH_APP", "workflow_service.app:create_app()")],
                            cwd=checkout, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).read()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError("gunicorn did not start")


def stop(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def token(base, username) -> str:
    status, body = call(base, "POST", "/api/v1/auth/token", {"username": username, "password": dataset.PASSWORD})
    assert status == 201, body
    return body["token"]


def bench_http(base, task_ids, clients) -> dict:
    tok = token(base, "supervisor1")
    chunks = [task_ids[i::clients] for i in range(clients)]
    latencies, errors = [], []
    lock = threading.Lock()

    def work(ids):
        for task_id in ids:
            started = time.perf_counter()
            status, body = call(base, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": APPROVE}, tok)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if status == 200 else errors).append(elapsed if status == 200 else (status, body))

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"n": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else None,
            "throughput": len(latencies) / wall, "p50": pct(latencies, 50), "p95": pct(latencies, 95),
            "p99": pct(latencies, 99)}


def print_http(label, r):
    print(f"  {label:<34} {r['throughput']:6.1f} completions/s   p50 {ms(r['p50'])}  p95 {ms(r['p95'])}  "
          f"p99 {ms(r['p99'])}   ({r['n']} ok, {r['errors']} errors{'; ' + str(r['first_error'])[:120] if r['errors'] else ''})")


def run(url: str, open_cases: int, n: int, clients: int, http: bool, workers_list=(1, 2), profile=None) -> dict:
    print(f"\n=== {url.split('://')[0].split('+')[0]}: {open_cases} cases in the database, n = {n} ===", flush=True)
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    with app.app_context():
        templates = dataset.build_templates(dataset.FAR)
    filled = dataset.fill(app, open_cases, templates=templates, quiet=True)
    print(f"filled: {filled}")
    with app.app_context():
        dataset.set_clock(dataset.FAR + timedelta(hours=1))
    results = {}
    service_ids = add_approval_cases(app, templates, n)
    service, engine_times, rows = bench_service(app, service_ids, engine_step(app, templates["approval"]),
                                                profile and f"{profile}.{url.split(':')[0].split('+')[0]}.txt")
    engine = statistics.median(engine_times)
    sql = bench_sql(app, templates["approval"], n, rows)
    s50 = statistics.median(service)
    results.update(engine=engine, sql=sql, service_p50=s50, rows=rows)
    print(f"rows written per completion (service): {rows}")
    when = "after the profiled ones" if profile else "one before each service one"
    print(f"  bare engine (in memory)            {ms(engine)} per completion (median; {when})")
    sql_statements = 5 + max(1, round(rows["tasks"])) + round(rows["timers"]) + max(1, round(rows["audit_events"]))
    print(f"  bare SQL transaction               {ms(sql)} per completion, median ({sql_statements} statements + commit)")
    print(f"  service, in process                {ms(s50)} p50, {ms(pct(service, 95))} p95, "
          f"{ms(statistics.mean(service))} mean ({rows['statements']:.1f} statements per completion)")
    print(f"  ratio service / engine             {s50 / engine:5.2f}x   (target ≤ 3x)")
    print(f"  ratio service / SQL                {s50 / sql:5.2f}x")
    print(dataset.verify_audit(app, 500), flush=True)
    if http:
        for workers in workers_list:
            ids = add_approval_cases(app, templates, n)
            proc, base = start_gunicorn(url, workers)
            try:
                r = bench_http(base, ids, clients)
            finally:
                stop(proc)
            results[f"http_{workers}"] = r
            print_http(f"HTTP gunicorn -w {workers}, {clients} clients", r)
        if "http_1" in results and "http_2" in results:
            ratio = results["http_2"]["throughput"] / results["http_1"]["throughput"]
            results["workers_ratio"] = ratio
            print(f"  ratio 2 workers / 1 worker         {ratio:5.2f}x   (target ≥ 1.6x)")
    with app.app_context():
        from workflow_service.extensions import db
        db.engine.dispose()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-cases", type=int, default=10_000, help="cases in the database besides the measured ones")
    parser.add_argument("--n", type=int, default=200, help="completions per measurement")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="profile the in-process completions with pyinstrument (pip install -e '.[bench]'); "
                             "reports go to PREFIX.postgresql.txt and PREFIX.sqlite.txt")
    args = parser.parse_args(argv)
    pg = os.environ.get("WFS_TEST_POSTGRES_URL")
    if pg and not args.sqlite_only:
        run(pg, args.open_cases, args.n, args.clients, not args.no_http, profile=args.profile)
    else:
        print("PostgreSQL: skipped (no WFS_TEST_POSTGRES_URL; run under scripts/with_postgres.sh)")
    if not args.postgres_only:
        run("sqlite:////tmp/wfs-bench-completion.sqlite", args.open_cases, args.n, args.clients, not args.no_http,
            workers_list=(1,), profile=args.profile)


if __name__ == "__main__":
    main()
