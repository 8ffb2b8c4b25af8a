"""The timer sweep: the time-driven entry point of the step pipeline; fires what is due, found through the
indexed timer table.

Each due timer is handled in its own transaction: claim it by locking its instance (a row lock that other
workers skip on PostgreSQL; SQLite serializes writers), re-read it under the lock, let the engine fire, save,
commit (core/transaction.unit_of_work). A crash rolls the claim back with everything else, so a timer fires exactly once. A failure is retried with
backoff, then becomes an incident; it never blocks the other timers.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from ...core.services import clock, setting
from ...extensions import db
from ..audit.operations import record_event
from ...core.errors import NotFound
from ...core.transaction import discard, unit_of_work
from ..system.operations import sync_clock
from ..timers.models import Timer, TimerStatus
from . import pipeline
from .locking import lock_instance, try_lock_instance

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0
    incidents: int = 0
    examined: int = 0
    errors: list[str] = field(default_factory=list)


def _due_ids(now, limit: int) -> list[int]:
    query = (sa.select(Timer.id)
             .where(Timer.status == TimerStatus.waiting.value, Timer.due_at < now,
                    sa.or_(Timer.retry_at.is_(None), Timer.retry_at <= now))
             .order_by(Timer.due_at, Timer.id).limit(limit))
    return list(db.session.scalars(query))


def _claim(timer_id: int, now):
    """Lock the timer's instance (skipping one another worker holds: that worker fires it), then re-read the
    timer under that lock: (timer, instance), or (None, None) when it is no longer due. The instance first, as
    every writer does (steps/locking.py): firing one timer re-projects all the instance's timers."""
    instance_id = db.session.scalar(sa.select(Timer.instance_id).where(Timer.id == timer_id,
                                                                      Timer.status == TimerStatus.waiting.value))
    if instance_id is None:
        return None, None
    instance = try_lock_instance(instance_id)
    if instance is None:
        return None, None
    timer = db.session.scalar(sa.select(Timer).where(Timer.id == timer_id).execution_options(populate_existing=True))
    if timer is None or timer.status != TimerStatus.waiting.value or timer.due_at >= now:
        return None, None
    return timer, instance


def sweep_due_timers(batch_size: int | None = None, time_budget: float | None = None) -> SweepResult:
    """Fire due timers in slices until none is due or the time budget is spent. Call in an app context."""
    batch_size = batch_size or setting("SWEEP_BATCH_SIZE")
    time_budget = setting("SWEEP_TIME_BUDGET_SECONDS") if time_budget is None else time_budget
    started = time.monotonic()
    result = SweepResult()
    skipped: set[int] = set()
    while time.monotonic() - started < time_budget:
        sync_clock()
        now = clock().now()
        with unit_of_work():  # a read; it ends before the per-timer transactions
            ids = [i for i in _due_ids(now, batch_size + len(skipped)) if i not in skipped][:batch_size]
            discard()
        if not ids:
            break
        for timer_id in ids:
            if time.monotonic() - started >= time_budget:
                break
            result.examined += 1
            outcome = _fire_one(timer_id, now, result)
            if outcome != "fired":
                skipped.add(timer_id)
    return result


def _fire_one(timer_id: int, now, result: SweepResult) -> str:
    """One timer, one transaction (core/transaction.unit_of_work): claimed, fired and saved, or rolled back."""
    try:
        with unit_of_work():
            timer, instance = _claim(timer_id, now)
            if timer is None:
                discard()
                return "skipped"
            engine_task_id = timer.engine_task_id
            pipeline.fire_due_timers(instance)
            db.session.refresh(timer)
            if timer.status == TimerStatus.waiting.value:
                # The engine did not fire it (its own clock check disagreed): try again after a short pause.
                timer.retry_at = now + timedelta(seconds=30)
        result.fired += 1
        log.debug("fired timer %s (%s)", timer_id, engine_task_id)
        return "fired"
    except Exception as exc:  # noqa: BLE001 - one bad instance never stops the sweep
        _record_failure(timer_id, now, exc, result)
        return "failed"


def _record_failure(timer_id: int, now, exc: Exception, result: SweepResult) -> None:
    result.failed += 1
    result.errors.append(f"timer {timer_id}: {exc}")
    log.warning("timer %s failed: %s", timer_id, exc)
    try:
        with unit_of_work():
            _record_failure_of(timer_id, now, exc, result)
    except Exception:  # noqa: BLE001
        log.exception("could not record the failure of timer %s", timer_id)


def _record_failure_of(timer_id: int, now, exc: Exception, result: SweepResult) -> None:
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.status != TimerStatus.waiting.value:
        discard()
        return
    # The instance first, as in a firing: the failure's audit event then joins the chain in turn.
    lock_instance(timer.instance_id)
    timer.attempts += 1
    timer.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if timer.attempts >= setting("TIMER_MAX_ATTEMPTS"):
        timer.status = TimerStatus.incident.value
        result.incidents += 1
    else:
        timer.retry_at = now + timedelta(minutes=2 ** (timer.attempts - 1))
    record_event(None, "timer_failed", instance_id=timer.instance_id,
                 details={"timer": timer.bpmn_id, "attempts": timer.attempts, "error": timer.last_error,
                          "incident": timer.status == TimerStatus.incident.value})


def retry_incident(actor, timer_id: int) -> Timer:
    """An administrator sends an incident back to the sweep."""
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.status != TimerStatus.incident.value:
        raise NotFound("没有这个异常定时器 (no such incident)")
    lock_instance(timer.instance_id)
    timer.status = TimerStatus.waiting.value
    timer.attempts = 0
    timer.retry_at = None
    record_event(actor, "timer_retried", instance_id=timer.instance_id, details={"timer": timer.bpmn_id})
    db.session.flush()
    return timer
