"""Server time to render the main web pages with a full queue (Flask test client, SQLite, no browser).

Run: .venv/bin/python bench/web_pages.py [cases]      (prints its figures; it is not a test)

Files `cases` cases (default 500) as handler1, so handler2's inbox has that many unclaimed tasks (a page shows 20
rows whatever the queue's length); the first 50 are filed and approved, so their investigation runs. The supervisor's dashboard is measured after the clock has moved
past every deadline, with the escalations raised; it now also computes the statistics of the current month (and,
measured separately, of the whole year) and lists the pending transfers.
"""
from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow_service.app import create_app  # noqa: E402

PASSWORD = "bench-password"
FILING = {"source": "inspection", "party": {"name": "某公司", "type": "organisation"}, "handlers": ["handler1", "handler2"],
          "violations": [{"description": "未监测", "provision": "《安全生产法》第四十条"}], "summary": "检查发现"}


def _login(app, username):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client


def _time(client, path, repeat=20) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples) * 1000


def main(cases: int = 500, approved: int = 50) -> None:
    from flask_migrate import upgrade

    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db
    from workflow_service.modules.cases.operations import file_case
    from workflow_service.modules.system.operations import move_clock
    from workflow_service.modules.steps.tasks import complete_task
    from workflow_service.modules.steps.sweep import sweep_due_timers
    from workflow_service.modules.users.models import User

    directory = tempfile.mkdtemp()
    app = create_app({"ENV": "test", "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite", "SECRET_KEY": "bench",
                      "SETTABLE_CLOCK": True, "SCHEDULER_ENABLED": False, "DEMO_PASSWORD": PASSWORD,
                      "SWEEP_TIME_BUDGET_SECONDS": 600.0})
    with app.app_context():
        upgrade()
        seed_demo()
        move_clock(None, now=datetime(2026, 10, 12, 1, tzinfo=timezone.utc), frozen=True)
        handler = db.session.query(User).filter_by(username="handler1").one()
        started = time.perf_counter()
        first = None
        for i in range(cases):
            case = file_case(handler, source="inspection", party_name=f"企业{i}", party_type="organisation",
                             summary="检查发现")
            first = first or case
        db.session.commit()
        print(f"filed {cases} cases:                       {time.perf_counter() - started:7.1f} s")
        from workflow_service.modules.cases.queries import open_tasks

        # The first `approved` cases reach the investigation, whose 90-day decision deadline will run out.
        supervisor_user = db.session.query(User).filter_by(username="supervisor1").one()
        from workflow_service.modules.cases.models import Case

        for case in db.session.query(Case).order_by(Case.id).limit(approved):
            complete_task(handler, open_tasks(case)[0].id, FILING)
            complete_task(supervisor_user, open_tasks(case)[0].id, {"filing_approved": True})
        db.session.commit()
        case_id = first.id
        task_id = open_tasks(first)[0].id
    handler2 = _login(app, "handler2")
    print(f"inbox, {cases} tasks in the queue (20 shown): {_time(handler2, '/'):7.1f} ms")
    print(f"inbox, page 10:                          {_time(handler2, '/?available_page=10'):7.1f} ms")
    print(f"case page:                               {_time(handler2, f'/cases/{case_id}'):7.1f} ms")
    print(f"task page (调查取证 form):                {_time(handler2, f'/tasks/{task_id}'):7.1f} ms")
    with app.app_context():
        move_clock(None, now=datetime(2027, 2, 1, 1, tzinfo=timezone.utc), frozen=True)
        db.session.commit()
        result = sweep_due_timers()
        db.session.commit()
    supervisor = _login(app, "supervisor1")
    print(f"supervision, {result.fired} timers fired:        {_time(supervisor, '/supervision'):7.1f} ms")
    print(f"supervision, statistics of the year 2026:  {_time(supervisor, '/supervision?period=2026'):7.1f} ms")
    print(f"ballot-free case page with sign-off status: {_time(supervisor, f'/cases/{case_id}'):7.1f} ms")
    print(f"transfers list / rectifications list:   {_time(supervisor, '/transfers'):7.1f} / "
          f"{_time(supervisor, '/rectifications'):5.1f} ms")
    print(f"inbox with overdue tasks and alerts:     {_time(handler2, '/'):7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
