"""Stored state per criminal transfer and rectification order, and the engine's cost to deliver one police answer
and to evaluate the crime screening table.

Run: .venv/bin/python bench/transfer_state.py        (prints its figures; it is not a test)

The deadline functions are stand-ins (fixed offsets) so that only the engine and its serialization are measured.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow_service.engine import Definition, Engine, parse_package  # noqa: E402

NOW = datetime(2026, 10, 12, 1, tzinfo=timezone.utc)


def _offset(days):
    return lambda rule, start, level=2: (datetime.fromisoformat(str(start)) + timedelta(days=days)).isoformat()


def _complete(engine, definition, snapshot, bpmn_id, data):
    task = next(t for t in snapshot.ready_user_tasks if t.bpmn_id == bpmn_id)
    return engine.complete_user_task(definition, snapshot.state, task.task_id, data, NOW)


def main(repeat: int = 50) -> None:
    files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*") if p.suffix in (".bpmn", ".dmn")}
    bundles = {b.process_id: b for b in parse_package(files)}
    engine = Engine({"deadline": _offset(3), "warning_time": _offset(2), "escalation_time": _offset(4),
                     "now_iso": lambda: NOW.isoformat()})
    transfer = Definition(bundles["criminal_transfer"].content_hash, bundles["criminal_transfer"].specs)
    s = engine.start(transfer, {"party": {"name": "x", "type": "organisation"}, "summary": "s"}, NOW)
    print(f"transfer state at the report:          {len(s.state):>7} bytes")
    s = _complete(engine, transfer, s, "draft_transfer_report", {"team": ["a", "b"], "suspected_crime": "危险作业罪",
                                                                 "facts": "f", "real_danger_facts": "r", "report": "p"})
    s = _complete(engine, transfer, s, "approve_transfer", {"transfer_approved": True, "approval_opinion": "同意"})
    s = _complete(engine, transfer, s, "hand_over", {"materials": {}, "police_bureau": "p", "procuratorate_copied": True,
                                                     "handed_over_at": NOW.isoformat()})
    print(f"transfer state waiting for the police: {len(s.state):>7} bytes")
    started = time.perf_counter()
    for _ in range(repeat):
        engine.deliver_message(transfer, s.state, "police_answer", {"kind": "received", "answered_at": NOW.isoformat()},
                               NOW)
    print(f"deliver one police answer:             {(time.perf_counter() - started) / repeat * 1000:7.1f} ms")
    screening = Definition(bundles["crime_screening"].content_hash, bundles["crime_screening"].specs)
    facts = {"monitoring_disabled": False, "refused_stop_order": True, "unlicensed_operation": False,
             "unlicensed_activity": "", "deaths": 0, "serious_injuries": 0}
    started = time.perf_counter()
    for _ in range(repeat):
        engine.start(screening, facts, NOW)
    print(f"evaluate the crime screening table:    {(time.perf_counter() - started) / repeat * 1000:7.1f} ms")
    rect = Definition(bundles["rectification"].content_hash, bundles["rectification"].specs)
    r = engine.start(rect, {"order": {"legal_basis": "b"}, "party": {"name": "x", "type": "organisation"},
                            "rectify_by": (NOW + timedelta(days=7)).isoformat()}, NOW)
    print(f"rectification state while rectifying: {len(r.state):>7} bytes")


if __name__ == "__main__":
    main()
