"""Suspensions and licence actions as lists and pages read them."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..cases.queries import deadlines, open_tasks
from ..enterprises.models import Enterprise, Licence
from ..tasks.models import Task, TaskStatus
from ..users.models import User
from ..users.units import in_visible_units
from .models import LicenceAction, ProductionSuspension


def list_suspensions(user: User, *, status=None, limit=50, offset=0):
    query = sa.select(ProductionSuspension).where(in_visible_units(ProductionSuspension.unit_id, user))
    if status:
        query = query.where(ProductionSuspension.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(ProductionSuspension.id.desc()).limit(limit).offset(offset))), total


def detail(row: ProductionSuspension) -> ProductionSuspension:
    row.open_tasks = open_tasks(row)
    row.deadlines = deadlines(row)
    return row


def list_licence_actions(user: User, *, limit=50, offset=0):
    query = sa.select(LicenceAction).where(in_visible_units(LicenceAction.unit_id, user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.order_by(LicenceAction.id.desc()).limit(limit).offset(offset)))
    for row in rows:
        row.open_tasks = list(db.session.scalars(sa.select(Task).where(
            Task.instance_id == row.instance_id, Task.status == TaskStatus.ready.value))) if row.instance_id else []
    return rows, total


def actionable_licences(user: User, limit: int = 200) -> list:
    """The valid licences of the companies of the user's own unit (the licence-action form offers them)."""
    from_unit = sa.select(Licence).join(Enterprise, Licence.enterprise_id == Enterprise.id).where(
        Enterprise.unit_id == user.unit_id, Licence.status == "valid")
    return list(db.session.scalars(from_unit.order_by(Enterprise.name, Licence.type).limit(limit)))
