"""What one transaction reads several times is read once (core/db.transaction_memo), and never outlives what it
read: a change made in the same transaction through the operations is seen at once, and a change made elsewhere is
seen by the next transaction."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from .sql_log import Statements

FILED = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)  # a Monday, 10:00 in Shanghai


def _user(username):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User

    return db.session.scalar(sa.select(User).filter_by(username=username))


def test_deadline_versions_are_read_once_a_transaction_and_again_in_the_next(app):
    from workflow_service.extensions import db
    from workflow_service.modules.deadlines.operations import compute_deadline

    with app.app_context():
        compute_deadline("legal_review", FILED)
        db.session.commit()
        with Statements(db.engine) as statements:
            first = compute_deadline("legal_review", FILED)
            again = compute_deadline("service_of_decision", FILED)
        assert len(statements.touching("FROM calendar_years")) == 1
        assert again.due.due_at > FILED and first.due.due_at > FILED
        db.session.commit()
        with Statements(db.engine) as statements:
            compute_deadline("legal_review", FILED)
        assert len(statements.touching("FROM calendar_years")) == 1  # a new transaction asks again
        db.session.rollback()


def test_a_rule_changed_in_this_transaction_or_by_another_connection_is_used_at_once(app):
    from workflow_service.extensions import db
    from workflow_service.modules.deadlines.models import DeadlineRule
    from workflow_service.modules.deadlines.operations import compute_deadline, update_rule

    with app.app_context():
        before = compute_deadline("legal_review", FILED, "530000")
        # In the same transaction, through the operation (which drops what the transaction had read).
        update_rule(_user("admin"), "legal_review", {"amount": before.rule.amount + 5}, jurisdiction="530000")
        changed = compute_deadline("legal_review", FILED, "530000")
        assert changed.rule.amount == before.rule.amount + 5 and changed.due.due_at > before.due.due_at
        db.session.commit()
        # From another connection (another process, an operator's SQL): the next transaction sees it.
        with db.engine.begin() as other:
            other.execute(sa.update(DeadlineRule).where(DeadlineRule.rule_id == "legal_review",
                                                        DeadlineRule.jurisdiction == "530000")
                          .values(amount=before.rule.amount + 10))
        assert compute_deadline("legal_review", FILED, "530000").rule.amount == before.rule.amount + 10
        db.session.rollback()


def test_document_settings_changed_in_a_transaction_number_the_next_document_of_it(app):
    from workflow_service.extensions import db
    from workflow_service.modules.documents.numbering import configure_unit, take_number
    from workflow_service.modules.documents.registry import DOCUMENT_TYPES
    from workflow_service.modules.users.models import Unit

    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code="532301"))
        first, sequence = take_number(unit, DOCUMENT_TYPES["filing_approval"], 2026)
        configure_unit(_user("admin"), "532301", dept_code="楚市应急")
        second, following = take_number(unit, DOCUMENT_TYPES["filing_approval"], 2026)
        assert not first.startswith("楚市应急") and second.startswith("楚市应急")
        assert following == sequence + 1
        db.session.rollback()


def test_the_case_of_an_instance_is_read_once_a_transaction(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.cases.queries import case_for_instance

    case = login("handler1").post("/api/v1/cases", json={
        "source": "inspection", "party_name": "某化工有限公司", "party_type": "organisation",
        "summary": "日常检查发现"}).get_json()
    with app.app_context():
        with Statements(db.engine) as statements:
            found = case_for_instance(case["instance_id"])
            assert case_for_instance(case["instance_id"]) is found and found.id == case["id"]
        assert len(statements.touching("FROM cases")) == 1
        assert case_for_instance(10 ** 9) is None
        db.session.rollback()
