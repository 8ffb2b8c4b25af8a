"""Read helpers on the audit trail (全过程记录), and verifying audit chains for the people allowed to:
supervisors, principal heads and administrators for the instances of their unit tree; administrators also for the
system chain."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...extensions import db
from ..processes.models import ProcessInstance
from ..users.models import Role
from ..users.units import OVERSEER_ROLES, sees_unit
from .chain import ChainReport, verify_chain
from .models import AuditEvent

VERIFIER_ROLES = OVERSEER_ROLES  # those who see the units below their own (users/units.py)


def task_completion(task_id: int) -> AuditEvent | None:
    """The event that completed a task: who, when, and the data submitted."""
    return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                         AuditEvent.action == "task_completed").limit(1))


def verify_audit_chain(actor, *, instance_id: int | None = None, case_id: int | None = None,
                       system: bool = False) -> ChainReport:
    if not any(actor.has_role(r) for r in VERIFIER_ROLES):
        raise Forbidden("仅负责人或管理员可校验审计链 (supervisors and administrators only)")
    if case_id is not None:
        from ..cases.models import Case

        case = db.session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在 (no such case)")
        instance_id = case.instance_id
    if instance_id is None:
        if not system:
            raise ValidationFailed("请指定案件、流程实例或系统链 (name a case, an instance or the system chain)",
                                   {"instance_id": ["one of case_id, instance_id, system is required"]})
        if not actor.has_role(Role.admin):
            raise Forbidden("系统审计链仅管理员可校验 (the system chain is for administrators)")
        return verify_chain(None)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在 (no such process instance)")
    if not sees_unit(actor, instance.unit):  # administrators too: their own unit tree only
        raise Forbidden("该实例不属于本单位及下级单位 (outside your unit tree)")
    return verify_chain(instance_id)
