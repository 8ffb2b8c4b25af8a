"""Structured logs: one JSON object per line, each tied to the request it belongs to.

Every line written inside a request carries its request id (the proxy's `X-Request-ID` when it is sane, else a new
one; sent back in the response), the user id and unit id once the caller is known; one line per request adds
method, endpoint, path, status and latency. Lines of the scheduler carry the job's name instead.

What must never reach a log — passwords, tokens, session cookies, evidence bytes — is kept out by construction: no
request body, header or query string is logged, and SQL parameters are hidden from SQLAlchemy's messages
(`hide_parameters`, app._engine_options). As a last line of defence the formatter scrubs extra fields with a
sensitive name and `Bearer …` / `password=…` in any text (tests/test_ops_logging.py).
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the proxy is trusted only in this shape: it goes into every log line and a response header.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SENSITIVE_KEY = re.compile(r"pass(word|wd)?|secret|token|authori[sz]ation|cookie|credential|api_?key", re.I)
_SENSITIVE_TEXT = (
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"(?i)\b(password|passwd|secret|token)(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"), r"\1\2[redacted]"),
)
REDACTED = "[redacted]"
# The attributes every LogRecord has: anything else on a record came from `extra=` and is logged as a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Fields of the code running outside a request (the scheduler's job name), set with `log_context`.
_context: contextvars.ContextVar[dict] = contextvars.ContextVar("wfs_log_context", default={})

request_log = logging.getLogger("workflow_service.request")


_MAYBE_SENSITIVE = re.compile(r"(?i)bearer|passw|secret|token")


def scrub(text: str) -> str:
    if not _MAYBE_SENSITIVE.search(text):  # nearly every line: one scan instead of one per pattern
        return text
    for pattern, replacement in _SENSITIVE_TEXT:
        text = pattern.sub(replacement, text)
    return text


@contextmanager
def log_context(**fields):
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def _caller() -> tuple | None:
    """(user id, unit id) of the request's caller, once authenticated (bearer token or session), read from what
    is already loaded: writing a log line must never run a query (its statement would be logged in turn)."""
    known = g.get("log_caller")
    if known is not None:
        return known
    user = g.get("api_user") or g.get("_login_user")
    try:
        state = sa.inspect(user) if user is not None else None
    except sa.exc.NoInspectionAvailable:  # the anonymous user
        return None
    if state is None or state.identity is None:
        return None
    unit_id = state.dict.get("unit_id")
    if unit_id is None:  # expired by a commit before the caller was noted: the id at least
        return (state.identity[0], None)
    g.log_caller = (state.identity[0], unit_id)
    return g.log_caller


@event.listens_for(Session, "before_commit")
def _note_caller_before_commit(_session) -> None:
    # A commit expires the caller's attributes; note them while they are loaded.
    if has_request_context() and "request_id" in g:
        _caller()


def _request_fields() -> dict:
    fields = dict(_context.get())
    if not has_request_context():
        return fields
    fields["request_id"] = g.get("request_id")
    caller = _caller()
    if caller is not None:
        fields["user_id"], fields["unit_id"] = caller
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request's fields, then any `extra=`."""

    def entry(self, record: logging.LogRecord) -> dict:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": scrub(record.getMessage())}
        entry.update((k, v) for k, v in _request_fields().items() if v is not None)
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_"):
                continue
            if _SENSITIVE_KEY.search(key):
                value = REDACTED
            elif isinstance(value, str):
                value = scrub(value)
            entry[key] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        return entry

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.entry(record), ensure_ascii=False, default=str)


class TextFormatter(JsonFormatter):
    """The same fields for a person at a terminal: `time level logger message key=value …`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        head = " ".join(str(entry.pop(k)) for k in ("time", "level", "logger", "message"))
        exception = entry.pop("exception", None)
        line = " ".join([head] + [f"{k}={v}" for k, v in entry.items()])
        return f"{line}\n{exception}" if exception else line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (a test runner or a daemon may swap it)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send the root logger's lines to stderr in `fmt`. Called by every create_app: it replaces its own handler,
    and adds none when a JsonFormatter is already installed (gunicorn's logconfig_dict in deploy/gunicorn.conf.py)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "wfs_handler", False):
            root.removeHandler(handler)
    root.setLevel(level.upper())
    # The engine logs every task state change at INFO with the task's data (parties' personal data); APScheduler
    # logs every job run. Neither helps an operator; both would drown the request lines.
    for noisy in ("spiff", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.wfs_handler = True
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    root.addHandler(handler)


# Health checks and scrapes come every few seconds: their lines are DEBUG, not INFO.
_QUIET_ENDPOINTS = {"ops.healthz", "ops.readyz", "ops.metrics"}


def install_request_logging(app) -> None:
    """Request ids and one log line per request. Install before other before_request hooks: the latency then
    covers them."""

    @app.before_request
    def _start_request():
        g.request_started = time.perf_counter()
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex

    @app.after_request
    def _log_request(response):
        request_id = g.get("request_id")
        if request_id is None:  # a request that failed before its first hook
            return response
        response.headers[REQUEST_ID_HEADER] = request_id
        latency_ms = round((time.perf_counter() - g.request_started) * 1000, 2)
        level = logging.WARNING if response.status_code >= 500 else (
            logging.DEBUG if request.endpoint in _QUIET_ENDPOINTS else logging.INFO)
        # The path without its query string: a query could carry anything a client put there.
        request_log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "endpoint": request.endpoint,
            "status": response.status_code, "latency_ms": latency_ms, "remote_addr": request.remote_addr})
        return response
