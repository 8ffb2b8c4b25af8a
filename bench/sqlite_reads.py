"""Pages on SQLite while something writes: the case page (GET /api/v1/cases/{id}) over gunicorn (2 workers),
timed on an idle database and then while another connection keeps SQLite's write lock most of the time — as a
long step, the sweep of a thousand timers or an import does — in the same run, on one or two checkouts.

A writer thread takes the lock (`BEGIN IMMEDIATE`), holds it `--hold` ms, lets go for `--gap` ms, and again. A
request that takes the write lock at its start waits for each hold; one that reads a snapshot does not
(core/transaction.takes_write_lock). Printed: p50/p95/max of each phase and the ratio busy/idle.

Run:  .venv/bin/python bench/sqlite_reads.py [--before /path/to/old/checkout] [--n 200] [--hold 200] [--gap 20]
      (the old checkout runs on this checkout's .venv and database; its schema must be the same)
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
from completion import call, pct, start_gunicorn, stop, token  # noqa: E402

ROOT = dataset.ROOT
PATH = "/tmp/wfs-bench-sqlite-reads.sqlite"


def reads(base, tok, case_id, n) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        status, body = call(base, "GET", f"/api/v1/cases/{case_id}", token=tok)
        times.append(time.perf_counter() - started)
        assert status == 200, body
    return times


def writer(stop_event: threading.Event, hold: float, gap: float) -> None:
    conn = sqlite3.connect(PATH, isolation_level=None, timeout=60)
    while not stop_event.is_set():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE clock_state SET offset_seconds = offset_seconds WHERE id = 1")
        time.sleep(hold)
        conn.execute("COMMIT")
        time.sleep(gap)
    conn.close()


def one(checkout: Path, url: str, case_id: int, args) -> dict:
    proc, base = start_gunicorn(url, 2, checkout)
    try:
        tok = token(base, "supervisor1")
        reads(base, tok, case_id, 20)  # both workers warm
        idle = reads(base, tok, case_id, args.n)
        stop_event = threading.Event()
        thread = threading.Thread(target=writer, args=(stop_event, args.hold / 1000, args.gap / 1000))
        thread.start()
        try:
            time.sleep(0.05)
            busy = reads(base, tok, case_id, args.n)
        finally:
            stop_event.set()
            thread.join()
    finally:
        stop(proc)
    return {"idle": idle, "busy": busy}


def ms(x):
    return f"{x * 1000:8.1f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout, run first on the same database")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--hold", type=float, default=200, help="ms the writer holds the lock each time")
    parser.add_argument("--gap", type=float, default=20, help="ms between two holds")
    args = parser.parse_args(argv)
    url = f"sqlite:///{PATH}"
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.modules.cases.models import Case
        import sqlalchemy as sa

        instance_id = dataset.run_template("investigation", dataset.T0)
        case_id = db.session.scalar(sa.select(Case.id).where(Case.instance_id == instance_id))
        db.session.commit()
        db.engine.dispose()
    print(f"SQLite, gunicorn -w 2, GET /api/v1/cases/{case_id} one after another, n = {args.n}; the writer holds "
          f"the lock {args.hold:g} ms, lets go {args.gap:g} ms")
    sides = ([("before", args.before.resolve())] if args.before else []) + [("this", ROOT)]
    for label, checkout in sides:
        r = one(checkout, url, case_id, args)
        idle, busy = r["idle"], r["busy"]
        print(f"  {label:<6} idle  p50 {ms(statistics.median(idle))}  p95 {ms(pct(idle, 95))}  max {ms(max(idle))}")
        print(f"  {label:<6} busy  p50 {ms(statistics.median(busy))}  p95 {ms(pct(busy, 95))}  max {ms(max(busy))}"
              f"   busy/idle p50 {statistics.median(busy) / statistics.median(idle):6.2f}x")


if __name__ == "__main__":
    main()
