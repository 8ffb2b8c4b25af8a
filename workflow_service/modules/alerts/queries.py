from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...core.errors import Forbidden
from ..processes.models import ProcessInstance
from ..users.models import Role, Unit, User
from ..users.units import in_visible_units
from .models import Alert


def alerts_for(user: User, *, include_cleared: bool = False, scope: str = "mine", level: str | None = None,
               unit_id: int | None = None, limit: int = 50, offset: int = 0):
    """`mine`: alerts aimed at this user, or at one of their roles in their unit. `units` (supervisors): every
    alert on the cases of their unit and the units below, to see where deadlines slip. Most overdue first."""
    roles = [r.value for r in user.roles]
    if scope == "units":
        if not (user.has_role(Role.supervisor) or user.has_role(Role.principal_head)):
            raise Forbidden("仅负责人可查看下级单位的督办 (supervisors only)")
        query = sa.select(Alert).join(ProcessInstance, ProcessInstance.id == Alert.instance_id).where(
            in_visible_units(ProcessInstance.unit_id, user))
        if unit_id is not None:
            query = query.where(ProcessInstance.unit_id == unit_id)
    else:
        query = sa.select(Alert).where(sa.or_(
            Alert.target_user_id == user.id,
            sa.and_(Alert.target_role.in_(roles), Alert.target_unit_id == user.unit_id),
        ))
    if level:
        query = query.where(Alert.level == level)
    if not include_cleared:
        query = query.where(Alert.cleared_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Alert.due_at.is_(None), Alert.due_at, Alert.id).limit(limit).offset(offset)
                              .options(selectinload(Alert.instance), selectinload(Alert.task)))
    return list(rows), total


def alert_counts_by_unit(user: User) -> list[dict]:
    """Open alerts in a supervisor's unit tree, counted per unit of the case and level (a dashboard's summary)."""
    if not (user.has_role(Role.supervisor) or user.has_role(Role.principal_head)):
        raise Forbidden("仅负责人可查看下级单位的督办 (supervisors only)")
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.level, Alert.level, sa.func.count(Alert.id))
        .join(ProcessInstance, ProcessInstance.id == Alert.instance_id)
        .join(Unit, Unit.id == ProcessInstance.unit_id)
        .where(in_visible_units(ProcessInstance.unit_id, user), Alert.cleared_at.is_(None))
        .group_by(Unit.id, Unit.name, Unit.level, Alert.level).order_by(Unit.id))
    by_unit: dict[int, dict] = {}
    for unit_id, name, unit_level, level, count in rows:
        entry = by_unit.setdefault(unit_id, {"unit_id": unit_id, "unit_name": name, "unit_level": unit_level,
                                             "warning": 0, "escalation1": 0, "escalation2": 0})
        entry[level] = count
    return list(by_unit.values())
