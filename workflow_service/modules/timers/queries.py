"""The timer backlog as the database shows it now: for /metrics (any worker answers for all of them)."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily

from ...core.services import clock
from ...extensions import db
from ..system.operations import sync_clock
from .models import Timer, TimerStatus

log = logging.getLogger(__name__)


def timer_backlog() -> dict:
    """Due timers ready to fire and in backoff after a failure, the age of the oldest ready one, open incidents."""
    sync_clock()
    now = clock().now()
    waiting_due = sa.and_(Timer.status == TimerStatus.waiting.value, Timer.due_at < now)
    in_backoff = sa.and_(Timer.retry_at.is_not(None), Timer.retry_at > now)
    ready, backoff, oldest = db.session.execute(sa.select(
        sa.func.count().filter(sa.not_(in_backoff)), sa.func.count().filter(in_backoff),
        sa.func.min(sa.case((sa.not_(in_backoff), Timer.due_at)))).where(waiting_due)).one()
    incidents = db.session.scalar(sa.select(sa.func.count()).where(Timer.status == TimerStatus.incident.value))
    return {"ready": ready, "backoff": backoff, "incidents": incidents,
            "oldest_due_seconds": max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0}


class TimerBacklogCollector:
    """A prometheus_client collector evaluated at scrape time, in the scraping request's app context."""

    def collect(self):
        up = GaugeMetricFamily("wfs_database_up", "1 when the database answered this scrape")
        try:
            backlog = timer_backlog()
        except Exception as exc:  # noqa: BLE001 - the scrape still answers, saying the database did not
            db.session.rollback()
            log.warning("metrics: the database did not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        db.session.rollback()
        up.add_metric([], 1)
        yield up
        due = GaugeMetricFamily("wfs_timers_due", "Timers past their due time, not yet fired", labels=["state"])
        due.add_metric(["ready"], backlog["ready"])
        due.add_metric(["backoff"], backlog["backoff"])
        yield due
        yield GaugeMetricFamily("wfs_timers_overdue_seconds",
                                "How long the oldest due timer that is ready to fire has waited (0: none)",
                                value=backlog["oldest_due_seconds"])
        yield GaugeMetricFamily("wfs_timer_incidents_open", "Timers in the incident state, waiting for an administrator",
                                value=backlog["incidents"])
