"""Reading the registry: search, one company, its whole history."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound
from ...core.registry import registry
from ...extensions import db
from ..cases.models import Case
from ..rectification.models import RectificationOrder
from ..transfers.models import CriminalTransfer
from ..users.models import Unit
from ..users.units import in_visible_units, sees_unit
from ..system.codes import normalize
from .models import ClassificationScheme, Enterprise, EnterpriseStatus
from .plan_models import DrawItem, RandomDraw

SEARCH_LIMIT_MAX = 200


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(actor, *, q: str | None = None, classification: str | None = None, region_code: str | None = None,
           industry_code: str | None = None, status: str | None = EnterpriseStatus.active.value,
           unit_id: int | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Enterprise], int]:
    """Enterprises of the units the actor sees: by name or credit code (part of either), class ("none" for
    未分类), region and industry (a prefix: "C26" finds C2614), status."""
    query = sa.select(Enterprise).where(in_visible_units(Enterprise.unit_id, actor))
    if q:
        text = q.strip()[:100]
        pattern = f"%{_escape_like(text)}%"
        query = query.where(sa.or_(Enterprise.name.like(pattern, escape="\\"),
                                   Enterprise.credit_code.like(f"%{_escape_like(normalize(text))}%", escape="\\")))
    if classification == "none":
        query = query.where(Enterprise.classification.is_(None))
    elif classification:
        query = query.where(Enterprise.classification == classification)
    if region_code:
        query = query.where(Enterprise.region_code.like(f"{_escape_like(region_code.strip())}%", escape="\\"))
    if industry_code:
        query = query.where(Enterprise.industry_code.like(f"{_escape_like(industry_code.strip().upper())}%",
                                                          escape="\\"))
    if status:
        query = query.where(Enterprise.status == status)
    if unit_id:
        query = query.where(Enterprise.unit_id == unit_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(Enterprise.name, Enterprise.id).limit(min(limit, SEARCH_LIMIT_MAX))
                               .offset(offset)).all()
    return list(items), total


def visible_enterprise(actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("生产经营单位不存在")
    if not sees_unit(actor, enterprise.unit):
        raise Forbidden("无权查看该生产经营单位")
    return enterprise


def scheme_of(enterprise_or_province) -> ClassificationScheme | None:
    province = getattr(enterprise_or_province, "province_code", enterprise_or_province)
    return db.session.scalar(sa.select(ClassificationScheme).filter_by(province_code=province))


def scheme_for_unit(unit: Unit) -> ClassificationScheme | None:
    root_id = int(unit.path.strip("/").split("/")[0])
    root = db.session.get(Unit, root_id)
    return scheme_of(root.code) if root is not None else None


def licence_state(licence, today: date) -> str:
    """The licence's status as read today: a valid one past valid_to reads 已过期 (expired)."""
    if licence.status == "valid" and licence.valid_to < today:
        return "expired"
    return licence.status


def history(actor, enterprise: Enterprise) -> list[dict]:
    """The company's whole history, newest first: its cases, rectification orders and criminal transfers (those
    of units the actor sees), its class changes, and what other domains connect (inspections, hidden dangers)."""
    entries: list[dict] = []
    cases = db.session.scalars(sa.select(Case).where(Case.enterprise_id == enterprise.id,
                                                     in_visible_units(Case.unit_id, actor))).all()
    for case in cases:
        entries.append({"kind": "case", "at": case.created_at, "title": f"行政处罚案件 {case.case_number}",
                        "status": case.status, "ref": case.id, "url": f"/cases/{case.id}"})
    case_ids = [c.id for c in cases]
    orders = db.session.scalars(sa.select(RectificationOrder).where(
        sa.or_(RectificationOrder.enterprise_id == enterprise.id,
               RectificationOrder.source_case_id.in_(case_ids) if case_ids else sa.false()),
        in_visible_units(RectificationOrder.unit_id, actor))).all()
    for order in orders:
        entries.append({"kind": "rectification", "at": order.issued_at,
                        "title": f"责令限期整改 {order.order_number}", "status": order.status, "ref": order.id,
                        "url": f"/rectifications/{order.id}"})
    order_ids = [o.id for o in orders]
    if case_ids or order_ids:
        transfers = db.session.scalars(sa.select(CriminalTransfer).where(
            sa.or_(CriminalTransfer.case_id.in_(case_ids or [-1]),
                   CriminalTransfer.rectification_id.in_(order_ids or [-1])),
            in_visible_units(CriminalTransfer.unit_id, actor))).all()
        for transfer in transfers:
            entries.append({"kind": "transfer", "at": transfer.created_at,
                            "title": f"涉嫌犯罪案件移送 {transfer.transfer_number}", "status": transfer.status,
                            "ref": transfer.id, "url": f"/transfers/{transfer.id}"})
    for change in enterprise.classification_changes:
        entries.append({"kind": "classification", "at": change.changed_at,
                        "title": f"分类分级：{change.previous or '未分类'} → {change.classification or '未分类'}"
                                 f"（{change.reason}）", "status": None, "ref": change.id, "url": None})
    drawn = db.session.execute(sa.select(DrawItem, RandomDraw).join(RandomDraw).where(
        DrawItem.enterprise_id == enterprise.id, in_visible_units(RandomDraw.unit_id, actor))).all()
    for item, draw in drawn:
        entries.append({"kind": "draw", "at": draw.drawn_at, "title": f"双随机抽查：{draw.title}（第 {item.rank} 号）",
                        "status": "inspected" if item.inspected_on else "drawn", "ref": draw.id,
                        "url": f"/draws/{draw.id}"})
    for _name, source in registry().enterprise_history_sources:
        entries.extend(source(actor, enterprise))
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries
