"""Who sees what: the README's table ("Who sees what") checked cell by cell against the service.

Handlers, supervisors, principal heads and administrators of the province, the city, a county and its sibling
county look at a case, its open task, its process instance, an alert on it, a criminal transfer and the unit's
committee, in the county and in the city. Each (caller's unit, record's unit) pair is one of the README's rows:
own unit, a unit below, a sibling unit, a unit above.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from .conftest import ROOT, T0

PROVINCE, CITY, COUNTY, SIBLING = "530000", "532300", "532301", "532302"
UNITS = (PROVINCE, CITY, COUNTY, SIBLING)
PARENT = {CITY: PROVINCE, COUNTY: CITY, SIBLING: CITY, PROVINCE: None}
ROLES = ("case_handler", "supervisor", "principal_head", "admin")
RECORD_UNITS = (COUNTY, CITY)  # with callers at all four units, these two give every relation


def readme_table() -> dict[tuple[str, str], bool]:
    """{(relation, role): sees} from the table under "## Who sees what" in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Who sees what", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    header, body = rows[0], rows[1:]
    role_of = {"case handler": "case_handler", "supervisor": "supervisor", "principal head": "principal_head",
               "administrator": "admin"}
    columns = {i: next(r for k, r in role_of.items() if cell.startswith(k)) for i, cell in enumerate(header) if i}
    relation_of = {"own unit": "own", "a unit below": "below", "a sibling unit": "sibling", "a unit above": "above"}
    table = {}
    for row in body:
        relation = next(r for k, r in relation_of.items() if row[0].startswith(k))
        for i, role in columns.items():
            assert row[i] in ("yes", "no"), row
            table[(relation, role)] = row[i] == "yes"
    assert len(table) == 16, table
    return table


def relation(caller: str, record: str) -> str:
    if caller == record:
        return "own"
    ancestors, unit = [], PARENT[record]
    while unit:
        ancestors.append(unit)
        unit = PARENT[unit]
    if caller in ancestors:
        return "below"
    unit = PARENT[caller]
    while unit:
        if unit == record:
            return "above"
        unit = PARENT[unit]
    return "sibling"


class World:
    """One user per role and unit (tokens issued directly), and a case, its alert and a transfer per record unit."""

    def __init__(self, app):
        from workflow_service.extensions import db
        from workflow_service.modules.alerts.models import Alert
        from workflow_service.modules.users.models import Unit, User, UserRole
        from workflow_service.modules.users.operations import create_unit, issue_token

        self.app, self.client = app, app.test_client()
        with app.app_context():
            if db.session.scalar(sa.select(Unit).filter_by(code=SIBLING)) is None:
                create_unit(None, code=SIBLING, name="南华县应急管理局", level="county", parent_code=CITY)
            self.tokens, self.usernames = {}, {}
            for unit_code in UNITS:
                unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
                for role in ROLES:
                    username = f"vis_{role}_{unit_code}"
                    user = db.session.scalar(sa.select(User).filter_by(username=username))
                    if user is None:  # no password: these users never log in, they get a token
                        user = User(username=username, display_name=username, password_hash="!", unit=unit,
                                    active=True, legal_qualification=False, created_at=T0)
                        user.role_rows = [UserRole(role=role)]
                        db.session.add(user)
                        db.session.flush()
                    self.tokens[(role, unit_code)] = issue_token(user)[0]
                    self.usernames[(role, unit_code)] = username
            db.session.commit()
        self.cases, self.transfers, self.alerts = {}, {}, {}
        for unit_code in RECORD_UNITS:
            handler = ("case_handler", unit_code)
            case = self.ok(handler, "POST", "/api/v1/cases", {
                "source": "inspection", "party_name": f"{unit_code}可见性企业", "party_type": "organisation",
                "summary": "检查"}, status=201)
            tasks = self.ok(handler, "GET", f"/api/v1/process-instances/{case['instance_id']}/tasks")
            (case["task"],) = [t for t in tasks if t["bpmn_id"] == "draft_filing"]
            self.cases[unit_code] = case
            self.transfers[unit_code] = self.ok(handler, "POST", "/api/v1/transfers", {
                "party_name": f"{unit_code}移送企业", "party_type": "organisation", "summary": "涉嫌犯罪"},
                status=201)["id"]
        with app.app_context():
            for unit_code, case in self.cases.items():
                alert = Alert(instance_id=case["instance_id"], task_id=case["task"]["id"], level="escalation1",
                              title="立案登记逾期", source_bpmn_id="draft_filing", target_role="supervisor",
                              target_unit_id=case["unit_id"], due_at=T0 - timedelta(days=1), raised_at=T0)
                db.session.add(alert)
                db.session.flush()
                self.alerts[unit_code] = alert.id
            db.session.commit()

    def call(self, who, method, path, body=None):
        return self.client.open(path, method=method, json=body,
                                headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def ok(self, who, method, path, body=None, status=200):
        response = self.call(who, method, path, body)
        assert response.status_code == status, response.get_json()
        return response.get_json()


def _detail(world, who, path) -> bool:
    status = world.call(who, "GET", path).status_code
    assert status in (200, 403, 404), (path, status)
    return status != 403


def _listed(world, who, path, wanted_id) -> bool:
    body = world.ok(who, "GET", path)
    return any(item["id"] == wanted_id for item in body["items"])


# What each kind of record looks like to a caller: {name: (world, who, record unit) -> seen?}
LOOKS = {
    "case": lambda w, who, u: _detail(w, who, f"/api/v1/cases/{w.cases[u]['id']}"),
    "case list": lambda w, who, u: _listed(w, who, "/api/v1/cases?limit=100", w.cases[u]["id"]),
    "case timeline": lambda w, who, u: _detail(w, who, f"/api/v1/cases/{w.cases[u]['id']}/timeline"),
    "task": lambda w, who, u: _detail(w, who, f"/api/v1/tasks/{w.cases[u]['task']['id']}"),
    "process instance": lambda w, who, u: _detail(w, who, f"/api/v1/process-instances/{w.cases[u]['instance_id']}"),
    "instance tasks": lambda w, who, u: _detail(w, who, f"/api/v1/process-instances/{w.cases[u]['instance_id']}/tasks"),
    "transfer": lambda w, who, u: _detail(w, who, f"/api/v1/transfers/{w.transfers[u]}"),
    "transfer list": lambda w, who, u: _listed(w, who, "/api/v1/transfers?limit=100", w.transfers[u]),
    # No committee is set up here: a caller who sees the unit gets 404, the others 403.
    "committee": lambda w, who, u: _detail(w, who, f"/api/v1/committees/{u}"),
}


@pytest.fixture
def world(app):
    return World(app)


def test_every_record_is_seen_exactly_as_the_readme_table_says(world):
    table = readme_table()
    wrong = []
    for kind, look in LOOKS.items():
        for role in ROLES:
            for caller in UNITS:
                for record in RECORD_UNITS:
                    rel = relation(caller, record)
                    seen = look(world, (role, caller), record)
                    if seen != table[(rel, role)]:
                        wrong.append(f"{kind} of {record} to {role}@{caller} ({rel}): "
                                     f"{'seen' if seen else 'refused'}, README says {table[(rel, role)]}")
    assert not wrong, "the service and README's 'Who sees what' disagree:\n" + "\n".join(wrong)


def test_the_supervision_queue_lists_the_alerts_of_the_units_supervisors_see(world):
    """督办 (alerts of the unit tree) is the supervisors' and principal heads' work; it lists what they see."""
    table = readme_table()
    for role in ROLES:
        for caller in UNITS:
            response = world.call((role, caller), "GET", "/api/v1/alerts?scope=units&limit=100")
            if role not in ("supervisor", "principal_head"):
                assert response.status_code == 403, (role, caller, response.get_json())
                continue
            listed = {item["id"] for item in response.get_json()["items"]}
            for record in RECORD_UNITS:
                expected = table[(relation(caller, record), role)]
                assert (world.alerts[record] in listed) == expected, (role, caller, record)


def test_the_readme_table_reads_as_the_rule_in_users_units():
    """The table itself: everyone their own unit; the overseers also the units below; nobody sideways or up."""
    table = readme_table()
    assert all(table[("own", role)] for role in ROLES)
    assert [role for role in ROLES if table[("below", role)]] == ["supervisor", "principal_head", "admin"]
    assert not any(table[(rel, role)] for rel in ("sibling", "above") for role in ROLES)


# -- reassigning a task: only to someone who works in the task's own unit ------------------------------------
def test_only_an_active_officer_of_the_tasks_own_unit_with_its_role_works_its_tasks(world, app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit, User
    from workflow_service.modules.users.units import works_in

    with app.app_context():
        county = db.session.scalar(sa.select(Unit).filter_by(code=COUNTY))
        user = {who: db.session.scalar(sa.select(User).filter_by(username=name))
                for who, name in world.usernames.items()}
        assert works_in(user[("case_handler", COUNTY)], county.id, "case_handler")
        assert not works_in(user[("case_handler", SIBLING)], county.id, "case_handler")
        assert not works_in(user[("case_handler", CITY)], county.id, "case_handler")
        assert not works_in(user[("supervisor", COUNTY)], county.id, "case_handler")


# A real department hands a county's task only to someone of that county: the assignee must hold the task's role in
# the task's own unit (steps/tasks.reassign_task calls users.units.works_in).
def test_a_city_supervisor_cannot_hand_a_county_task_to_a_handler_of_the_sibling_county(world):
    task = world.cases[COUNTY]["task"]
    city_supervisor = ("supervisor", CITY)
    sibling_handler = ("case_handler", SIBLING)
    response = world.call(city_supervisor, "POST", f"/api/v1/tasks/{task['id']}/reassign",
                          {"assignee": world.usernames[sibling_handler]})
    assert response.status_code == 422, response.get_json()
    assert "assignee" in response.get_json()["details"]
    # Nothing changed: the sibling county's handler neither holds the task nor reads the case.
    assert world.ok(city_supervisor, "GET", f"/api/v1/tasks/{task['id']}")["assignee"] is None
    assert world.call(sibling_handler, "GET", f"/api/v1/tasks/{task['id']}").status_code == 403
    assert world.call(sibling_handler, "GET", f"/api/v1/cases/{world.cases[COUNTY]['id']}").status_code == 403


def test_a_city_supervisor_cannot_hand_a_county_task_to_a_handler_of_the_city(world):
    task = world.cases[COUNTY]["task"]
    response = world.call(("supervisor", CITY), "POST", f"/api/v1/tasks/{task['id']}/reassign",
                          {"assignee": world.usernames[("case_handler", CITY)]})
    assert response.status_code == 422, response.get_json()


def test_a_city_supervisor_hands_a_county_task_to_a_handler_of_that_county_who_then_reads_it(world):
    task = world.cases[COUNTY]["task"]
    county_handler = ("case_handler", COUNTY)
    response = world.call(("supervisor", CITY), "POST", f"/api/v1/tasks/{task['id']}/reassign",
                          {"assignee": world.usernames[county_handler]})
    assert response.status_code == 200, response.get_json()
    mine = world.ok(county_handler, "GET", "/api/v1/tasks?scope=mine")
    assert [t["id"] for t in mine["items"]] == [task["id"]]
    assert _detail(world, county_handler, f"/api/v1/cases/{world.cases[COUNTY]['id']}")
