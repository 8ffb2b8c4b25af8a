"""Running case-file reviews (案卷评查): one closed case, a random sample, or every closed case of a period
in a unit's subtree. Supervisors run them; each reviewed case gets an audit event with its score."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.models import AuditEvent
from ..audit.operations import record_event
from ..cases.models import Case, CaseStatus
from ..cases.queries import get_case
from ..deadlines.operations import compute_deadline
from ..deadlines.queries import deadline_shifts
from ..users.provinces import province_code
from ..review.models import LegalReview
from ..tasks.models import Task, TaskStatus
from ..users.models import Unit, User
from ..users.units import OVERSEER_ROLES, in_subtree, sees_unit
from .checks import CaseFacts, Completion, DocumentFact, review
from ..documents.models import DocumentStatus, IssuedDocument

REVIEWER_ROLES = OVERSEER_ROLES  # those who see the units below their own (users/units.py)
# A synchronous review of more cases than this is refused: review a sample instead.
MAX_CASES = 2000


def gather_facts(case: Case) -> CaseFacts:
    instance = case.instance
    events = {e.task_id: e for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.instance_id == case.instance_id, AuditEvent.action == "task_completed"))}
    tasks = db.session.execute(sa.select(Task, User.username).outerjoin(User, User.id == Task.completed_by_id)
                               .where(Task.instance_id == case.instance_id,
                                      Task.status == TaskStatus.completed.value)
                               .order_by(Task.completed_at, Task.id)).all()
    completions = []
    for task, username in tasks:
        event = events.get(task.id)
        data = ((event.details or {}).get("data") or {}) if event is not None else {}
        completions.append(Completion(task.bpmn_id, task.name, task.completed_at, username, task.due_at,
                                      task.due_rule_id, data, task.late_label))
    province = province_code(case.unit)
    sign_offs = [(r.outcome, r.signed_at) for r in db.session.scalars(
        sa.select(LegalReview).where(LegalReview.case_id == case.id).order_by(LegalReview.signed_at, LegalReview.id))]

    documents = [DocumentFact(d.doc_type, d.number, d.issued_at, d.fields or {}, d.signatures or [])
                 for d in db.session.execute(
        sa.select(IssuedDocument.doc_type, IssuedDocument.number, IssuedDocument.issued_at, IssuedDocument.fields,
                  IssuedDocument.signatures)
        .where(IssuedDocument.case_id == case.id, IssuedDocument.status == DocumentStatus.issued.value)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id))]
    return CaseFacts(data=dict(instance.data or {}), completions=completions,
                     shifts=deadline_shifts(case.instance_id),
                     deadline=lambda rule, start: compute_deadline(rule, start, province).due.due_at,
                     sign_offs=sign_offs, documents=documents)


def review_case(case: Case) -> dict:
    result = review(gather_facts(case))
    return {"case_id": case.id, "case_number": case.case_number, "unit_id": case.unit_id,
            "party_name": case.party_name, "closed_at": case.closed_at, **result}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def review_case_files(actor, *, case_id: int | None = None, unit_id: int | None = None,
                      closed_from: date | None = None, closed_to: date | None = None,
                      sample: int | None = None, seed: int | None = None) -> dict:
    """案卷评查. `closed_from`/`closed_to` are days in Asia/Shanghai, both included."""
    if not any(actor.has_role(r) for r in REVIEWER_ROLES):
        raise Forbidden("仅负责人可组织案卷评查 (supervisors only)")
    if case_id is not None:
        case = get_case(actor, case_id)
        if case.status != CaseStatus.closed.value:
            raise Conflict("案件尚未结案，不能评查 (the case is not closed)", code="case_not_closed")
        cases = [case]
        seed = None
    else:
        unit = actor.unit
        if unit_id is not None:
            unit = db.session.get(Unit, unit_id)
            if unit is None:
                raise NotFound("单位不存在 (no such unit)")
            if not sees_unit(actor, unit):
                raise Forbidden("只能评查本单位及下级单位的案件 (outside your unit tree)")
        query = sa.select(Case.id).where(Case.status == CaseStatus.closed.value, in_subtree(Case.unit_id, unit))
        if closed_from is not None:
            query = query.where(Case.closed_at >= _day_start(closed_from))
        if closed_to is not None:
            query = query.where(Case.closed_at < _day_start(closed_to + timedelta(days=1)))
        ids = list(db.session.scalars(query.order_by(Case.id)))
        if sample is not None:
            seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 31)
            ids = sorted(random.Random(seed).sample(ids, min(sample, len(ids))))
        else:
            seed = None
        if len(ids) > MAX_CASES:
            raise ValidationFailed(f"案件过多（{len(ids)}件），请抽查 (too many cases: review a sample)",
                                   {"sample": [f"at most {MAX_CASES} cases per review"]})
        cases = [db.session.get(Case, i) for i in ids]
    items = []
    for case in cases:
        result = review_case(case)
        record_event(actor, "case_file_reviewed", instance_id=case.instance_id, details={
            "score": result["score"], "grade": result["grade"], "defects": [d["code"] for d in result["defects"]]})
        items.append(result)
    by_code: dict[str, int] = {}
    for item in items:
        for found in item["defects"]:
            by_code[found["code"]] = by_code.get(found["code"], 0) + 1
    average = round(sum(i["score"] for i in items) / len(items), 1) if items else None
    return {"seed": seed, "reviewed": len(items), "average_score": average, "defects_by_code": by_code,
            "items": items}
