"""Test harness: every database test runs on SQLite and on PostgreSQL.

`make test` starts a throwaway PostgreSQL and exports WFS_TEST_POSTGRES_URL; without it the PostgreSQL
half is skipped, loudly (see pytest_terminal_summary). The schema comes from the Alembic migrations,
exactly as in production; tables are emptied between tests, users and units are seeded once per backend.
"""
from __future__ import annotations

import os
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

_skipped_postgres: list[str] = []


def _postgres_url() -> str | None:
    return os.environ.get("WFS_TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    url = _postgres_url()
    if url is None:
        _skipped_postgres.append(request.node.nodeid)
        pytest.skip("PostgreSQL is not available (WFS_TEST_POSTGRES_URL unset): run the suite with `make test`")
    # A clean schema for this run, whatever an earlier run left.
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    return url


def make_app(database_url: str, **overrides):
    from workflow_service.app import create_app

    config = {
        "ENV": "test", "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "SETTABLE_CLOCK": True,
        "SCHEDULER_ENABLED": False, "BPMN_DIR": BPMN_DIRS, "FORMS_DIR": FORMS_DIRS,
        "DEMO_PASSWORD": PASSWORD, "SWEEP_TIME_BUDGET_SECONDS": 30.0,
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


# Emptied before every test, children first; users, units and definitions stay.
_PER_TEST_TABLES = ["votes", "ballot_seats", "ballots", "legal_reviews", "criminal_transfers", "crime_screenings",
                    "rectification_orders", "evidence_files", "disclosures", "alerts", "audit_events", "audit_chain_heads",
                    "timers", "tasks", "cases", "deadline_adjustments", "process_instances", "clock_state", "api_tokens",
                    "login_throttles"]


@pytest.fixture(autouse=True)
def _clean(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from workflow_service.extensions import db

    with app.app_context():
        for table in _PER_TEST_TABLES:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        db.session.execute(sa.text("UPDATE users SET active = TRUE WHERE active = FALSE"))
        # Calendar years an administrator imported in a test go; the library's official years stay.
        db.session.execute(sa.text("DELETE FROM calendar_days WHERE year NOT IN "
                                   "(SELECT year FROM calendar_years WHERE source LIKE 'chinesecalendar%')"))
        db.session.execute(sa.text("DELETE FROM calendar_years WHERE source NOT LIKE 'chinesecalendar%'"))
        db.session.execute(sa.text("DELETE FROM deadline_rules WHERE jurisdiction <> 'national'"))
        db.session.commit()
        set_clock(app, T0)
    yield


def set_clock(app, instant: datetime) -> None:
    from workflow_service.extensions import db
    from workflow_service.modules.system.operations import move_clock

    with app.app_context():
        move_clock(None, now=instant, frozen=True)
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


@pytest.fixture
def login(app):
    def _login(username: str, password: str = PASSWORD) -> ApiClient:
        client = app.test_client()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_json()
        return ApiClient(client, response.get_json()["token"])

    return _login


@pytest.fixture
def sweep(app):
    def _sweep():
        from workflow_service.modules.timers.jobs import sweep_due_timers

        with app.app_context():
            return sweep_due_timers()

    return _sweep


def pytest_terminal_summary(terminalreporter):
    if _skipped_postgres or not _postgres_url():
        terminalreporter.write_sep("!", "PostgreSQL half of the suite SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            "WFS_TEST_POSTGRES_URL is not set: database tests ran on SQLite only. Run `make test`, which starts "
            "a throwaway PostgreSQL server.", red=True)
