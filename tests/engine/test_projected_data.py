"""The process data a snapshot projects (instance.data: what the case page, the statistics and the case-file
review read) must be the freshest value of every variable, also when a script after a person's task changes
a variable that the completed task's data still holds in its old form."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflow_service.engine.parsing import parse_package
from workflow_service.engine.runtime import Definition, Engine

NOW = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def definitions():
    path = Path(__file__).with_name("projected_data.bpmn")
    return {b.process_id: Definition(b.content_hash, b.specs) for b in parse_package({path.name: path.read_bytes()})}


def _complete(engine, definition, snap, bpmn_id, data):
    [task] = [t for t in snap.ready_user_tasks if t.bpmn_id == bpmn_id]
    return engine.complete_user_task(definition, snap.state, task.task_id, data, NOW)


def test_a_script_after_the_completed_task_wins_over_the_tasks_older_copy(definitions):
    engine, definition = Engine(), definitions["script_after_task"]
    snap = engine.start(definition, {}, NOW)
    assert snap.data["stage"] == "draft"
    snap = _complete(engine, definition, snap, "first", {"approved": True})
    assert [t.bpmn_id for t in snap.ready_user_tasks] == ["second"]
    # the completed task's data still says "draft"; the script after it made it "reviewed"
    assert snap.data["stage"] == "reviewed" and snap.data["approved"] is True


def test_the_facts_of_a_branch_that_ended_are_kept_beside_the_open_branch(definitions):
    engine, definition = Engine(), definitions["parallel_branches"]
    snap = engine.start(definition, {"paid": False}, NOW)
    snap = _complete(engine, definition, snap, "pay", {"paid": True, "amount_paid": 5000})
    assert [t.bpmn_id for t in snap.ready_user_tasks] == ["disclose"]
    # the payment branch has ended: its facts live only in the completed task, the open branch holds paid=False
    assert snap.data["paid"] is True and snap.data["amount_paid"] == 5000


def test_a_later_step_elsewhere_does_not_bring_back_an_old_copy(definitions):
    engine, definition = Engine(), definitions["join_and_timer"]
    snap = engine.start(definition, {"paid": False}, NOW)
    snap = _complete(engine, definition, snap, "j_pay", {"paid": True})
    assert snap.data["paid"] is True
    # the disclosure's warning fires a day later: the engine's own bookkeeping around that task changes state
    # and still holds paid=False, but the payment recorded at the join is what the process knows
    snap = engine.fire_due_timers(definition, snap.state, NOW + timedelta(days=2))
    assert "j_warn" not in {t.bpmn_id for t in snap.waiting_timers}
    assert snap.data["paid"] is True


def test_a_timer_takes_the_rule_its_expression_names_when_two_rules_fall_due_together(definitions):
    """Two rules may come to the same instant in one step (equal periods from one start). Each timer must carry
    its own rule, read from its expression in the model, never guessed from its due time: a calendar import
    recomputes a provisional timer from the rule it carries."""
    from workflow_service.modules.deadlines.script import ComputedTime
    from workflow_service.modules.steps.projection import origin

    snap = Engine().start(definitions["join_and_timer"], {"paid": False}, NOW)
    [timer] = [t for t in snap.waiting_timers if t.bpmn_id == "j_warn"]
    assert timer.expression == '"P1D"'  # the engine reports the expression as written in the BPMN

    due = NOW + timedelta(days=10)
    legal_review = ComputedTime("legal_review", "deadline", NOW, due, False)
    hearing = ComputedTime("hearing_notice", "deadline", NOW, due, True)
    both = [legal_review, hearing]

    def waiting(expression):
        return type(timer)(task_id="t", bpmn_id="x", name="x", due_at=due, properties={}, attached_to_task_id=None,
                           expression=expression)

    hearing_warning = ComputedTime("hearing_notice", "warning", NOW, due, True)
    assert origin(waiting('deadline("legal_review", filed_at)'), both, {}) is legal_review
    assert origin(waiting("deadline('hearing_notice', sent_at)"), both, {}) is hearing
    assert origin(waiting("warning_time('hearing_notice', sent_at)"), [*both, hearing_warning], {}) is hearing_warning
    # A rule named by a variable is the one the process data holds.
    assert origin(waiting("deadline(police_due_rule, police_due_from)"), both,
                  {"police_due_rule": "hearing_notice"}) is hearing
    # Same instant, other rule: not this timer's (it was matched by its due time before).
    assert origin(waiting('deadline("legal_review", filed_at)'), [hearing], {}) is None
    # A date a person entered: no rule computed it, whatever else fell due then.
    assert origin(waiting("rectify_by"), [legal_review], {}) is None
    assert origin(waiting(None), [legal_review], {}) is None
