"""Legal review sign-off (法制审核, 行政处罚法 Art 58).

Who may sign is enforced here, not in the page: a reviewer with the recorded legal qualification who is
neither a handler of the case nor the person approving its decision. A sign-off is bound to a fingerprint
of what was reviewed (facts, violations, evidence, proposal); when any of it changes afterwards the
sign-off no longer counts, the process sends the case back for review, and the decision cannot be approved.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import sqlalchemy as sa

from ...core.registry import Declarations
from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..evidence.queries import evidence_digests
from ..tasks.models import Task, TaskStatus
from ..users.models import Role, User
from .models import LegalReview, ReviewOutcome

CASE_PROCESS = "case_handling"
REVIEW_STEPS = ("legal_review", "legal_review_after_hearing")
BASIS = "行政处罚法第五十八条"
QUALIFICATION_REQUIRED_FROM = date(2021, 7, 15)  # the revised 行政处罚法 in force



def case_of_instance(instance_id: int) -> Case:
    return db.session.scalar(sa.select(Case).where(Case.instance_id == instance_id))


def handler_ids(case: Case, current: dict | None = None) -> set[int]:
    """Everyone who handled the case: its named handlers, its filer, whoever completed a handler's step."""
    names = set((current if current is not None else (case.instance.data or {})).get("handlers") or [])
    ids = set(db.session.scalars(sa.select(User.id).where(User.username.in_(names)))) if names else set()
    if case.created_by_id:
        ids.add(case.created_by_id)
    ids.update(db.session.scalars(sa.select(Task.completed_by_id).where(
        Task.instance_id == case.instance_id, Task.role == Role.case_handler.value,
        Task.status == TaskStatus.completed.value, Task.completed_by_id.is_not(None))))
    return ids


def decision_approver_ids(case: Case) -> set[int]:
    return set(db.session.scalars(sa.select(Task.completed_by_id).where(
        Task.instance_id == case.instance_id, Task.bpmn_id == "approve_decision",
        Task.status == TaskStatus.completed.value, Task.completed_by_id.is_not(None))))


def signer_ids(case: Case) -> set[int]:
    return set(db.session.scalars(sa.select(LegalReview.reviewer_id).where(LegalReview.case_id == case.id)))


def review_material(case: Case, current: dict) -> dict:
    material = {
        "facts": current.get("facts"),
        "violations": current.get("violations") or [],
        "evidence": current.get("evidence") or [],
        "proposals": current.get("proposals") or [],
    }
    for name, source in sorted(FINGERPRINT_SOURCES.items()):
        material[name] = source(case)
    return material


def fingerprint(material: dict) -> str:
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def latest_review(case: Case) -> LegalReview | None:
    return db.session.scalar(sa.select(LegalReview).where(LegalReview.case_id == case.id)
                             .order_by(LegalReview.signed_at.desc(), LegalReview.id.desc()).limit(1))


def sign_offs(case: Case) -> list[LegalReview]:
    """Every sign-off of the case, newest first."""
    return list(db.session.scalars(sa.select(LegalReview).where(LegalReview.case_id == case.id)
                                   .order_by(LegalReview.signed_at.desc(), LegalReview.id.desc())))


def sign_off_status(case: Case, current: dict | None = None) -> dict:
    """Is there a pass that still covers the case as it is now?"""
    current = current if current is not None else dict(case.instance.data or {})
    review = latest_review(case)
    now_fp = fingerprint(review_material(case, current))
    if review is None:
        return {"valid": False, "reason": "not_reviewed", "review": None, "fingerprint": now_fp}
    if review.outcome != ReviewOutcome.passed.value:
        return {"valid": False, "reason": "not_passed", "review": review, "fingerprint": now_fp}
    if review.fingerprint != now_fp:
        changed = sorted(k for k, v in review_material(case, current).items() if review.material.get(k) != v)
        return {"valid": False, "reason": "changed_since_review", "review": review, "fingerprint": now_fp,
                "changed": changed}
    return {"valid": True, "reason": None, "review": review, "fingerprint": now_fp}


# -- who may review, who may approve --------------------------------------------------------------------
def needs_qualification(user: User) -> bool:
    """行政处罚法 Art 58(2), in force 2021-07-15: those *first* taking up legal review from that day on need the
    legal professional qualification (法律职业资格); a reviewer appointed earlier does not. Without a recorded
    appointment day the service cannot tell, and asks for the qualification."""
    appointed = user.legal_review_appointed_on
    return not user.legal_qualification and (appointed is None or appointed >= QUALIFICATION_REQUIRED_FROM)


def _reviewer_guard(actor: User, task: Task) -> None:
    if needs_qualification(actor):
        raise Forbidden("2021年7月15日以后初次从事法制审核的人员须取得法律职业资格；未取得的，须登记其初次从事法制审核的日期 "
                        f"(reviewers first appointed from 2021-07-15 need the legal qualification; {BASIS}第二款)",
                        code="legal_qualification_required")
    case = case_of_instance(task.instance_id)
    if case is None:
        return
    if actor.id in handler_ids(case):
        raise Forbidden("本案承办人员不得审核本案 (a handler of the case may not review it; separation of duties)",
                        code="separation_of_duties")
    if actor.id in decision_approver_ids(case):
        raise Forbidden("决定审批人不得审核本案 (the approver of the decision may not review it; separation of duties)",
                        code="separation_of_duties")


def _approver_guard(actor: User, task: Task) -> None:
    case = case_of_instance(task.instance_id)
    if case is not None and actor.id in signer_ids(case):
        raise Forbidden("法制审核人员不得审批本案决定 (the legal reviewer may not approve the decision; separation of duties)",
                        code="separation_of_duties")


# -- the rules at completion ----------------------------------------------------------------------------
def _sign(actor: User, task: Task, data: dict, current: dict) -> dict:
    checklist = data["legal_review_checklist"]
    failed = sorted(k for k, item in checklist.items() if item.get("result") == "fail")
    if data["legal_review_outcome"] == ReviewOutcome.passed.value and failed:
        raise ValidationFailed("审核事项有不符合的，不能作出“通过”结论 (a failed item rules out a pass)",
                               {"legal_review_outcome": [f"不符合的事项：{', '.join(failed)}"]})
    case = case_of_instance(task.instance_id)
    material = review_material(case, current)
    fp = fingerprint(material)
    now = clock().now()
    review = LegalReview(
        case_id=case.id, task_id=task.id, stage=task.bpmn_id, reviewer_id=actor.id, checklist=checklist,
        outcome=data["legal_review_outcome"], opinion=data["legal_review_opinion"],
        reasons=data.get("legal_review_reasons") or None, fingerprint=fp, material=material, signed_at=now)
    db.session.add(review)
    db.session.flush()
    record_event(actor, "legal_review_signed", instance_id=case.instance_id, task_id=task.id, details={
        "review_id": review.id, "stage": task.bpmn_id, "outcome": review.outcome, "fingerprint": fp,
        "failed_items": failed, "reasons": review.reasons})
    return {**data, "legal_review_fingerprint": fp, "legal_review_id": review.id}


def _note_sign_off(actor: User, task: Task, data: dict, current: dict) -> dict:
    """Drafting the decision: is the sign-off still good? If not, the process sends it back for review."""
    case = case_of_instance(task.instance_id)
    status = sign_off_status(case, current)
    return {**data, "legal_review_valid": status["valid"]}


def _approve_only_after_a_valid_pass(actor: User, task: Task, data: dict, current: dict) -> dict:
    if data.get("decision_approved") is not True or not current.get("needs_legal_review"):
        return data
    case = case_of_instance(task.instance_id)
    status = sign_off_status(case, current)
    if not status["valid"]:
        message = {
            "not_reviewed": "本案未经法制审核",
            "not_passed": "法制审核未通过",
            "changed_since_review": "法制审核后案件事实、证据或处理意见已变更，审核意见失效",
        }[status["reason"]]
        raise Conflict(f"{message}，不得作出决定；请退回重新审核 ({BASIS}: no decision without a valid legal review)",
                       code="legal_review_invalid", details={"reason": status["reason"],
                                                             "changed": status.get("changed", [])})
    return {**data, "approved_with_review_id": status["review"].id}


def _evidence_files(case: Case) -> list:
    return [{"id": d["id"], "sha256": d["sha256"], "kind": d["kind"]} for d in evidence_digests(case.id)]


# Extra material a sign-off covers beside the process data: fn(case) -> JSON-ready list. The evidence files
# uploaded to the case (photos, recordings, scans) are part of what a sign-off covers.
FINGERPRINT_SOURCES = {"evidence_files": _evidence_files}


# Connected by create_app (wiring.py).
DECLARED = Declarations()
DECLARED.task_guard(CASE_PROCESS, *REVIEW_STEPS)(_reviewer_guard)
DECLARED.task_rule(CASE_PROCESS, *REVIEW_STEPS)(_sign)
DECLARED.task_guard(CASE_PROCESS, "approve_decision")(_approver_guard)
DECLARED.task_rule(CASE_PROCESS, "draft_decision")(_note_sign_off)
DECLARED.task_rule(CASE_PROCESS, "approve_decision")(_approve_only_after_a_valid_pass)
