"""The audit hash chain (全过程记录): every event of a case links to the one before it, so an edited,
removed or cut-off event is found and named; two writers of one case never fork its chain."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from .case_driver import FILING, CaseDriver
from .sql_log import Statements


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _filed_case(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    return d


def _sql(app, statement, **params):
    from workflow_service.extensions import db

    with app.app_context():
        result = db.session.execute(sa.text(statement), params)
        rows = result.all() if result.returns_rows else None
        db.session.commit()
        return rows


def _event_ids(app, instance_id) -> dict[int, int]:
    return dict(_sql(app, "SELECT seq, id FROM audit_events WHERE instance_id = :i", i=instance_id))


def _verify(d, instance_id, user="supervisor1"):
    response = d.client(user).get(f"/api/v1/audit/verify?instance_id={instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["wfs", "verify-audit", *args])


def test_a_case_chain_verifies_on_the_api_and_the_command_line(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    report = _verify(d, instance_id)
    assert report["ok"] is True and report["first_broken"] is None
    assert report["events"] == len(_event_ids(app, instance_id)) >= 6
    by_case = d.client("city_supervisor").get(f"/api/v1/audit/verify?case_id={d.case['id']}").get_json()
    assert by_case["ok"] is True and by_case["chain"] == f"instance:{instance_id}"
    result = _cli(app, "--instance", str(instance_id))
    assert result.exit_code == 0, result.output
    assert "1 of 1 chain(s) verify" in result.output
    result = _cli(app)  # every chain, the system chain (logins, clock moves) included
    assert result.exit_code == 0, result.output


def test_an_edited_event_is_found_and_named(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    ids = _event_ids(app, instance_id)
    _sql(app, "UPDATE audit_events SET actor_name = 'someone_else' WHERE id = :id", id=ids[3])
    report = _verify(d, instance_id)
    assert report["ok"] is False
    assert report["first_broken"]["seq"] == 3 and report["first_broken"]["event_id"] == ids[3]
    assert report["first_broken"]["code"] == "altered" and report["first_broken"]["previous_event_id"] == ids[2]
    result = _cli(app, "--instance", str(instance_id))
    assert result.exit_code == 1 and f"seq 3 event {ids[3]} (altered)" in result.output


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(app, driver):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.chain import event_hash
    from workflow_service.modules.audit.models import AuditEvent

    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    ids = _event_ids(app, instance_id)
    with app.app_context():  # a careful forger rewrites the details and the event's own hash
        event = db.session.get(AuditEvent, ids[2])
        event.details = {**event.details, "forged": True}
        event.hash = event_hash(event)
        db.session.commit()
    link = _verify(d, instance_id)["first_broken"]
    assert (link["seq"], link["event_id"], link["code"]) == (3, ids[3], "relinked")


def test_a_deleted_event_is_found_and_named(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    ids = _event_ids(app, instance_id)
    _sql(app, "DELETE FROM audit_events WHERE id = :id", id=ids[4])
    link = _verify(d, instance_id)["first_broken"]
    assert (link["seq"], link["event_id"], link["code"]) == (4, ids[5], "missing")
    assert link["previous_event_id"] == ids[3]
    result = _cli(app)
    assert result.exit_code == 1 and f"instance:{instance_id}: seq 4" in result.output


def test_events_cut_off_the_end_of_a_chain_are_found(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    ids = _event_ids(app, instance_id)
    last = max(ids)
    _sql(app, "DELETE FROM audit_events WHERE id = :id", id=ids[last])
    link = _verify(d, instance_id)["first_broken"]
    assert (link["seq"], link["event_id"], link["code"]) == (last, None, "truncated")
    assert link["previous_event_id"] == ids[last - 1]


def test_a_second_event_in_the_same_place_of_a_chain_is_refused_by_the_database(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    with pytest.raises(sa.exc.IntegrityError):
        _sql(app, "INSERT INTO audit_events (occurred_at, actor_name, action, instance_id, details, seq, prev_hash, hash) "
                  "VALUES (:t, 'x', 'fork', :i, '{}', 2, :h, :h)", t="2026-09-21 01:00:00", i=instance_id, h="0" * 64)


def test_two_writers_of_one_case_take_turns_and_the_chain_stays_whole(app, driver):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.operations import record_event

    d = driver.at("2026-09-21T09:00")
    d.file()
    instance_id = d.case["instance_id"]
    first_appended, errors = threading.Event(), []

    def writer(name, hold: threading.Event | None):
        try:
            with app.app_context():
                record_event(None, f"concurrent_{name}", instance_id=instance_id)
                db.session.flush()
                if hold is not None:
                    first_appended.set()
                    hold.wait(10)  # keep the transaction (and the chain head) open while the other one writes
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    release = threading.Event()
    a = threading.Thread(target=writer, args=("a", release))
    a.start()
    first_appended.wait(10)
    b = threading.Thread(target=writer, args=("b", None))
    b.start()
    b.join(0.5)  # b is blocked behind a's open transaction (or, if the database let it through, done)
    release.set()
    a.join(20)
    b.join(20)
    assert errors == []
    seqs = _sql(app, "SELECT seq, action FROM audit_events WHERE instance_id = :i ORDER BY seq", i=instance_id)
    assert [s for s, _ in seqs] == list(range(1, len(seqs) + 1))
    assert [a for _, a in seqs][-2:] == ["concurrent_a", "concurrent_b"]
    assert _verify(d, instance_id)["ok"] is True


def test_only_supervisors_of_the_unit_tree_and_administrators_verify(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    assert d.client("handler1").get(f"/api/v1/audit/verify?instance_id={instance_id}").status_code == 403
    assert d.client("province_supervisor").get(f"/api/v1/audit/verify?instance_id={instance_id}").status_code == 200
    assert d.client("supervisor1").get("/api/v1/audit/verify?system=true").status_code == 403
    system = d.client("admin").get("/api/v1/audit/verify?system=true").get_json()
    assert system["ok"] is True and system["chain"] == "system"
    body = d.client("admin").get("/api/v1/audit/verify").get_json()
    assert body["code"] == "validation_failed"
    assert d.client("admin").get("/api/v1/audit/verify?instance_id=999999").status_code == 404


def test_details_read_back_from_the_database_hash_as_written(app):
    """JSONB reorders keys and prints 1e20 as an integer; dates become strings: the chain still verifies."""
    from datetime import datetime, timezone

    from workflow_service.extensions import db
    from workflow_service.modules.audit.chain import verify_chain
    from workflow_service.modules.audit.operations import record_event

    with app.app_context():
        record_event(None, "odd_values", details={"z": 1, "a": [1.5, 1e20, 2.0, -0.0], "when": datetime(2026, 10, 12, tzinfo=timezone.utc),
                                                  "nested": {"b": None, "a": "中文"}})
        db.session.commit()
    with app.app_context():
        report = verify_chain(None)
        assert report.ok and report.events >= 1


def test_a_whole_chain_removed_is_still_found_by_its_head(app, driver):
    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    count = len(_event_ids(app, instance_id))
    _sql(app, "DELETE FROM audit_events WHERE instance_id = :i", i=instance_id)
    result = _cli(app)
    assert result.exit_code == 1
    assert f"BROKEN instance:{instance_id}: seq 1 event None (truncated)" in result.output
    assert f"1..{count}" in result.output


def test_a_transaction_moves_the_head_once_and_a_rollback_leaves_no_gap(app, driver):
    """A transaction reads a chain's head once and moves it at commit, however many events it links; a
    transaction rolled back (a refused request) leaves neither events nor a moved head behind, and the next
    event continues the chain where the last committed one ended."""
    from workflow_service.extensions import db
    from workflow_service.modules.audit.operations import record_event

    d = _filed_case(driver)
    instance_id = d.case["instance_id"]
    before = max(_event_ids(app, instance_id))

    with app.app_context():
        with Statements(db.engine) as log:
            for n in range(5):
                record_event(None, f"batch_{n}", instance_id=instance_id)
            db.session.commit()
    head_writes = [s for s in log.seen if s.lstrip().upper().startswith("UPDATE AUDIT_CHAIN_HEADS")]
    assert len(head_writes) == 1
    assert _sql(app, "SELECT seq FROM audit_chain_heads WHERE chain = :c", c=f"instance:{instance_id}") == [(before + 5,)]

    with app.app_context():
        record_event(None, "rolled_back", instance_id=instance_id)
        db.session.flush()
        db.session.rollback()
        record_event(None, "after_rollback", instance_id=instance_id)
        db.session.commit()
    rows = _sql(app, "SELECT seq, action FROM audit_events WHERE instance_id = :i ORDER BY seq", i=instance_id)
    assert rows[-1] == (before + 6, "after_rollback")
    assert "rolled_back" not in {a for _, a in rows}
    assert _verify(d, instance_id)["ok"] is True
