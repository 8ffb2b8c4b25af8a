"""Read helpers on users and units."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from .models import Unit, User, UserRole
from .units import in_subtree, visible_unit_ids


def unit_members(unit_id: int, limit: int = 50) -> list[User]:
    """Active users of a unit, by username (a form lists them beside a field that takes usernames)."""
    return list(db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.active.is_(True))
                                   .order_by(User.username).limit(limit)))


def unit_members_with_role(unit_id: int, role: str, limit: int = 50) -> list[User]:
    """Active users of a unit who hold a role (those a task of that role may be reassigned to)."""
    return list(db.session.scalars(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(User.unit_id == unit_id, User.active.is_(True), UserRole.role == role)
                                   .order_by(User.username).limit(limit)))


def users_in_tree(actor: User, *, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """The users of the actor's unit and the units below it (what an administrator administers)."""
    query = sa.select(User).where(in_subtree(User.unit_id, actor.unit))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(User.unit), selectinload(User.role_rows))
                              .order_by(User.unit_id, User.username)
                              .limit(limit).offset(offset))
    return list(rows), total


def display_names(usernames) -> dict[str, str]:
    """username -> the name people know the user by (承办人 李承办, not handler2); a username with no user
    keeps itself."""
    wanted = sorted({str(u) for u in usernames or () if u})
    if not wanted:
        return {}
    found = dict(db.session.execute(sa.select(User.username, User.display_name)
                                    .where(User.username.in_(wanted))).all())
    return {u: found.get(u) or u for u in wanted}


def visible_units(user: User) -> list:
    """The units whose records the user sees (users/units.py), by their place in the tree: a list's unit filter."""
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(visible_unit_ids(user))).order_by(Unit.path)))
