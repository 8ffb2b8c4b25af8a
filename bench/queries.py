"""Inbox (待办) and alert (预警/督办) queries over HTTP (in-process test client): p50/p95 as the task table grows.

The database is filled in steps (bench/dataset.py: ~9 task rows a case, most of them closed history spread over
many units); the demo county keeps the same workload at every size, so the figures show what the growth of
everybody else's rows costs one user. Target: inbox p95 at the largest size ≤ 2× its p95 at the smallest.

Run:  scripts/with_postgres.sh .venv/bin/python bench/queries.py [--task-rows 10000,100000,1000000] [--repeat 50]
      (PostgreSQL from WFS_TEST_POSTGRES_URL; without it, or with --sqlite, a SQLite file)
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
from completion import ms, pct  # noqa: E402

TASKS_PER_CASE = 9
QUERIES = [  # (label, user, path)
    ("inbox available (handler1)", "handler1", "/api/v1/tasks?scope=available"),
    ("inbox mine (handler1)", "handler1", "/api/v1/tasks?scope=mine"),
    ("alerts mine (supervisor1)", "supervisor1", "/api/v1/alerts"),
    ("alerts units (city_supervisor)", "city_supervisor", "/api/v1/alerts?scope=units"),
    ("cases of my unit (supervisor1)", "supervisor1", "/api/v1/cases?status=open"),
]


def measure(app, repeat: int) -> dict:
    client = app.test_client()
    headers = {}
    out = {}
    for label, username, path in QUERIES:
        if username not in headers:
            r = client.post("/api/v1/auth/token", json={"username": username, "password": dataset.PASSWORD})
            headers[username] = {"Authorization": f"Bearer {r.get_json()['token']}"}
        for _ in range(3):  # warm caches
            assert client.get(path, headers=headers[username]).status_code == 200
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, headers=headers[username])
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
        out[label] = (pct(times, 50), pct(times, 95), response.get_json().get("total"))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task-rows", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("WFS_TEST_POSTGRES_URL")
    if args.sqlite or not url:
        url = "sqlite:////tmp/wfs-bench-queries.sqlite"
    sizes = [int(s) for s in args.task_rows.split(",")]
    print(f"database: {url.split('://')[0]}; sizes (task rows): {sizes}")
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    with app.app_context():
        templates = dataset.build_templates(dataset.FAR)
        dataset.set_clock(dataset.FAR + timedelta(hours=1))
    results, cases = {}, 0
    for size in sizes:
        target_cases = max(1, size // TASKS_PER_CASE)
        counts = dataset.fill(app, target_cases - cases, templates=templates, local_open=200 if cases == 0 else 0,
                              seed=size, quiet=True)
        cases = target_cases
        print(f"\n-- {counts['tasks']} task rows, {counts['cases']} cases, {counts['alerts']} alerts, "
              f"{counts['audit_events']} audit events (filled in {counts['seconds']} s)", flush=True)
        results[size] = measure(app, args.repeat)
        for label, (p50, p95, total) in results[size].items():
            print(f"  {label:<34} p50 {ms(p50)}   p95 {ms(p95)}   (total {total})", flush=True)
    first, last = sizes[0], sizes[-1]
    print(f"\nratios p95 at {last} / p95 at {first} task rows (target for the inbox ≤ 2x):")
    for label in results[first]:
        print(f"  {label:<34} {results[last][label][1] / results[first][label][1]:5.2f}x")


if __name__ == "__main__":
    main()
