"""Cost of the audit hash chain: appending events (one transaction each, and many in one transaction) and
verifying a chain.

Run: .venv/bin/python bench/audit_chain.py [N] [DATABASE_URL]   (prints its figures; it is not a test)
Default: 5,000 events on a temporary SQLite file. Appends go to the system chain (no instance needed); an
instance's chain costs the same per event.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(n: int = 5000, url: str | None = None) -> None:
    from flask_migrate import upgrade

    from workflow_service.app import create_app
    from workflow_service.extensions import db
    from workflow_service.modules.audit.chain import verify_chain
    from workflow_service.modules.audit.operations import record_event

    url = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"ENV": "test", "DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False})
    with app.app_context():
        upgrade()
        details = {"task": "investigate", "data": {"evidence": [{"type": "photo", "description": "现场照片"}] * 3}}
        started = time.perf_counter()
        for i in range(n // 10):
            record_event(None, "bench_append", details={**details, "i": i})
            db.session.commit()
        one_each = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(n - n // 10):
            record_event(None, "bench_append", details={**details, "i": i})
        db.session.commit()
        batched = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_chain(None)
        verify = time.perf_counter() - started
    print(f"database: {url.split(':')[0]}")
    print(f"append, one transaction per event: {n // 10} events, {one_each * 1000 / (n // 10):.2f} ms/event")
    print(f"append, one transaction for all:   {n - n // 10} events, {batched * 1000 / (n - n // 10):.3f} ms/event")
    print(f"verify: {report.events} events, ok={report.ok}, {verify:.2f} s ({report.events / verify:,.0f} events/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000, sys.argv[2] if len(sys.argv) > 2 else None)
