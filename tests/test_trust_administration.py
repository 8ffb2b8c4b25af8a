"""Administration is scoped to the administrator's unit tree (issue 15, item 2): nobody creates a unit or a user,
or grants a role, above or beside their own tree; the platform operator role (deploying definitions: scripts are
code) is granted with the CLI only. Users are deactivated from the API, the page and the CLI."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from .conftest import PASSWORD
from .test_auth_and_access import csrf_token_in
from .test_web_pages import browser

SIBLING = "532302"


@pytest.fixture
def admins(app, login):
    """A county administrator (楚雄市) and a city administrator (楚雄州), and the sibling county 南华县."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit, User
    from workflow_service.modules.users.operations import create_unit, create_user

    with app.app_context():
        if db.session.scalar(sa.select(Unit).filter_by(code=SIBLING)) is None:
            create_unit(None, code=SIBLING, name="南华县应急管理局", level="county", parent_code="532300")
        for username, unit in (("county_admin", "532301"), ("city_admin", "532300")):
            if db.session.scalar(sa.select(User).filter_by(username=username)) is None:
                create_user(None, username=username, password=PASSWORD, display_name=username, unit_code=unit,
                            roles=["admin"])
        db.session.commit()
    return {"county": login("county_admin"), "city": login("city_admin"), "province": login("admin")}


def _new_user(username, unit, roles=("case_handler",)):
    return {"username": username, "password": PASSWORD, "display_name": username, "unit_code": unit,
            "roles": list(roles)}


@pytest.mark.parametrize("unit", ["530000", "532300", SIBLING])
def test_a_county_administrator_creates_no_user_above_or_beside_the_county(admins, unit):
    for roles in (["admin"], ["case_handler"], ["legal_reviewer"]):
        response = admins["county"].post("/api/v1/admin/users", json=_new_user(f"x_{unit}_{roles[0]}", unit, roles))
        assert response.status_code == 403, response.get_json()


def test_an_administrator_creates_users_and_units_in_their_own_tree(app, admins, login):
    county, city = admins["county"], admins["city"]
    created = county.post("/api/v1/admin/users", json=_new_user("county_new_handler", "532301"))
    assert created.status_code == 201 and created.get_json()["unit"]["code"] == "532301"
    assert login("county_new_handler").get("/api/v1/me").status_code == 200
    # The city's administrator reaches the counties below the city.
    below = city.post("/api/v1/admin/users", json=_new_user("sibling_reviewer", SIBLING, ["legal_reviewer"]))
    assert below.status_code == 201
    unit = city.post("/api/v1/admin/units", json={"code": "5323A9", "name": "州应急管理支队", "level": "county",
                                                  "parent_code": "532300"})
    assert unit.status_code == 201, unit.get_json()
    # ... but not a unit above or beside it, and a top-level unit only with the CLI.
    for parent in ("530000", None):
        body = {"code": f"x{parent}", "name": "越权单位", "level": "city"}
        refused = city.post("/api/v1/admin/units", json={**body, "parent_code": parent} if parent else body)
        assert refused.status_code in (403, 422), refused.get_json()
    assert county.post("/api/v1/admin/units", json={"code": "532398", "name": "越权", "level": "county",
                                                    "parent_code": "532300"}).status_code == 403
    listed = {u["username"] for u in county.get("/api/v1/admin/users?limit=200").get_json()["items"]}
    assert "county_new_handler" in listed and "handler1" in listed
    assert "sibling_reviewer" not in listed and "city_supervisor" not in listed and "admin" not in listed
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit

    with app.app_context():  # the unit would show in other tests' statistics of the city
        db.session.execute(sa.delete(Unit).where(Unit.code == "5323A9"))
        db.session.commit()


def test_the_platform_operator_role_is_granted_with_the_cli_only(app, admins):
    for admin in admins.values():
        refused = admin.post("/api/v1/admin/users", json=_new_user("would_be_operator", "532301",
                                                                   ["platform_operator"]))
        assert refused.status_code == 403, refused.get_json()
    result = app.test_cli_runner().invoke(args=["wfs", "create-user", "--username", "cli_operator", "--name", "运维",
                                                "--unit", "530000", "--role", "platform_operator",
                                                "--password", PASSWORD])
    assert result.exit_code == 0, result.output


def test_only_administrators_administer(login):
    for username in ("supervisor1", "head1", "operator"):
        client = login(username)
        assert client.get("/api/v1/admin/users").status_code == 403
        assert client.post("/api/v1/admin/users", json=_new_user("nope", "532301")).status_code == 403
        assert client.post("/api/v1/admin/users/handler2/deactivate").status_code == 403


def test_the_page_lists_the_tree_only_and_refuses_a_user_beside_it(app, admins):
    page = browser(app, "county_admin")
    text = page.get("/admin/users").get_data(as_text=True)
    assert 'value="532301"' in text and 'value="530000"' not in text and f'value="{SIBLING}"' not in text
    assert 'value="platform_operator"' not in text
    token = csrf_token_in(text)
    refused = page.post("/admin/users", data={"csrf_token": token, "what": "user", **_new_user("page_x", "530000")})
    assert refused.status_code == 403 and "无权访问" in refused.get_data(as_text=True)


def test_deploying_is_audited_with_the_operator(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent

    from .test_definitions_and_clock import BPMN_NAME, deploy, fixture_files, with_bpmn

    files = with_bpmn(fixture_files()[BPMN_NAME].replace('name="起草"', 'name="起草（审计）"'))
    try:
        assert deploy(login("operator"), files).status_code == 201
        with app.app_context():
            event = db.session.scalar(sa.select(AuditEvent).filter_by(action="definition_deployed"))
            assert event.actor_name == "operator"
    finally:
        with app.app_context():
            from workflow_service.modules.processes.definitions import deploy_package
            deploy_package(None, {n: t.encode("utf-8") for n, t in fixture_files().items()})
            db.session.commit()


def test_the_users_list_shows_each_users_roles_with_one_read_of_them(app, login):
    """The list of an administrator's users shows each one's roles: read for the page in one statement, not one
    per user (a user's roles are otherwise read only when asked for)."""
    from workflow_service.extensions import db

    from .sql_log import Statements

    admin = login("admin")
    with app.app_context():
        engine = db.engine
    with Statements(engine) as log:
        page = admin.get("/api/v1/admin/users?limit=100")
    assert page.status_code == 200, page.get_json()
    items = page.get_json()["items"]
    assert len(items) > 5 and {"case_handler"} <= set(next(u["roles"] for u in items if u["username"] == "handler1"))
    assert len(log.touching("FROM user_roles")) == 1, log.touching("FROM user_roles")


def test_the_officers_a_form_names_are_checked_with_one_read_of_their_roles(app):
    """行政处罚法 Art 42's two officers (and a committee's members, a transfer's team): the named users' roles are
    read for all of them at once."""
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Role, Unit
    from workflow_service.modules.users.units import not_working_in

    from .sql_log import Statements

    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code="532301"))
        with Statements(db.engine) as log:
            refused = not_working_in(["handler1", "handler2", "supervisor1", "nobody"], unit.id, Role.case_handler)
        db.session.rollback()
    assert refused == ["supervisor1", "nobody"]
    assert len(log.touching("FROM user_roles")) == 1, log.touching("FROM user_roles")
