"""Fill a database with realistic penalty cases in every stage, fast.

A few template cases are run through the real service (file → approve → investigate, with their tasks, timers
and audit events); every other case is a copy of one of them written with bulk inserts: the same engine state
with fresh task ids (so each copy is a real, advanceable instance), its task, timer, alert and audit rows.
Most cases are closed history (every task completed, timers fired or cancelled), as in a real database after a
few years; the open ones are spread over many units, and the demo county 楚雄市应急管理局 (532301) always has the
same workload (`local_open` open cases), so the queries a user runs there can be compared across sizes.

Run:  .venv/bin/python bench/dataset.py --cases 100000 [--database-url URL]
      (default URL: $WFS_DATABASE_URL, else a SQLite file under /tmp; bench/with_postgres.sh gives a throwaway
      PostgreSQL). Closed cases carry the state of the investigation template (a real completed state would
      need the whole process driven per template: a simplification that only affects the state column's size).
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
import time
import uuid
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password"
# Monday 12 October 2026, 09:00 in Shanghai.
T0 = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)
FAR = T0 + timedelta(days=400)  # open copies are filed here: none of their timers is due at T0 + 100 days
LOCAL_COUNTY = "532301"
FILING = {"source": "inspection", "party": {"name": "楚雄某化工有限公司", "type": "organisation"},
          "handlers": ["handler1", "handler2"],
          "violations": [{"description": "未对重大危险源进行监测监控", "provision": "《安全生产法》第四十条"}],
          "summary": "日常检查发现"}
# Completed-task history a closed case has beyond its template's tasks (bpmn ids of bpmn/case_handling.bpmn).
CLOSED_HISTORY = ["investigation_report", "notify_intended_penalty", "record_statements", "draft_decision",
                  "approve_decision", "serve_decision", "record_payment", "draft_closure_report",
                  "approve_closure", "archive"]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STAGES = ("filed", "approval", "investigation")


def make_app(database_url: str, **overrides):
    from workflow_service.app import create_app

    config = {"ENV": "test", "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "SETTABLE_CLOCK": True,
              "SCHEDULER_ENABLED": False, "DEMO_PASSWORD": PASSWORD, "SWEEP_TIME_BUDGET_SECONDS": 600.0,
              "SWEEP_BATCH_SIZE": 200}
    config.update(overrides)
    return create_app(config)


def default_url() -> str:
    return os.environ.get("WFS_DATABASE_URL") or "sqlite:////tmp/wfs-bench.sqlite"


def reset_database(url: str) -> None:
    """An empty schema (PostgreSQL: drop and recreate public; SQLite: delete the file)."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def prepare(app) -> None:
    """Schema from the migrations, demo units, users and process definitions."""
    from flask_migrate import upgrade

    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db

    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()


def set_clock(instant: datetime) -> None:
    from workflow_service.extensions import db
    from workflow_service.modules.system.operations import move_clock

    move_clock(None, now=instant, frozen=True)
    db.session.commit()


def user(username):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User

    return db.session.scalar(sa.select(User).filter_by(username=username))


def ready_task(instance_id, bpmn_id):
    from workflow_service.extensions import db
    from workflow_service.modules.tasks.models import Task

    return db.session.scalar(sa.select(Task).filter_by(instance_id=instance_id, bpmn_id=bpmn_id, status="ready"))


def run_template(stage: str, filed_at: datetime) -> int:
    """One real case driven through the service up to `stage`; returns its instance id. Call in an app context."""
    from workflow_service.extensions import db
    from workflow_service.modules.cases.operations import file_case
    from workflow_service.modules.steps.tasks import complete_task

    set_clock(filed_at)
    case = file_case(user("handler1"), source="inspection", party_name="楚雄某化工有限公司", party_type="organisation",
                     summary="日常检查发现")
    db.session.commit()
    if stage in ("approval", "investigation"):
        complete_task(user("handler1"), ready_task(case.instance_id, "draft_filing").id, FILING)
        db.session.commit()
    if stage == "investigation":
        complete_task(user("supervisor1"), ready_task(case.instance_id, "approve_filing").id,
                      {"filing_approved": True})
        db.session.commit()
    return case.instance_id


class Template:
    """The rows of one real case, ready to be copied."""

    def __init__(self, instance_id: int):
        from workflow_service.extensions import db
        from workflow_service.models import AuditEvent, Case, ProcessInstance, Task, Timer

        def rows(model, **where):
            table = model.__table__
            query = sa.select(table)
            for key, value in where.items():
                query = query.where(table.c[key] == value)
            return [dict(r._mapping) for r in db.session.execute(query.order_by(table.c.id))]

        self.instance = rows(ProcessInstance, id=instance_id)[0]
        self.case = rows(Case, instance_id=instance_id)[0]
        self.tasks = rows(Task, instance_id=instance_id)
        self.timers = rows(Timer, instance_id=instance_id)
        self.audit = rows(AuditEvent, instance_id=instance_id)
        self.uuids = sorted(set(UUID_RE.findall(self.instance["state"])))

    def remap(self):
        mapping = {u: str(uuid.uuid4()) for u in self.uuids}
        return mapping, UUID_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), self.instance["state"])


def make_units(count: int) -> list[int]:
    """`count` counties under generated provinces and cities (10 counties a city, 10 cities a province)."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit
    from workflow_service.modules.users.operations import create_unit

    ids = []
    for p in range((count + 99) // 100):
        pcode = f"B{p:02d}0000"
        if db.session.scalar(sa.select(Unit).filter_by(code=pcode)) is None:
            create_unit(None, code=pcode, name=f"基准省{p}", level="province", parent_code=None)
        for c in range(10):
            ccode = f"B{p:02d}{c:02d}00"
            if len(ids) >= count:
                break
            if db.session.scalar(sa.select(Unit).filter_by(code=ccode)) is None:
                create_unit(None, code=ccode, name=f"基准市{p}-{c}", level="city", parent_code=pcode)
            for k in range(1, 11):
                kcode = f"B{p:02d}{c:02d}{k:02d}"
                unit = db.session.scalar(sa.select(Unit).filter_by(code=kcode))
                if unit is None:
                    unit = create_unit(None, code=kcode, name=f"基准县{p}-{c}-{k}", level="county", parent_code=ccode)
                ids.append(unit.id)
                if len(ids) >= count:
                    break
    db.session.commit()
    return ids


def make_national_tree(provinces: int = 34, counties: int = 3000, cities_per_province: int = 10) -> dict:
    """A national tree for the roll-up benchmark: a root (应急管理部) above `provinces` provinces, each with
    `cities_per_province` cities, and `counties` counties spread over the cities; written with bulk inserts
    (explicit ids and materialized paths). Returns {"root": id, "provinces": [...], "cities": [...],
    "counties": [...]}. Idempotent per database: an existing tree (root code NATIONAL) is returned as it is."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit

    existing = db.session.scalar(sa.select(Unit).filter_by(code="NATIONAL"))
    if existing is not None:
        rows = db.session.execute(sa.select(Unit.id, Unit.level).where(Unit.path.startswith(existing.path))).all()
        return {"root": existing.id, "provinces": [i for i, lv in rows if lv == "province"],
                "cities": [i for i, lv in rows if lv == "city"], "counties": [i for i, lv in rows if lv == "county"]}
    next_id = (db.session.scalar(sa.select(sa.func.max(Unit.id))) or 0) + 1
    now = T0
    units, tree = [], {"provinces": [], "cities": [], "counties": []}

    def add(code, name, level, parent):
        nonlocal next_id
        uid, next_id = next_id, next_id + 1
        path = f"{parent[1] if parent else '/'}{uid}/"
        units.append({"id": uid, "code": code, "name": name, "level": level, "parent_id": parent[0] if parent else None,
                      "path": path, "created_at": now})
        return uid, path

    root = add("NATIONAL", "应急管理部（基准）", "national", None)
    tree["root"] = root[0]
    city_nodes = []
    for p in range(provinces):
        province = add(f"P{p:02d}", f"基准省{p}", "province", root)
        tree["provinces"].append(province[0])
        for c in range(cities_per_province):
            city = add(f"C{p:02d}{c:02d}", f"基准市{p}-{c}", "city", province)
            tree["cities"].append(city[0])
            city_nodes.append((p, c, city))
    for k in range(counties):
        p, c, city = city_nodes[k % len(city_nodes)]
        county = add(f"K{p:02d}{c:02d}{k // len(city_nodes) + 1:02d}", f"基准县{p}-{c}-{k}", "county", city)
        tree["counties"].append(county[0])
    db.session.execute(sa.insert(Unit.__table__), units)
    if db.session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence past them
        db.session.execute(sa.text("SELECT setval('units_id_seq', (SELECT max(id) FROM units))"))
    db.session.commit()
    return tree


def fill_inspection_facts(tree: dict, year: int = 2026, *, inspections: int = 5_000_000, cases: int = 1_000_000,
                          seed: int = 1) -> int:
    """The statistics' facts of one year for every unit of the tree (inspection_facts: one row per unit and
    month, and the year's row), shaped like `inspections` inspections and `cases` penalty cases a year nationally: what the step
    handlers would have written. Counties do most of the work, cities and provinces some of their own."""
    from workflow_service.extensions import db
    from workflow_service.modules.inspections.models import FACT_COLUMNS, InspectionFact

    rng = random.Random(seed)
    keys = [k for k, _ in FACT_COLUMNS]
    weights = {uid: 1.0 for uid in tree["counties"]}
    weights.update({uid: 0.5 for uid in tree["cities"]})
    weights.update({uid: 0.2 for uid in tree["provinces"]})
    total_weight = sum(weights.values()) * 12
    per_inspection, per_case = inspections / total_weight, cases / total_weight
    rows = []
    for uid, weight in weights.items():
        for month in range(1, 13):
            n = max(0, int(rng.gauss(per_inspection * weight, per_inspection * weight * 0.3)))
            found = int(n * rng.uniform(2.5, 3.5))
            decisions = max(0, int(rng.gauss(per_case * weight, per_case * weight * 0.3)))
            row = dict.fromkeys(keys, 0)
            row.update(unit_id=uid, month=year * 100 + month, inspections=n, companies_inspected=int(n * 0.7),
                       inspections_planned=int(n * 0.6), inspections_random=int(n * 0.25),
                       inspections_complaint=int(n * 0.1), inspections_accident=int(n * 0.02),
                       hidden_dangers_found=found, hidden_dangers_rectified=int(found * rng.uniform(0.9, 0.99)),
                       hidden_dangers_closed=int(found * 0.9), major_found=int(found * 0.01),
                       major_closed=int(found * 0.008), onsite_measures=int(n * 0.05), orders=int(n * 0.3),
                       orders_from_inspections=int(n * 0.28), cases_from_inspections=int(decisions * 0.8),
                       penalty_decisions=decisions, penalties_warning=int(decisions * 0.2),
                       penalties_fine=int(decisions * 0.9), penalties_confiscation=int(decisions * 0.02),
                       penalties_suspension=int(decisions * 0.03), penalties_licence=int(decisions * 0.01),
                       principals_punished=int(decisions * 0.3), transfers=int(decisions * 0.01),
                       fines_yuan=round(decisions * rng.uniform(20000, 60000), 2))
            rows.append(row)
    years: dict[int, dict] = {}
    for row in rows:  # the year's row (month 00), as add_facts keeps it
        total = years.setdefault(row["unit_id"], {**dict.fromkeys(keys, 0), "fines_yuan": 0,
                                                  "unit_id": row["unit_id"], "month": year * 100})
        for k in keys + ["fines_yuan"]:
            total[k] += row[k]
    rows += list(years.values())
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(InspectionFact.__table__), rows[start:start + 5000])
    db.session.commit()
    return len(rows)


class Writer:
    """Collects rows per table and writes them in bulk (executemany), with explicit primary keys."""

    def __init__(self, chunk: int = 5000):
        from workflow_service.extensions import db
        from workflow_service.models import Alert, AuditChainHead, AuditEvent, Case, ProcessInstance, Task, Timer

        self.models = [ProcessInstance, Case, Task, Timer, Alert, AuditEvent, AuditChainHead]
        self.rows = {m.__tablename__: [] for m in self.models}
        self.next_id = {m.__tablename__: (db.session.scalar(sa.select(sa.func.max(m.__table__.c.id))) or 0) + 1
                        for m in self.models if "id" in m.__table__.c}
        self.chunk = chunk
        self.written = {m.__tablename__: 0 for m in self.models}

    def add(self, table: str, row: dict) -> int | None:
        if table in self.next_id:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.rows[table].append(row)
        if len(self.rows["process_instances"]) >= self.chunk:
            self.flush()
        return row.get("id")

    def flush(self):
        from workflow_service.extensions import db

        for model in self.models:  # parents first
            rows = self.rows[model.__tablename__]
            if rows:
                db.session.execute(model.__table__.insert(), rows)
                self.written[model.__tablename__] += len(rows)
                rows.clear()
        db.session.commit()

    def finish(self):
        from workflow_service.extensions import db

        self.flush()
        if db.session.get_bind().dialect.name == "postgresql":
            for name in self.next_id:
                db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                           f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
            db.session.commit()
            # A production database is measured in its steady state, not in the minutes after a bulk load of a
            # million rows while autovacuum works through them (which made the 1M-row figures noisy):
            # vacuum and analyze now, outside a transaction as VACUUM requires.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))


def copy_case(writer: Writer, template: Template, unit_id: int, *, closed: bool, shift: timedelta,
              rng: random.Random, handler_id: int | None = None) -> int:
    """One copy of a template case: its instance (real state, fresh task ids), case, tasks, timers, alerts,
    audit events. `shift` moves the projection times (the state keeps the template's own times)."""
    mapping, state = template.remap()
    inst = dict(template.instance)
    inst.update(state=state, unit_id=unit_id, version=1,
                status="completed" if closed else "running",
                started_at=inst["started_at"] + shift, updated_at=inst["updated_at"] + shift,
                completed_at=(inst["updated_at"] + shift + timedelta(days=120)) if closed else None)
    instance_id = writer.add("process_instances", inst)
    inst["business_key"] = f"BENCH-{instance_id:08d}"
    case = dict(template.case)
    case.update(instance_id=instance_id, unit_id=unit_id, case_number=inst["business_key"],
                created_at=case["created_at"] + shift, status="closed" if closed else "open",
                closed_at=inst["completed_at"], party_name=f"基准企业{instance_id}")
    writer.add("cases", case)
    task_ids = {}
    for t in template.tasks:
        row = dict(t)
        row.update(instance_id=instance_id, unit_id=unit_id, engine_task_id=mapping.get(t["engine_task_id"],
                   str(uuid.uuid4())), created_at=t["created_at"] + shift, version=1,
                   due_at=t["due_at"] + shift if t["due_at"] else None)
        if closed and row["status"] == "ready":
            row.update(status="completed", completed_at=row["created_at"] + timedelta(days=3),
                       completed_by_id=handler_id, assignee_id=handler_id)
        task_ids[t["id"]] = writer.add("tasks", row)
    if closed:
        for i, bpmn_id in enumerate(CLOSED_HISTORY):
            created = inst["started_at"] + timedelta(days=10 + 10 * i)
            task_ids[-i - 1] = writer.add("tasks", dict(
                instance_id=instance_id, engine_task_id=str(uuid.uuid4()), bpmn_id=bpmn_id, name=bpmn_id,
                lane="承办人", role="case_handler", unit_id=unit_id, form_id=bpmn_id, candidate_usernames=None,
                candidates_only=False, assignee_id=handler_id, due_at=created + timedelta(days=7), due_rule_id=None,
                due_rule_version_id=None,
                due_provisional=False,
                status="completed", version=2, created_at=created, claimed_at=created,
                completed_at=created + timedelta(days=2), completed_by_id=handler_id,
                missed_deadline_at=None, late_amount=None, late_unit=None))
    for t in template.timers:
        row = dict(t)
        row.update(instance_id=instance_id, engine_task_id=mapping.get(t["engine_task_id"], str(uuid.uuid4())),
                   attached_engine_task_id=mapping.get(t["attached_engine_task_id"], t["attached_engine_task_id"]),
                   due_at=t["due_at"] + shift, created_at=t["created_at"] + shift,
                   rule_start=t["rule_start"] + shift if t["rule_start"] else None)
        if closed and row["status"] == "waiting":
            row.update(status="cancelled")
        writer.add("timers", row)
    open_task = next((task_ids[t["id"]] for t in template.tasks if t["status"] == "ready"), None)
    if open_task is not None and (closed or rng.random() < 0.4):
        level = rng.choice(["warning", "warning", "escalation1"])
        writer.add("alerts", dict(
            instance_id=instance_id, task_id=open_task, level=level, title=f"期限预警：{case['party_name']}案",
            source_bpmn_id="decision_warning", target_user_id=None,
            target_role="case_handler" if level == "warning" else "supervisor", target_unit_id=unit_id,
            due_at=inst["started_at"] + timedelta(days=90), raised_at=inst["started_at"] + timedelta(days=80),
            cleared_at=(inst["started_at"] + timedelta(days=85)) if closed else None))
    events = []
    for e in template.audit:
        row = dict(e)
        row.update(instance_id=instance_id, task_id=task_ids.get(e["task_id"]) if e["task_id"] else None,
                   occurred_at=e["occurred_at"] + shift)
        events.append(row)
    if closed:
        for i in range(len(CLOSED_HISTORY)):
            events.append(dict(occurred_at=inst["started_at"] + timedelta(days=12 + 10 * i),
                               actor_id=handler_id, actor_name="handler1", action="task_completed",
                               instance_id=instance_id, task_id=task_ids[-i - 1],
                               details={"task": CLOSED_HISTORY[i]}))
    link_chain(writer, instance_id, events)
    return instance_id


def link_chain(writer: Writer, instance_id: int, events: list[dict]) -> None:
    """The copied events as the instance's audit hash chain (全过程记录防篡改): seq 1, 2, 3 ..., each linked to
    the one before and hashed with the chain module's own function, and the chain's head row."""
    from workflow_service.modules.audit.chain import GENESIS, canonical_details, chain_key, event_hash

    prev_hash = GENESIS
    for seq, row in enumerate(events, start=1):
        row.update(seq=seq, prev_hash=prev_hash, details=canonical_details(row.get("details")))
        row["hash"] = prev_hash = event_hash(SimpleNamespace(**row))
        writer.add("audit_events", row)
    if events:
        writer.add("audit_chain_heads", dict(chain=chain_key(instance_id), seq=len(events), hash=prev_hash,
                                             updated_at=events[-1]["occurred_at"]))


def build_templates(filed_at: datetime = T0) -> dict[str, Template]:
    from workflow_service.extensions import db

    templates = {}
    for i, stage in enumerate(STAGES):
        instance_id = run_template(stage, filed_at + timedelta(minutes=i))
        templates[stage] = Template(instance_id)
    db.session.commit()
    return templates


def fill(app, cases: int, *, local_open: int = 200, open_share: float = 0.3, seed: int = 1,
         templates: dict | None = None, quiet: bool = False) -> dict:
    """Add `cases` cases. Returns counts and timings."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit

    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        templates = templates or build_templates(FAR)
        local = db.session.scalar(sa.select(Unit.id).filter_by(code=LOCAL_COUNTY))
        units = make_units(max(10, min(3000, cases // 100)))
        handler_id = user("handler1").id
        writer = Writer()
        stage_cycle = itertools.cycle(STAGES)
        for i in range(cases):
            if i < local_open:
                unit_id, closed = local, False
            else:
                unit_id, closed = rng.choice(units), rng.random() >= open_share
            stage = "investigation" if closed else next(stage_cycle)
            # Closed cases lie in the past; open ones keep the template's (future) times.
            shift = -timedelta(days=rng.randint(500, 1500)) if closed else timedelta(minutes=rng.randint(0, 600))
            copy_case(writer, templates[stage], unit_id, closed=closed, shift=shift, rng=rng, handler_id=handler_id)
            if not quiet and (i + 1) % 20000 == 0:
                print(f"  … {i + 1} cases ({time.perf_counter() - started:.0f} s)", flush=True)
        writer.finish()
        counts = {name: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {name}"))
                  for name in ("cases", "tasks", "timers", "alerts", "audit_events")}
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def verify_audit(app, sample: int | None = None, seed: int = 1) -> str:
    """Verify the audit hash chains with the chain module's verify function (what `wfs verify-audit` runs):
    every chain, or the system chain and `sample` random instances' chains. Returns a printable line."""
    from workflow_service.extensions import db
    from workflow_service.modules.audit.chain import verify_all, verify_chain
    from workflow_service.modules.audit.models import AuditEvent

    started = time.perf_counter()
    with app.app_context():
        if sample is None:
            reports, what = verify_all(), "every chain"
        else:
            ids = sorted(db.session.scalars(sa.select(AuditEvent.instance_id).where(AuditEvent.instance_id.isnot(None))
                                            .distinct()))
            ids = sorted(random.Random(seed).sample(ids, min(sample, len(ids))))
            reports, what = [verify_chain(None)] + [verify_chain(i) for i in ids], f"system + {len(ids)} sampled"
        db.session.rollback()
    broken = [r for r in reports if not r.ok]
    line = (f"audit chains ({what}): {len(reports) - len(broken)} of {len(reports)} verify, "
            f"{sum(r.events for r in reports)} events, {time.perf_counter() - started:.1f} s")
    for report in broken[:5]:
        line += f"\n  BROKEN {report.chain}: {report.first_broken.code} at seq {report.first_broken.seq}: " \
                f"{report.first_broken.message}"
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--keep", action="store_true", help="add to the database instead of emptying it first")
    parser.add_argument("--verify-sample", type=int, default=None,
                        help="verify the system chain and this many random instance chains (default: every chain "
                             "up to 20,000 cases, else 2,000 sampled); 0 skips the check")
    args = parser.parse_args(argv)
    if not args.keep:
        reset_database(args.database_url)
    app = make_app(args.database_url)
    prepare(app)
    counts = fill(app, args.cases)
    print(f"database: {args.database_url}")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    sample = args.verify_sample if args.verify_sample is not None else (None if args.cases <= 20_000 else 2000)
    if sample != 0:
        print(verify_audit(app, sample), flush=True)


if __name__ == "__main__":
    main()
