"""APScheduler: short, idempotent interval jobs that poll indexed tables (never one job per deadline)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def start_scheduler(app) -> BackgroundScheduler:
    from .core.transaction import unit_of_work
    from .extensions import db
    from .modules.steps.sweep import sweep_due_timers

    def sweep():
        # Not one unit of work: the sweep commits once per timer (modules/timers/jobs.py), so one bad timer
        # never undoes the others.
        with app.app_context():
            try:
                result = sweep_due_timers()
                if result.fired or result.failed:
                    log.info("sweep: fired %s, failed %s", result.fired, result.failed)
            finally:
                db.session.remove()

    def expire():
        from .modules.disclosure.operations import expire_disclosures

        with app.app_context():
            try:
                with unit_of_work():
                    expire_disclosures()
            except Exception:  # noqa: BLE001 - rolled back by unit_of_work; retried at the next interval
                log.exception("expiring disclosures failed")
            finally:
                db.session.remove()

    scheduler = BackgroundScheduler(timezone="UTC")
    # max_instances=1 and coalesce: a slow sweep is never run twice at once in one process; several
    # processes are kept apart by the row claims in the sweep itself.
    scheduler.add_job(sweep, "interval", seconds=app.config["WFS"]["SWEEP_INTERVAL_SECONDS"], id="sweep_due_timers",
                      max_instances=1, coalesce=True, next_run_time=None)
    # 行政执法公示: records past their publication period leave the public pages (idempotent, cheap).
    scheduler.add_job(expire, "interval", minutes=10, id="expire_disclosures", max_instances=1, coalesce=True)
    scheduler.start()
    # The first sweep runs at once: timers that fell due while the service was down fire now.
    scheduler.modify_job("sweep_due_timers", next_run_time=datetime.now(timezone.utc))
    app.extensions["wfs_scheduler"] = scheduler
    return scheduler
