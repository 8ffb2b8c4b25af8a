"""Task queues (待办) and the access rules on tasks; read from the projection only."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...core.errors import Forbidden, NotFound
from ...extensions import db
from ..users.models import Role, User
from ..users.units import in_visible_units, oversees, refusal_reason, sees_unit, works_in
from .models import Task, TaskCandidate, TaskStatus

def can_view(user: User, task: Task) -> bool:
    """Its assignee (and whoever completed it), whoever may work it (its role in its unit), and the overseers
    who see its unit (users/units.py)."""
    if task.assignee_id == user.id or task.completed_by_id == user.id:
        return True
    if works_in(user, task.unit_id, task.role):
        return True
    return oversees(user) and sees_unit(user, task.unit)


def can_claim(user: User, task: Task) -> bool:
    return (task.status == TaskStatus.ready.value and works_in(user, task.unit_id, task.role)
            and (task.candidate_usernames is None or user.username in task.candidate_usernames))


def get_task(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound("任务不存在 (no such task)")
    return task


def get_visible_task(user: User, task_id: int) -> Task:
    task = get_task(task_id)
    if not can_view(user, task):
        raise Forbidden(refusal_reason(user, "无权查看该任务 (this task belongs to another role or unit)"))
    return task


def list_tasks(user: User, scope: str, *, limit: int = 50, offset: int = 0) -> tuple[list[Task], int]:
    """`mine`: assigned to me; `available`: unclaimed tasks of my roles in my unit. Most urgent first."""
    query = sa.select(Task).where(Task.status == TaskStatus.ready.value)
    if scope == "mine":
        query = query.where(Task.assignee_id == user.id)
    else:
        roles = [r.value for r in user.roles]
        # A task that names its people (a committee member's own vote) is claimable by them only: filtered here,
        # in SQL, so the count and every page hold exactly what this user can claim (ix_task_candidates_username).
        named = sa.select(TaskCandidate.task_id).where(TaskCandidate.username == user.username)
        query = query.where(Task.assignee_id.is_(None), Task.role.in_(roles), Task.unit_id == user.unit_id,
                            sa.or_(Task.candidates_only.is_(False), Task.id.in_(named)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    # Tasks without a deadline sort last; among deadlines, the earliest (most overdue) first.
    ordered = (query.order_by(Task.due_at.is_(None), Task.due_at, Task.id).limit(limit).offset(offset)
               .options(selectinload(Task.instance), selectinload(Task.assignee), selectinload(Task.unit)))
    return list(db.session.scalars(ordered)), total


def approvals_waiting(user: User, *, limit: int = 20, offset: int = 0) -> tuple[list[Task], int]:
    """Open approval steps (tasks of the supervisor and principal-head roles) in a supervisor's unit tree,
    most urgent first."""
    if not (user.has_role(Role.supervisor) or user.has_role(Role.principal_head)):
        raise Forbidden("仅负责人可查看待审批事项 (supervisors only)")
    query = sa.select(Task).where(Task.status == TaskStatus.ready.value,
                                  Task.role.in_([Role.supervisor.value, Role.principal_head.value]),
                                  in_visible_units(Task.unit_id, user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Task.due_at.is_(None), Task.due_at, Task.id).limit(limit).offset(offset)
                              .options(selectinload(Task.instance), selectinload(Task.assignee),
                                       selectinload(Task.unit)))
    return list(rows), total
