"""The timer sweep: its cost with nothing due and with 1,000 timers due, as the waiting timers grow.

Waiting timers belong to open cases filed far in the future (none due); the due ones to copies of a case filed
at T0 whose decision-deadline timers are overdue when the clock stands at T0 + 100 days. Each copy is a real
instance: the sweep loads, advances and saves it. Afterwards every due timer must have fired exactly once.
Target: an idle sweep at the largest size ≤ 2× the idle sweep at the smallest.

Run:  scripts/with_postgres.sh .venv/bin/python bench/sweep.py [--waiting 1000,10000,100000] [--due 1000]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
from completion import ms  # noqa: E402


def add_investigations(app, template, timers_wanted: int, unit_ids, seed) -> int:
    """Copies of the investigation template (its decision-deadline timers waiting) until `timers_wanted`."""
    rng = random.Random(seed)
    per_case = sum(1 for t in template.timers if t["status"] == "waiting")
    with app.app_context():
        writer = dataset.Writer()
        for _ in range(max(1, timers_wanted // per_case)):
            dataset.copy_case(writer, template, rng.choice(unit_ids), closed=False,
                              shift=timedelta(0), rng=rng)
        writer.finish()
    return per_case


def waiting_count(app, due_before=None) -> int:
    from workflow_service.extensions import db
    from workflow_service.models import Timer

    with app.app_context():
        query = sa.select(sa.func.count()).select_from(Timer).where(Timer.status == "waiting")
        if due_before is not None:
            query = query.where(Timer.due_at < due_before)
        return db.session.scalar(query)


def idle_sweep(app, repeat) -> float:
    from workflow_service.modules.steps.sweep import sweep_due_timers

    times = []
    with app.app_context():
        for _ in range(repeat):
            started = time.perf_counter()
            result = sweep_due_timers()
            times.append(time.perf_counter() - started)
            assert result.fired == 0, result
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("WFS_TEST_POSTGRES_URL")
    if args.sqlite or not url:
        url = "sqlite:////tmp/wfs-bench-sweep.sqlite"
    sizes = [int(s) for s in args.waiting.split(",")]
    print(f"database: {url.split('://')[0]}; waiting timers: {sizes}; due: {args.due}")
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    from workflow_service.extensions import db
    from workflow_service.models import Timer, Unit

    with app.app_context():
        far = dataset.Template(dataset.run_template("investigation", dataset.FAR))
        near = dataset.Template(dataset.run_template("investigation", dataset.T0))
        units = dataset.make_units(100)
        local = db.session.scalar(sa.select(Unit.id).filter_by(code=dataset.LOCAL_COUNTY))
        sweep_at = dataset.T0 + timedelta(days=100)
        dataset.set_clock(dataset.T0 + timedelta(days=1))  # idle sweeps: nothing is due yet
    idle = {}
    for size in sizes:
        add_investigations(app, far, size - waiting_count(app), units, size)
        n = waiting_count(app)
        idle[size] = idle_sweep(app, args.repeat)
        print(f"  idle sweep, {n:>7} waiting timers, none due:   {ms(idle[size])} (median of {args.repeat})",
              flush=True)
    print(f"  ratio idle sweep {sizes[-1]} / {sizes[0]} waiting:        "
          f"{idle[sizes[-1]] / idle[sizes[0]]:5.2f}x   (target ≤ 2x)")

    # 1,000 due timers among the waiting ones.
    per_case = sum(1 for t in near.timers if t["status"] == "waiting")
    rng = random.Random(3)
    with app.app_context():
        writer = dataset.Writer()
        for _ in range(max(1, args.due // per_case)):
            dataset.copy_case(writer, near, local, closed=False, shift=timedelta(0), rng=rng)
        writer.finish()
    with app.app_context():
        dataset.set_clock(sweep_at)
    due = waiting_count(app, due_before=sweep_at)
    from workflow_service.modules.steps.sweep import sweep_due_timers

    with app.app_context():
        fired_before = db.session.scalar(sa.select(sa.func.count()).select_from(Timer).where(Timer.status == "fired"))
        started = time.perf_counter()
        result = sweep_due_timers(time_budget=3600)
        elapsed = time.perf_counter() - started
        fired = db.session.scalar(sa.select(sa.func.count()).select_from(Timer).where(Timer.status == "fired"))
        events = db.session.scalar(sa.text("SELECT COUNT(*) FROM audit_events WHERE action = 'timer_fired'"))
    print(f"  sweep with {due} due among {waiting_count(app) + fired - fired_before} waiting: "
          f"{elapsed:.2f} s, {elapsed / max(1, result.fired) * 1000:.1f} ms per instance step; examined {result.examined}, "
          f"instance steps {result.fired}, failed {result.failed}")
    print(f"  exactly once: timers now fired {fired - fired_before} (due {due}); timer_fired audit events {events}; "
          f"still due {waiting_count(app, due_before=sweep_at)}")
    print("  " + dataset.verify_audit(app, 500), flush=True)


if __name__ == "__main__":
    main()
