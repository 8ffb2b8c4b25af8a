"""Run process instances: start, complete a user task, fire due timers, and describe the result.

Everything that leaves this module is plain data (`Snapshot`): the service projects it into SQL tables and
never needs SpiffWorkflow types elsewhere.
"""
from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass, field
from typing import Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import EscalationEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from .clock import current_engine_time, engine_time
from .serialization import SpecCache, WorkflowSerializer
from .workflow import Workflow


class EngineError(Exception):
    """A diagram failed at run time (a script or expression error): the step is not saved."""


class TaskNotReady(Exception):
    """The user task is not (or no longer) ready in this instance."""


class MessageNotExpected(Exception):
    """No event in this instance is waiting for a message of that name right now."""


@dataclass(frozen=True)
class Definition:
    content_hash: str
    specs: dict


@dataclass(frozen=True)
class ReadyUserTask:
    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    properties: dict
    # The usernames allowed to claim it, when the task names a data variable holding them (candidatesVar).
    candidates: tuple[str, ...] | None = None
    # For one instance of a multi-instance task (a member's vote), the multi-instance activity it belongs to:
    # boundary timers watch that activity, so its deadline is this task's deadline too.
    container_task_id: str | None = None


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    bpmn_id: str
    name: str
    due_at: _dt.datetime
    properties: dict
    attached_to_task_id: str | None  # the activity a boundary timer watches
    expression: str | None = None    # the timer's timeDate/timeDuration expression, as written in the BPMN


@dataclass(frozen=True)
class Signal:
    """An event that completed during the step and that the service must react to (an alert)."""

    task_id: str
    bpmn_id: str
    name: str
    kind: str                 # "escalation" (an escalation event) or "timer" (a timer marked with alertLevel)
    code: str | None
    properties: dict
    attached_to_task_id: str | None


@dataclass(frozen=True)
class WaitingEvent:
    """A place where the process itself stands waiting for a message (an intermediate catch event or a receive
    task; not a boundary event, which waits beside a task): where the case is when no person has a task."""

    task_id: str
    bpmn_id: str
    name: str
    message: str


@dataclass
class Snapshot:
    state: str
    completed: bool
    ready_user_tasks: list[ReadyUserTask] = field(default_factory=list)
    waiting_timers: list[WaitingTimer] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    fired_timer_ids: set[str] = field(default_factory=set)
    # The timers that fired in this step, described as while they waited (a timer reached already due fires in
    # the step that reached it and never waits: this is the only place it is seen).
    fired_timers: list[WaitingTimer] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    # Names of the messages the instance is waiting for (catch events and boundary events).
    waiting_messages: tuple[str, ...] = ()
    waiting_events: list[WaitingEvent] = field(default_factory=list)


def _engine_now() -> _dt.datetime:
    return current_engine_time()


@functools.lru_cache(maxsize=4096)
def _compiled(source: str, mode: str):
    # "<string>" as eval and exec name it: SpiffWorkflow finds a script error's line by that name.
    return compile(source, "<string>", mode)


class _CompilingEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, with each expression and script compiled once per process: eval and
    exec of a string compile it every time, and a step evaluates a dozen (timers, gateways, scripts). The strings
    come from the deployed diagrams, so the cache holds what those contain."""

    def evaluate(self, expression, context, external_context=None):
        return super().evaluate(_compiled(expression, "eval"), context, external_context)

    def execute(self, script, context, external_context=None):
        return super().execute(_compiled(script, "exec"), context, external_context)


class Engine:
    """One per process; holds the parsed-spec cache and the script environment."""

    def __init__(self, script_functions: dict[str, Callable] | None = None, spec_cache_size: int = 64):
        functions = {"now": _engine_now, "timedelta": _dt.timedelta, "datetime": _dt.datetime}
        functions.update(script_functions or {})
        self.script_engine = PythonScriptEngine(environment=_CompilingEnvironment(functions))
        self.serializer = WorkflowSerializer()
        self.specs = SpecCache(spec_cache_size)
        self.serializer_version = self.serializer.version

    # -- entry points ---------------------------------------------------------------------------------
    def start(self, definition: Definition, data: dict, now: _dt.datetime) -> Snapshot:
        spec, subprocess_specs = self.specs.get(definition.content_hash, definition.specs)
        workflow = Workflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.data.update(data)
        # The start event's data seeds the first tasks.
        workflow.task_tree.data.update(data)
        return self._advance(workflow, now, lambda: None)

    def complete_user_task(self, definition: Definition, state: str, task_id: str, data: dict,
                           now: _dt.datetime) -> Snapshot:
        workflow = self._load(definition, state)
        task = self._ready_user_task(workflow, task_id)

        def act():
            # A plain update, not the engine's deep merge (which drops duplicate list items).
            task.data.update(data)
            task.run()

        return self._advance(workflow, now, act, completed_task=task)

    def fire_due_timers(self, definition: Definition, state: str, now: _dt.datetime) -> Snapshot:
        workflow = self._load(definition, state)
        return self._advance(workflow, now, workflow.refresh_timers)

    def deliver_message(self, definition: Definition, state: str, name: str, payload: dict,
                        now: _dt.datetime) -> Snapshot:
        """Hand a message from outside (another system, or a person's decision about the whole instance) to
        the event waiting for it; its payload becomes that event's data. `MessageNotExpected` when nothing
        waits for it."""
        workflow = self._load(definition, state)
        waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING)
                   if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
                   and t.task_spec.event_definition.name == name]
        if not waiting:
            raise MessageNotExpected(name)
        # The event is built from the waiting event's own definition (the parser's subclass), which is what
        # the catch compares against; the payload lands in the variable the diagram names with
        # spiffworkflow:messageVariable.
        event = BpmnEvent(waiting[0].task_spec.event_definition, payload=dict(payload))

        def act():
            workflow.send_event(event)

        return self._advance(workflow, now, act)

    def reschedule_timers(self, definition: Definition, state: str, due: dict[str, _dt.datetime],
                          now: _dt.datetime) -> Snapshot:
        """Move waiting timers to new due times (a recomputed provisional deadline, an approved extension,
        a suspension); timers that are now past due fire at once."""
        workflow = self._load(definition, state)

        def act():
            for task_id, due_at in due.items():
                task = workflow.get_task_from_id(_uuid(task_id))
                if task is None or task.state != TaskState.WAITING or not _is_timer(task.task_spec):
                    raise TaskNotReady(task_id)
                task._set_internal_data(event_value=due_at.astimezone(_dt.timezone.utc).isoformat())
            workflow.refresh_timers()

        return self._advance(workflow, now, act)

    # -- internals --------------------------------------------------------------------------------------
    def _load(self, definition: Definition, state: str) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs.get(definition.content_hash, definition.specs)
        workflow = self.serializer.loads(state, spec, subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    @staticmethod
    def _ready_user_task(workflow: BpmnWorkflow, task_id: str):
        try:
            task = workflow.get_task_from_id(_uuid(task_id))
        except (ValueError, KeyError, WorkflowException):
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        return task

    def _advance(self, workflow: BpmnWorkflow, now: _dt.datetime, act: Callable[[], None],
                 completed_task=None) -> Snapshot:
        signals: list[Signal] = []
        fired: set[str] = set()
        fired_timers: list[WaitingTimer] = []

        def collect(task):
            if _is_timer(task.task_spec):
                fired.add(str(task.id))
                described = _waiting_timer(task)
                if described is not None:
                    fired_timers.append(described)
            signal = _signal_for(task)
            if signal is not None:
                signals.append(signal)

        try:
            with engine_time(now):
                act()
                workflow.do_engine_steps(did_complete_task=collect)
                # Timers that are already due when reached (a zero or past deadline) fire at once.
                workflow.refresh_timers()
                workflow.do_engine_steps(did_complete_task=collect)
        except (TaskNotReady, MessageNotExpected):
            raise
        except SpiffWorkflowException as exc:
            raise EngineError(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - script errors surface as EngineError, never half-saved
            raise EngineError(f"{type(exc).__name__}: {exc}") from exc
        snapshot = self._snapshot(workflow, signals, fired, completed_task)
        snapshot.fired_timers = fired_timers
        return snapshot

    def _snapshot(self, workflow: BpmnWorkflow, signals: list[Signal], fired: set[str],
                  completed_task=None) -> Snapshot:
        # One walk of the tree for everything below (each get_tasks walks all of it; the order is the same).
        open_tasks = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
        waiting = [t for t in open_tasks if t.state == TaskState.WAITING]
        ready = [
            ReadyUserTask(
                task_id=str(t.id), bpmn_id=t.task_spec.bpmn_id, name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                lane=t.task_spec.lane, properties=_properties(t.task_spec), candidates=_candidates(t),
                container_task_id=_container(t),
            )
            for t in open_tasks if t.state == TaskState.READY and t.task_spec.manual
        ]
        timers = [w for w in (_waiting_timer(t) for t in waiting if _is_timer(t.task_spec)) if w is not None]
        # Workflow-level data is only filled at the start and the end. While the process runs, each open
        # branch holds its own copy: merge the open tasks' data, oldest first, then the task a person just
        # completed (its branch may have ended: payment beside disclosure), then again the open tasks that
        # descend from it. Data flows from a task to its children, so those descendants hold what the scripts
        # after the completed task made of it (assess_review_needs recomputing case_outcome): merging the
        # completed task last used to put the old value back.
        current: dict = {}
        if not workflow.completed:
            holders = _data_holders(open_tasks)
            for _, _, data in holders:
                current.update(data)
            if completed_task is not None:
                current.update(completed_task.data)
                for task, _, data in holders:
                    if task.is_descendant_of(completed_task):
                        current.update(data)
        return Snapshot(
            state=self.serializer.dumps(workflow), completed=workflow.completed,
            ready_user_tasks=ready, waiting_timers=timers, signals=signals, fired_timer_ids=fired,
            data={**workflow.data, **current}, waiting_messages=_waiting_messages(workflow),
            waiting_events=[] if workflow.completed else _waiting_events(waiting),
        )


def _waiting_timer(t) -> WaitingTimer | None:
    value = t._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timer
        value = value.get("next")
    if value is None:
        return None
    return WaitingTimer(
        task_id=str(t.id), bpmn_id=t.task_spec.bpmn_id, name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
        due_at=_plain(TimerEventDefinition.get_datetime(value)), properties=_properties(t.task_spec),
        attached_to_task_id=_attached_activity(t),
        expression=getattr(t.task_spec.event_definition, "expression", None),
    )


def _waiting_messages(workflow: BpmnWorkflow) -> tuple[str, ...]:
    if workflow.completed:
        return ()
    return tuple(sorted({e.name for e in workflow.waiting_events() if e.event_type == "MessageEventDefinition"}))


def _data_holders(open_tasks) -> list[tuple]:
    """(task, when, data) of every open element of the diagram, oldest first. Only the diagram's own elements:
    the engine's structural tasks (boundary-event splits and joins, without a bpmn_id) change state every step
    while keeping older copies, which would then look freshest. A parallel join waiting for its other branches
    holds no data yet: what the branch that arrived knows is in the task before it (a payment recorded while
    the disclosure is still open), as of the time it arrived."""
    holders = []
    for t in open_tasks:
        if t.task_spec.bpmn_id is None:
            continue
        if t.state == TaskState.WAITING and not isinstance(t.task_spec, CatchingEvent) and t.parent is not None:
            holders.append((t, t.parent.last_state_change, {**t.parent.data, **t.data}))
        else:
            holders.append((t, t.last_state_change, t.data))
    return sorted(holders, key=lambda h: h[1])


def _waiting_events(waiting) -> list[WaitingEvent]:
    found = []
    for t in waiting:
        definition = getattr(t.task_spec, "event_definition", None)
        if not isinstance(definition, MessageEventDefinition) or _attached_activity(t) is not None:
            continue
        found.append(WaitingEvent(task_id=str(t.id), bpmn_id=t.task_spec.bpmn_id,
                                  name=t.task_spec.bpmn_name or t.task_spec.bpmn_id, message=definition.name))
    return found


def _uuid(task_id) -> UUID:
    return UUID(str(task_id))


def _plain(value: _dt.datetime) -> _dt.datetime:
    """The patched clock's datetime subclass must not leak out of the engine."""
    return _dt.datetime.fromtimestamp(value.timestamp(), tz=_dt.timezone.utc)


def _candidates(task) -> tuple[str, ...] | None:
    var = _properties(task.task_spec).get("candidatesVar")
    if not var:
        return None
    value = task.data.get(var)
    if isinstance(value, str):  # one person, e.g. the member a multi-instance vote is for
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _container(task) -> str | None:
    parent = task.parent
    if parent is not None and type(parent.task_spec).__name__.endswith("MultiInstanceTask"):
        return str(parent.id)
    return None


def _properties(task_spec) -> dict:
    return dict(getattr(task_spec, "extensions", {}).get("properties", {}))


def _is_timer(task_spec) -> bool:
    return isinstance(task_spec, CatchingEvent) and isinstance(
        getattr(task_spec, "event_definition", None), TimerEventDefinition)


def _attached_activity(task) -> str | None:
    """For a boundary event, the id of the activity it is attached to (its sibling under the split)."""
    parent = task.parent
    if parent is None or type(parent.task_spec).__name__ != "BoundaryEventSplit":
        return None
    for sibling in parent.children:
        # the other children are the activity's boundary events; the activity itself may be a catching event too
        # (a receive task waiting for the police's answer)
        if sibling is not task and not isinstance(sibling.task_spec, BoundaryEvent):
            return str(sibling.id)
    return None


def _signal_for(task) -> Signal | None:
    spec = task.task_spec
    definition = getattr(spec, "event_definition", None)
    props = _properties(spec)
    if isinstance(definition, EscalationEventDefinition) and not isinstance(spec, CatchingEvent):
        kind, code = "escalation", getattr(definition, "code", None)
    elif _is_timer(spec) and props.get("alertLevel"):
        kind, code = "timer", None
    else:
        return None
    return Signal(
        task_id=str(task.id), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id, kind=kind, code=code,
        properties=props, attached_to_task_id=_attached_activity(task),
    )
