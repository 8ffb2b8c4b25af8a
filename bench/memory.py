"""Stored state per case (bytes) and memory per gunicorn worker after real work.

Run:  scripts/with_postgres.sh .venv/bin/python bench/memory.py [--cases 5000]
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import completion  # noqa: E402
import dataset  # noqa: E402


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("WFS_TEST_POSTGRES_URL")
    if args.sqlite or not url:
        url = "sqlite:////tmp/wfs-bench-memory.sqlite"
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    from workflow_service.extensions import db

    with app.app_context():
        templates = dataset.build_templates(dataset.FAR)
        dataset.set_clock(dataset.FAR + timedelta(hours=1))
    counts = dataset.fill(app, args.cases, templates=templates, quiet=True)
    print(f"database: {url.split('://')[0]}, {counts}")
    for stage, template in templates.items():
        print(f"  engine state of one case at {stage:<14} {len(template.instance['state']):>7} bytes "
              f"(+ process data {len(str(template.instance['data'] or {})):>5} bytes)")
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            sizes = {t: db.session.scalar(sa.text(f"SELECT pg_total_relation_size('{t}')"))
                     for t in ("process_instances", "cases", "tasks", "timers", "alerts", "audit_events")}
            n = counts["cases"]
            print("  on disk per case (tables + indexes + TOAST, PostgreSQL): "
                  + ", ".join(f"{t} {v / n:,.0f} B" for t, v in sizes.items())
                  + f"; total {sum(sizes.values()) / n:,.0f} B")
    ids = completion.add_approval_cases(app, templates, 100)
    proc, base = completion.start_gunicorn(url, 2)
    try:
        import subprocess
        children = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                   text=True).stdout.split()]
        before = {pid: rss_kb(pid) for pid in children}
        tok = completion.token(base, "handler1")
        for _ in range(100):
            completion.call(base, "GET", "/api/v1/tasks?scope=available", token=tok)
        result = completion.bench_http(base, ids, 2)
        after = {pid: rss_kb(pid) for pid in children}
        for pid in children:
            print(f"  gunicorn worker {pid}: RSS {before[pid] / 1024:6.1f} MiB at start, {after[pid] / 1024:6.1f} MiB "
                  f"after 100 inbox requests and ~{result['n'] // 2} completions")
    finally:
        completion.stop(proc)


if __name__ == "__main__":
    main()
