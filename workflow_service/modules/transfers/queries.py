"""Transfers as supervisors see them: every transfer with its stage and next deadline; the report to the
provincial department; figures for the statistics registry."""
from __future__ import annotations

import io
from datetime import datetime

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound
from ...core.spreadsheet import SafeCsvWriter
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..cases.models import Case
from ..deadlines.models import DeadlineRule
from ..timers.models import Timer, TimerStatus
from ..users.models import Role, Unit, User
from ..users.units import (in_subtree, in_visible_units, integration_reaches, refusal_reason, sees_unit,
                           subtree_ids, visible_unit_ids)
from ..statistics.contributors import StatisticsContributor
from .models import CriminalTransfer, TransferStatus

STAGE_LABELS = {
    "report": "专案组写出移送报告", "approval": "正职负责人审批", "handover": "待移送公安机关",
    "police_review": "公安机关审查", "materials_supplement": "补充移送材料", "evidence_handover": "移交涉案物品",
    "not_opened": "不予立案（待决定复议或监督）", "reconsideration": "公安机关复议中",
    "reconsideration_upheld": "复议维持（待决定检察监督）", "procuratorate_supervision": "检察机关立案监督中",
    "criminal_proceedings": "刑事诉讼中（定期跟踪）", "refused": "不批准移送", "returned": "退回行政处理",
    "after_judgment": "已判决，依法作出后续处理", "concluded": "已判决",
}


def visible_transfer(user: User, transfer_id: int) -> CriminalTransfer:
    transfer = db.session.get(CriminalTransfer, transfer_id)
    if transfer is None:
        raise NotFound("移送不存在 (no such transfer)")
    if not (sees_unit(user, transfer.unit) or integration_reaches(user, transfer.unit)):
        raise Forbidden(refusal_reason(user, "无权查看该移送 (this transfer belongs to another unit)"))
    return transfer


def _scoped(user: User):
    """Transfers are seen like any record of their unit (users/units.py), and by the integration account of the
    unit tree, which answers them for the police."""
    visible = in_visible_units(CriminalTransfer.unit_id, user)
    if user.has_role(Role.integration):
        return sa.or_(visible, in_subtree(CriminalTransfer.unit_id, user.unit))
    return visible


def list_transfers(user: User, *, status=None, stage=None, unit_id=None, limit=50, offset=0):
    query = sa.select(CriminalTransfer).where(_scoped(user))
    if status:
        query = query.where(CriminalTransfer.status == status)
    if stage:
        query = query.where(CriminalTransfer.stage == stage)
    if unit_id is not None:
        query = query.where(CriminalTransfer.unit_id == unit_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.order_by(CriminalTransfer.id.desc()).limit(limit).offset(offset)))
    attach_next_deadlines(rows)
    return rows, total


def attach_next_deadlines(transfers: list[CriminalTransfer]) -> None:
    """The earliest running deadline of each transfer, with its rule: one query for the page."""
    by_instance = {t.instance_id: t for t in transfers}
    for t in transfers:
        t.next_deadline = None
        t.stage_label = STAGE_LABELS.get(t.stage, t.stage)
        t.case_number = t.case.case_number if t.case else None
    if not by_instance:
        return
    # Ordered here, not by the database: asked to order the timers of several instances by due time, SQLite walks
    # every waiting timer of the service in due order (ix_timers_due) rather than sort the page's few
    # (tests/test_query_plans.py).
    timers = sorted(db.session.scalars(sa.select(Timer).where(
        Timer.instance_id.in_(by_instance), Timer.status == TimerStatus.waiting.value,
        Timer.rule_kind == "deadline")), key=lambda timer: (timer.due_at, timer.id))
    rules = {r.rule_id: r for r in db.session.scalars(sa.select(DeadlineRule).where(DeadlineRule.jurisdiction == "national"))}
    for timer in timers:
        transfer = by_instance[timer.instance_id]
        if transfer.next_deadline is None:
            rule = rules.get(timer.rule_id)
            transfer.next_deadline = {"due_at": timer.due_at, "rule_id": timer.rule_id, "name": timer.name,
                                      "rule_name": rule.name if rule else None,
                                      "legal_basis": rule.legal_basis if rule else None,
                                      "provisional": bool(timer.provisional)}


def _police_outcome(transfer: CriminalTransfer) -> str | None:
    kinds = [a["kind"] for a in transfer.police_answers or []]
    for kind in ("judgment", "returned", "case_opened", "reconsideration_upheld", "not_opened", "received"):
        if kind in kinds:
            return kind
    return None


REPORT_COLUMNS = [("transfer_number", "移送编号"), ("unit", "移送单位"), ("party_name", "当事人"),
                  ("case_number", "行政案件编号"), ("suspected_crime", "涉嫌罪名"), ("situation", "危险作业罪情形"),
                  ("created_at", "发起时间"), ("approved_at", "批准时间"), ("handed_over_at", "移送时间"),
                  ("police_outcome", "公安机关处理结果"), ("stage", "当前阶段"), ("status", "状态"),
                  ("next_deadline", "下一期限"), ("fine_paid_for_offset", "已缴罚款（待折抵）")]


def _local(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def transfer_report(user: User, start: datetime, end: datetime) -> dict:
    """报省厅的移送情况: every transfer opened in [start, end) in the units the caller sees, with totals."""
    rows = list(db.session.scalars(
        sa.select(CriminalTransfer).where(in_visible_units(CriminalTransfer.unit_id, user),
                                          CriminalTransfer.created_at >= start, CriminalTransfer.created_at < end)
        .order_by(CriminalTransfer.created_at, CriminalTransfer.id)))
    attach_next_deadlines(rows)
    items = []
    for t in rows:
        data = t.instance.data or {}
        items.append({
            "transfer_number": t.transfer_number, "unit": t.unit.name, "party_name": t.party_name,
            "case_number": t.case_number, "suspected_crime": data.get("suspected_crime"), "situation": data.get("situation"),
            "created_at": _local(t.created_at), "approved_at": _local(t.approved_at),
            "handed_over_at": _local(t.handed_over_at), "police_outcome": _police_outcome(t),
            "stage": t.stage_label, "status": t.status,
            "next_deadline": _local(t.next_deadline["due_at"]) if t.next_deadline else "",
            "fine_paid_for_offset": data.get("fine_paid_for_offset"),
        })
    return {"unit": user.unit.name, "from": start.isoformat(), "to": end.isoformat(),
            "totals": transfer_statistics(user.unit, start, end, visible=visible_unit_ids(user)), "items": items}


def report_csv(report: dict) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow([label for _, label in REPORT_COLUMNS])
    for item in report["items"]:
        writer.writerow(["" if item.get(key) is None else item[key] for key, _ in REPORT_COLUMNS])
    return "\ufeff" + buffer.getvalue()  # a BOM so spreadsheet programs read the Chinese headers as UTF-8


def transfer_statistics(unit: Unit, start: datetime, end: datetime, visible=None) -> dict:
    """For the statistics registry: transfers opened in [start, end) by `unit`'s subtree, by status and by the
    police's outcome, and how many were handed over within 24 hours of approval."""
    units = visible if visible is not None else subtree_ids(unit)
    rows = list(db.session.scalars(sa.select(CriminalTransfer).where(
        CriminalTransfer.unit_id.in_(units), CriminalTransfer.created_at >= start, CriminalTransfer.created_at < end)))
    by_status = {s.value: 0 for s in TransferStatus}
    outcomes: dict[str, int] = {}
    for t in rows:
        by_status[t.status] = by_status.get(t.status, 0) + 1
        outcome = _police_outcome(t)
        if outcome:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    handed_over = [t for t in rows if t.handed_over_at and t.approved_at]
    in_time = sum(1 for t in handed_over if (t.handed_over_at - t.approved_at).total_seconds() <= 24 * 3600)
    return {"transfers": len(rows), "by_status": by_status, "police_outcomes": outcomes,
            "handed_over": len(handed_over), "handed_over_within_24h": in_time,
            "cases_opened_by_police": sum(1 for t in rows if t.police_case_opened_at is not None)}


def transfer_for_case(case: Case) -> CriminalTransfer | None:
    return db.session.scalar(sa.select(CriminalTransfer).where(CriminalTransfer.case_id == case.id)
                             .order_by(CriminalTransfer.id.desc()).limit(1))


def describe_waiting_for_transfer(case: Case) -> dict:
    """For the case page: the case waits at 等待移送结果; which transfer, at which stage, due when."""
    transfer = transfer_for_case(case)
    if transfer is None:
        return {}
    attach_next_deadlines([transfer])
    return {"transfer_id": transfer.id, "transfer_number": transfer.transfer_number, "transfer_stage": transfer.stage,
            "transfer_stage_label": transfer.stage_label, "next_deadline": transfer.next_deadline}



# -- the supervisors' statistics (统计): each unit's own transfers; the statistics module rolls them up -----
_OUTCOME_COLUMNS = {"case_opened": "police_cases_opened", "judgment": "police_cases_opened",
                    "not_opened": "police_not_opened", "reconsideration_upheld": "police_not_opened",
                    "returned": "transfers_returned"}


def _collect_transfers(unit_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, float]]:
    figures: dict[int, dict[str, float]] = {}
    for t in db.session.scalars(sa.select(CriminalTransfer).where(
            CriminalTransfer.unit_id.in_(unit_ids), CriminalTransfer.created_at >= start,
            CriminalTransfer.created_at < end)):
        f = figures.setdefault(t.unit_id, {"transfers": 0, "transfers_handed_over": 0, "police_cases_opened": 0,
                                           "police_not_opened": 0, "transfers_returned": 0})
        f["transfers"] += 1
        if t.handed_over_at is not None:
            f["transfers_handed_over"] += 1
        column = _OUTCOME_COLUMNS.get(_police_outcome(t) or "")
        if column:
            f[column] += 1
    return figures


# Connected by create_app (wiring.py): the figures this domain adds to the statistics table.
STATISTICS = StatisticsContributor(
    name="transfers",
    columns=(("transfers", "移送涉嫌犯罪案件数"), ("transfers_handed_over", "已移交公安机关"),
             ("police_cases_opened", "公安机关立案数"), ("police_not_opened", "公安机关不予立案数"),
             ("transfers_returned", "退回行政处理数")),
    collect=_collect_transfers)
