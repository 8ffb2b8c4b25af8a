"""What an operator's tools call: /healthz, /readyz and /metrics (no login; /metrics by token or network), and
the request hooks behind them (request ids and log lines, request metrics, the proxy's forwarded headers).

Not part of the OpenAPI document: these are for load balancers, systemd and Prometheus, not API clients.
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import exc as sa_exc

from ..core import metrics as wfs_metrics
from ..core.errors import error_response
from ..core.health import readiness
from ..core.logging import configure_logging, install_request_logging
from ..extensions import db
from ..modules.timers.queries import TimerBacklogCollector

bp = Blueprint("ops", __name__)

OPS_PATHS = ("/healthz", "/readyz", "/metrics")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz", methods=["GET"])
def healthz():
    """The process is alive and answers (touches nothing else)."""
    return _no_store(jsonify({"status": "ok"}))


@bp.route("/readyz", methods=["GET"])
def readyz():
    """Ready for traffic: database, schema at the migrations' head, and this process's scheduler if it runs one."""
    checks = readiness(current_app)
    named = {name: "ok" if passed else "failed" for name, passed in checks.items()}
    if all(checks.values()):
        return _no_store(jsonify({"status": "ready", "checks": named}))
    response = jsonify({"code": "not_ready", "message": "服务尚未就绪 (not ready)", "details": {"checks": named}})
    response.status_code = 503
    return _no_store(response)


@bp.route("/metrics", methods=["GET"])
def metrics():
    """Prometheus exposition text, for the token's bearer or an allowed network (WFS_METRICS_*)."""
    wfs = current_app.config["WFS"]
    if not wfs_metrics.may_read(request.remote_addr, request.headers.get("Authorization", ""),
                            wfs["METRICS_TOKEN"], wfs["METRICS_ALLOWED_NETWORKS"]):
        response = jsonify({"code": "forbidden", "details": {},
                            "message": "无权读取监控指标 (metrics are readable with WFS_METRICS_TOKEN or from "
                                       "WFS_METRICS_ALLOWED_NETWORKS)"})
        response.status_code = 403
        return response
    return _no_store(Response(wfs_metrics.render(TimerBacklogCollector()),
                              mimetype="text/plain; version=0.0.4; charset=utf-8"))


def install_ops(app) -> None:
    """Logs, request ids, request metrics, pool metrics, the proxy's headers and the ops endpoints. Called by
    create_app before the other blueprints' hooks, so a request's latency covers them."""
    wfs = app.config["WFS"]
    configure_logging(wfs["LOG_LEVEL"], wfs["LOG_FORMAT"])
    if wfs["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust exactly as many X-Forwarded-* hops as there are proxies: the client's address (logs, the metrics
        # network check) and https (the session cookie is Secure) come from the proxy, and a client cannot forge them.
        count = wfs["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)
    install_request_logging(app)

    @app.after_request
    def _observe(response):
        started = g.get("request_started")
        if started is not None:
            wfs_metrics.observe_request(request.method, request.endpoint, response.status_code,
                                    time.perf_counter() - started)
        return response

    @app.errorhandler(sa_exc.TimeoutError)
    def _pool_exhausted(exc):
        # Every connection of this process's pool is lent out and none came back within WFS_DB_POOL_TIMEOUT:
        # nothing was done, the client may retry (README: Production, sizing the connection pool).
        app.logger.warning("database connection pool exhausted: %s", exc)
        response = error_response(503, "database_busy", "数据库连接繁忙，请稍后重试 (the service is busy; retry shortly)")
        response.headers["Retry-After"] = "1"
        return response

    with app.app_context():
        wfs_metrics.instrument_pool(db.engine)
    app.register_blueprint(bp)
