"""The engine's message delivery and a multi-instance vote whose completion rule reads service-computed data."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from workflow_service.engine.parsing import parse_package
from workflow_service.engine.runtime import Definition, Engine, MessageNotExpected

NOW = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def definition():
    path = Path(__file__).with_name("ballot_mi.bpmn")
    (bundle,) = parse_package({path.name: path.read_bytes()})
    return Definition(bundle.content_hash, bundle.specs)


def _start(engine, definition):
    return engine.start(definition, {"ballot_voters": ["m1", "m2", "m3"], "ballot_closed": False}, NOW)


def test_each_member_gets_a_vote_task_and_the_completion_rule_closes_the_rest(definition):
    engine = Engine()
    snap = _start(engine, definition)
    assert sorted(t.candidates for t in snap.ready_user_tasks) == [("m1",), ("m2",), ("m3",)]
    assert snap.waiting_messages == ("ballot_closed",)
    first, second = snap.ready_user_tasks[:2]
    snap = engine.complete_user_task(definition, snap.state, first.task_id, {"ballot_closed": False}, NOW)
    assert len(snap.ready_user_tasks) == 2 and not snap.completed
    snap = engine.complete_user_task(definition, snap.state, second.task_id,
                                     {"ballot_closed": True, "ballot_result": "passed"}, NOW)
    # The third member's task is withdrawn: the ballot closed once the service's tally said so.
    assert snap.completed and snap.ready_user_tasks == []
    assert snap.data["seen"] == "passed"


def test_a_message_interrupts_the_vote_and_carries_its_payload(definition):
    engine = Engine()
    snap = _start(engine, definition)
    snap = engine.deliver_message(definition, snap.state, "ballot_closed", {"ballot_result": "failed_quorum"}, NOW)
    assert snap.completed and snap.ready_user_tasks == [] and snap.waiting_messages == ()
    assert snap.data["ballot_close"] == {"ballot_result": "failed_quorum"}
    with pytest.raises(MessageNotExpected):
        engine.deliver_message(definition, snap.state, "ballot_closed", {}, NOW)


def test_an_unknown_message_is_refused_and_changes_nothing(definition):
    engine = Engine()
    snap = _start(engine, definition)
    with pytest.raises(MessageNotExpected):
        engine.deliver_message(definition, snap.state, "no_such_message", {}, NOW)
