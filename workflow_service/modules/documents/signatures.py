"""The signature and seal blocks (签名、印章) a document carries, filled in from the case when it is issued.

DOCUMENTS.md: handlers (two) sign records and the reports they submit, the approver signs the approval form, the
party or a witness signs receipts, the department seals decisions, notices and letters. Each block records
who signs and whether the case holds that signature; the blocks are printed on the document (the approver's
name on an approval form, the recipient or witness on a receipt) and kept with it (IssuedDocument.signatures),
so the case-file review (案卷评查) can name a document that lacks one.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..tasks.models import Task, TaskStatus
from ..users.models import User
from .registry import DocumentType

# Approval forms (审批表): the step whose completer approves it, the step whose completer submits it.
APPROVED_AT = {"filing_approval": ("approve_filing", "draft_filing"),
               "closure_approval": ("approve_closure", "draft_closure_report")}
# Documents the case's handlers (执法人员, at least two: 行政处罚法 Art 42) sign.
SIGNED_BY_HANDLERS = {"inspection_record", "case_report", "reinspection_opinion"}
# How a document was served decides who signs its receipt: the recipient (签收), a witness (留置送达 — 民事诉讼法
# Art 89), or nobody (a publication, a postal or electronic record).
RECIPIENT_SIGNS = {"announced", "direct", "entrusted", "post"}
WITNESS_SIGNS = {"left"}
SEALED_KINDS = {"decision", "notice", "letter"}


def _completers(instance_id: int, *steps: str) -> dict[str, str]:
    """{step: the name of whoever last completed it} for the steps of the instance someone completed."""
    rows = db.session.execute(sa.select(Task.bpmn_id, User.display_name).join(User, Task.completed_by_id == User.id)
                              .where(Task.instance_id == instance_id, Task.bpmn_id.in_(steps),
                                     Task.status == TaskStatus.completed.value)
                              .order_by(Task.completed_at.desc(), Task.id.desc()))
    names: dict[str, str] = {}
    for step, name in rows:
        names.setdefault(step, name)
    return names


def _block(role: str, name: str | None) -> dict:
    return {"role": role, "name": name or "", "signed": bool(name)}


def signature_blocks(case, doc_type: DocumentType, context: dict) -> list[dict]:
    """The blocks of this document as the case fills them in now."""
    blocks = []
    handlers = [h["name"] for h in context["handlers"]]
    if doc_type.kind in SEALED_KINDS:
        blocks.append({"role": "印章", "name": context["unit"]["name"], "signed": True})
    if doc_type.key in APPROVED_AT:
        approve, submit = APPROVED_AT[doc_type.key]
        completers = _completers(case.instance_id, approve, submit)
        blocks.append(_block("承办人", completers.get(submit) or "、".join(handlers)))
        blocks.append(_block("审批人", completers.get(approve)))
    if doc_type.key in SIGNED_BY_HANDLERS:
        # Two officers, each signing with the number of their enforcement certificate (行政处罚法 Art 42, 55).
        officers = context["handlers"][:2]
        for officer in officers + [{"name": "", "certificate": ""}] * (2 - len(officers)):
            blocks.append({"role": "执法人员", "name": officer["name"], "certificate": officer.get("certificate") or "",
                           "signed": bool(officer["name"] and officer.get("certificate"))})
    if doc_type.key == "legal_review_opinion":
        reviews = context["legal_reviews"]
        blocks.append(_block("法制审核人员", reviews[-1]["reviewer"] if reviews else ""))
    if doc_type.kind == "receipt":
        served = context["extra"]
        method = served.get("method")
        if method in RECIPIENT_SIGNS or (method is None and served.get("recipient")):
            blocks.append(_block("受送达人（签收）", served.get("recipient")))
        elif method in WITNESS_SIGNS:
            blocks.append(_block("见证人", served.get("witness")))
        blocks.append(_block("送达人", "、".join(handlers)))
    return blocks


def signers(blocks: list[dict]) -> dict:
    """{role: name} for the templates (the first block of each role)."""
    result: dict = {}
    for block in blocks:
        result.setdefault(block["role"], block["name"])
    return result
