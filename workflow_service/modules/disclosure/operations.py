"""Drafting a disclosure from a penalty decision, publishing it after review, withdrawing and expiring it.

- Drafted (redacted) by a step listener as soon as the case process records the decision (`decided_at`).
- Published when the reviewer completes the case's `record_disclosure` task (安全生产法 Art 78: within
  7 working days of the decision; the task's timers warn and escalate).
- Withdrawn through the `disclosure_withdrawal` process (行政处罚法 Art 48: within 3 working days of the
  change, revocation or voiding, with the reason made public).
- Expired by `expire_disclosures` (a scheduler job) at the end of the publication period (rule
  `publication_period`, configurable per province like every deadline rule).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...core.registry import Declarations
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.parties import several
from ..deadlines.operations import compute_deadline
from ..documents.context import build_context
from ..documents.numbering import document_number
from ..steps import pipeline
from ..users.provinces import province_code
from ..tasks.models import Task
from ..users.models import Role, User
from ..users.units import sees_unit
from .models import PUBLIC_STATUSES, Disclosure, DisclosureStatus, WithdrawalReason, WITHDRAWAL_LABELS
from .redaction import Redactor, is_credit_code

CASE_PROCESS = "case_handling"
WITHDRAWAL_PROCESS = "disclosure_withdrawal"
# Redacted again on publication; the decision number and the deciding body are the department's own
# identifiers (a number like 532301-2026-000012 would otherwise look like an account number to the patterns).
TEXT_FIELDS = ("party_credit_code", "violation", "legal_basis", "penalty")
AS_IS_FIELDS = ("decision_number", "deciding_body")


# -- drafting --------------------------------------------------------------------------------------
def _officer_names(instance_id: int, data: dict) -> list[str]:
    """The officers and reviewers of the case: people other than the party whose names the records know."""
    usernames = set(data.get("handlers") or [])
    if data.get("hearing_chair"):
        usernames.add(str(data["hearing_chair"]))
    ids = set(db.session.scalars(sa.select(Task.completed_by_id).where(Task.instance_id == instance_id,
                                                                      Task.completed_by_id.is_not(None))))
    users = db.session.scalars(sa.select(User).where(sa.or_(User.username.in_(usernames), User.id.in_(ids))))
    return [u.display_name for u in users if u.display_name]


def redactor_for(case: Case, data: dict, extra_terms=()) -> Redactor:
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    party_type = party.get("type") or case.party_type
    credit = str(party.get("credit_code") or "").strip()
    keep_code = credit if party_type == "organisation" and is_credit_code(credit) else ""
    names = [str(party.get("legal_representative") or "")] + _officer_names(case.instance_id, data)
    return Redactor(party_name=str(party.get("name") or case.party_name), credit_code=keep_code,
                    known_names=[n for n in names if n], extra_terms=list(extra_terms))


def _violation_text(data: dict) -> str:
    items = [v for v in data.get("violations") or [] if isinstance(v, dict)]
    return "；".join(f"{i}. {v.get('description', '')}（违反{v.get('provision', '')}）" for i, v in enumerate(items, 1))


def _decided_at(data: dict) -> datetime:
    return datetime.fromisoformat(str(data["decided_at"]))


def draft_disclosure(case: Case, data: dict, now) -> Disclosure:
    """A redacted draft from the decision: number, party and credit code, violation, basis, penalty, body, date."""
    redactor = redactor_for(case, data)
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    credit = str(party.get("credit_code") or "").strip()
    decided_at = _decided_at(data)
    # What the decision says, as the documents module writes it from the case (the basis cited per violation,
    # the combined penalty in figures and capitals): nothing here is typed a second time.
    # Several parties (双罚): the case's own party's decision, its own penalty (the others' decisions are theirs).
    context = build_context(case, now=now, party_seq=1 if several(data) else None)
    basis = "；".join(f"{v['provision']}；{v['basis']}" if v["basis"] else v["provision"]
                      for v in context["violations"] if v["outcome"] == "penalty")
    disclosure = Disclosure(
        case_id=case.id, instance_id=case.instance_id, unit_id=case.unit_id, status=DisclosureStatus.draft.value,
        decision_number=str(document_number(case.id, "penalty_decision") or case.case_number)[:100],
        party_name=str(party.get("name") or case.party_name)[:200], party_type=str(party.get("type") or case.party_type),
        party_credit_code=(redactor.redact(credit) or None)[:64] if credit else None,
        violation=redactor.redact(_violation_text(data)) or "—",
        legal_basis=redactor.redact(basis) or "—",
        penalty=redactor.redact(context["penalty_text"]) or "—",
        deciding_body=case.unit.name, decision_date=decided_at.astimezone(SHANGHAI).date(), decided_at=decided_at,
        drafted_at=now,
    )
    disclosure.redactions = dict(redactor.counts)
    db.session.add(disclosure)
    db.session.flush()
    record_event(None, "disclosure_drafted", instance_id=case.instance_id,
                 details={"disclosure_id": disclosure.id, "redactions": disclosure.redactions})
    return disclosure


def draft_on_decision(record) -> None:
    """Step handler: a penalty decision was recorded → its disclosure is drafted (once)."""
    if record.process_id != CASE_PROCESS:
        return
    instance, data, now = record.instance, record.snapshot.data, record.now
    if not data.get("decided_at") or data.get("case_outcome") != "penalty":
        return
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == instance.id))
    if case is None or db.session.scalar(sa.select(Disclosure.id).where(Disclosure.case_id == case.id)):
        return
    if not document_number(case.id, "penalty_decision"):
        return  # a decision is disclosed under its number: issued, or reserved when its draft was submitted
    draft_disclosure(case, data, now)



def _disclosure_of_instance(instance_id: int) -> Disclosure | None:
    return db.session.scalar(sa.select(Disclosure).where(Disclosure.instance_id == instance_id))


def draft_view(disclosure: Disclosure) -> dict:
    return {"decision_number": disclosure.decision_number, "party_name": disclosure.party_name,
            "party_credit_code": disclosure.party_credit_code or "", "violation": disclosure.violation,
            "legal_basis": disclosure.legal_basis, "penalty": disclosure.penalty,
            "deciding_body": disclosure.deciding_body, "decision_date": disclosure.decision_date.isoformat()}


def _record_disclosure_view(task: Task) -> dict:
    """What the reviewer's form shows: the redacted draft (the form's `disclosure_draft`)."""
    disclosure = _disclosure_of_instance(task.instance_id)
    if disclosure is None:
        return {}
    return {"disclosure_draft": draft_view(disclosure), "disclosure_redactions": dict(disclosure.redactions or {})}


# Connected by create_app (wiring.py).
DECLARED = Declarations()
DECLARED.task_view(CASE_PROCESS, "record_disclosure")(_record_disclosure_view)


# -- publishing ------------------------------------------------------------------------------------
def _publish_on_review(actor, task: Task, data: dict, current: dict) -> dict:
    """Task rule of `record_disclosure`: the reviewer's confirmation publishes the (re-)redacted record."""
    if actor.username in set(current.get("handlers") or []):
        # The check on what goes public is a second pair of eyes, never the case's own handler.
        raise Forbidden("承办人不得审核本案的公示内容 (a handler of the case cannot confirm its disclosure)",
                        code="separation_of_duties")
    case = db.session.scalar(sa.select(Case).where(Case.instance_id == task.instance_id))
    disclosure = _disclosure_of_instance(task.instance_id)
    if disclosure is None:  # decided before disclosures were drafted: draft now from the same data
        disclosure = draft_disclosure(case, current, clock().now())
    if disclosure.status != DisclosureStatus.draft.value:
        raise Conflict("该公示已处理 (this disclosure was already handled)", code="disclosure_not_draft")
    now = clock().now()
    province = province_code(case.unit)
    if not data.get("disclosure_publish"):
        disclosure.status = DisclosureStatus.not_published.value
        disclosure.not_published_reason = data.get("disclosure_not_published_reason")
        record_event(actor, "disclosure_not_published", instance_id=task.instance_id,
                     details={"disclosure_id": disclosure.id, "reason": disclosure.not_published_reason})
        return {**data, "disclosed": False}
    # Whatever the reviewer edited goes through redaction again, with the extra terms they named.
    edits = data.get("disclosure_draft") or {}
    redactor = redactor_for(case, current, data.get("disclosure_extra_redactions") or [])
    for name in TEXT_FIELDS:
        value = edits.get(name, getattr(disclosure, name))
        setattr(disclosure, name, redactor.redact(value) if value else value)
    disclosure.party_name = (edits.get("party_name") or disclosure.party_name)[:200]  # the party itself stays
    for name in AS_IS_FIELDS:
        if edits.get(name):
            setattr(disclosure, name, edits[name])
    if edits.get("decision_date"):
        disclosure.decision_date = datetime.fromisoformat(edits["decision_date"]).date()
    counts = dict(disclosure.redactions or {})
    for kind, hits in redactor.counts.items():
        counts[kind] = counts.get(kind, 0) + hits
    disclosure.redactions = counts
    due = compute_deadline("disclosure", disclosure.decided_at, province).due.due_at
    disclosure.status = DisclosureStatus.published.value
    disclosure.published_at = now
    disclosure.published_by_id = actor.id
    disclosure.published_late = now > due
    disclosure.expires_at = compute_deadline("publication_period", now, province).due.due_at
    db.session.flush()
    record_event(actor, "disclosure_published", instance_id=task.instance_id, task_id=task.id,
                 details={"disclosure_id": disclosure.id, "decision_number": disclosure.decision_number,
                          "late": disclosure.published_late, "expires_at": disclosure.expires_at.isoformat()})
    # Facts for the rest of the case (and the case-file review): when it was published and where.
    result = {k: v for k, v in data.items() if k != "disclosure_extra_redactions"}
    return {**result, "disclosed": True, "disclosed_at": now.isoformat(), "disclosure_id": disclosure.id,
            "disclosure_url": f"/gongshi/{disclosure.id}"}


DECLARED.task_rule(CASE_PROCESS, "record_disclosure")(_publish_on_review)


# -- withdrawal ------------------------------------------------------------------------------------
def get_disclosure(actor: User, disclosure_id: int) -> Disclosure:
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound("公示不存在 (no such disclosure)")
    if not sees_unit(actor, disclosure.unit):
        raise Forbidden("无权处理其他单位的公示 (this disclosure belongs to another unit)")
    return disclosure


def request_withdrawal(actor: User, disclosure_id: int, *, reason: str, explanation: str,
                       changed_at: datetime | None = None) -> Disclosure:
    """A supervisor records that the decision was changed, revoked or declared void: the withdrawal starts and
    its 3-working-day deadline (行政处罚法 Art 48) runs from the change."""
    if not (actor.has_role(Role.supervisor) or actor.has_role(Role.principal_head)):
        raise Forbidden("仅负责人可发起撤回公示 (only supervisors start a withdrawal)")
    disclosure = get_disclosure(actor, disclosure_id)
    if disclosure.status != DisclosureStatus.published.value:
        raise Conflict("仅已公示的决定可撤回 (only a published record can be withdrawn)", code="disclosure_not_published",
                       details={"status": disclosure.status})
    WithdrawalReason(reason)
    now = clock().now()
    changed_at = changed_at or now
    if changed_at > now:
        raise ValidationFailed("决定变更时间不能晚于当前时间 (the change cannot be in the future)",
                               {"changed_at": ["不能晚于当前时间"]})
    notice = f"{WITHDRAWAL_LABELS[reason]}：{explanation}"
    instance = pipeline.start(
        actor, process_id=WITHDRAWAL_PROCESS, unit=disclosure.unit, title=f"撤回公示：{disclosure.decision_number}",
        business_key=disclosure.case.case_number,
        data={"disclosure_id": disclosure.id, "changed_at": changed_at.isoformat(), "withdrawal_reason": reason,
              "withdrawal_notice": notice})
    disclosure.status = DisclosureStatus.withdrawing.value
    disclosure.withdrawal_reason = reason
    disclosure.decision_changed_at = changed_at
    disclosure.withdrawal_instance_id = instance.id
    record_event(actor, "disclosure_withdrawal_requested", instance_id=disclosure.instance_id,
                 details={"disclosure_id": disclosure.id, "reason": reason, "withdrawal_instance_id": instance.id})
    db.session.flush()
    return disclosure


def _withdraw_on_confirmation(actor, task: Task, data: dict, current: dict) -> dict:
    # The disclosure is the one whose withdrawal this instance is, as its row records it: process data is never
    # an authority (a disclosure id in the data of another instance must not withdraw it).
    disclosure = db.session.scalar(sa.select(Disclosure).where(Disclosure.withdrawal_instance_id == task.instance_id))
    if disclosure is None or disclosure.status != DisclosureStatus.withdrawing.value:
        raise Conflict("该公示不在撤回中 (this disclosure is not being withdrawn)", code="disclosure_not_withdrawing")
    now = clock().now()
    case = disclosure.case
    redactor = redactor_for(case, case.instance.data or {})
    disclosure.withdrawal_notice = redactor.redact(data["withdrawal_notice"])
    disclosure.status = DisclosureStatus.withdrawn.value
    disclosure.withdrawn_at = now
    disclosure.withdrawn_by_id = actor.id
    late = now > compute_deadline("disclosure_withdrawal", disclosure.decision_changed_at,
                                  province_code(disclosure.unit)).due.due_at
    record_event(actor, "disclosure_withdrawn", instance_id=disclosure.instance_id,
                 details={"disclosure_id": disclosure.id, "reason": disclosure.withdrawal_reason, "late": late})
    db.session.flush()
    return {**data, "withdrawn_at": now.isoformat(), "withdrawn_late": late}


DECLARED.task_rule(WITHDRAWAL_PROCESS, "confirm_withdrawal")(_withdraw_on_confirmation)


# -- expiry ----------------------------------------------------------------------------------------
def expire_disclosures(now=None, batch_size: int = 500) -> int:
    """Scheduler job (idempotent): records past their publication period leave the public pages."""
    now = now or clock().now()
    rows = list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.status.in_(PUBLIC_STATUSES), Disclosure.expires_at <= now)
        .order_by(Disclosure.expires_at, Disclosure.id).limit(batch_size)))
    for disclosure in rows:
        disclosure.status = DisclosureStatus.expired.value
        disclosure.expired_at = now
        record_event(None, "disclosure_expired", instance_id=disclosure.instance_id,
                     details={"disclosure_id": disclosure.id})
    db.session.flush()
    return len(rows)
