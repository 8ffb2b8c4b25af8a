"""The transaction boundary: one transaction per entry point, committed or rolled back here and nowhere else.

Operations flush and never commit. The entry point decides, once:

- An HTTP request (API or page): `TransactionalFlask.dispatch_request` — `create_app` makes the application one.
  A view that returns commits; one that raises rolls back, before its error answer is made (as indico's request
  handler does). The commit comes after the view has dumped its answer or rendered its page, so the answer shows
  the rows as this request wrote them without reading them back (core/db.py keeps those rows as they will be
  stored); a commit that fails is answered like any other error (a stale version or a duplicate row: 409; a
  database that went away: 503), never with the view's answer. A GET, HEAD or OPTIONS request changes nothing:
  it ends by rolling back.
- A CLI command: every command of a `UnitOfWorkGroup` (the `wfs` group in cli.py) runs in `unit_of_work()`.
- A scheduler job, or each item of a job that commits item by item: `with unit_of_work(): ...`.

A view (or command) that catches a refused operation and answers anyway — a form re-rendered with the refusal's
messages and a 422 — calls `discard()`: the operation's flushed half is rolled back at once and nothing more of
that request is committed. Returning without it would commit the half-done operation.

Row locks (PostgreSQL) and SQLite's write lock are held from a transaction's first statement until here; a safe
request's transaction takes no write lock (`takes_write_lock`): on SQLite it reads a snapshot, so pages answer
while a step, the sweep or an import holds the lock. No transaction outlives its request: the boundary ends it,
and the session is removed when the request ends.
"""
from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, current_app, has_request_context, request, session
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict

log = logging.getLogger(__name__)

# Requests that change nothing (RFC 9110 safe methods): they end by rolling back, so a view that shapes a loaded row
# for its answer (sets an attribute to show it differently) never writes it.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _Boundary:
    discarded: bool = False  # discard() was called: roll back at the end, whatever the outcome
    read_only: bool = False  # a GET, HEAD or OPTIONS request: it changes nothing, so it ends by rolling back


_current: ContextVar[_Boundary | None] = ContextVar("wfs_transaction_boundary", default=None)


def takes_write_lock() -> bool:
    """Whether the transaction about to begin may write (app.py begins SQLite's with its write lock, `BEGIN
    IMMEDIATE`, so two read-then-write transactions queue instead of failing half-way). A safe request changes
    nothing: its transaction only reads, a plain `BEGIN` — a snapshot of the database (WAL) that neither waits for
    a writer nor makes one wait, so pages and downloads keep answering while a step or a sweep holds the lock. A
    unit of work inside it (the PDF a download draws) writes in a transaction of its own, which takes the lock."""
    boundary = _current.get()
    if boundary is not None:
        return not boundary.read_only
    # The hooks before the view (authentication, the demo clock) begin the request's transaction before the view's
    # boundary exists.
    return not (has_request_context() and request.method in SAFE_METHODS)


def _session():
    # Through the application (Flask-SQLAlchemy registers itself there): core/ does not import extensions.py.
    return current_app.extensions["sqlalchemy"].session()  # this application context's Session


def _rollback() -> None:
    try:
        _session().rollback()
    except DBAPIError as exc:  # the connection died: the server has ended the transaction already
        log.warning("rollback failed: %s", exc)


def _commit() -> None:
    try:
        _session().commit()
    except StaleDataError:
        # A versioned row (a task, a process instance, a ballot) changed under the final flush.
        _rollback()
        raise Conflict("数据已被他人更新，请刷新后重试 (changed by someone else since it was loaded; reload)",
                       code="stale_version") from None
    except IntegrityError:
        # A unique row written at the same moment by another request (a second vote, a second head of a chain).
        _rollback()
        raise Conflict("与他人同时提交的内容冲突，请刷新后重试 (conflicts with a concurrent change; reload)",
                       code="conflict") from None
    except BaseException:
        _rollback()
        raise


def _end(boundary: _Boundary) -> None:
    """The block returned: commit what it did, unless it discarded it."""
    session = _session()
    if boundary.discarded or boundary.read_only:
        _rollback()
    elif session.in_transaction():  # a request that touched no table (a static file) has nothing to end
        _commit()


@contextmanager
def _boundary(read_only: bool = False):
    boundary = _Boundary(read_only=read_only)
    token = _current.set(boundary)
    try:
        try:
            yield boundary
        except BaseException:
            _rollback()
            raise
        _end(boundary)
    finally:
        _current.reset(token)


def discard() -> None:
    """Give up the current transaction: roll back now — so a page re-rendered after a refused operation shows the
    state before the attempt, not its flushed half — and commit nothing more of this request, command or unit
    of work (it is rolled back at its end however it ends).

        try:
            complete_task(user, task_id, data, version)
        except ValidationFailed as exc:
            discard()
            return render_form(exc.details), 422
    """
    boundary = _current.get()
    if boundary is None:
        raise RuntimeError("discard() outside a transaction boundary (a request, a CLI command, unit_of_work())")
    boundary.discarded = True
    _rollback()


@contextmanager
def unit_of_work():
    """One transaction for work that is not an HTTP request: a CLI command, a scheduler job, or one item of a job
    that commits item by item (the timer sweep: each timer firing is its own transaction, so one bad timer never
    undoes the others).

        with app.app_context():             # the session belongs to the application context
            for timer_id in due:
                try:
                    with unit_of_work():    # commits when the block ends normally
                        fire(timer_id)
                except Exception as exc:    # ... and has rolled back when it raised (re-raised to here)
                    with unit_of_work():    # the failure is recorded in a transaction of its own
                        record_failure(timer_id, exc)

    - Normal end: commit (unless `discard()` was called in the block: roll back). A commit that fails is rolled
      back and raised; a stale version or a duplicate row is raised as `Conflict` (409), like in a request.
    - Any exception, including SystemExit and KeyboardInterrupt: roll back, then re-raise.
    - It takes no savepoint and does not nest: it commits or rolls back everything the session holds, including
      what was done before the block in the same transaction. Inside a request (an administrator running the
      sweep) each unit commits the request's work so far; the request's own boundary then ends the rest.
    - Inside a safe request (a GET drawing a PDF on download) it first ends the request's read-only snapshot, which
      wrote nothing, so that its own transaction begins with SQLite's write lock (`takes_write_lock`).
    - Yields the session (`with unit_of_work() as session:`), the same as `db.session`.
    """
    outer = _current.get()
    if outer is not None and outer.read_only:
        _rollback()  # the safe request's snapshot: it wrote nothing
    session = _session()
    autoflush, session.autoflush = session.autoflush, True  # a safe request turns it off (dispatch_request)
    try:
        with _boundary():
            yield session
    finally:
        session.autoflush = autoflush


class TransactionalFlask(Flask):
    """Flask with the request's transaction boundary around every view (see the module docstring).

    Hooks that run before the view (authentication, the demo clock) join the view's transaction; one that
    answers instead of the view has it rolled back with the session at the end of the request."""

    def dispatch_request(self):
        flashed = len(session.get("_flashes", ()))
        try:
            read_only = request.method in SAFE_METHODS
            with _boundary(read_only=read_only):
                if not read_only:
                    return super().dispatch_request()
                # A row shaped for display is never flushed by a later query: the snapshot never asks for the lock.
                with _session().no_autoflush:
                    return super().dispatch_request()
        except BaseException:
            # A page flashes its success before the commit: a request that fails (its commit included) takes the
            # messages back, so the next page does not announce what was not saved.
            if len(session.get("_flashes", ())) > flashed:
                session["_flashes"] = session["_flashes"][:flashed]
            raise


def _in_unit_of_work(command):
    @functools.wraps(command)
    def run(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)

    return run


class UnitOfWorkGroup(AppGroup):
    """A click command group whose every command runs in one `unit_of_work()`, inside the application context.

    A command that returns commits; one that fails — an exception, `sys.exit(2)`, click's `ctx.exit()` — is rolled
    back whatever its exit status, so a command reports an error by exiting, never after committing half of it.
    A command that commits on its own (the timer sweep: one transaction per timer) says so:
    `@group.command("sweep", own_transactions=True)`."""

    def command(self, *args, own_transactions: bool = False, **kwargs):
        parent = super().command

        def decorator(callback):
            return parent(*args, **kwargs)(callback if own_transactions else _in_unit_of_work(callback))

        return decorator
