"""Read helpers on the audit trail (全过程记录). Who may verify a chain is the cases domain's question
(cases/audit.py): this package stays below every other, since every operation writes to it."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from .models import AuditEvent


def task_completion(task_id: int) -> AuditEvent | None:
    """The event that completed a task: who, when, and the data submitted."""
    return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                         AuditEvent.action == "task_completed").limit(1))
