"""The enterprise registry's bulk import and a random draw, timed through the API (in-process client).

    .venv/bin/python bench/registry.py                      # SQLite in a temporary directory
    scripts/with_postgres.sh sh -c '.venv/bin/python bench/registry.py "$WFS_TEST_POSTGRES_URL"'

Prints: importing 500 and 5,000 generated companies (CSV), refusing a 5,000-row file whose last row has a bad check
character (nothing imported), and drawing 20 companies with 2 officers each from the pool.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402

from tests.conftest import PASSWORD, T0, ApiClient, make_app  # noqa: E402
from tests.enterprise_driver import company_row, csv_bytes, ensure_certified_officers, upload  # noqa: E402
from workflow_service.demo import seed_demo  # noqa: E402
from workflow_service.extensions import db  # noqa: E402
from workflow_service.modules.system.operations import move_clock  # noqa: E402


def client_for(app, username: str) -> ApiClient:
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    return ApiClient(client, token)


def main() -> None:
    if "--help" in sys.argv:
        print(__doc__)
        return
    logging.disable(logging.CRITICAL)
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/registry.sqlite"
    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_demo()
        move_clock(None, now=T0, frozen=True)
        db.session.commit()
    ensure_certified_officers(app)
    handler = client_for(app, "handler1")
    upload(handler, csv_bytes([company_row(1, prefix="MW")]))  # warm-up
    for n, prefix in ((500, "MA"), (5000, "MB")):
        data = csv_bytes([company_row(i, prefix=prefix) for i in range(1, n + 1)])
        started = time.perf_counter()
        response = upload(handler, data)
        print(f"import {n:>5} rows: HTTP {response.status_code} in {time.perf_counter() - started:.2f} s")
    bad = [company_row(i, prefix="MC") for i in range(1, 5001)]
    bad[-1][1] = bad[-1][1][:-1] + ("0" if bad[-1][1][-1] != "0" else "1")
    started = time.perf_counter()
    response = upload(handler, csv_bytes(bad))
    print(f"refuse 5000 rows (last one bad): HTTP {response.status_code} in {time.perf_counter() - started:.2f} s, "
          f"rows reported {[p['row'] for p in response.get_json()['details']['rows']]}")
    supervisor = client_for(app, "supervisor1")
    started = time.perf_counter()
    response = supervisor.post("/api/v1/draws", json={"company_count": 20, "seed": "bench"})
    print(f"draw 20 companies x 2 officers from {response.get_json()['pool_size']}: HTTP {response.status_code} "
          f"in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
