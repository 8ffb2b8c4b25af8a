"""Where domains meet: the step handlers, task rules, task guards, task views, resume guards and statistics
contributors of every domain, connected by name in one place (workflow_service/wiring.py) when the app is made.

A domain module *declares* what it offers (a `Declarations` object, or plain functions); it never reaches into
another package's list at import time. `create_app` builds one `Registry` per app and keeps it in
`app.extensions["wfs_registry"]`; operations look things up through `registry()`. Nothing registers itself by
being imported, so what runs after a step, and in which order, is written down in wiring.py and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

TaskKey = tuple[str, str]  # (process id, BPMN id of the user task)


@dataclass
class Declarations:
    """What one domain module declares for tasks of a process: rules run when a task is completed, guards
    checked when it is claimed, reassigned or completed, views that add what its form shows."""

    task_rules: list[tuple[TaskKey, Callable]] = field(default_factory=list)
    task_guards: list[tuple[TaskKey, Callable]] = field(default_factory=list)
    task_views: list[tuple[TaskKey, Callable]] = field(default_factory=list)
    task_prefills: list[tuple[TaskKey, Callable]] = field(default_factory=list)
    task_checks: list[tuple[TaskKey, Callable]] = field(default_factory=list)

    def task_check(self, process_id: str, *bpmn_ids: str):
        """check(actor, task, submitted data, current process data) -> {field path: [Chinese messages]}: what a
        submission must respect beyond its schema (the case's dates, amounts, codes). Checks run with the schema,
        on data the schema may still refuse, so every error is reported on the first submit; a check reads the
        data defensively and changes nothing."""
        def declare(fn):
            self.task_checks.extend(((process_id, b), fn) for b in bpmn_ids)
            return fn
        return declare

    def task_rule(self, process_id: str, *bpmn_ids: str):
        """rule(actor, task, submitted data, current process data) -> data (may add service-computed facts;
        raises a ServiceError to refuse)."""
        def declare(fn):
            self.task_rules.extend(((process_id, b), fn) for b in bpmn_ids)
            return fn
        return declare

    def task_guard(self, process_id: str, *bpmn_ids: str):
        """guard(actor, task): who may work the task beyond role and unit; raises Forbidden to refuse."""
        def declare(fn):
            self.task_guards.extend(((process_id, b), fn) for b in bpmn_ids)
            return fn
        return declare

    def task_view(self, process_id: str, *bpmn_ids: str):
        """view(task) -> dict of values the task's form shows (e.g. the disclosure draft to review)."""
        def declare(fn):
            self.task_views.extend(((process_id, b), fn) for b in bpmn_ids)
            return fn
        return declare

    def task_prefill(self, process_id: str, *bpmn_ids: str):
        """prefill(task) -> dict of values the task's form opens with where the process data has none (what
        the case holds under another name: the handler checks it, never retypes it)."""
        def declare(fn):
            self.task_prefills.extend(((process_id, b), fn) for b in bpmn_ids)
            return fn
        return declare


class Registry:
    def __init__(self) -> None:
        self.step_handlers: list[tuple[str, Callable]] = []
        self.task_rules: dict[TaskKey, list[Callable]] = {}
        self.task_guards: dict[TaskKey, list[Callable]] = {}
        self.task_views: dict[TaskKey, Callable] = {}
        self.task_prefills: dict[TaskKey, list[Callable]] = {}
        self.task_checks: dict[TaskKey, list[Callable]] = {}
        self.resume_guards: list[tuple[str, Callable]] = []
        self.statistics_contributors: list = []
        self.waiting_describers: dict[str, Callable] = {}
        # A company's page (生产经营单位): sections other domains add to its history (inspections, hidden dangers).
        self.enterprise_history_sources: list[tuple[str, Callable]] = []
        # Inspections counted against an annual inspection plan (年度监督检查计划), by the domain that does them.
        self.inspection_count_sources: list[tuple[str, Callable]] = []
        # Periods during which the late-payment surcharge does not run (行政处罚法 Art 73(3): reconsideration and
        # lawsuits), by the domain that records them.
        self.surcharge_pause_sources: list[tuple[str, Callable]] = []

    def connect_step_handler(self, name: str, handler: Callable) -> None:
        """handler(record: StepRecord), called after every saved step, in the order of connection."""
        if any(n == name for n, _ in self.step_handlers):
            raise ValueError(f"step handler {name!r} is connected twice")
        self.step_handlers.append((name, handler))

    def add(self, declarations: Declarations) -> None:
        for key, fn in declarations.task_rules:
            self.task_rules.setdefault(key, []).append(fn)
        for key, fn in declarations.task_guards:
            self.task_guards.setdefault(key, []).append(fn)
        for key, fn in declarations.task_checks:
            self.task_checks.setdefault(key, []).append(fn)
        for key, fn in declarations.task_views:
            if key in self.task_views:
                raise ValueError(f"two views for task {key}")
            self.task_views[key] = fn
        for key, fn in declarations.task_prefills:
            self.task_prefills.setdefault(key, []).append(fn)

    def connect_resume_guard(self, name: str, guard: Callable) -> None:
        """guard(case) raises a ServiceError to refuse a person resuming a suspended case by hand."""
        self.resume_guards.append((name, guard))

    def connect_waiting_describer(self, message: str, describe: Callable) -> None:
        """describe(case) -> dict: what a case waiting for `message` waits for (shown with its waiting step)."""
        self.waiting_describers[message] = describe

    def connect_enterprise_history(self, name: str, source: Callable) -> None:
        """source(actor, enterprise) -> list of {"kind", "at", "title", "status", "url", "ref"}: entries of the
        company's history the source's domain keeps (shown on its page, newest first)."""
        self.enterprise_history_sources.append((name, source))

    def connect_inspection_count(self, name: str, source: Callable) -> None:
        """source(unit_id, start: date, end: date) -> list of {"enterprise_id", "kind", "day"}: the inspections
        of the unit between the two days (inclusive), counted against its annual plan by kind (重点/一般/双随机)."""
        self.inspection_count_sources.append((name, source))

    def connect_surcharge_pauses(self, name: str, source: Callable) -> None:
        """source(case, now) -> list of (start, end) datetimes during which the surcharge is not counted."""
        self.surcharge_pause_sources.append((name, source))

    def add_statistics_contributor(self, contributor) -> None:
        self.statistics_contributors.append(contributor)

    def rules_for(self, process_id: str, bpmn_id: str) -> list[Callable]:
        return self.task_rules.get((process_id, bpmn_id), [])

    def checks_for(self, process_id: str, bpmn_id: str) -> list[Callable]:
        return self.task_checks.get((process_id, bpmn_id), [])

    def guards_for(self, process_id: str, bpmn_id: str) -> list[Callable]:
        return self.task_guards.get((process_id, bpmn_id), [])

    def view_for(self, process_id: str, bpmn_id: str) -> Callable | None:
        return self.task_views.get((process_id, bpmn_id))

    def prefilled(self, task, data: dict) -> dict:
        """`data` with the task's prefills filled in where it holds nothing (None, "" or an empty list)."""
        values = {}
        for fn in self.task_prefills.get((task.instance.process_id, task.bpmn_id), []):
            values.update(fn(task))
        missing = {k: v for k, v in values.items() if data.get(k) in (None, "", [], {})}
        return {**data, **missing} if missing else data


def registry() -> Registry:
    """The registry of the current app (operations run inside an app context: requests, CLI, scheduler)."""
    return current_app.extensions["wfs_registry"]
