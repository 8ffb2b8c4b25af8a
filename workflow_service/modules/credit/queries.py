"""The credit list as officers and the public read it."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..cases.models import Case
from ..documents.models import IssuedDocument
from ..users.models import User
from ..users.units import in_visible_units
from .models import CreditEntry


def list_entries(user: User, *, status=None, limit=50, offset=0):
    query = sa.select(CreditEntry).where(in_visible_units(CreditEntry.unit_id, user))
    if status:
        query = query.where(CreditEntry.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(CreditEntry.listed_at.desc(), CreditEntry.id.desc()).limit(limit).offset(offset))), total


def public_entries(now, *, party=None, limit=20, offset=0):
    """Listed and within their period (an entry past it never shows, even before the expiry job ran)."""
    query = sa.select(CreditEntry).where(CreditEntry.status == "listed", CreditEntry.expires_at > now)
    if party:
        query = query.where(CreditEntry.party_name.contains(party, autoescape=True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(CreditEntry.listed_at.desc(), CreditEntry.id.desc()).limit(limit).offset(offset))), total


def decided_cases(user: User, limit: int = 100) -> list:
    """Cases of the user's unit with an issued penalty decision (the list form offers them)."""
    return list(db.session.scalars(
        sa.select(Case).join(IssuedDocument, IssuedDocument.case_id == Case.id)
        .where(Case.unit_id == user.unit_id, IssuedDocument.doc_type == "penalty_decision",
               IssuedDocument.status == "issued").distinct().order_by(Case.id.desc()).limit(limit)))
