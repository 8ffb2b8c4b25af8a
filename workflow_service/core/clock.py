"""The one clock of the service.

Production uses the system clock. With WFS_SETTABLE_CLOCK=1 (tests, demos) an administrator can move
it; the offset lives in the database (table `clock_state`) so that every worker process of a deployment
sees the same time. Times are timezone-aware UTC throughout.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SystemClock:
    settable = False

    def now(self) -> datetime:
        return utcnow()

    def load(self, offset_seconds: float | None, frozen_at: datetime | None) -> None:
        """The system clock ignores stored state."""


class SettableClock:
    """Real time shifted by an offset, or frozen at one instant (tests freeze it for exact due times)."""

    settable = True

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen_at: datetime | None = None

    def now(self) -> datetime:
        if self.frozen_at is not None:
            return self.frozen_at
        return utcnow() + self.offset

    def load(self, offset_seconds: float | None, frozen_at: datetime | None) -> None:
        self.offset = timedelta(seconds=offset_seconds or 0)
        self.frozen_at = as_utc(frozen_at) if frozen_at is not None else None

    def set_now(self, instant: datetime, frozen: bool | None = None) -> None:
        instant = as_utc(instant)
        if frozen is None:
            frozen = self.frozen_at is not None
        if frozen:
            self.frozen_at = instant
        else:
            self.frozen_at = None
            self.offset = instant - utcnow()

    def advance(self, delta: timedelta) -> None:
        self.set_now(self.now() + delta)


def as_utc(value: datetime) -> datetime:
    """Naive values read back from SQLite are UTC by construction; aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
