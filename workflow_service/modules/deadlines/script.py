"""Deadline functions offered to BPMN expressions, e.g. a timer `deadline("service_of_decision", decided_at)`.

Each call is recorded for the duration of an engine step, so the timer projection can say which rule, start
and calendar a timer's due time came from (and whether it is provisional).
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...core.services import clock


@dataclass(frozen=True)
class ComputedTime:
    rule_id: str
    kind: str            # "deadline", "warning", "escalation2"
    start: datetime
    at: datetime
    provisional: bool


_jurisdiction: ContextVar[str | None] = ContextVar("deadline_jurisdiction", default=None)
_recorded: ContextVar[list | None] = ContextVar("deadline_recorded", default=None)
_shifts: ContextVar[dict | None] = ContextVar("deadline_shifts", default=None)
# One step asks for the deadline, warning and escalation of the same rule and start: computed once per step.
_memo: ContextVar[dict | None] = ContextVar("deadline_memo", default=None)


@contextlib.contextmanager
def deadline_context(jurisdiction: str | None, shifts: dict[str, timedelta] | None = None):
    """Around an engine step: the province whose rules apply, the instance's approved extensions and
    suspensions per rule, and a list collecting what was computed."""
    recorded: list[ComputedTime] = []
    tokens = (_jurisdiction.set(jurisdiction), _recorded.set(recorded), _shifts.set(shifts or {}), _memo.set({}))
    try:
        yield recorded
    finally:
        _jurisdiction.reset(tokens[0])
        _recorded.reset(tokens[1])
        _shifts.reset(tokens[2])
        _memo.reset(tokens[3])


def _start(value) -> datetime:
    if isinstance(value, datetime):
        start = value
    else:
        start = datetime.fromisoformat(str(value))
    if start.tzinfo is None:
        raise ValueError(f"deadline start {value!r} has no time zone")
    return start


def _compute(rule_id: str, start, kind: str) -> str:
    from .operations import compute_deadline

    memo = _memo.get()
    key = (rule_id, _start(start), _jurisdiction.get())
    deadline = memo.get(key) if memo is not None else None
    if deadline is None:
        deadline = compute_deadline(*key)
        if memo is not None:
            memo[key] = deadline
    at = {"deadline": deadline.due.due_at, "warning": deadline.warning_at,
          "escalation2": deadline.escalation2_at}[kind] + (_shifts.get() or {}).get(rule_id, timedelta(0))
    recorded = _recorded.get()
    if recorded is not None:
        recorded.append(ComputedTime(rule_id, kind, deadline.start, at, deadline.due.provisional))
    return at.isoformat()


def deadline(rule_id: str, start) -> str:
    """The due time (ISO 8601, UTC) of a named rule counted from `start`."""
    return _compute(rule_id, start, "deadline")


def warning_time(rule_id: str, start) -> str:
    return _compute(rule_id, start, "warning")


def escalation_time(rule_id: str, start, level: int = 2) -> str:
    if int(level) == 1:
        return _compute(rule_id, start, "deadline")
    return _compute(rule_id, start, "escalation2")


def moved_deadline(rule_id: str, due, kind: str = "deadline") -> str:
    """A deadline moved to a date a person approved (e.g. a deferral of payment, 行政处罚法 Art 66), with the
    rule's own warning lead and level-2 delay around it."""
    from .operations import find_rule

    if kind not in ("deadline", "warning", "escalation2"):
        raise ValueError(f"unknown kind {kind!r}")
    due_at = _start(due)
    rule = find_rule(rule_id, _jurisdiction.get())
    at = {"deadline": due_at, "warning": due_at - timedelta(hours=rule.warning_lead_hours),
          "escalation2": due_at + timedelta(hours=rule.escalation2_after_hours)}[kind]
    recorded = _recorded.get()
    if recorded is not None:
        recorded.append(ComputedTime(rule_id, kind, due_at, at, False))
    return at.isoformat()


def now_iso() -> str:
    return clock().now().isoformat()


def script_functions() -> dict:
    return {"deadline": deadline, "warning_time": warning_time, "escalation_time": escalation_time,
            "moved_deadline": moved_deadline, "now_iso": now_iso}
