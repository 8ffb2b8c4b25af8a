"""Entering a company on the credit list for a serious violation, credit repair by application and approval, and
expiry when the period ends (like the disclosure expiry: a scheduler job, and the public list never shows an entry
past its period)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.queries import can_view_case
from ..deadlines.operations import compute_deadline
from ..users.models import Role
from ..users.provinces import province_code
from ..users.units import sees_unit
from .models import CREDIT_GROUNDS, CreditEntry

HEADS = (Role.supervisor, Role.principal_head)
# The period on the list and the wait before repair: rules of the deadline table, per province (credit rules
# change, e.g. on 2026-04-01: configurable, confidence M).
LIST_RULE, REPAIR_RULE = "credit_list_period", "credit_repair_wait"


def list_company(actor, *, case_id: int, ground: str, facts: str) -> CreditEntry:
    """列入严重失信主体名单 (the unit's heads): for a case with a penalty decision, on one of the grounds."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if not can_view_case(actor, case):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    if case.unit_id != actor.unit_id or not any(actor.has_role(r) for r in HEADS):
        raise Forbidden("仅作出处罚决定的单位负责人可决定列入名单 (only the deciding unit's heads)")
    data = case.instance.data or {}
    if not data.get("decided_at"):
        raise Conflict("须先作出行政处罚决定，才能列入严重失信主体名单", code="no_decision")
    existing = db.session.scalar(sa.select(CreditEntry).where(CreditEntry.case_id == case.id,
                                                             CreditEntry.status == "listed"))
    if existing is not None:
        raise Conflict("该案当事人已在名单中", code="already_listed", details={"entry_id": existing.id})
    now = clock().now()
    province = province_code(case.unit)
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    entry = CreditEntry(
        unit_id=case.unit_id, case_id=case.id, enterprise_id=getattr(case, "enterprise_id", None),
        party_name=case.party_name, credit_code=party.get("credit_code") or None, ground=ground, facts=facts,
        decision_number=data.get("decision_number"), listed_at=now,
        expires_at=compute_deadline(LIST_RULE, now, province).due.due_at,
        repair_from=compute_deadline(REPAIR_RULE, now, province).due.due_at, status="listed", listed_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record_event(actor, "credit_listed", instance_id=case.instance_id, details={
        "entry_id": entry.id, "ground": ground, "label": CREDIT_GROUNDS[ground],
        "expires_at": entry.expires_at.isoformat()})
    return entry


def get_entry(actor, entry_id: int) -> CreditEntry:
    entry = db.session.get(CreditEntry, entry_id)
    if entry is None:
        raise NotFound("名单记录不存在 (no such entry)")
    if not sees_unit(actor, entry.unit):
        raise Forbidden("无权查看 (this entry belongs to another unit)")
    return entry


def apply_for_repair(actor, entry_id: int, *, applied_at: datetime, statement: str) -> CreditEntry:
    """信用修复申请 (recorded by the unit's officers): only after the wait the credit rules set."""
    entry = get_entry(actor, entry_id)
    if entry.unit_id != actor.unit_id or not (actor.has_role(Role.case_handler) or any(actor.has_role(r) for r in HEADS)):
        raise Forbidden("仅列入单位的人员可登记信用修复申请")
    if entry.status != "listed":
        raise Conflict("该记录已移出名单", code="not_listed")
    if entry.repair_applied_at is not None and entry.repair_decision is None:
        raise Conflict("已有待决定的信用修复申请", code="repair_pending")
    now = clock().now()
    if applied_at > now:
        raise ValidationFailed("申请时间不能晚于当前时间", {"applied_at": ["不能晚于当前时间"]})
    if applied_at < entry.repair_from:
        raise Conflict(f"列入名单满规定期限后方可申请信用修复（最早 {entry.repair_from.isoformat()}）",
                       code="repair_too_early", details={"repair_from": entry.repair_from.isoformat()})
    entry.repair_applied_at, entry.repair_statement = applied_at, statement
    entry.repair_decision = entry.repair_decided_at = entry.repair_note = None
    record_event(actor, "credit_repair_applied", instance_id=entry.case.instance_id,
                 details={"entry_id": entry.id, "applied_at": applied_at.isoformat()})
    db.session.flush()
    return entry


def decide_repair(actor, entry_id: int, *, approved: bool, note: str) -> CreditEntry:
    """信用修复决定 (the unit's heads): approved → the entry leaves the public list now."""
    entry = get_entry(actor, entry_id)
    if entry.unit_id != actor.unit_id or not any(actor.has_role(r) for r in HEADS):
        raise Forbidden("仅列入单位的负责人可作出信用修复决定")
    if entry.repair_applied_at is None or entry.repair_decision is not None:
        raise Conflict("没有待决定的信用修复申请", code="no_repair_application")
    now = clock().now()
    entry.repair_decision, entry.repair_decided_at, entry.repair_note = ("approved" if approved else "refused"), now, note
    if approved:
        entry.status, entry.left_at = "repaired", now
    record_event(actor, "credit_repair_decided", instance_id=entry.case.instance_id,
                 details={"entry_id": entry.id, "approved": approved})
    db.session.flush()
    return entry


def expire_credit_entries(now=None, batch_size: int = 500) -> int:
    """Scheduler job (idempotent, beside the disclosure expiry): entries past their period leave the list."""
    now = now or clock().now()
    rows = list(db.session.scalars(sa.select(CreditEntry).where(CreditEntry.status == "listed",
                                                               CreditEntry.expires_at <= now)
                                   .order_by(CreditEntry.expires_at, CreditEntry.id).limit(batch_size)))
    for entry in rows:
        entry.status, entry.left_at = "expired", now
        record_event(None, "credit_expired", instance_id=entry.case.instance_id, details={"entry_id": entry.id})
    db.session.flush()
    return len(rows)
