"""The `wfs` administration commands: units, users, demo data.

The `app` fixture's database lives for the whole session and keeps units and users between tests, so every
unit and user made here has a name of its own."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from .conftest import make_app


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def wfs(app, *args):
    return app.test_cli_runner().invoke(args=["wfs", *args])


def counts(app) -> tuple[int, int, int]:
    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessDefinition
    from workflow_service.modules.users.models import Unit, User

    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (Unit, User, ProcessDefinition))


def create_county(app, code=None, name="测试县应急管理局"):
    code = code or unique("5323-")
    result = wfs(app, "create-unit", "--code", code, "--name", name, "--level", "county", "--parent", "532300")
    assert result.exit_code == 0, result.output
    return code


def test_an_administrator_creates_a_county_unit_under_its_city(app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit
    from workflow_service.modules.users.units import unit_contains

    code = unique("5323-")
    result = wfs(app, "create-unit", "--code", code, "--name", "禄丰市应急管理局", "--level", "county", "--parent", "532300")
    assert result.exit_code == 0, result.output
    assert f"created unit {code}" in result.output
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        city = db.session.scalar(sa.select(Unit).filter_by(code="532300"))
        assert unit.name == "禄丰市应急管理局" and unit.level == "county"
        assert unit.parent_id == city.id
        # The new county is inside the city's subtree: the city's supervisors oversee it.
        assert unit_contains(city, unit)


def test_a_user_created_on_the_command_line_can_log_in_with_their_roles(app, login):
    code = create_county(app)
    username = unique("cli_user_")
    result = wfs(app, "create-user", "--username", username, "--name", "杨承办", "--unit", code,
                 "--role", "case_handler", "--role", "legal_reviewer", "--legal-qualification",
                 "--password", "cli-password-1")
    assert result.exit_code == 0, result.output
    assert f"created user {username}" in result.output
    me = login(username, "cli-password-1").get("/api/v1/me").get_json()
    assert me["username"] == username and me["display_name"] == "杨承办"
    assert me["unit"]["code"] == code
    assert me["roles"] == ["case_handler", "legal_reviewer"]
    # The password was stored, not some default.
    response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": "test-password-1"})
    assert response.status_code == 401


def test_without_password_option_the_password_is_asked_twice_and_must_match(app, login):
    username = unique("cli_prompted_")
    args = ["wfs", "create-user", "--username", username, "--name", "赵承办", "--unit", "532301",
            "--role", "case_handler"]
    mismatch = app.test_cli_runner().invoke(args=args, input="cli-password-1\ncli-password-2\n")
    assert mismatch.exit_code != 0
    assert f"created user {username}" not in mismatch.output
    assert "cli-password-1" not in mismatch.output  # never echoed
    assert app.test_client().post("/api/v1/auth/token", json={"username": username, "password": "cli-password-1"}
                                  ).status_code == 401

    result = app.test_cli_runner().invoke(args=args, input="cli-password-1\ncli-password-1\n")
    assert result.exit_code == 0, result.output
    assert "cli-password-1" not in result.output
    assert login(username, "cli-password-1").get("/api/v1/me").get_json()["username"] == username


def test_a_script_gives_the_password_on_standard_input_without_a_terminal(app, login):
    username = unique("cli_stdin_")
    args = ["wfs", "create-user", "--username", username, "--name", "钱承办", "--unit", "532301",
            "--role", "case_handler", "--password-stdin"]
    result = app.test_cli_runner().invoke(args=args, input="cli-password-3\n")  # asked nothing, read once
    assert result.exit_code == 0, result.output
    assert "password" not in result.output and "cli-password-3" not in result.output
    assert login(username, "cli-password-3").get("/api/v1/me").get_json()["username"] == username
    both = app.test_cli_runner().invoke(args=[*args[:3], unique("cli_both_"), *args[4:], "--password", "x" * 10],
                                        input="cli-password-4\n")
    assert both.exit_code == 2 and "not both" in both.stderr
    before = counts(app)
    empty = app.test_cli_runner().invoke(args=[*args[:3], unique("cli_empty_"), *args[4:]], input="")
    assert empty.exit_code == 2 and "error:" in empty.stderr  # an empty password is too short, not a prompt
    assert counts(app) == before


def test_a_duplicate_unit_is_refused_with_an_error(app):
    code = create_county(app)
    before = counts(app)
    result = wfs(app, "create-unit", "--code", code, "--name", "重复", "--level", "county", "--parent", "532300")
    assert result.exit_code == 2
    assert "error:" in result.stderr and code in result.stderr
    assert counts(app) == before


def test_a_unit_under_an_unknown_parent_is_refused(app):
    before = counts(app)
    result = wfs(app, "create-unit", "--code", unique("5323-"), "--name", "无上级", "--level", "county",
                 "--parent", "no-such-unit")
    assert result.exit_code == 2
    assert "no-such-unit" in result.stderr
    assert counts(app) == before


def test_a_duplicate_user_is_refused_with_an_error(app):
    before = counts(app)
    result = wfs(app, "create-user", "--username", "handler1", "--name", "冒名", "--unit", "532301",
                 "--role", "admin", "--password", "cli-password-1")
    assert result.exit_code == 2
    assert "handler1" in result.stderr
    assert counts(app) == before


def test_a_user_with_a_short_password_or_an_unknown_unit_is_refused(app):
    before = counts(app)
    short = wfs(app, "create-user", "--username", unique("cli_short_"), "--name", "短密码", "--unit", "532301",
                "--role", "case_handler", "--password", "short")
    assert short.exit_code == 2
    assert "password" in short.stderr
    nowhere = wfs(app, "create-user", "--username", unique("cli_nowhere_"), "--name", "无单位", "--unit", "nowhere",
                  "--role", "case_handler", "--password", "cli-password-1")
    assert nowhere.exit_code == 2
    assert "nowhere" in nowhere.stderr
    assert counts(app) == before


def test_seeding_the_demo_data_again_creates_nothing(app):
    # The session's database was seeded when it was made: another run changes nothing.
    before = counts(app)
    result = wfs(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "0 unit(s), 0 user(s) created; 0 process definition(s) deployed" in result.output
    assert counts(app) == before


def test_seeding_an_empty_database_twice_creates_everything_once(tmp_path):
    from flask_migrate import upgrade

    from workflow_service.demo import UNITS, USERS
    from workflow_service.extensions import db

    fresh = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        with fresh.app_context():
            upgrade()
        first = wfs(fresh, "seed-demo")
        assert first.exit_code == 0, first.output
        assert f"{len(UNITS)} unit(s), {len(USERS)} user(s) created" in first.output
        after_first = counts(fresh)
        assert after_first[:2] == (len(UNITS), len(USERS)) and after_first[2] >= 1
        second = wfs(fresh, "seed-demo")
        assert second.exit_code == 0, second.output
        assert "0 unit(s), 0 user(s) created; 0 process definition(s) deployed" in second.output
        assert counts(fresh) == after_first
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_demo_data_is_refused_in_production(app, database_url):
    from workflow_service.extensions import db

    before = counts(app)
    production = make_app(database_url, ENV="production", SECRET_KEY="x", SETTABLE_CLOCK=False,
                          PASSWORD_HASH_METHOD="scrypt")
    try:
        result = wfs(production, "seed-demo")
        assert result.exit_code == 2
        assert "production" in result.stderr
        assert counts(app) == before
    finally:
        with production.app_context():
            db.engine.dispose()
