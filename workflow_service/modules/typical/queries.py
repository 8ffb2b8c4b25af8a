"""Typical cases and reports as supervisors read them."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..cases.models import Case
from ..cases.queries import deadlines, open_tasks
from ..users.models import User
from ..users.units import in_visible_units
from .models import TypicalCase, TypicalReport
from .operations import transfer_cases, transfer_minimum_for, unreported_cases


def list_typical(user: User, *, limit=50, offset=0):
    query = sa.select(TypicalCase).where(in_visible_units(TypicalCase.unit_id, user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(TypicalCase.marked_at.desc(), TypicalCase.id.desc()).limit(limit).offset(offset))), total


def detail(report: TypicalReport) -> TypicalReport:
    report.open_tasks = open_tasks(report)
    report.deadlines = deadlines(report)
    pending = unreported_cases(report) if report.status == "open" else []
    report.pending_cases = len(pending)
    report.pending_transfer_cases = len(transfer_cases(pending))
    report.transfer_minimum = transfer_minimum_for(report.unit)
    return report


def list_reports(user: User, *, limit=50, offset=0):
    query = sa.select(TypicalReport).where(in_visible_units(TypicalReport.unit_id, user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.order_by(TypicalReport.period_start.desc(), TypicalReport.unit_id)
                                   .limit(limit).offset(offset)))
    return [detail(r) for r in rows], total


def closed_cases(user: User, limit: int = 100) -> list:
    """Closed cases the user sees, not yet typical (the marking form offers them)."""
    marked = sa.select(TypicalCase.case_id)
    return list(db.session.scalars(sa.select(Case).where(in_visible_units(Case.unit_id, user),
                                                         Case.status == "closed", Case.id.not_in(marked))
                                   .order_by(Case.closed_at.desc(), Case.id.desc()).limit(limit)))
