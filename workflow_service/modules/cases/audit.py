"""Verifying audit chains (全过程记录) for the people allowed to: supervisors, principal heads and administrators
for the instances of their unit tree; administrators also for the system chain."""
from __future__ import annotations

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...extensions import db
from ..audit.chain import ChainReport, verify_chain
from ..processes.models import ProcessInstance
from ..users.models import Role
from ..users.units import OVERSEER_ROLES, sees_unit
from .models import Case

VERIFIER_ROLES = OVERSEER_ROLES  # those who see the units below their own (users/units.py)


def verify_audit_chain(actor, *, instance_id: int | None = None, case_id: int | None = None,
                       system: bool = False) -> ChainReport:
    if not any(actor.has_role(r) for r in VERIFIER_ROLES):
        raise Forbidden("仅负责人或管理员可校验审计链 (supervisors and administrators only)")
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在 (no such case)")
        instance_id = case.instance_id
    if instance_id is None:
        if not system:
            raise ValidationFailed("请指定案件、流程实例或系统链 (name a case, an instance or the system chain)",
                                   {"instance_id": ["请给出 case_id、instance_id 或 system 之一"]})
        if not actor.has_role(Role.admin):
            raise Forbidden("系统审计链仅管理员可校验 (the system chain is for administrators)")
        return verify_chain(None)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在 (no such process instance)")
    if not sees_unit(actor, instance.unit):  # administrators too: their own unit tree only
        raise Forbidden("该实例不属于本单位及下级单位 (outside your unit tree)")
    return verify_chain(instance_id)
