"""Read helpers on the audit trail (全过程记录). Who may verify a chain is the cases domain's question
(cases/audit.py): this package stays below every other, since every operation writes to it."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from .models import AuditEvent


def task_completion(instance_id: int, task_id: int) -> AuditEvent | None:
    """The event that completed a task: who, when, and the data submitted. Found among its instance's events
    (ix_audit_events_instance): by task and action alone, the database walked every completion of the service."""
    return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                         AuditEvent.task_id == task_id,
                                                         AuditEvent.action == "task_completed").limit(1))
