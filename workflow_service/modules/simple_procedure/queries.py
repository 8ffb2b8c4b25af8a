"""On-the-spot penalties as their officers and overseers see them."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden
from ...extensions import db
from ..cases.models import Case
from ..cases.queries import deadlines, open_tasks
from ..documents.models import IssuedDocument
from ..tasks.models import Task, TaskStatus
from ..users.models import User
from ..users.units import in_visible_units, sees_unit
from .models import SimplePenalty
from .operations import DECIDE_TASK, SPOT_FINE_LIMITS, get_penalty


def visible_penalty(user: User, penalty_id: int) -> SimplePenalty:
    row = get_penalty(penalty_id)
    if not sees_unit(user, row.unit):
        raise Forbidden("无权查看该当场处罚记录 (this record belongs to another unit)")
    return row


def list_penalties(user: User, *, status=None, limit=50, offset=0):
    query = sa.select(SimplePenalty).where(in_visible_units(SimplePenalty.unit_id, user))
    if status:
        query = query.where(SimplePenalty.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(SimplePenalty.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def detail(row: SimplePenalty) -> SimplePenalty:
    """The record with its open steps, running deadlines and issued documents (for the API and the page)."""
    row.open_tasks = open_tasks(row.case)
    row.deadlines = deadlines(row.case)
    row.documents = list(db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.case_id == row.case_id)
                                            .order_by(IssuedDocument.id)))
    converted = db.session.get(Case, row.converted_to_case_id) if row.converted_to_case_id else None
    row.converted_to_case_number = converted.case_number if converted else None
    row.limits = dict(SPOT_FINE_LIMITS)
    return row


def open_decision_task(row: SimplePenalty) -> Task:
    task = db.session.scalar(sa.select(Task).where(Task.instance_id == row.instance_id, Task.bpmn_id == DECIDE_TASK,
                                                   Task.status == TaskStatus.ready.value))
    if task is None:
        raise Conflict("该记录已作出决定或已转为一般程序 (already decided or converted)", code="already_decided")
    return task
