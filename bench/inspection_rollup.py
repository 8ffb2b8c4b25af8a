"""The national roll-up of the departments' statistics (监督检查统计) read from the facts table: p50/p95.

Builds a national tree (a root above 34 provinces, 340 cities and 3,000 counties: bench/dataset.py
make_national_tree) and one year of facts shaped like 5 M inspections and 1 M penalty cases a year
(fill_inspection_facts: one row per unit and month, as the step handlers write them), then times, as a supervisor
of the root, the roll-up for the year, a quarter and a month: the function (modules/inspections/queries.py
inspection_statistics) and the HTTP answer (GET /api/v1/inspection-statistics, in-process test client); with
--all-units also the table of every unit below (3,375 rows). Also times one step handler's upsert of the facts
(facts.add_facts), the cost each step pays for the statistics. Target: p95 < 200 ms on PostgreSQL.

Run:  scripts/with_postgres.sh .venv/bin/python bench/inspection_rollup.py [--repeat 50] [--sqlite]
      (PostgreSQL from WFS_TEST_POSTGRES_URL; without it, or with --sqlite, a SQLite file under /tmp)
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset  # noqa: E402
from completion import ms, pct  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm: the first call pays for compiled statements and cold caches
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--inspections", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    url = os.environ.get("WFS_TEST_POSTGRES_URL")
    url = "sqlite:////tmp/wfs-bench-rollup.sqlite" if args.sqlite or not url else url
    dataset.reset_database(url)
    app = dataset.make_app(url)
    dataset.prepare(app)

    from workflow_service.extensions import db
    from workflow_service.modules.inspections.facts import add_facts
    from workflow_service.modules.inspections.models import InspectionFact
    from workflow_service.modules.inspections.queries import inspection_statistics
    from workflow_service.modules.users.models import Unit, User
    from workflow_service.modules.users.operations import create_user

    with app.app_context():
        t0 = time.perf_counter()
        tree = dataset.make_national_tree()
        facts = dataset.fill_inspection_facts(tree, inspections=args.inspections, cases=args.cases)
        root = db.session.get(Unit, tree["root"])
        create_user(None, username="national_supervisor", password=dataset.PASSWORD, display_name="部级统计",
                    unit_code=root.code, roles=["supervisor"])
        db.session.commit()
        if url.startswith("postgresql"):
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        units = db.session.scalar(db.select(db.func.count()).select_from(Unit))
        total = db.session.scalar(db.select(db.func.sum(InspectionFact.inspections)).where(InspectionFact.month % 100 != 0))
        print(f"database: {url.split('@')[-1]}")
        print(f"units {units} (34 provinces, {len(tree['cities'])} cities, {len(tree['counties'])} counties), "
              f"fact rows {facts}, inspections a year {total:,}; built in {time.perf_counter() - t0:.1f} s")
        actor = db.session.scalar(db.select(User).filter_by(username="national_supervisor"))
        print(f"{'query':58} {'p50':>10} {'p95':>10}")
        for period in ("2026", "2026-Q4", "2026-10"):
            for all_units in ((False, True) if period == "2026" else (False,)):
                def run():
                    result = inspection_statistics(actor, period, None, all_units)
                    db.session.rollback()
                    return result
                sample = run()
                if period == "2026" and not all_units:
                    year = sample["rows"][0]["figures"]
                label = f"function: {period}, {'every unit (%d rows)' % len(sample['rows']) if all_units else 'root + 34 provinces'}"
                values = timed(run, args.repeat)
                print(f"{label:58} {ms(pct(values, 50)):>10} {ms(pct(values, 95)):>10}")
        print(f"  (root, year: inspections {year['inspections']:,}, hidden dangers {year['hidden_dangers_found']:,}, "
              f"penalty decisions {year['penalty_decisions']:,})")
        if url.startswith("postgresql"):  # the server's own time for the year's grouped read, without the load of Python
            from workflow_service.modules.inspections.queries import _own_facts
            from workflow_service.modules.statistics.queries import parse_period
            captured = []
            listen = db.event.listens_for(db.engine, "before_cursor_execute")(
                lambda conn, cursor, statement, params, context, many: captured.append((statement, params)))
            _own_facts(root, parse_period("2026"), by_child=True)
            db.event.remove(db.engine, "before_cursor_execute", listen)
            statement, params = captured[-1]
            cursor = db.session.connection().connection.cursor()
            times = []
            for _ in range(10):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
                times.append(cursor.fetchone()[0][0]["Execution Time"])
            db.session.rollback()
            print(f"{'PostgreSQL execution time, the year, grouped read':58} {pct(times, 50):7.2f} ms {pct(times, 95):7.2f} ms")
        county = tree["counties"][0]
        moment = datetime(2026, 10, 12, 2, tzinfo=timezone.utc)

        def upsert():
            add_facts(county, moment, inspections=1, hidden_dangers_found=2)
            db.session.commit()
        values = timed(upsert, args.repeat)
        print(f"{'step handler: add_facts (upsert + commit)':58} {ms(pct(values, 50)):>10} {ms(pct(values, 95)):>10}")

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "national_supervisor",
                                                    "password": dataset.PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/inspection-statistics?period=2026", "/api/v1/inspection-statistics?period=2026-10",
                 "/api/v1/inspection-statistics?period=2026&all_units=true"):
        assert client.get(path, headers=headers).status_code == 200
        values = timed(lambda: client.get(path, headers=headers), args.repeat)
        print(f"{'HTTP: ' + path.split('?')[1]:58} {ms(pct(values, 50)):>10} {ms(pct(values, 95)):>10}")


if __name__ == "__main__":
    main()
