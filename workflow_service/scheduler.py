"""APScheduler: short, idempotent interval jobs that poll indexed tables (never one job per deadline)."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def start_scheduler(app) -> BackgroundScheduler:
    from .core.health import SweepHeartbeat
    from .core.logging import log_context
    from .core.metrics import SWEEP_ERRORS, observe_sweep
    from .core.transaction import unit_of_work
    from .extensions import db
    from .modules.steps.sweep import sweep_due_timers

    heartbeat = SweepHeartbeat(interval=app.config["WFS"]["SWEEP_INTERVAL_SECONDS"])

    def sweep():
        # Not one unit of work: the sweep runs one unit of work per timer (modules/steps/sweep.py), so one bad
        # timer never undoes the others.
        with app.app_context(), log_context(job="sweep_due_timers"):
            started = time.monotonic()
            try:
                result = sweep_due_timers()
                observe_sweep(time.monotonic() - started)
                heartbeat.beat()  # /readyz: this process's scheduler is sweeping
                if result.fired or result.failed:
                    log.info("sweep: fired %s, failed %s", result.fired, result.failed)
            except Exception:  # noqa: BLE001 - the next interval tries again; /readyz turns not ready meanwhile
                SWEEP_ERRORS.inc()
                log.exception("sweep failed")
            finally:
                db.session.remove()

    def expire():
        from .modules.credit.operations import expire_credit_entries
        from .modules.disclosure.operations import expire_disclosures
        from .modules.typical.operations import open_due_periods

        with app.app_context():
            try:
                with unit_of_work():
                    expire_disclosures()
                    expire_credit_entries()  # 严重失信主体名单: entries past their period leave the list
            except Exception:  # noqa: BLE001 - rolled back by unit_of_work; retried at the next interval
                log.exception("expiring disclosures failed")
            try:
                with unit_of_work():
                    open_due_periods()  # 典型案例: every unit's current reporting period, with its deadline
            except Exception:  # noqa: BLE001 - rolled back by unit_of_work; retried at the next interval
                log.exception("opening typical-case reporting periods failed")
            finally:
                db.session.remove()

    def render_documents():
        from .modules.documents.casefile import draw_pending_case_files
        from .modules.documents.pdfs import draw_pending_documents

        with app.app_context(), log_context(job="render_documents"):
            try:
                drawn = draw_pending_documents() + draw_pending_case_files()
                if drawn:
                    log.info("documents drawn: %s", drawn)
            finally:
                db.session.remove()

    scheduler = BackgroundScheduler(timezone="UTC")
    # max_instances=1 and coalesce: a slow sweep is never run twice at once in one process; several
    # processes are kept apart by the row claims in the sweep itself.
    scheduler.add_job(sweep, "interval", seconds=app.config["WFS"]["SWEEP_INTERVAL_SECONDS"], id="sweep_due_timers",
                      max_instances=1, coalesce=True, next_run_time=None)
    # 行政执法公示: records past their publication period leave the public pages (idempotent, cheap).
    scheduler.add_job(expire, "interval", minutes=10, id="expire_disclosures", max_instances=1, coalesce=True)
    # 执法文书 and 案卷: the PDFs of documents issued at a step (drawn from their frozen HTML) and of case files
    # ordered at archiving, a few seconds later.
    scheduler.add_job(render_documents, "interval", seconds=5, id="render_documents", max_instances=1, coalesce=True)
    heartbeat.scheduler = scheduler
    app.extensions["wfs_sweep_heartbeat"] = heartbeat
    scheduler.start()
    # The first sweep runs at once: timers that fell due while the service was down fire now.
    scheduler.modify_job("sweep_due_timers", next_run_time=datetime.now(timezone.utc))
    app.extensions["wfs_scheduler"] = scheduler
    return scheduler


def run_scheduler_process(app, listen: str | None = None) -> None:
    """`wfs scheduler`: the sweeps in a process of their own, until SIGTERM or SIGINT. With `listen`
    (host:port) it also answers /healthz, /readyz and /metrics there — and nothing else."""
    import signal
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # the service's own request log has these (at DEBUG: probes)
            pass

    scheduler = app.extensions.get("wfs_scheduler") or start_scheduler(app)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = None
    if listen:
        host, _, port = listen.rpartition(":")
        server = make_server(host.strip("[]") or "127.0.0.1", int(port), _ops_only(app), threaded=True,
                             request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, name="wfs-scheduler-http", daemon=True).start()
    log.info("scheduler running (sweep every %ss)%s", app.config["WFS"]["SWEEP_INTERVAL_SECONDS"],
             f"; health and metrics on {listen}" if listen else "")
    stop.wait()
    log.info("scheduler stopping: waiting for the running sweep to finish")
    scheduler.shutdown(wait=True)
    if server is not None:
        server.shutdown()


def _ops_only(app):
    """A WSGI app that passes the ops endpoints to `app` and answers 404 to everything else."""
    import json

    from .api.ops import OPS_PATHS

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") in OPS_PATHS:
            return app(environ, start_response)
        body = json.dumps({"code": "not_found", "message": "调度进程只提供 /healthz、/readyz、/metrics "
                           "(the scheduler process serves only these)", "details": {}}, ensure_ascii=False).encode()
        start_response("404 NOT FOUND", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi
