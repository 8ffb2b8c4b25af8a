"""Append-only audit events (全过程记录): one per state change, written in the same transaction.

Every event belongs to a hash chain: the events of one process instance (a case) form one chain, the events
that belong to no instance (users, units, deadline rules, the calendar, deployments, the clock) form the
system chain. `seq` numbers the events of a chain 1, 2, 3 ...; `hash` is SHA-256 over the event's canonical
content and `prev_hash`, the hash of the event before it (see chain.py). The unique constraints make a fork
of a chain impossible: two events can never share a place in one chain.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id = sa.Column(sa.Integer, primary_key=True)
    occurred_at = sa.Column(UTCDateTime, nullable=False)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)  # None: the system (a timer)
    actor_name = sa.Column(sa.String(100), nullable=False)
    action = sa.Column(sa.String(64), nullable=False)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=True)
    task_id = sa.Column(sa.Integer, sa.ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True)
    details = sa.Column(JSONType, nullable=False, default=dict)
    seq = sa.Column(sa.Integer, nullable=False)            # place in its chain, from 1
    prev_hash = sa.Column(sa.String(64), nullable=False)   # hash of the event before it (64 zeros for the first)
    hash = sa.Column(sa.String(64), nullable=False)        # SHA-256 hex of the canonical content + prev_hash

    __table_args__ = (
        sa.Index("ix_audit_events_instance", "instance_id", "id"),
        sa.Index("ix_audit_events_action", "action", "occurred_at"),
        sa.UniqueConstraint("instance_id", "seq", name="uq_audit_events_instance_seq"),
        # NULL instance ids are distinct to a unique constraint: the system chain needs its own index.
        sa.Index("uq_audit_events_system_seq", "seq", unique=True,
                 sqlite_where=sa.text("instance_id IS NULL"), postgresql_where=sa.text("instance_id IS NULL")),
    )


class AuditChainHead(db.Model):
    """The last link of each chain. Appending locks this row (serializing writers of one chain) and the
    head shows when events were cut off the end of a chain, which the links alone cannot."""

    __tablename__ = "audit_chain_heads"

    chain = sa.Column(sa.String(32), primary_key=True)  # "instance:<id>" or "system"
    seq = sa.Column(sa.Integer, nullable=False)
    hash = sa.Column(sa.String(64), nullable=False)
    updated_at = sa.Column(UTCDateTime, nullable=False)
