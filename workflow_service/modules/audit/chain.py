"""The audit hash chain (全过程记录防篡改): appending a link and verifying a chain.

One chain per process instance (a case), plus the system chain for events of no instance. Each event's
hash is SHA-256 over a canonical JSON serialization of its content and the hash of the event before it, so
editing an event breaks its own hash and removing one breaks the numbering and the link of the next; the
chain head (audit_chain_heads) shows events cut off the end.

Concurrency: appending takes the row lock of the chain's head (SELECT ... FOR UPDATE on PostgreSQL; SQLite
serializes every writing transaction) and holds it to the end of the transaction, so two transactions
appending to one chain take turns; the unique (instance_id, seq) constraint makes a fork impossible even
for a writer that bypasses this module. Callers that also lock the instance (lock_instance) lock it first.

Cost: a transaction reads (and locks) a chain's head once, at its first event on that chain; the next events
of the chain continue from the session's copy, and the head row is written once, just before the commit.
Any rollback drops the copies (the next transaction reads the head again). The service uses no savepoints:
one begun while a transaction has unwritten heads is refused (`_no_savepoint_with_pending_heads`), since
rolling it back could not restore the copies.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ...core.clock import as_utc
from ...extensions import db
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"


def chain_key(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else SYSTEM_CHAIN


def _normalize(value):
    """JSON values as every backend returns them: integral floats become ints (JSONB prints 1e20 as an
    integer), keys become strings, tuples lists."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize(v) for v in value]
    return value


def canonical_details(details: dict | None) -> dict:
    """The details as they will be stored and read back (datetimes and other objects become strings)."""
    return _normalize(json.loads(json.dumps(details or {}, default=str)))


def canonical_content(event: AuditEvent) -> bytes:
    body = {
        "chain": chain_key(event.instance_id), "seq": event.seq,
        "occurred_at": as_utc(event.occurred_at).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id, "actor_name": event.actor_name, "action": event.action,
        "task_id": event.task_id, "details": _normalize(event.details or {}), "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_content(event)).hexdigest()


_heads = AuditChainHead.__table__


def _insert_head_if_missing(key: str, now) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(_heads).values(chain=key, seq=0, hash=GENESIS, updated_at=now)
                       .on_conflict_do_nothing(index_elements=["chain"]))


_HEADS_KEY = "audit_chain_heads"  # session.info: chain -> [seq, hash, updated_at, written?] in this transaction


def link(event: AuditEvent) -> AuditEvent:
    """Give a new event its place in its chain: seq, prev_hash, hash. Locks the chain head until the
    transaction ends. Core statements only: pending ORM changes of the caller are neither flushed nor
    overwritten here."""
    key = chain_key(event.instance_id)
    session = db.session()
    heads = session.info.setdefault(_HEADS_KEY, {})
    head = heads.get(key)
    if head is None:
        locked = sa.select(_heads.c.seq, _heads.c.hash).where(_heads.c.chain == key).with_for_update()
        with session.no_autoflush:
            row = session.execute(locked).first()
            if row is None:  # the first event of a chain (a concurrent first insert waits, then does nothing)
                _insert_head_if_missing(key, event.occurred_at)
                row = session.execute(locked).first()
        head = heads[key] = [row.seq, row.hash, None, True]
    event.seq = head[0] + 1
    event.prev_hash = head[1]
    event.hash = event_hash(event)
    head[:] = [event.seq, event.hash, event.occurred_at, False]
    return event


def _write_heads(session: Session) -> None:
    """Move every head this transaction appended to (once per chain, however many events it linked)."""
    for key, head in session.info.get(_HEADS_KEY, {}).items():
        if not head[3]:
            session.execute(sa.update(_heads).where(_heads.c.chain == key)
                            .values(seq=head[0], hash=head[1], updated_at=head[2]))
            head[3] = True


@sa_event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(_HEADS_KEY):
        _write_heads(session)


@sa_event.listens_for(Session, "after_transaction_create")
def _no_savepoint_with_pending_heads(session: Session, transaction) -> None:
    if transaction.nested and session.info.get(_HEADS_KEY):
        raise RuntimeError("audit chain: no savepoint while chain heads are pending (see audit/chain.py)")


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_heads(session: Session, transaction) -> None:
    """Commit, rollback or close: the next transaction reads the heads again."""
    if transaction.parent is None:
        session.info.pop(_HEADS_KEY, None)


@dataclass
class BrokenLink:
    seq: int                      # the place in the chain where it breaks
    event_id: int | None          # the event found there (None: cut off the end)
    previous_event_id: int | None  # the last event that still verifies
    code: str                     # altered | missing | relinked | duplicate | truncated | head_mismatch
    message: str


@dataclass
class ChainReport:
    chain: str
    instance_id: int | None
    events: int
    ok: bool
    first_broken: BrokenLink | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def verify_chain(instance_id: int | None = None) -> ChainReport:
    """Walk one chain in order and report the first broken link (or none)."""
    key = chain_key(instance_id)
    where = AuditEvent.instance_id == instance_id if instance_id is not None else AuditEvent.instance_id.is_(None)
    query = sa.select(AuditEvent).where(where).order_by(AuditEvent.seq, AuditEvent.id)
    expected_seq, prev_hash, previous_id, count = 1, GENESIS, None, 0

    def broken(seq, event_id, code, message):
        return ChainReport(key, instance_id, count, False, BrokenLink(seq, event_id, previous_id, code, message))

    for event in db.session.scalars(query.execution_options(yield_per=500)):
        count += 1
        if event.seq is None or event.seq < expected_seq:
            return broken(expected_seq, event.id, "duplicate",
                          f"第{expected_seq}号位置出现重复或无序号的事件 (event {event.id} duplicates a place in the chain)")
        if event.seq > expected_seq:
            return broken(expected_seq, event.id, "missing",
                          f"第{expected_seq}至{event.seq - 1}号事件缺失（被删除）(events {expected_seq}..{event.seq - 1} "
                          f"are missing before event {event.id})")
        if event_hash(event) != event.hash:
            return broken(event.seq, event.id, "altered",
                          f"第{event.seq}号事件（{event.action}）内容被改动 (event {event.id} was altered)")
        if event.prev_hash != prev_hash:
            return broken(event.seq, event.id, "relinked",
                          f"第{event.seq}号事件与前一事件的哈希不符 (event {event.id} does not link to the event before it)")
        expected_seq, prev_hash, previous_id = expected_seq + 1, event.hash, event.id
    head = db.session.execute(sa.select(_heads.c.seq, _heads.c.hash).where(_heads.c.chain == key)).first()
    if head is not None and head.seq >= expected_seq:
        return broken(expected_seq, None, "truncated",
                      f"链尾第{expected_seq}至{head.seq}号事件缺失（被删除）(events {expected_seq}..{head.seq} were cut off the end)")
    if (head is not None and head.hash != prev_hash) or (head is None and count):
        return broken(expected_seq - 1, previous_id, "head_mismatch",
                      "链头与最后一个事件不符 (the chain head does not match the last event)")
    return ChainReport(key, instance_id, count, True)


def verify_all() -> list[ChainReport]:
    """Every chain: the system chain and one per instance that has events or a head."""
    instance_ids = set(db.session.scalars(sa.select(AuditEvent.instance_id).where(AuditEvent.instance_id.isnot(None))
                                          .distinct()))
    for key in db.session.scalars(sa.select(_heads.c.chain).where(_heads.c.chain.like("instance:%"))):
        instance_ids.add(int(key.split(":", 1)[1]))
    reports = [verify_chain(None)]
    for instance_id in sorted(instance_ids):
        reports.append(verify_chain(instance_id))
        db.session.expunge_all()  # keep memory flat over millions of events
    return reports
