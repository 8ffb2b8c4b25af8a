"""Recording reconsiderations (行政复议) and lawsuits (行政诉讼) against a penalty decision and their results.

- While one runs, the late-payment surcharge is not counted (行政处罚法 Art 73(3)) and the department does not
  apply to the court for compulsory enforcement (行政强制法 Art 53: only when no reconsideration or suit was
  brought in time); a revoked, void or unlawful decision is never enforced.
- A decision changed, revoked, declared unlawful or void has its disclosure withdrawn or updated within 3 working
  days (行政处罚法 Art 48; the disclosure withdrawal process and its rule `disclosure_withdrawal`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.parties import party_rows
from ..cases.queries import can_view_case
from ..disclosure import operations as disclosure_ops
from ..disclosure.models import Disclosure, DisclosureStatus
from ..users.models import Role
from .models import CORRECTING, KIND_LABELS, RESULT_LABELS, ChallengeKind, LegalChallenge

RECORDER_ROLES = (Role.case_handler, Role.supervisor, Role.principal_head)
RESULT_ROLES = (Role.supervisor, Role.principal_head)


def _at(value) -> datetime:
    return datetime.fromisoformat(str(value))


def _case(actor, case_id: int, roles) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if not can_view_case(actor, case):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    if case.unit_id != actor.unit_id or not any(actor.has_role(r) for r in roles):
        raise Forbidden("仅本案所属单位的承办人、负责人可登记复议、诉讼 (only the case's own unit records this)")
    return case


def decision_time(case: Case) -> datetime | None:
    data = case.instance.data or {}
    value = data.get("decided_at")
    return _at(value) if value else None


def _deadline(kind: str, known_at: datetime) -> datetime:
    # 行政复议法 (2023) Art 20: 60 days from knowing the decision; 行政诉讼法 Art 46: 6 months (approximated as
    # 6 calendar months on the same day).
    if kind == ChallengeKind.reconsideration.value:
        return known_at + timedelta(days=61)
    month = known_at.month + 6
    year = known_at.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    try:
        return known_at.replace(year=year, month=month) + timedelta(days=1)
    except ValueError:
        return known_at.replace(year=year, month=month, day=28) + timedelta(days=4)


def record_challenge(actor, case_id: int, *, kind: str, body: str, filed_at: datetime, note: str = "",
                     party: int | None = None) -> LegalChallenge:
    """登记复议、诉讼: the party applied for reconsideration or sued; the body and the date it was filed. In a case
    with several parties, `party` (its seq) is the one that did: the periods run from its own service."""
    case = _case(actor, case_id, RECORDER_ROLES)
    decided = decision_time(case)
    now = clock().now()
    if decided is None:
        raise Conflict("本案尚未作出处罚决定，无复议、诉讼可登记 (no decision yet)", code="no_decision")
    if filed_at > now:
        raise ValidationFailed("申请（起诉）时间不能晚于当前时间", {"filed_at": ["不能晚于当前时间"]})
    if filed_at < decided:
        raise ValidationFailed("申请（起诉）时间不能早于处罚决定", {"filed_at": [f"不早于 {decided.isoformat()}"]})
    pending = db.session.scalar(sa.select(LegalChallenge).where(LegalChallenge.case_id == case.id,
                                                               LegalChallenge.status == "pending"))
    if pending is not None:
        raise Conflict(f"本案已有未结的{KIND_LABELS[pending.kind]}（{pending.body}），请先登记其结果",
                       code="challenge_pending", details={"challenge_id": pending.id})
    served = (case.instance.data or {}).get("served_at")
    if party is not None:
        seqs = {r.seq for r in party_rows(case)}
        if party not in seqs:
            raise ValidationFailed(f"本案没有第 {party} 个当事人（共 {len(seqs)} 个）", {"party": ["当事人序号不存在"]})
        services = {e.get("party"): e for e in (case.instance.data or {}).get("party_services") or []
                    if isinstance(e, dict)}
        served = (services.get(party) or {}).get("served_at") or served
    known = _at(served) if served else decided
    row = LegalChallenge(case_id=case.id, unit_id=case.unit_id, kind=kind, body=body, filed_at=filed_at,
                         party_seq=party,
                         late=filed_at >= _deadline(kind, known), note=note or "", status="pending",
                         recorded_at=now, recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(actor, "challenge_filed", instance_id=case.instance_id, details={
        "challenge_id": row.id, "kind": kind, "body": body, "filed_at": filed_at.isoformat(), "late": row.late})
    return row


def get_challenge(actor, challenge_id: int) -> LegalChallenge:
    row = db.session.get(LegalChallenge, challenge_id)
    if row is None:
        raise NotFound("复议、诉讼记录不存在 (no such record)")
    if not can_view_case(actor, row.case):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    return row


def record_result(actor, challenge_id: int, *, result: str, decided_at: datetime, note: str = "") -> LegalChallenge:
    """登记复议决定、裁判结果 (supervisors). A correcting result starts the withdrawal of the case's published
    disclosure (3 working days from the result, 行政处罚法 Art 48)."""
    row = get_challenge(actor, challenge_id)
    _case(actor, row.case_id, RESULT_ROLES)
    if row.status != "pending":
        raise Conflict("该复议、诉讼已登记结果 (already concluded)", code="challenge_concluded")
    now = clock().now()
    if decided_at > now:
        raise ValidationFailed("结果时间不能晚于当前时间", {"decided_at": ["不能晚于当前时间"]})
    if decided_at < row.filed_at:
        raise ValidationFailed("结果时间不能早于申请（起诉）时间", {"decided_at": [f"不早于 {row.filed_at.isoformat()}"]})
    if result in CORRECTING and not (note or "").strip():
        raise ValidationFailed("变更、撤销、确认违法或无效的，须写明结果内容（用于撤回或更新公示）",
                               {"note": ["必填"]})
    row.status, row.result, row.result_at, row.result_note = "concluded", result, decided_at, note or ""
    row.result_recorded_by_id = actor.id
    disclosure = db.session.scalar(sa.select(Disclosure).where(Disclosure.case_id == row.case_id))
    if result in CORRECTING and disclosure is not None and disclosure.status == DisclosureStatus.published.value:
        disclosure_ops.request_withdrawal(actor, disclosure.id, reason=CORRECTING[result],
                                          explanation=f"经{row.body}{KIND_LABELS[row.kind]}，{note}",
                                          changed_at=decided_at)
        row.disclosure_id = disclosure.id
    db.session.flush()
    record_event(actor, "challenge_concluded", instance_id=row.case.instance_id, details={
        "challenge_id": row.id, "kind": row.kind, "result": result, "label": RESULT_LABELS[result],
        "decided_at": decided_at.isoformat(), "disclosure_withdrawal": row.disclosure_id is not None})
    return row


def challenges_of(case_id: int) -> list[LegalChallenge]:
    return list(db.session.scalars(sa.select(LegalChallenge).where(LegalChallenge.case_id == case_id)
                                   .order_by(LegalChallenge.filed_at, LegalChallenge.id)))


def surcharge_pauses(case: Case, now: datetime) -> list[tuple[datetime, datetime]]:
    """Surcharge pause source (wiring.py): each reconsideration or lawsuit from filing to its result."""
    return [(c.filed_at, c.result_at or now) for c in challenges_of(case.id)]


# -- the case process: enforcement waits --------------------------------------------------------------------
DECLARED = Declarations()


@DECLARED.task_rule("case_handling", "apply_enforcement")
def _no_enforcement_while_challenged(actor, task, data, current):
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == task.instance_id))
    rows = challenges_of(case.id) if case is not None else []
    pending = [c for c in rows if c.status == "pending"]
    if pending:
        # 行政强制法 Art 53: the court is asked only when the party neither sought reconsideration nor sued.
        raise Conflict(f"当事人已申请{KIND_LABELS[pending[0].kind]}（{pending[0].body}），结果作出前不申请强制执行",
                       code="challenge_pending", details={"challenge_id": pending[0].id})
    if any(c.result in ("revoked", "void") for c in rows):
        raise Conflict("处罚决定已被撤销或确认无效，不得申请强制执行", code="decision_annulled")
    return data
