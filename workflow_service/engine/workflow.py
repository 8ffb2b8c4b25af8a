"""The BpmnWorkflow the engine runs: SpiffWorkflow's, with the task searches it repeats at every step walked
directly.

A step walks the whole task tree about ten times: each round of `do_engine_steps` looks for READY tasks, timers
look for WAITING ones, the snapshot for both. SpiffWorkflow's iterator (`BpmnTaskIterator`) keeps track of each
task's depth for a `max_depth` limit, walking up the ancestors of every leaf, which makes one walk of a case's
tree (48 tasks under investigation) take 50 µs where a plain walk takes 15. `bench/engine_state.py` measures it.

The walk here gives the same tasks in the same order, lazily as SpiffWorkflow does (a task's children are taken
when the task is reached, before it is handed out, so a caller that runs the task changes nothing already
queued): depth first, children in order, and not below a predicted task when the search is for definite or
finished ones. It serves the plain searches only — by state, from the root, in a workflow without subprocesses
(whose trees SpiffWorkflow's iterator descends into). Anything else goes to SpiffWorkflow. The one difference is
the depth limit of 1,000 levels, which no tree of ours comes near (each step adds a level or two).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def walk(workflow: BpmnWorkflow, state: int = TaskState.ANY_MASK):
    """The tasks of the workflow's own tree having one of the states in `state`, as SpiffWorkflow's iterator
    orders them."""
    if state & TaskState.PREDICTED_MASK:
        descend_from = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        descend_from = TaskState.FUTURE
    else:
        descend_from = TaskState.COMPLETED
    tasks = workflow.tasks
    pending = [workflow.task_tree]
    while pending:
        task = pending.pop()
        if task._children and task._state >= descend_from:
            pending.extend(tasks.get(child) for child in reversed(task._children))
        if task._state & state:
            yield task


class Workflow(BpmnWorkflow):
    def get_tasks_iterator(self, first_task=None, **kwargs):
        if first_task is None and not self.subprocesses and kwargs.keys() <= {"state"}:
            return walk(self, kwargs.get("state", TaskState.ANY_MASK))
        return super().get_tasks_iterator(first_task, **kwargs)

    def update_waiting_tasks(self):
        # SpiffWorkflow's version walks this tree only (never a subprocess's), by state: the same walk.
        for task in walk(self, TaskState.WAITING):
            task.task_spec._update(task)
