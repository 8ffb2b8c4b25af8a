from __future__ import annotations

from ...core.services import clock
from ...extensions import db
from .chain import canonical_details, link
from .models import AuditEvent


def record_event(actor, action: str, *, instance_id: int | None = None, task_id: int | None = None,
                 details: dict | None = None) -> AuditEvent:
    """Append an audit event in the caller's transaction, as the next link of its chain (the instance's,
    or the system chain). `actor` None means the system (scheduler)."""
    event = AuditEvent(
        occurred_at=clock().now(), actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "system"), action=action,
        instance_id=instance_id, task_id=task_id, details=canonical_details(details),
    )
    link(event)
    db.session.add(event)
    return event
