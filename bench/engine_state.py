"""Stored state per case, and the engine's cost to load, advance and save one instance of bpmn/case_handling.

Run: .venv/bin/python bench/engine_state.py        (prints its figures; it is not a test)

The deadline functions are stand-ins (fixed offsets) so that only the engine and its serialization are
measured, not the database.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow_service.engine import Definition, Engine, parse_package  # noqa: E402

NOW = datetime(2026, 9, 21, 1, tzinfo=timezone.utc)


def _offset(days):
    return lambda rule, start, level=2: (datetime.fromisoformat(str(start)) + timedelta(days=days)).isoformat()


def main(repeat: int = 50) -> None:
    files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*") if p.suffix in (".bpmn", ".dmn")}
    started = time.perf_counter()
    bundle = next(b for b in parse_package(files) if b.process_id == "case_handling")
    print(f"parse and validate bpmn/:              {time.perf_counter() - started:.3f} s")
    engine = Engine({"deadline": _offset(30), "warning_time": _offset(29), "escalation_time": _offset(31),
                     "now_iso": lambda: NOW.isoformat()})
    definition = Definition(bundle.content_hash, bundle.specs)
    snapshot = engine.start(definition, {"party": {"name": "x", "type": "organisation"},
                                         "large_fine_org": 30000, "large_fine_individual": 10000}, NOW)
    print(f"specs, stored once per definition:     {len(json.dumps(bundle.specs)):>7} bytes")
    print(f"instance state at filing:              {len(snapshot.state):>7} bytes")
    filing = {"source": "inspection", "handlers": ["a", "b"], "summary": "s",
              "violations": [{"description": "x", "provision": "y"}], "party": {"name": "x", "type": "organisation"}}
    snapshot = engine.complete_user_task(definition, snapshot.state, snapshot.ready_user_tasks[0].task_id, filing, NOW)
    snapshot = engine.complete_user_task(definition, snapshot.state, snapshot.ready_user_tasks[0].task_id,
                                         {"filing_approved": True}, NOW)
    print(f"instance state in investigation:       {len(snapshot.state):>7} bytes")
    started = time.perf_counter()
    for _ in range(repeat):
        engine.fire_due_timers(definition, snapshot.state, NOW)
    print(f"load + advance + save one instance:    {(time.perf_counter() - started) / repeat * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
