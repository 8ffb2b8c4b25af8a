"""How long the supervisors' statistics take for a unit tree with many cases, and how fast redaction runs.

Run: .venv/bin/python bench/statistics_and_redaction.py [cases] [--other-tasks N]   (prints figures; not a test)

Builds a throwaway SQLite database from the migrations, seeds the demo units and users, adds `cases` penalty
cases spread over the year 2026 in the demo county (each with its projected process data, as the case process
leaves it, and two tasks), then times the statistics of the province tree for one month and for the whole year.
Then the county supervisor's month, before and after N tasks of another county are added: the ratio is 1 when
a county's figures read the county's rows only. Redaction is timed on a decision text carrying every kind of
personal data.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def task(instance_id: int, unit_id: int, i: int, rng) -> dict:
    """A task of 2026: half of them completed (a few days after they opened), half still open."""
    created = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
    done = i % 2 == 0
    return {"instance_id": instance_id, "engine_task_id": f"bench-{unit_id}-{i}-{rng.random()}", "bpmn_id": "investigate",
            "name": "调查取证", "role": "case_handler", "unit_id": unit_id, "candidates_only": False,
            "status": "completed" if done else "ready", "version": 1, "due_provisional": False, "created_at": created,
            "due_at": created + timedelta(days=30),
            "completed_at": created + timedelta(days=rng.randrange(1, 40)) if done else None}


def main(count: int = 20000, other_tasks: int = 200000) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from workflow_service.app import create_app
    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db
    from workflow_service.modules.cases.models import Case
    from workflow_service.modules.disclosure.redaction import Redactor
    from workflow_service.modules.processes.models import ProcessDefinition, ProcessInstance
    from workflow_service.modules.tasks.models import Task
    from workflow_service.modules.statistics.queries import unit_statistics
    from workflow_service.modules.users.models import Unit, User
    from workflow_service.modules.users.operations import create_unit

    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app({"ENV": "test", "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "SCHEDULER_ENABLED": False, "SETTABLE_CLOCK": True})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        county = db.session.scalar(sa.select(Unit).filter_by(code="532301"))
        definition = db.session.scalar(sa.select(ProcessDefinition).filter_by(process_id="case_handling", is_latest=True))
        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        instances, cases = [], []
        for i in range(count):
            filed = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            decided = filed + timedelta(days=rng.randrange(10, 80))
            data = {"filed_at": filed.isoformat(), "decided_at": decided.isoformat(), "case_outcome": "penalty",
                    "penalty_types": rng.choice([["fine"], ["fine", "warning"], ["suspension"], ["licence", "fine"]]),
                    "total_fine": rng.randrange(1000, 100000), "party": {"name": f"企业{i}", "type": "organisation"},
                    "violations": [{"description": "未按规定开展安全培训" * 5, "provision": "《安全生产法》第二十八条"}]}
            instances.append({"id": i + 1, "definition_id": definition.id, "process_id": "case_handling",
                              "unit_id": county.id, "title": f"企业{i}案", "status": "running", "state": "{}",
                              "serializer_version": "bench", "data": data, "started_at": filed, "updated_at": filed,
                              "version": 1})
            cases.append({"case_number": f"B-{i}", "instance_id": i + 1, "unit_id": county.id, "source": "inspection",
                          "party_name": f"企业{i}", "party_type": "organisation", "summary": "bench", "violations": [],
                          "status": "open", "created_at": filed})
        db.session.execute(sa.insert(ProcessInstance), instances)
        db.session.execute(sa.insert(Case), cases)
        db.session.execute(sa.insert(Task), [task(i + 1, county.id, i, rng) for i in range(count) for _ in range(2)])
        db.session.commit()
        supervisor = db.session.scalar(sa.select(User).filter_by(username="province_supervisor"))
        now = datetime(2027, 1, 1, tzinfo=timezone.utc)
        for period in ("2026-06", "2026-Q2", "2026"):
            started = time.perf_counter()
            result = unit_statistics(supervisor, period, None, now)
            elapsed = time.perf_counter() - started
            province = result["rows"][0]["figures"]
            print(f"statistics {period:>8} over {count} cases (SQLite): {elapsed:.3f} s "
                  f"({province['penalty_decisions']} decisions counted)")
        # The county supervisor's month, then the same after another county's tasks are added.
        officer = db.session.scalar(sa.select(User).filter_by(username="supervisor1"))

        def county_month() -> float:
            best = None
            for _ in range(5):
                started = time.perf_counter()
                unit_statistics(officer, "2026-06", None, now)
                best = min(best or 1e9, time.perf_counter() - started)
            return best

        alone = county_month()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        other = create_unit(admin, code="532322", name="双柏县应急管理局", level="county", parent_code="532300")
        db.session.execute(sa.insert(Task), [task(1, other.id, i, rng) for i in range(other_tasks)])
        db.session.commit()
        crowded = county_month()
        print(f"statistics 2026-06 of one county: {alone * 1000:.1f} ms alone, {crowded * 1000:.1f} ms with "
              f"{other_tasks} tasks in another county: ratio {crowded / alone:.2f} (1.00: the county's rows only)")

    text = ("员工张三丰（身份证号53230119851012341X，手机13987654321，住址楚雄市鹿城镇紫溪路18号3栋2单元501室）未经安全培训上岗作业，"
            "法定代表人李建国未组织培训；罚款缴至账号6228480012345678901，咨询电话0878-3123456。") * 3
    redactor = Redactor(party_name="楚雄某化工有限公司", known_names=["李建国", "张承办", "刘法制"])
    runs = 2000
    started = time.perf_counter()
    for _ in range(runs):
        redactor.redact(text)
    elapsed = time.perf_counter() - started
    print(f"redaction: {elapsed / runs * 1000:.3f} ms per text of {len(text)} characters")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", type=int, nargs="?", default=20000, help="penalty cases in the demo county")
    parser.add_argument("--other-tasks", type=int, default=200000, help="tasks of another county, added for the ratio")
    args = parser.parse_args()
    main(args.cases, args.other_tasks)
