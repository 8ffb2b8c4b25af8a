"""Make the engine's timers obey the service clock.

SpiffWorkflow 3.2 calls `datetime.now(timezone.utc)` inside its timer module and offers no hook, so the
module's `datetime` name is replaced by a subclass whose `now()` returns the instant the service put in
`engine_now` for the current engine call (a context variable: safe with threads). Outside an engine call
it falls back to the real time.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_engine_now: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


class _ServiceClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        instant = _engine_now.get()
        if instant is None:
            return datetime.now(tz)
        return instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ServiceClockDatetime


@contextlib.contextmanager
def engine_time(now: datetime):
    if now.tzinfo is None:
        raise ValueError("the engine clock needs an aware datetime")
    token = _engine_now.set(now.astimezone(timezone.utc))
    try:
        yield
    finally:
        _engine_now.reset(token)


def current_engine_time() -> datetime:
    return _engine_now.get() or datetime.now(timezone.utc)
