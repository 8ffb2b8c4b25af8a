"""engine/workflow.py walks the task tree itself for SpiffWorkflow's plain searches: it must hand out the same tasks
in the same order as SpiffWorkflow's iterator, for every state a search asks for, at every stage of a case —
the order decides which READY script runs first and whose data the snapshot merges last."""
from __future__ import annotations

import json

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

from workflow_service.engine.workflow import Workflow, walk

from .test_stored_state import FILING, NOW, _engine_and_definition

STATES = [TaskState.READY, TaskState.WAITING, TaskState.READY | TaskState.WAITING, TaskState.COMPLETED,
          TaskState.FUTURE, TaskState.MAYBE | TaskState.LIKELY, TaskState.NOT_FINISHED_MASK, TaskState.ANY_MASK,
          TaskState.FINISHED_MASK]


def _stages():
    """A case from its start to the investigation report, the state after each step."""
    engine, definition = _engine_and_definition()
    snapshot = engine.start(definition, {"party": FILING["party"], "large_fine_org": 30000}, NOW)
    states = [snapshot.state]
    for data in (FILING, {"filing_approved": True}, {"facts": "查明"}):
        snapshot = engine.complete_user_task(definition, snapshot.state, snapshot.ready_user_tasks[0].task_id,
                                             data, NOW)
        states.append(snapshot.state)
    return engine, definition, states


@pytest.fixture(scope="module")
def stages():
    return _stages()


def test_each_search_gives_spiffworkflows_tasks_in_spiffworkflows_order(stages):
    engine, definition, states = stages
    sizes = []
    for state in states:
        workflow = engine._load(definition, state)
        assert isinstance(workflow, Workflow)
        sizes.append(len(workflow.tasks))
        for mask in STATES:
            theirs = [t.id for t in BpmnTaskIterator(workflow.task_tree, state=mask)]
            assert [t.id for t in walk(workflow, mask)] == theirs, TaskState.get_name(mask)
            assert [t.id for t in workflow.get_tasks(state=mask)] == theirs
        waiting = [t.id for t in TaskIterator(workflow.task_tree, state=TaskState.WAITING)]
        assert [t.id for t in walk(workflow, TaskState.WAITING)] == waiting
    # Trees worth comparing: dozens of tasks once the investigation opens, in every state searched for.
    assert max(sizes) > 40
    last = engine._load(definition, states[-1])
    assert all(workflow_has(last, mask) for mask in STATES)


def workflow_has(workflow, mask):
    return any(True for _ in walk(workflow, mask))


def test_a_walk_takes_a_tasks_children_when_it_reaches_the_task(stages):
    """As SpiffWorkflow's iterator does: a caller that changes a task's children on the way (running a READY
    task replaces its predicted children) gets the children the task had when it was reached."""
    engine, definition, states = stages

    def handed_out(make_iterator):
        workflow = engine._load(definition, states[2])  # filing approved: the investigation is open
        walker = make_iterator(workflow)
        ids = []
        for task in walker:
            ids.append(task.id)
            if task.state == TaskState.READY:
                task._children = []  # changed after the task was handed out
        return ids

    ours = handed_out(lambda w: walk(w, TaskState.ANY_MASK))
    assert ours == handed_out(lambda w: BpmnTaskIterator(w.task_tree, state=TaskState.ANY_MASK))
    assert len(ours) == len(engine._load(definition, states[2]).tasks)  # the READY task's children came too


def test_stored_under_spiffworkflows_name_and_loaded_as_the_engines_workflow(stages):
    engine, definition, states = stages
    assert json.loads(states[-1])["typename"] == "BpmnWorkflow"
    assert type(engine._load(definition, states[-1])) is Workflow
