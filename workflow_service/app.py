"""The composition root: nothing imports this module."""
from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from .config import load_config
from .core.clock import SettableClock, SystemClock
from .core.errors import register_error_handlers
from .core.http_headers import register_security_headers
from .core.ids import IdConverter
from .core.transaction import TransactionalFlask, takes_write_lock
from .extensions import csrf, db, login_manager, migrate
from .modules.users.passwords import hash_method_problem

log = logging.getLogger(__name__)
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    # Every request commits or rolls back once, in core/transaction.py: views and operations never commit.
    app = TransactionalFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # before any route: an id past 2^63-1 is a 404, not a 500
    wfs = load_config(config)
    app.config["WFS"] = wfs
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if wfs["ENV"] == "production":
        if not wfs["SECRET_KEY"]:
            raise RuntimeError("WFS_SECRET_KEY is required in production")
        if wfs["SETTABLE_CLOCK"]:
            raise RuntimeError("WFS_SETTABLE_CLOCK must not be enabled in production")
    problem = hash_method_problem(wfs["PASSWORD_HASH_METHOD"], production=wfs["ENV"] == "production")
    if problem:
        raise RuntimeError(f"WFS_PASSWORD_HASH_METHOD: {problem}")
    app.config["SECRET_KEY"] = wfs["SECRET_KEY"] or _dev_secret(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = wfs["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'workflow.sqlite'}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"], wfs)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # every body but an evidence file's (_upload_limit)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = wfs["ENV"] == "production"
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False

    _upload_limit(app)  # before CSRFProtect, which reads the form (and so the body) of a page's upload
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        _tune_database(db.engine)

    from . import models  # noqa: F401  (registers every table with the metadata)
    from .engine import Engine
    from .modules.deadlines.script import script_functions
    from .wiring import build_registry

    app.extensions["wfs_engine"] = Engine(script_functions())
    # What runs after every engine step, and the rules and guards of every task: wiring.py, by name, in order.
    app.extensions["wfs_registry"] = build_registry(wfs)
    app.extensions["wfs_clock"] = SettableClock() if wfs["SETTABLE_CLOCK"] else SystemClock()

    register_error_handlers(app)
    from .api.ops import install_ops

    install_ops(app)  # logs, request ids, metrics, /healthz /readyz /metrics: before the other request hooks
    register_security_headers(app, {"/api/v1/docs"})

    @app.teardown_appcontext
    def _remove_session_even_if_the_connection_died(exc):
        # Runs before flask-sqlalchemy's own teardown (registered earlier). When the database server closed the
        # connection, the rollback in session.remove() fails after the error handler answered 503: the request
        # must still end with that answer (not the WSGI server's 500), so the dead connection is just dropped.
        try:
            db.session.remove()
        except sa_exc.DBAPIError:
            db.session.registry.clear()

    from .api import register_api
    from .web import register_web

    register_api(app)
    register_web(app)
    from .cli import register_cli

    register_cli(app)

    @app.before_request
    def _sync_clock():
        from .modules.system.operations import sync_clock

        # Not for the ops endpoints: a probe must answer whatever state the database is in.
        if app.extensions["wfs_clock"].settable and request.blueprint != "ops":
            sync_clock()

    if wfs["SCHEDULER_ENABLED"]:
        from .scheduler import start_scheduler

        start_scheduler(app)
    if wfs["ENV"] != "test":
        # What the app holds for its whole life (parsed process specs, the document and export libraries' modules)
        # is moved out of the cyclic garbage collector's view: every full collection used to walk it, which put
        # 60-80 ms stalls into a worker's requests (bench/README.md). Objects are still freed by reference
        # counting. Not in tests, which make many apps in one process.
        gc.collect()
        gc.freeze()
    return app


# Evidence uploads take files up to WFS_EVIDENCE_MAX_BYTES (200 MB by default) on the page and in the API alike;
# room is left for the multipart envelope and the form fields around the file.
UPLOAD_ENDPOINTS = {"evidence.upload", "web.upload_evidence"}
UPLOAD_ENVELOPE_BYTES = 64 * 1024


def _upload_limit(app: Flask) -> None:
    @app.before_request
    def _evidence_body_limit():
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["WFS"]["EVIDENCE_MAX_BYTES"] + UPLOAD_ENVELOPE_BYTES


def _dev_secret(app: Flask) -> str:
    """Development only: a random key kept in instance/ so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


def _engine_options(url: str, wfs: dict) -> dict:
    # hide_parameters: a database error's message (logged) never carries the statement's values.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}, "hide_parameters": True}
    return {"pool_pre_ping": True, "pool_size": wfs["DB_POOL_SIZE"], "max_overflow": wfs["DB_MAX_OVERFLOW"],
            "pool_timeout": wfs["DB_POOL_TIMEOUT"], "hide_parameters": True}


def _tune_database(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions start (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # SQLite's single writer: a transaction that may write takes the write lock at its start, so two
        # read-then-write transactions queue instead of failing with "database is locked" half-way. A safe
        # request's only reads, from a snapshot: it never waits for the writer (core/transaction.takes_write_lock).
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")
