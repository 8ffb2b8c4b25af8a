"""Rectification orders as supervisors and statistics see them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Forbidden
from ...extensions import db
from ..users.models import Unit, User
from ..users.units import in_subtree, in_visible_units, refusal_reason, sees_unit
from .models import RectificationOrder, RectificationStatus
from ..statistics.contributors import StatisticsContributor
from .operations import get_order


def visible_order(user: User, order_id: int) -> RectificationOrder:
    order = get_order(order_id)
    if not sees_unit(user, order.unit):
        raise Forbidden(refusal_reason(user, "无权查看该整改指令 (this order belongs to another unit)"))
    return order


def list_orders(user: User, *, status=None, limit=50, offset=0):
    query = sa.select(RectificationOrder).where(in_visible_units(RectificationOrder.unit_id, user))
    if status:
        query = query.where(RectificationOrder.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(RectificationOrder.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def rectification_statistics(unit: Unit, start: datetime, end: datetime) -> dict:
    """Orders issued in [start, end) by the units of `unit`'s subtree, and how they ended (for the statistics
    registry): issued, completed (re-inspection passed), failed (case opened), still open, with a stop order."""
    base = (sa.select(RectificationOrder.status, sa.func.count())
            .where(in_subtree(RectificationOrder.unit_id, unit), RectificationOrder.issued_at >= start,
                   RectificationOrder.issued_at < end)
            .group_by(RectificationOrder.status))
    counts = {status: n for status, n in db.session.execute(base)}
    stop_orders = db.session.scalar(
        sa.select(sa.func.count()).select_from(RectificationOrder)
        .where(in_subtree(RectificationOrder.unit_id, unit), RectificationOrder.issued_at >= start,
               RectificationOrder.issued_at < end, RectificationOrder.stop_order_kind.isnot(None)))
    issued = sum(counts.values())
    completed = counts.get(RectificationStatus.passed.value, 0)
    return {"issued": issued, "completed": completed, "failed": counts.get(RectificationStatus.failed.value, 0),
            "open": issued - completed - counts.get(RectificationStatus.failed.value, 0),
            "with_stop_order": stop_orders or 0,
            "completion_rate": round(completed / issued, 4) if issued else None}


# -- the supervisors' statistics (统计): each unit's own orders; the statistics module rolls them up --------
def _collect_rectification(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, float]]:
    rows = db.session.execute(
        sa.select(RectificationOrder.unit_id, RectificationOrder.status, sa.func.count())
        .where(RectificationOrder.unit_id.in_(unit_ids), RectificationOrder.issued_at >= start,
               RectificationOrder.issued_at < end)
        .group_by(RectificationOrder.unit_id, RectificationOrder.status))
    figures: dict[int, dict[str, float]] = {}
    for unit_id, status, count in rows:
        f = figures.setdefault(unit_id, {"rectification_orders_issued": 0, "rectification_orders_completed": 0,
                                         "rectification_orders_failed": 0})
        f["rectification_orders_issued"] += count
        if status == RectificationStatus.passed.value:
            f["rectification_orders_completed"] += count
        elif status == RectificationStatus.failed.value:
            f["rectification_orders_failed"] += count
    return figures


def _rectification_rate(f: dict) -> dict:
    issued = f.get("rectification_orders_issued") or 0
    return {"rectification_rate": round(100 * (f.get("rectification_orders_completed") or 0) / issued, 1)
            if issued else None}


# Connected by create_app (wiring.py): the figures this domain adds to the statistics table.
STATISTICS = StatisticsContributor(
    name="rectification",
    columns=(("rectification_orders_issued", "责令限期整改数"), ("rectification_orders_completed", "整改完成数"),
             ("rectification_orders_failed", "逾期未整改或复查不合格数")),
    collect=_collect_rectification, derived=(("rectification_rate", "整改率（%）"),), derive=_rectification_rate)
