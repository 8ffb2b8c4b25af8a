"""Knowing that a process instance has no rows of some kind, without asking again in the same transaction.

The statement that locks an instance for an engine step also reads whether it has any rows of a few kinds
(ProcessInstance.has_adjustments, has_open_alerts) and remembers the answers here for the transaction. A step
of an instance that has none skips the query or update those rows would need (most steps of most cases: two
round trips). A row of such a kind added to the session later in the transaction turns the answer into
"some"; a commit, rollback or close forgets every answer.

Only rows added through the ORM session are seen: a tracked kind must not be inserted with bare SQL into an
instance locked for a step.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "rows_present_per_instance"
_TRACKED: set[type] = set()


def track(model: type) -> type:
    """Follow additions of `model` rows (the model has an `instance_id` column)."""
    _TRACKED.add(model)
    return model


def remember(session: Session, model: type, instance_id: int, present) -> None:
    """What the locking statement read (None: it did not read it)."""
    if present is not None:
        session.info.setdefault(_KEY, {})[(model, instance_id)] = bool(present)


def none_known(session: Session, model: type, instance_id: int) -> bool:
    """True only when it is known that the instance has no `model` rows; False means some, or unknown."""
    return session.info.get(_KEY, {}).get((model, instance_id)) is False


@event.listens_for(Session, "transient_to_pending")
def _note_added(session: Session, obj) -> None:
    if type(obj) in _TRACKED and _KEY in session.info:
        instance_id = getattr(obj, "instance_id", None)
        if instance_id is None:  # not known yet (set through a relationship later): forget everything
            session.info.pop(_KEY)
        else:
            session.info[_KEY][(type(obj), instance_id)] = True


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)
