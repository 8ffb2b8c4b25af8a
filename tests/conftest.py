"""Test harness: every database test runs on SQLite and on PostgreSQL.

`make test` starts a throwaway PostgreSQL and exports WFS_TEST_POSTGRES_URL; without it the PostgreSQL
half is skipped, loudly (see pytest_terminal_summary). The schema comes from the Alembic migrations,
exactly as in production; tables are emptied between tests, users and units are seeded once per backend.

What keeps the suite fast (issue 14; scripts/run_tests.sh runs it over pytest-xdist workers, one per core):
- passwords are hashed with a cheap method (TEST_PASSWORD_HASH_METHOD; production refuses it);
- `login` makes one token per user and database and reuses it for the whole session (api_tokens stays);
- each xdist worker has its own databases: a SQLite file on a memory file system (no disk sync per commit) and a
  database of its own on the PostgreSQL server of WFS_TEST_POSTGRES_URL;
- a test that restarts that shared server (marked `restarts_postgres`) holds a lock every other PostgreSQL test
  holds shared, so it never pulls the server from under the other worker (pytest_runtest_protocol below).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

FIXTURE_DIR = Path(__file__).parent / "data" / "fixture"
ROOT = Path(__file__).resolve().parent.parent
# The fixture processes and the real ones (bpmn/, forms/) are deployed side by side.
BPMN_DIRS = os.pathsep.join([str(FIXTURE_DIR), str(ROOT / "bpmn")])
FORMS_DIRS = os.pathsep.join([str(FIXTURE_DIR / "forms"), str(ROOT / "forms")])
# Monday 12 October 2026, 09:00 in Shanghai: a working day after the National Day holidays.
T0 = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)
PASSWORD = "test-password-1"
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"

_skipped_postgres: list[str] = []


def _postgres_url() -> str | None:
    return os.environ.get("WFS_TEST_POSTGRES_URL") or None


def _xdist_worker() -> str | None:
    """gw0, gw1, ... in a pytest-xdist worker; None in a plain pytest run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _sqlite_directory(tmp_path_factory) -> Path:
    # A memory file system where the machine has one: SQLite syncs the disk at every commit, and the tests commit
    # thousands of times for data nobody keeps.
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="wfs-test-", dir=shm))
    return tmp_path_factory.mktemp("db")


def _on_server(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        directory = _sqlite_directory(tmp_path_factory)
        yield f"sqlite:///{directory / 'test.sqlite'}"
        shutil.rmtree(directory, ignore_errors=True)
        return
    url = _postgres_url()
    if url is None:
        _skipped_postgres.append(request.node.nodeid)
        pytest.skip("PostgreSQL is not available (WFS_TEST_POSTGRES_URL unset): run the suite with `make test`")
    worker = _xdist_worker()
    if worker is None:
        # A clean schema for this run, whatever an earlier run left.
        _on_server(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        yield url
        return
    # A database of this worker's own on the same server, made afresh (FORCE: whatever an earlier run left
    # connected to it).
    server = sa.engine.make_url(url)
    name = f"{server.database}_{worker}"
    _on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    try:
        _on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except sa.exc.OperationalError:  # the server is going away with the run anyway
        pass


def _postgres_lock_path(url: str) -> Path:
    # One per server (the URL names it), shared by the workers of this run and by nobody else.
    return Path(tempfile.gettempdir()) / f"wfs-test-pg-{hashlib.sha256(url.encode()).hexdigest()[:16]}"


@contextmanager
def _postgres_server_lock(url: str, *, exclusive: bool):
    """A readers-writer lock across processes: PostgreSQL tests share it; a test that restarts the server takes
    it alone. The gate makes a waiting writer hold off new readers, so it is not starved."""
    base = _postgres_lock_path(url)
    with open(f"{base}.gate", "a") as gate, open(f"{base}.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            if not exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            if exclusive:
                fcntl.flock(gate, fcntl.LOCK_UN)


# The modules whose tests take longest (10-30 s each: the fuzzer, the access matrix, every message in Chinese,
# the races and restarts) go out first, so that under pytest-xdist the last tests handed out are short ones and
# no worker sits idle while another finishes a long one. Each module stays in one piece (its module fixtures).
LONG_FIRST = ("test_reliability_faults.py", "test_access_matrix.py", "test_chinese_text.py", "test_late_completion.py",
              "test_ops_health.py", "test_ops_metrics.py", "test_case_parties.py")


# The fault tests kill, cut or restart things under load on a gunicorn fleet: run two at once (one per worker)
# and they slow each other down, and a PostgreSQL restart waits for the other worker's PostgreSQL
# tests to finish (restarts_postgres). They run one after another on one worker, as the browser tests do.
ONE_WORKER = {"test_reliability_faults.py": "faults"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist turns a group into the test's id (--dist loadgroup)
def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FIRST)))  # stable: the rest keep their order
    for item in items:
        if item.path.name in ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(ONE_WORKER[item.path.name]))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # Around setup, call and teardown: the session's PostgreSQL app is set up in its first test's setup.
    callspec = getattr(item, "callspec", None)
    url = _postgres_url()
    if url is None or callspec is None or callspec.params.get("database_url") != "postgresql":
        return (yield)
    with _postgres_server_lock(url, exclusive=item.get_closest_marker("restarts_postgres") is not None):
        return (yield)


def make_app(database_url: str, **overrides):
    from workflow_service.app import create_app

    config = {
        "ENV": "test", "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "SETTABLE_CLOCK": True,
        "SCHEDULER_ENABLED": False, "BPMN_DIR": BPMN_DIRS, "FORMS_DIR": FORMS_DIRS,
        "DEMO_PASSWORD": PASSWORD, "SWEEP_TIME_BUDGET_SECONDS": 30.0,
        # Every web login, token request and seeded user hashes a password: scrypt costs ~130 ms a time
        # (tests/test_auth_and_access.py checks that production refuses this method).
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        # Each request's INFO line would be formatted twice (the service's handler, pytest's capture) for nobody to
        # read; warnings and errors are still logged. tests/test_ops_logging.py opens every level itself.
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = True
    app.testing = True
    return app


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Emptied before every test, children first; users, units, definitions and API tokens (see `login`) stay.
_PER_TEST_TABLES = ["task_candidates", "hidden_dangers", "inspection_photos", "inspections", "inspected_companies", "inspection_facts",
                    "typical_cases", "typical_reports", "credit_entries", "licence_actions",
                    "production_suspensions", "legal_challenges", "discretion_list_entries", "discretion_items", "discretion_benchmarks",
                    "simple_penalties", "case_files", "document_number_reservations", "issued_documents", "document_sequences", "case_number_sequences",
                    "document_unit_settings", "votes",
                    "ballot_seats", "ballots", "legal_reviews", "criminal_transfers", "crime_screenings",
                    "rectification_orders", "evidence_files", "disclosures", "alerts", "audit_events", "audit_chain_heads",
                    "timers", "tasks", "decision_extensions", "cases", "deadline_adjustments", "process_instances",
                    "clock_state", "login_throttles", "random_draw_replacements", "random_draw_items", "random_draws",
                    "inspection_plans", "enterprise_licences", "enterprise_classification_changes", "enterprises",
                    # A province's 分类分级 scheme (the fuzzer sets one as the administrator): the default comes back.
                    "classification_schemes"]


@pytest.fixture(autouse=True)
def _clean(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from workflow_service.extensions import db
    from workflow_service.modules.enterprises.operations import seed_schemes

    with app.app_context():
        statements = [f"DELETE FROM {table}" for table in _PER_TEST_TABLES] + [
            "UPDATE users SET active = TRUE WHERE active = FALSE",
            "UPDATE users SET presides_over_work = FALSE WHERE presides_over_work = TRUE",
            "UPDATE users SET legal_review_appointed_on = NULL WHERE legal_review_appointed_on IS NOT NULL",
            "UPDATE units SET collective_discussion_every_case = FALSE WHERE collective_discussion_every_case = TRUE",
            "DELETE FROM business_settings WHERE key = 'large_fine_threshold' AND jurisdiction <> 'national'",
            # A province's typical-case minimum is set only by tests (the fuzzer too): the default comes back.
            "DELETE FROM business_settings WHERE key = 'typical_case_minimum'",
            # Calendar years an administrator imported in a test go; the library's official years stay.
            "DELETE FROM calendar_days WHERE year NOT IN "
            "(SELECT year FROM calendar_years WHERE source LIKE 'chinesecalendar%')",
            "DELETE FROM calendar_years WHERE source NOT LIKE 'chinesecalendar%'",
            "DELETE FROM deadline_rules WHERE jurisdiction <> 'national'"]
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            # One round trip to the server for all of them (psycopg2 sends several statements at once).
            connection.exec_driver_sql(";\n".join(s.replace("%", "%%") for s in statements))
        else:
            for statement in statements:
                connection.exec_driver_sql(statement)
        _move_clock_to(T0)
        seed_schemes()
        db.session.commit()
    yield


def _move_clock_to(instant: datetime) -> None:
    from workflow_service.modules.system.operations import move_clock

    move_clock(None, now=instant, frozen=True)


def set_clock(app, instant: datetime) -> None:
    from workflow_service.extensions import db

    with app.app_context():
        _move_clock_to(instant)
        db.session.commit()


class ApiClient:
    """Calls the HTTP API as one user, with a bearer token."""

    def __init__(self, flask_client, token: str | None):
        self.client = flask_client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, json=json if json is not None else {}, headers=self.headers, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.client.put(path, json=json if json is not None else {}, headers=self.headers, **kwargs)


# app -> {(username, password): token}: the tokens `login` made on that app's database.
_tokens: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@pytest.fixture
def login(app):
    """An API client for a user. The first call for a user on a database asks for a token; later ones, in any test,
    reuse it (tokens live 12 hours and api_tokens is not emptied between tests). The tests of the token endpoint
    itself call it directly (tests/test_auth_and_access.py)."""
    tokens = _tokens.setdefault(app, {})

    def _login(username: str, password: str = PASSWORD) -> ApiClient:
        client = app.test_client()
        token = tokens.get((username, password))
        if token is None:
            response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 201, response.get_json()
            token = tokens[(username, password)] = response.get_json()["token"]
        return ApiClient(client, token)

    return _login


@pytest.fixture
def sweep(app):
    def _sweep():
        from workflow_service.modules.steps.sweep import sweep_due_timers

        with app.app_context():
            return sweep_due_timers()

    return _sweep


def pytest_sessionfinish(session):
    # The lock files outlive the workers; the process that started them (or the only one) removes them.
    url = _postgres_url()
    if url is not None and _xdist_worker() is None:
        base = _postgres_lock_path(url)
        for suffix in (".gate", ".lock"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)


# Where the suite's time goes, printed at its end: the browser tests and the fault tests each run on one worker (their
# xdist groups); the rest is spread over the workers, each test on SQLite and on PostgreSQL.
_seconds_by_part: dict[str, list] = {}


def _part_of(nodeid: str) -> str:
    if "/browser/" in nodeid:
        return "browser (one worker)"
    if "test_reliability_faults.py" in nodeid:
        return "faults and fuzzing (one worker)"
    for database in ("sqlite", "postgresql"):
        if f"[{database}" in nodeid:
            return f"the rest, on {database}"
    return "the rest, no database"


def pytest_runtest_logreport(report):
    part = _seconds_by_part.setdefault(_part_of(report.nodeid), [set(), 0.0])
    part[0].add(report.nodeid)
    part[1] += report.duration


def pytest_terminal_summary(terminalreporter):
    if _xdist_worker() is None and _seconds_by_part:
        terminalreporter.write_sep("-", "time by part of the suite (seconds of a worker, setup to teardown)")
        for part, (tests, seconds) in sorted(_seconds_by_part.items(), key=lambda item: -item[1][1]):
            terminalreporter.write_line(f"{seconds:7.1f} s  {len(tests):5d} tests  {part}")
    if _skipped_postgres or not _postgres_url():
        terminalreporter.write_sep("!", "PostgreSQL half of the suite SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            "WFS_TEST_POSTGRES_URL is not set: database tests ran on SQLite only. Run `make test`, which starts "
            "a throwaway PostgreSQL server.", red=True)
