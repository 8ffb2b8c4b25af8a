"""gunicorn settings for the web service: `gunicorn -c deploy/gunicorn.conf.py` (deploy/wfs-web.service).

Command-line options override these (`-b 127.0.0.1:8001 -w 8`): a second instance on the same machine needs
only its own -b, and its own systemd unit (whose RuntimeDirectory gives it its own control socket).
"""
import glob
import os

wsgi_app = "workflow_service.app:create_app()"
bind = "127.0.0.1:8000"  # behind nginx (deploy/nginx-wfs.conf), which terminates TLS
# Sync workers: one request at a time each, so a pool of 3 + 2 overflow connections per worker is plenty
# (README: Production, sizing the connection pool).
workers = 4
timeout = 60
graceful_timeout = 30
# gunicorn >= 25.1 opens a control socket at $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl, one path
# for every instance of the same user: give each instance its own, in its systemd RuntimeDirectory.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")

# The service writes one JSON line per request itself (with request id, user, unit, latency): no access log.
accesslog = None
# gunicorn's own lines (worker boots, timeouts) in the same JSON form; create_app then adds no second handler.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "workflow_service.core.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}


# Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set in deploy/wfs-web.service): every worker writes its
# counts to files there and /metrics adds them up, whichever worker answers the scrape.
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):  # a previous run's counts
            os.remove(stale)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # its gauges (connections in use) leave the sums
