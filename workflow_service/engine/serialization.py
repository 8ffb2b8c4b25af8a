"""Instance state without the embedded specs.

SpiffWorkflow's serializer embeds every spec in every instance (~7 KB of repeated spec per case). Here the
workflow converter leaves the specs out; they are stored once per process definition version and handed
back, already parsed and cached by content hash, when an instance is loaded.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from contextvars import ContextVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from .workflow import Workflow

_specs_for_restore: ContextVar[tuple | None] = ContextVar("specs_for_restore", default=None)


class _SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    def __init__(self, target_class, registry, typename=None):
        # Stored under SpiffWorkflow's name, so states written before engine/workflow.py existed load, and the
        # other way round.
        super().__init__(target_class, registry, typename or "BpmnWorkflow")

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        specs = _specs_for_restore.get()
        if specs is None:
            raise RuntimeError("restore a workflow through WorkflowSerializer.loads")
        spec, subprocess_specs = specs
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _TaskConverter(TaskConverter):
    """A task holding no data is stored without its "delta". SpiffWorkflow stores each task's data as the change
    from its parent's, and for an empty one that is a deletion of every key the parent holds; restoring it copies
    the parent's data deeply only to delete all of it. Most tasks of a case are like that: the predicted ones
    (the steps ahead and the boundary timers beside them, three quarters of the tree). Restored the same ({}),
    stored in about a tenth less, loaded without those copies. States written before this load as they did."""

    def to_dict(self, task):
        if task.data:
            return super().to_dict(task)
        return {"id": str(task.id), "parent": str(task._parent) if task._parent is not None else None,
                "children": [str(child) for child in task._children], "last_state_change": task.last_state_change,
                "state": task.state, "task_spec": task.task_spec.name, "triggered": task.triggered,
                "internal_data": self.registry.convert(task.internal_data) if task.internal_data else {},
                "data": {}, "delta": {}}


def _build_registry():
    config = dict(SPIFF_CONFIG)
    del config[BpmnWorkflow]
    config[Workflow] = _SharedSpecWorkflowConverter
    config[Task] = _TaskConverter
    return BpmnWorkflowSerializer.configure(config)


spec_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


class SpecCache:
    """Parsed specs by content hash, bounded; specs are read-only once parsed, so instances share them."""

    def __init__(self, capacity: int = 64):
        self.capacity = capacity
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, content_hash: str, specs_dict: dict) -> tuple:
        with self._lock:
            if content_hash in self._items:
                self._items.move_to_end(content_hash)
                return self._items[content_hash]
        raw = copy.deepcopy(specs_dict)
        spec = spec_registry.restore(raw["spec"])
        subprocess_specs = {name: spec_registry.restore(s) for name, s in raw.get("subprocess_specs", {}).items()}
        with self._lock:
            self._items[content_hash] = (spec, subprocess_specs)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return spec, subprocess_specs


class WorkflowSerializer:
    version = SERIALIZER_VERSION

    def __init__(self):
        self._serializer = BpmnWorkflowSerializer(_build_registry())

    def dumps(self, workflow: BpmnWorkflow) -> str:
        return self._serializer.serialize_json(workflow)

    def loads(self, state: str, spec, subprocess_specs) -> BpmnWorkflow:
        token = _specs_for_restore.set((spec, subprocess_specs))
        try:
            return self._serializer.deserialize_json(state)
        finally:
            _specs_for_restore.reset(token)
