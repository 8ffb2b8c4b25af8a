"""Reading disclosures: the public view (published, not expired, redacted fields only) and the officers' view."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ...core.errors import NotFound
from ...extensions import db
from ..users.models import Unit, User
from ..users.units import in_subtree, in_visible_units
from .models import PUBLIC_STATUSES, Disclosure


def _public(now):
    # Status and the expiry time both count: a record past its period is never shown, even before the
    # expiry job has run.
    return sa.select(Disclosure).where(Disclosure.status.in_(PUBLIC_STATUSES),
                                       sa.or_(Disclosure.expires_at.is_(None), Disclosure.expires_at > now))


def search_public(now, *, party: str | None = None, unit: str | None = None, violation: str | None = None,
                  date_from: date | None = None, date_to: date | None = None, limit: int = 20, offset: int = 0):
    """Search by party name, deciding unit (code: that unit and the units below it; or part of its name),
    decision date range and words of the violation."""
    query = _public(now)
    if party:
        query = query.where(Disclosure.party_name.contains(party, autoescape=True))
    if violation:
        query = query.where(Disclosure.violation.contains(violation, autoescape=True))
    if unit:
        root = db.session.scalar(sa.select(Unit).where(Unit.code == unit))
        query = query.where(in_subtree(Disclosure.unit_id, root) if root is not None else Disclosure.unit_id.in_(
            sa.select(Unit.id).where(Unit.name.contains(unit, autoescape=True))))
    if date_from:
        query = query.where(Disclosure.decision_date >= date_from)
    if date_to:
        query = query.where(Disclosure.decision_date <= date_to)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Disclosure.decision_date.desc(), Disclosure.id.desc())
                              .limit(limit).offset(offset))
    return list(rows), total


def get_public(now, disclosure_id: int) -> Disclosure:
    disclosure = db.session.scalar(_public(now).where(Disclosure.id == disclosure_id))
    if disclosure is None:
        raise NotFound("公示信息不存在或已到期 (no such published decision)")
    return disclosure


def public_units(now) -> list[Unit]:
    """The deciding units that have something public, for the search form."""
    ids = _public(now).with_only_columns(Disclosure.unit_id).distinct()
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)).order_by(Unit.path)))


def list_for_officers(user: User, *, status: str | None = None, limit: int = 50, offset: int = 0):
    """Every disclosure of the units the caller sees (users/units.py), drafts and expired ones included."""
    query = sa.select(Disclosure).where(in_visible_units(Disclosure.unit_id, user))
    if status:
        query = query.where(Disclosure.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Disclosure.id.desc()).limit(limit).offset(offset))
    return list(rows), total
