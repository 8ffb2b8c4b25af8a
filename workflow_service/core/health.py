"""Liveness and readiness, for a load balancer, systemd or an orchestrator.

Live: the process answers. Ready: it can do its work — the database answers, its schema is at the migrations'
head (a worker started before `wfs db upgrade` finished is not), and, where this process runs the scheduler,
the scheduler is running and finished a sweep within the last three intervals. What failed is logged, never
answered: the answer says only which check failed.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from alembic.script import ScriptDirectory

from ..extensions import db

log = logging.getLogger(__name__)

STALE_AFTER_INTERVALS = 3


@dataclass
class SweepHeartbeat:
    """Kept by the scheduler of this process (app.extensions["wfs_sweep_heartbeat"])."""

    interval: float
    scheduler: object = None  # the APScheduler instance: one shut down is not running
    started_at: float = field(default_factory=time.monotonic)
    last_sweep_at: float | None = None

    def beat(self) -> None:
        self.last_sweep_at = time.monotonic()

    def fresh(self) -> bool:
        if self.scheduler is not None and not getattr(self.scheduler, "running", True):
            return False
        # Before its first sweep has finished, a new scheduler has the same grace as a running one.
        since = self.last_sweep_at if self.last_sweep_at is not None else self.started_at
        return time.monotonic() - since < STALE_AFTER_INTERVALS * self.interval


_heads_lock = threading.Lock()


def _migration_heads(app) -> set[str]:
    heads = app.extensions.get("wfs_migration_heads")
    if heads is None:
        with _heads_lock:
            directory = app.extensions["migrate"].directory
            script = ScriptDirectory(directory)
            heads = app.extensions["wfs_migration_heads"] = set(script.get_heads())
    return heads


def readiness(app) -> dict[str, bool]:
    """{check: passed}. Call in an app context."""
    checks = {"database": False, "migrations": False}
    try:
        # The request's own session: on SQLite every transaction takes the write lock, so a second connection
        # would wait for the first.
        connection = db.session.connection()
        connection.exec_driver_sql("SELECT 1")
        checks["database"] = True
        # Read directly (Alembic's MigrationContext would log a line at every probe); no table: never migrated.
        current = set(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
        checks["migrations"] = current == _migration_heads(app)
        if not checks["migrations"]:
            log.warning("not ready: database schema at %s, migrations at %s",
                        sorted(current), sorted(_migration_heads(app)))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason goes to the log only
        log.warning("not ready: %s check failed: %s", "migrations" if checks["database"] else "database", exc)
    finally:
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection: the teardown drops it
            pass
    heartbeat = app.extensions.get("wfs_sweep_heartbeat")
    if heartbeat is not None:
        checks["scheduler"] = heartbeat.fresh()
        if not checks["scheduler"]:
            log.warning("not ready: no timer sweep finished in the last %s intervals", STALE_AFTER_INTERVALS)
    return checks
