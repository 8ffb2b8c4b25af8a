"""The unit tree (province → city → county) and who sees which unit's records: one rule, used everywhere.

Who sees a unit's records (cases, their tasks, process instances, timelines and evidence, criminal transfers,
rectification orders, disclosure drafts, the unit's case review committee, statistics, audit chains):

- every officer of the unit (any role but the integration account) sees the unit's own records;
- the overseers — supervisors (负责人), principal heads (正职负责人) and administrators (管理员) — also see the
  records of every unit below theirs: a city bureau's leadership supervises its counties (层级监督), a
  province's the whole province;
- nobody sees the records of a sibling unit or of a unit above theirs;
- an integration account (接口账户, another system) sees no unit's records; it reads and answers the criminal
  transfers of its unit tree only (transfers.queries).

Seeing is not acting. What someone may *do* in a unit is narrower and said by the domain that owns the act;
two answers are shared and live here too: a task of a unit is worked (claimed, or handed over by a supervisor)
only by an active officer of that same unit who holds the task's role (`works_in`) — a city supervisor may
reassign a county task, but only to someone of that county; and a team of enforcement officers named in a form
must be at least two active case handlers of the deciding unit (`require_two_officers`; 行政处罚法 Art 42).

Within a unit a task is further limited to whoever may work it (its role in its unit, its assignee) and the
overseers (tasks.queries.can_view). The supervision queues (督办: the alerts of the unit tree, approvals
waiting) are the duty of supervisors and principal heads; they list what those people see.
README.md ("Who sees what") says the same, and tests/test_visibility.py checks the code against that table.
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

from ...core.errors import ValidationFailed
from ...extensions import db
from .models import Role, Unit, User

# Those who see the units below their own (and may look over them: statistics, audit chains, case-file review).
OVERSEER_ROLES = (Role.supervisor, Role.principal_head, Role.admin)


# -- the tree ---------------------------------------------------------------------------------------------
def unit_contains(ancestor: Unit, unit: Unit) -> bool:
    """Whether `unit` is `ancestor` or lies below it (materialized path "/1/4/9/": a prefix test)."""
    return unit.path.startswith(ancestor.path)


def subtree_clause(unit: Unit):
    """A WHERE clause on the units table: `unit` and every unit below it (one indexed prefix match)."""
    return Unit.path.startswith(unit.path)


def subtree_ids(unit: Unit):
    """A select of the ids of `unit` and every unit below it."""
    return sa.select(Unit.id).where(subtree_clause(unit))


def in_subtree(column, unit: Unit):
    """A SQL filter: `column` (a unit id) is `unit` or a unit below it."""
    return column.in_(subtree_ids(unit))


# -- who sees what ------------------------------------------------------------------------------------------
def oversees(user: User) -> bool:
    """Whether the user sees the units below their own (an overseer, and an officer at all)."""
    return user.is_officer and any(user.has_role(r) for r in OVERSEER_ROLES)


def sees_unit(user: User, unit: Unit) -> bool:
    """Whether the user sees the records of `unit` (the rule above)."""
    if not user.is_officer:
        return False
    return unit.id == user.unit_id or (oversees(user) and unit_contains(user.unit, unit))


def integration_reaches(user: User, unit: Unit) -> bool:
    """Whether an integration account (接口账户) acts for `unit`: it stands for another system of its area (the
    police) and reaches the units of its tree, but only through the endpoints made for it (transfers)."""
    return user.has_role(Role.integration) and unit_contains(user.unit, unit)


def visible_unit_ids(user: User):
    """A select of the ids of the units whose records the user sees."""
    if not user.is_officer:
        return sa.select(Unit.id).where(sa.false())
    if oversees(user):
        return subtree_ids(user.unit)
    return sa.select(Unit.id).where(Unit.id == user.unit_id)


def in_visible_units(column, user: User):
    """A SQL filter: `column` (a unit id) is a unit whose records the user sees."""
    if not user.is_officer:
        return sa.false()
    if oversees(user):
        return in_subtree(column, user.unit)
    return column == user.unit_id


# -- who works in a unit ------------------------------------------------------------------------------------
def works_in(user: User, unit_id: int, role: Role | str) -> bool:
    """Whether the user may work a task of `role` in the unit: an active officer of exactly that unit with the
    role. A county's task is never handed to someone of another county, nor of the city above."""
    return bool(user.is_active) and user.unit_id == unit_id and user.has_role(role)


def not_working_in(usernames: Iterable[str], unit_id: int, role: Role | str) -> list[str]:
    """Of the named users, those who do not work in the unit with the role (unknown names included)."""
    names = list(usernames)
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(names))
                                                       .options(sa.orm.selectinload(User.role_rows)))}
    return [n for n in names if n not in users or not works_in(users[n], unit_id, role)]


def require_two_officers(usernames, unit_id: int, *, field: str, message: str) -> list[str]:
    """The named team of enforcement officers, each once: at least two active case handlers of the unit, else
    ValidationFailed(message) with the names refused (or the want of a second name) at `field`.

    行政处罚法 Art 42: an administrative penalty is carried out by at least two enforcement officers; the transfer
    team (国务院令第310号 Art 5) and a re-inspection ask the same of the deciding unit's own officers. `message`
    names the basis the caller enforces.
    """
    names = list(dict.fromkeys(usernames or []))
    bad = not_working_in(names, unit_id, Role.case_handler)
    if len(names) < 2 or bad:
        problem = f"须为本单位在职执法人员：{', '.join(bad)}" if bad else "至少两名不同的执法人员"
        raise ValidationFailed(message, {field: [problem]})
    return names


def refusal_reason(user: User, default: str) -> str:
    """Why a record is not shown to the user, in the user's terms: an account that is not an officer is refused for
    what it is (an integration account, a platform operator), not because the record "belongs to another unit"."""
    if not user.is_officer:
        if user.has_role(Role.integration):
            return "接口账户只能通过为其开放的接口报送（如公安机关对移送的答复），不能查看案件、任务和文书"
        if user.has_role(Role.platform_operator):
            return "平台运维人员只部署流程定义，不查看案件、任务和文书"
    return default
