"""Column types shared by every module."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import MANYTOONE, Mapper
from sqlalchemy.types import TypeDecorator

from .clock import as_utc


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out: TIMESTAMPTZ on PostgreSQL, naive UTC text on SQLite."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: the service stores aware UTC times only")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return as_utc(value) if value is not None else None


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# -- the rows as written are the rows as stored ---------------------------------------------------------------
# A request answers from the rows it just wrote, dumped before its commit (core/transaction.py), not read back.
# Two things would make such an answer differ from what is stored, and are settled when an attribute is set:
# an aware time in another zone (stored and read back in UTC), and a many-to-one loaded before its foreign key
# changed (`task.assignee` after `task.assignee_id = ...`: SQLAlchemy keeps the old row until it is expired).

def _utc_on_set(_target, value, _oldvalue, _initiator):
    return as_utc(value) if isinstance(value, datetime) and value.tzinfo is not None else value


def _expire_on_foreign_key_change(relationship_key: str):
    def expire(target, value, oldvalue, _initiator):
        state = sa.inspect(target)
        if state.persistent and relationship_key not in state.unloaded and value != oldvalue:
            state.session.expire(target, [relationship_key])  # found again by the new key when next read

    return expire


@sa.event.listens_for(Mapper, "mapper_configured")
def _keep_written_rows_as_stored(mapper, class_) -> None:
    for prop in mapper.column_attrs:
        if prop.parent is mapper and any(isinstance(c.type, UTCDateTime) for c in prop.columns):
            sa.event.listen(getattr(class_, prop.key), "set", _utc_on_set, retval=True)
    for rel in mapper.relationships:
        if rel.parent is not mapper or rel.direction is not MANYTOONE:
            continue
        for column in rel.local_columns:
            key = mapper.get_property_by_column(column).key
            sa.event.listen(getattr(class_, key), "set", _expire_on_foreign_key_change(rel.key))


# -- what one transaction reads once ----------------------------------------------------------------------------
_MEMO_KEY = "wfs_transaction_memo"


def transaction_memo(session) -> dict:
    """A dict that lives as long as the session's current transaction, for what a step reads several times and
    nothing changes under it (the deadline tables' versions, a unit's document settings, the case an instance
    belongs to). The next transaction starts with an empty one; whoever changes such a thing inside a transaction
    drops its entry."""
    transaction = session.get_transaction()
    held = session.info.get(_MEMO_KEY)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[_MEMO_KEY] = held
    return held[1]


def read_once(session, key, read, *, keep=lambda value: True):
    """`read()` the first time this transaction asks for `key`, the remembered value after that (in
    transaction_memo). `keep(value)` false: not remembered (a row that may still be written in this transaction)."""
    memo = transaction_memo(session)
    if key in memo:
        return memo[key]
    value = read()
    if keep(value):
        transaction_memo(session)[key] = value  # the memo of the transaction the read may have begun
    return value
