"""Read helpers on users and units."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from .models import User, UserRole


def unit_members(unit_id: int, limit: int = 50) -> list[User]:
    """Active users of a unit, by username (a form lists them beside a field that takes usernames)."""
    return list(db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.active.is_(True))
                                   .order_by(User.username).limit(limit)))


def unit_members_with_role(unit_id: int, role: str, limit: int = 50) -> list[User]:
    """Active users of a unit who hold a role (those a task of that role may be reassigned to)."""
    return list(db.session.scalars(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(User.unit_id == unit_id, User.active.is_(True), UserRole.role == role)
                                   .order_by(User.username).limit(limit)))
