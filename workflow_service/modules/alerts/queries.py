from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..users.models import User
from .models import Alert


def alerts_for(user: User, *, include_cleared: bool = False, limit: int = 50, offset: int = 0):
    """Alerts aimed at this user, or at one of their roles in their unit; the most overdue first."""
    roles = [r.value for r in user.roles]
    query = sa.select(Alert).where(sa.or_(
        Alert.target_user_id == user.id,
        sa.and_(Alert.target_role.in_(roles), Alert.target_unit_id == user.unit_id),
    ))
    if not include_cleared:
        query = query.where(Alert.cleared_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Alert.due_at.is_(None), Alert.due_at, Alert.id).limit(limit).offset(offset))
    return list(rows), total
