"""Reconsiderations and lawsuits as lists and statistics read them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ..statistics.contributors import StatisticsContributor
from ..users.models import User
from ..users.units import in_visible_units
from .models import LegalChallenge


def list_challenges(user: User, *, status=None, limit=50, offset=0):
    query = sa.select(LegalChallenge).where(in_visible_units(LegalChallenge.unit_id, user))
    if status:
        query = query.where(LegalChallenge.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(LegalChallenge.filed_at.desc(), LegalChallenge.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def _collect(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, float]]:
    figures: dict[int, dict[str, float]] = {}
    filed = db.session.execute(
        sa.select(LegalChallenge.unit_id, LegalChallenge.kind, sa.func.count())
        .where(LegalChallenge.unit_id.in_(unit_ids), LegalChallenge.filed_at >= start, LegalChallenge.filed_at < end)
        .group_by(LegalChallenge.unit_id, LegalChallenge.kind))
    for unit_id, kind, count in filed:
        f = figures.setdefault(unit_id, {})
        key = "reconsiderations_filed" if kind == "reconsideration" else "lawsuits_filed"
        f[key] = f.get(key, 0) + count
    corrected = db.session.execute(
        sa.select(LegalChallenge.unit_id, sa.func.count())
        .where(LegalChallenge.unit_id.in_(unit_ids), LegalChallenge.result_at >= start, LegalChallenge.result_at < end,
               LegalChallenge.result.in_(("changed", "revoked", "unlawful", "void")))
        .group_by(LegalChallenge.unit_id))
    for unit_id, count in corrected:
        figures.setdefault(unit_id, {})["decisions_corrected"] = count
    return figures


# Connected by create_app (wiring.py).
STATISTICS = StatisticsContributor(
    name="challenges",
    columns=(("reconsiderations_filed", "行政复议数"), ("lawsuits_filed", "行政诉讼数"),
             ("decisions_corrected", "被纠错（变更、撤销、确认违法或无效）数")),
    collect=_collect)
