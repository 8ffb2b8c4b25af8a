"""The stored instance state: a task without data is written without SpiffWorkflow's per-task "delta" (a list of
every key its parent holds, to be deleted on loading), and loading gives back the same tree, data included —
from states written either way."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from workflow_service.engine import Definition, Engine, parse_package
from workflow_service.engine.serialization import _SharedSpecWorkflowConverter

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 9, 21, 1, tzinfo=timezone.utc)
FILING = {"source": "inspection", "handlers": ["a", "b"], "summary": "现场检查发现", "party": {"name": "某公司", "type": "organisation"},
          "violations": [{"description": "未按规定进行安全生产教育和培训", "provision": "《安全生产法》第二十八条"}]}


def _offset(days):
    return lambda rule, start, level=2: (datetime.fromisoformat(str(start)) + timedelta(days=days)).isoformat()


def _engine_and_definition():
    files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").glob("*") if p.suffix in (".bpmn", ".dmn")}
    bundle = next(b for b in parse_package(files) if b.process_id == "case_handling")
    engine = Engine({"deadline": _offset(30), "warning_time": _offset(29), "escalation_time": _offset(31),
                     "now_iso": lambda: NOW.isoformat()})
    return engine, Definition(bundle.content_hash, bundle.specs)


def _in_investigation(engine, definition):
    snapshot = engine.start(definition, {"party": FILING["party"], "large_fine_org": 30000}, NOW)
    snapshot = engine.complete_user_task(definition, snapshot.state, snapshot.ready_user_tasks[0].task_id, FILING, NOW)
    return engine.complete_user_task(definition, snapshot.state, snapshot.ready_user_tasks[0].task_id,
                                     {"filing_approved": True}, NOW)


def _tree(engine, definition, state):
    workflow = engine._load(definition, state)
    return {str(t.id): (t.task_spec.name, t.state, t.data, t.internal_data, [str(c.id) for c in t.children])
            for t in workflow.get_tasks()}


def test_tasks_without_data_are_stored_without_a_delta_and_load_back_the_same():
    engine, definition = _engine_and_definition()
    snapshot = _in_investigation(engine, definition)
    tasks = json.loads(snapshot.state)["tasks"]
    # The predicted steps and the boundary timers beside them: most of the tree, stored with neither data nor a
    # list of deletions; the others keep theirs.
    empty = [t for t in tasks.values() if t["parent"] and t["delta"] == {}]
    assert len(empty) > len(tasks) / 2
    assert all(t["data"] == {} for t in empty)
    assert all(t["delta"] for t in tasks.values() if t["parent"] and t not in empty)
    tree = _tree(engine, definition, snapshot.state)
    assert tree == _tree(engine, definition, engine.serializer.dumps(engine._load(definition, snapshot.state)))
    # The case's data is still where the work goes on, and the next step runs from the stored state.
    investigate = next(t for t in snapshot.ready_user_tasks if t.bpmn_id == "investigate")
    assert tree[investigate.task_id][2]["handlers"] == ["a", "b"]
    after = engine.complete_user_task(definition, snapshot.state, investigate.task_id, {"facts": "查明"}, NOW)
    assert [t.bpmn_id for t in after.ready_user_tasks] == ["investigation_report"]


def test_a_state_written_by_spiffworkflows_own_converter_loads_the_same():
    engine, definition = _engine_and_definition()
    snapshot = _in_investigation(engine, definition)
    workflow = engine._load(definition, snapshot.state)
    config = dict(SPIFF_CONFIG)
    config[type(workflow)] = _SharedSpecWorkflowConverter
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config)).serialize_json(workflow)
    stock_tasks = json.loads(stock)["tasks"]
    assert all(t["delta"] for t in stock_tasks.values() if t["parent"])  # the old form: a delta on every task
    assert len(stock) > len(snapshot.state)
    assert _tree(engine, definition, stock) == _tree(engine, definition, snapshot.state)
