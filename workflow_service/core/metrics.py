"""Prometheus metrics (prometheus_client), read at /metrics by whoever the settings allow.

Three sources:
- what a process does, counted as it happens: requests (latency per endpoint), committed audit events (task
  completions, timers fired and how late, timer failures and incidents), sweeps (duration, failures), and the
  connections its database pool has lent out;
- what the database says at the moment of the scrape (timers due, how overdue the oldest is, open incidents):
  one worker answers for all, see modules/timers/queries.py;
- nothing else: no per-case or per-user label, so the number of series stays bounded.

Several gunicorn workers: each worker counts in its own memory, and a scrape reaches one worker. With
PROMETHEUS_MULTIPROC_DIR set (to an empty directory, before the workers start: deploy/wfs-web.service and
deploy/gunicorn.conf.py) prometheus_client writes the counts to files there and /metrics adds up every worker's.
Without it each answer is one worker's share (README: Production, metrics).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import disable_created_metrics, multiprocess
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
# No `*_created` series beside every counter: they double the series and no alert here needs them.
disable_created_metrics()

REQUEST_DURATION = Histogram(
    "wfs_http_request_duration_seconds", "Time to answer a request, by Flask endpoint", ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
REQUESTS = Counter("wfs_http_requests_total", "Requests answered, by endpoint and status", ["method", "endpoint", "status"])
AUDIT_EVENTS = Counter("wfs_audit_events_total", "Audit events committed, by action", ["action"])
TASK_COMPLETIONS = Counter("wfs_task_completions_total", "Tasks completed (committed)")
TIMERS_FIRED = Counter("wfs_timers_fired_total", "Timers fired (committed)")
TIMER_FIRE_DELAY = Histogram(
    "wfs_timer_fire_delay_seconds", "How long after its due time a timer fired",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600))
TIMER_FAILURES = Counter("wfs_timer_failures_total", "Failed attempts to fire a timer (retried with backoff)")
TIMER_INCIDENTS = Counter("wfs_timer_incidents_total", "Timers that became incidents after their last attempt")
SWEEP_DURATION = Histogram("wfs_sweep_duration_seconds", "Duration of one timer sweep",
                           buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
SWEEP_ERRORS = Counter("wfs_sweep_errors_total", "Sweeps that failed as a whole (e.g. the database was unreachable)")
SWEEP_LAST_SUCCESS = Gauge("wfs_sweep_last_success_timestamp_seconds", "Unix time the last sweep finished",
                           multiprocess_mode="max")
POOL_IN_USE = Gauge("wfs_db_pool_connections_in_use", "Database connections lent out by the pools",
                    multiprocess_mode="livesum")
POOL_CAPACITY = Gauge("wfs_db_pool_capacity", "Connections the pools may open (pool size + overflow)",
                      multiprocess_mode="livesum")


def multiprocess_mode() -> bool:
    # prometheus_client decides at import whether values go to files; this only mirrors its test.
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"))


def render(*scrape_collectors) -> bytes:
    """The exposition text: the counts of this process (or of every worker, in multiprocess mode), then
    `scrape_collectors` evaluated now."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry(auto_describe=False)
    for collector in scrape_collectors:
        scrape.register(collector)
    return generate_latest(registry) + generate_latest(scrape)


def may_read(remote_addr: str | None, authorization: str, token: str | None, networks: str) -> bool:
    """A scraper is let in with the configured bearer token, or from an allowed network."""
    if token and authorization.lower().startswith("bearer ") and \
            hmac.compare_digest(authorization[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    for network in filter(None, (n.strip() for n in (networks or "").split(","))):
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            log.warning("WFS_METRICS_ALLOWED_NETWORKS: %r is not a network", network)
    return False


def observe_request(method: str, endpoint: str | None, status: int, seconds: float) -> None:
    endpoint = endpoint or "unmatched"  # unknown URLs share one label: a scanner cannot add series
    REQUEST_DURATION.labels(method, endpoint).observe(seconds)
    REQUESTS.labels(method, endpoint, str(status)).inc()


def observe_sweep(seconds: float) -> None:
    SWEEP_DURATION.observe(seconds)
    SWEEP_LAST_SUCCESS.set(time.time())


def instrument_pool(engine) -> None:
    """Count the connections the engine's pool has lent out, and what it may open."""
    pool = engine.pool
    size = getattr(pool, "size", None)
    if callable(size):
        POOL_CAPACITY.inc(size() + max(getattr(pool, "_max_overflow", 0), 0))

    @event.listens_for(engine, "checkout")
    def _checked_out(*_args):
        POOL_IN_USE.inc()

    @event.listens_for(engine, "checkin")
    def _checked_in(*_args):
        POOL_IN_USE.dec()


# Committed audit events are the service's own account of what happened, whichever path did it (a request, the
# sweep, the CLI): counting them after the commit counts completions and firings exactly once, and never those
# of a transaction that rolled back. Matched by table name: core imports no domain module.
_PENDING = "wfs_metrics_audit"


@event.listens_for(Session, "after_flush")
def _note_audit_events(session, _context) -> None:
    for obj in session.new:
        if getattr(obj, "__tablename__", None) == "audit_events":
            session.info.setdefault(_PENDING, []).append((obj.action, obj.details, obj.occurred_at))


@event.listens_for(Session, "after_commit")
def _count_audit_events(session) -> None:
    for action, details, occurred_at in session.info.pop(_PENDING, ()):
        try:
            _count(action, details or {}, occurred_at)
        except Exception:  # noqa: BLE001 - a metric never breaks a commit that happened
            log.exception("counting audit event %s failed", action)


@event.listens_for(Session, "after_rollback")
def _forget_audit_events(session) -> None:
    session.info.pop(_PENDING, None)


def _count(action: str, details: dict, occurred_at) -> None:
    AUDIT_EVENTS.labels(action).inc()
    if action == "task_completed":
        TASK_COMPLETIONS.inc()
    elif action == "timer_fired":
        TIMERS_FIRED.inc()
        due = details.get("due_at")
        if due and occurred_at is not None:
            TIMER_FIRE_DELAY.observe(max((occurred_at - datetime.fromisoformat(due)).total_seconds(), 0.0))
    elif action == "timer_failed":
        TIMER_FAILURES.inc()
        if details.get("incident"):
            TIMER_INCIDENTS.inc()
