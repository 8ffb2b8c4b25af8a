"""Process definitions (listing, deploying new versions, refusing bad or hostile files), the settable
clock an administrator moves in tests and demos, and the published API description."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from .conftest import FIXTURE_DIR, T0, make_app

BPMN_NAME = "fixture_review.bpmn"


def fixture_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURE_DIR.glob("*")) if p.suffix in (".bpmn", ".dmn")}


def with_bpmn(text: str) -> dict[str, str]:
    return {**fixture_files(), BPMN_NAME: text}


def definition_rows(app, process_id="fixture_review"):
    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessDefinition

    with app.app_context():
        query = sa.select(ProcessDefinition).order_by(ProcessDefinition.id)
        if process_id is not None:
            query = query.filter_by(process_id=process_id)
        rows = db.session.scalars(query).all()
        return [(d.id, d.content_hash, d.is_latest) for d in rows]


def instance_definition_ids(app) -> dict[int, int]:
    from workflow_service.extensions import db
    from workflow_service.modules.processes.models import ProcessInstance

    with app.app_context():
        return dict(db.session.execute(sa.select(ProcessInstance.id, ProcessInstance.definition_id)).all())


def latest_hash(app) -> str:
    (latest,) = [h for _id, h, is_latest in definition_rows(app) if is_latest]
    return latest


@pytest.fixture
def restore_fixture_definitions(app):
    """A test that deploys a new version makes the fixture's own version the latest again afterwards,
    so the tests after it start the process they expect."""
    yield
    from workflow_service.extensions import db
    from workflow_service.modules.processes.definitions import deploy_package

    with app.app_context():
        deploy_package(None, {n: t.encode("utf-8") for n, t in fixture_files().items()})
        db.session.commit()


def deploy(client, files):
    return client.post("/api/v1/process-definitions", json={"files": files})


def review_result(response) -> dict:
    """The fixture_review entry of a deployment's results (the package may hold other processes)."""
    assert response.status_code == 201, response.get_json()
    (result,) = [r for r in response.get_json() if r["definition"]["process_id"] == "fixture_review"]
    return result


def start_review(client, title):
    response = client.post("/api/v1/process-instances", json={"process_id": "fixture_review", "title": title})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_task_of(client, instance_id):
    tasks = client.get(f"/api/v1/process-instances/{instance_id}/tasks").get_json()
    (task,) = [t for t in tasks if t["status"] == "ready"]
    return task


# --- listing and deploying ----------------------------------------------------------------------------

def test_any_logged_in_user_sees_the_deployed_processes(app, login):
    listed = login("reviewer1").get("/api/v1/process-definitions")
    assert listed.status_code == 200
    (review,) = [d for d in listed.get_json() if d["process_id"] == "fixture_review" and d["is_latest"]]
    assert review["name"] == "测试审批流程"
    assert {t["name"] for t in review["user_tasks"]} == {"起草", "审批"}
    assert app.test_client().get("/api/v1/process-definitions").status_code == 401


def test_listing_the_processes_and_filing_a_case_leave_the_package_files_unread(app, login):
    """Each version keeps every file of the package it came from (hundreds of KB): the list of processes and a
    process's start never read them; the case page's diagram does."""
    from workflow_service.extensions import db

    from .sql_log import Statements

    handler = login("handler1")
    with app.app_context(), Statements(db.engine) as log:
        assert handler.get("/api/v1/process-definitions").status_code == 200
        filed = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": "某公司",
                                                    "party_type": "organisation", "summary": "检查"})
        assert filed.status_code == 201, filed.get_json()
    assert log.touching("process_definitions") and not log.touching("source_files")


def test_only_a_platform_operator_deploys_not_even_an_administrator(app, login):
    """A diagram's scripts run as the service: deploying is a privilege of its own (issue 15, item 2)."""
    before = definition_rows(app, None)
    for username in ("supervisor1", "admin"):
        response = deploy(login(username), with_bpmn(fixture_files()[BPMN_NAME].replace('name="起草"', 'name="起草X"')))
        assert response.status_code == 403
        assert response.get_json()["code"] == "forbidden"
    assert definition_rows(app, None) == before


def test_deploying_unchanged_files_keeps_the_version(app, login):
    before = definition_rows(app, None)
    response = deploy(login("operator"), fixture_files())
    assert all(r["created"] is False for r in response.get_json())
    result = review_result(response)
    assert result["definition"]["content_hash"] == latest_hash(app)
    assert definition_rows(app, None) == before


def test_a_changed_diagram_becomes_a_new_version_and_running_cases_keep_theirs(
        app, login, restore_fixture_definitions):
    admin, handler = login("operator"), login("handler1")
    old_hash = latest_hash(app)
    old_case = start_review(handler, "旧版本案件")

    changed = fixture_files()[BPMN_NAME].replace('name="起草"', 'name="起草文书"')
    result = review_result(deploy(admin, with_bpmn(changed)))
    assert result["created"] is True
    new_hash = result["definition"]["content_hash"]
    assert new_hash != old_hash
    assert latest_hash(app) == new_hash
    listed = [d for d in admin.get("/api/v1/process-definitions").get_json() if d["process_id"] == "fixture_review"]
    assert [(d["content_hash"], d["is_latest"]) for d in listed][:1] == [(new_hash, True)]
    assert (old_hash, False) in [(d["content_hash"], d["is_latest"]) for d in listed]

    new_case = start_review(handler, "新版本案件")
    assert open_task_of(handler, new_case["id"])["name"] == "起草文书"

    # The case started before the deployment still runs on the diagram it started with.
    old_task = open_task_of(handler, old_case["id"])
    assert old_task["name"] == "起草"
    done = handler.post(f"/api/v1/tasks/{old_task['id']}/complete", json={"data": {"amount": 1, "description": "x"}})
    assert done.status_code == 200, done.get_json()
    assert handler.get(f"/api/v1/process-instances/{old_case['id']}").get_json()["status"] == "completed"

    by_hash = {h: definition_id for definition_id, h, _latest in definition_rows(app)}
    assert instance_definition_ids(app) == {old_case["id"]: by_hash[old_hash], new_case["id"]: by_hash[new_hash]}


def test_deploying_an_older_version_again_makes_it_the_latest(app, login, restore_fixture_definitions):
    admin = login("operator")
    original = fixture_files()
    old_hash = latest_hash(app)
    assert deploy(admin, with_bpmn(original[BPMN_NAME].replace('name="审批"', 'name="审批2"'))).status_code == 201
    assert latest_hash(app) != old_hash
    count = len(definition_rows(app))
    again = review_result(deploy(admin, original))
    assert again["definition"]["content_hash"] == old_hash
    assert latest_hash(app) == old_hash
    assert len(definition_rows(app)) == count  # the old row is reused, not copied


BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def _body() -> str:
    """The fixture BPMN without its XML declaration."""
    return fixture_files()[BPMN_NAME].split("?>", 1)[1]


def _bad_files() -> dict[str, tuple[dict[str, str], str]]:
    bpmn = fixture_files()[BPMN_NAME]
    return {
        "malformed XML": (with_bpmn(bpmn[: len(bpmn) // 2]), ""),
        "a lane that maps to no role": (with_bpmn(bpmn.replace('name="负责人"', 'name="门卫"')), "maps to no role"),
        "a form that does not exist": (with_bpmn(bpmn.replace('value="fixture_draft"', 'value="no_such_form"')),
                                       "no_such_form"),
        "entity expansion in an attribute": (with_bpmn(BILLION_LAUGHS + _body().replace('name="起草"', 'name="&lol9;"', 1)),
                                             "DOCTYPE"),
        "entity expansion in text": (with_bpmn(BILLION_LAUGHS + _body().replace(
            "<bpmn:escalation ", "<bpmn:documentation>&lol9;</bpmn:documentation><bpmn:escalation ", 1)), "DOCTYPE"),
        "a DOCTYPE even when unused": (with_bpmn(BILLION_LAUGHS + _body()), "DOCTYPE"),
        "an external entity": (with_bpmn('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                                         + _body().replace('name="起草"', 'name="&xxe;"', 1)), "DOCTYPE"),
        # Chinese text is 3 bytes a character in UTF-8: under the request's character limit, over the file limit.
        "an oversized file": (with_bpmn(bpmn.replace("</bpmn:definitions>",
                                                     "<!--" + "超" * (800 * 1024) + "--></bpmn:definitions>")),
                              "larger than"),
        "a DMN file that is not DMN": ({**fixture_files(), "fixture_classify.dmn": "<nothing/>"}, ""),
    }


@pytest.mark.parametrize("case", list(_bad_files()))
def test_a_bad_package_is_refused_with_its_problems_and_nothing_is_deployed(app, login, case):
    files, expected_text = _bad_files()[case]
    before = definition_rows(app, None)
    response = deploy(login("operator"), files)
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "validation_failed"
    assert "流程定义无效" in body["message"]
    problems = body["details"]["problems"]
    assert problems and all(p["error"] for p in problems)
    assert expected_text in " ".join(p["error"] for p in problems)
    assert definition_rows(app, None) == before


def test_an_oversized_ascii_file_is_refused_and_nothing_is_deployed(app, login):
    before = definition_rows(app, None)
    files = with_bpmn(fixture_files()[BPMN_NAME] + " " * (2 * 1024 * 1024 + 1))
    response = deploy(login("operator"), files)
    assert response.status_code == 422
    assert set(response.get_json()) == {"code", "message", "details"}
    assert definition_rows(app, None) == before


def test_a_file_name_that_is_not_bpmn_or_dmn_is_refused_per_field(app, login):
    before = definition_rows(app, None)
    response = deploy(login("operator"), {**fixture_files(), "../evil.py": "print(1)"})
    assert response.status_code == 422
    assert "files" in response.get_json()["details"]
    assert definition_rows(app, None) == before


# --- the clock ----------------------------------------------------------------------------------------

def clock_now(client) -> datetime:
    response = client.get("/api/v1/admin/clock")
    assert response.status_code == 200, response.get_json()
    return datetime.fromisoformat(response.get_json()["now"])


def test_everyone_may_read_the_clock(login):
    body = login("handler1").get("/api/v1/admin/clock").get_json()
    assert datetime.fromisoformat(body["now"]) == T0
    assert body["settable"] is True and body["frozen"] is True


def test_an_administrator_advances_the_clock_by_a_duration(login):
    admin, handler = login("admin"), login("handler1")
    response = admin.post("/api/v1/admin/clock", json={"advance": "P3D"})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["now"]) == T0 + timedelta(days=3)
    # Every other caller sees the moved clock too.
    assert clock_now(handler) == T0 + timedelta(days=3)
    admin.post("/api/v1/admin/clock", json={"advance": "PT4H30M"})
    assert clock_now(handler) == T0 + timedelta(days=3, hours=4, minutes=30)


def test_an_administrator_sets_the_clock_to_an_instant(login):
    admin = login("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-01T09:00:00+08:00"})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["now"]) == datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)
    assert clock_now(admin) == datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("body, field", [
    ({"advance": "3 days"}, "advance"),
    ({"advance": "P"}, "advance"),
    ({"advance": "PT"}, "advance"),
    ({"advance": "P1M"}, "advance"),  # months are ambiguous
    ({"advance": "-P1D"}, "advance"),
    ({}, "advance"),
    ({"advance": "P1D", "now": "2026-10-01T09:00:00+08:00"}, "advance"),
    ({"now": "2026-10-01T09:00:00"}, "now"),  # no time zone
    ({"now": "next monday"}, "now"),
])
def test_a_bad_clock_request_is_refused_per_field_and_the_clock_stays(login, body, field):
    admin = login("admin")
    response = admin.post("/api/v1/admin/clock", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "validation_failed"
    assert field in response.get_json()["details"]
    assert clock_now(admin) == T0


def test_only_an_administrator_moves_the_clock(login):
    supervisor = login("supervisor1")
    response = supervisor.post("/api/v1/admin/clock", json={"advance": "P3D"})
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert clock_now(supervisor) == T0


def test_moving_the_clock_is_audited_with_who_and_how_far(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent

    login("admin").post("/api/v1/admin/clock", json={"advance": "P3D"})
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).filter_by(action="clock_moved", actor_name="admin")).all()
        assert len(events) == 1
        assert datetime.fromisoformat(events[0].details["from"]) == T0
        assert datetime.fromisoformat(events[0].details["to"]) == T0 + timedelta(days=3)


def test_a_clock_that_is_not_settable_cannot_be_moved(app, database_url):
    fixed = make_app(database_url, SETTABLE_CLOCK=False)
    try:
        client = fixed.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "admin", "password": "test-password-1"})
        headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
        response = client.post("/api/v1/admin/clock", json={"advance": "P3D"}, headers=headers)
        assert response.status_code == 403
        assert response.get_json()["code"] == "clock_not_settable"
        state = client.get("/api/v1/admin/clock", headers=headers).get_json()
        assert state["settable"] is False and state["frozen"] is False
        # The real time, not the tests' frozen instant.
        assert abs(datetime.fromisoformat(state["now"]) - datetime.now(timezone.utc)) < timedelta(minutes=5)
    finally:
        from workflow_service.extensions import db

        with fixed.app_context():
            db.engine.dispose()


# --- the API description ------------------------------------------------------------------------------

def test_the_openapi_document_describes_the_api_and_its_error_shape(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    for path in ("/api/v1/tasks", "/api/v1/tasks/{task_id}/complete", "/api/v1/auth/token", "/api/v1/admin/clock",
                 "/api/v1/alerts", "/api/v1/process-definitions"):
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/v1/tasks/{task_id}/complete"]
    error = document["components"]["schemas"]["Error"]
    assert {"code", "message", "details"} <= set(error["properties"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_api_docs_page_is_served_without_a_cdn(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/swagger-ui/" in html
    assert "/api/v1/openapi.json" in html
    assert "cdn" not in html.lower()
    asset = client.get("/api/v1/swagger-ui/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.get_data()) > 10_000
    assert client.get("/api/v1/swagger-ui/../../app.py").status_code == 404
