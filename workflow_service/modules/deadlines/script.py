"""Deadline functions offered to BPMN expressions, e.g. a timer `deadline("service_of_decision", decided_at)`.

Each call is recorded for the duration of an engine step, so the timer projection can say which rule, start
and calendar a timer's due time came from (and whether it is provisional).
"""
from __future__ import annotations

import ast
import contextlib
import functools
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...core.services import clock
from .operations import compute_deadline, find_rule


@dataclass(frozen=True)
class ComputedTime:
    rule_id: str
    kind: str            # "deadline", "warning", "escalation2"
    start: datetime
    at: datetime
    provisional: bool
    version_id: int | None = None  # the rule version (deadline_rules.id) in force on the start day


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
        recorded.append(ComputedTime(rule_id, kind, deadline.start, at, deadline.due.provisional,
                                     deadline.rule.id))
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
    if kind not in ("deadline", "warning", "escalation2"):
        raise ValueError(f"unknown kind {kind!r}")
    due_at = _start(due)
    rule = find_rule(rule_id, _jurisdiction.get())
    at = {"deadline": due_at, "warning": due_at - timedelta(hours=rule.warning_lead_hours),
          "escalation2": due_at + timedelta(hours=rule.escalation2_after_hours)}[kind]
    recorded = _recorded.get()
    if recorded is not None:
        recorded.append(ComputedTime(rule_id, kind, due_at, at, False, rule.id))
    return at.isoformat()


def deferred_start(start, deferral_until) -> str:
    """The start of the execution periods (the lawsuit period, the court-application window) after an approved
    deferral or instalments (行政处罚法 Art 66): moved by as much as the deferral moved the payment deadline
    (`payment`, 15 days from service), never earlier."""
    return execution_start(_start(start), _start(deferral_until), _jurisdiction.get()).isoformat()


def execution_start(served_at: datetime, deferral_until: datetime | None, jurisdiction: str | None) -> datetime:
    if deferral_until is None:
        return served_at
    payment_due = compute_deadline("payment", served_at, jurisdiction).due.due_at
    return served_at + max(deferral_until - payment_due, timedelta(0))


def now_iso() -> str:
    return clock().now().isoformat()


def script_functions() -> dict:
    return {"deadline": deadline, "warning_time": warning_time, "escalation_time": escalation_time,
            "moved_deadline": moved_deadline, "deferred_start": deferred_start, "now_iso": now_iso}


# The script functions that compute a deadline-rule time, and the kind of time each gives.
_RULE_FUNCTIONS = {"deadline": "deadline", "warning_time": "warning", "escalation_time": "escalation2",
                   "moved_deadline": None}


def timer_rule(expression: str | None, data: dict) -> tuple[str, str] | None:
    """(rule id, kind) of a timer, read from its expression as the BPMN model writes it — e.g.
    `escalation_time("decision_after_filing", filed_at, 2)` → ("decision_after_filing", "escalation2") — the
    outermost call naming the rule; a rule named by a variable (`deadline(police_due_rule, …)`) is looked up in
    the process data. None for a timer no rule computes (a date a person entered)."""
    if not expression:
        return None
    try:
        node = _parsed(expression)
        while isinstance(node, ast.IfExp):  # `moved_deadline(…) if deferral_approved else deadline(…)`
            node = node.body if _value(node.test, data) else node.orelse
    except (SyntaxError, _NotSimple):
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _RULE_FUNCTIONS
            and node.args):
        return None
    try:
        rule_id = _value(node.args[0], data)
    except _NotSimple:
        return None
    if not isinstance(rule_id, str):
        return None
    kind = _RULE_FUNCTIONS[node.func.id]
    if node.func.id == "escalation_time":
        level = node.args[2] if len(node.args) > 2 else None
        if isinstance(level, ast.Constant) and level.value == 1:
            kind = "deadline"
    elif node.func.id == "moved_deadline":
        third = node.args[2] if len(node.args) > 2 else None
        kind = third.value if isinstance(third, ast.Constant) and isinstance(third.value, str) else "deadline"
    return rule_id, kind


@functools.lru_cache(maxsize=1024)
def _parsed(expression: str) -> ast.expr:
    """A model's timer expressions are few and never change: each is parsed once per process."""
    return ast.parse(expression.strip(), mode="eval").body


class _NotSimple(Exception):
    pass


def _value(node: ast.expr, data: dict):
    """The value of a rule-naming argument: a literal, a process variable, or a choice between them
    (`"hearing_request" if hearing_eligible else "statement_window"`). Read, never executed: anything else is
    not a rule name this function can tell."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in data:
            raise _NotSimple(node.id)
        return data[node.id]
    if isinstance(node, ast.IfExp):
        return _value(node.body, data) if _value(node.test, data) else _value(node.orelse, data)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _value(node.operand, data)
    if isinstance(node, ast.BoolOp):
        values = [_value(v, data) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        equal = _value(node.left, data) == _value(node.comparators[0], data)
        return equal if isinstance(node.ops[0], ast.Eq) else not equal
    raise _NotSimple(ast.dump(node))
