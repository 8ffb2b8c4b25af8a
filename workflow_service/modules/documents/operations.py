"""Issuing, correcting and voiding enforcement documents; previewing one as it will be issued.

Issue = take the next number, render the template from what the case holds (plus what the handler adds),
freeze that HTML with its SHA-256 and write an audit event carrying the hash into the case's hash chain; the PDF
is drawn from the frozen HTML after the step (pdfs.py), the DOCX on request. Operations take the actor, flush and
never commit.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.operations import CASE_PROCESS
from ..cases.parties import data_parties, several
from ..cases.party_rules import decided, notified, unpaid
from ..cases.queries import can_view_case, case_for_instance
from ..deadlines.operations import find_rule
from ..rectification.models import RectificationOrder
from ..transfers.models import CriminalTransfer
from ..users.models import Role
from ..users.provinces import province_code
from . import numbering, rendering
from .casefile import build_case_file, order_case_file
from .context import build_context
from .pdfs import DocumentFontsMissing, ensure_pdf, fonts_missing
from .review import document_items
from .signatures import signature_blocks, signers
from .models import DocumentStatus, IssuedDocument
from .registry import (DOCUMENT_TYPES, PROCESS_STEP_DOCUMENTS, SERVED_BY_STEP, STEP_DOCUMENTS, TASK_PREVIEWS,
                       DocumentType, document_type)
from .text import to_local

ISSUER_ROLES = (Role.case_handler, Role.supervisor, Role.principal_head)
VOIDER_ROLES = (Role.supervisor, Role.principal_head)
# Keys a handler may add to a document (说理 and the like); anything else is refused, never printed.
EXTRA_FIELDS = {"reasoning", "handler_opinion", "head_opinion", "chair_name", "findings", "opinion", "reasons",
                "police", "procuratorate", "materials", "decision_number", "document_title", "document_number",
                "recipient", "method", "place", "served_at", "witness", "note", "publication", "published_at",
                "effective_at"}


def _type(key: str) -> DocumentType:
    doc_type = document_type(key)
    if doc_type is None:
        raise ValidationFailed("文书种类无效 (unknown document type)", {"doc_type": [f"one of {sorted(DOCUMENT_TYPES)}"]})
    return doc_type


def _check_extra(extra: dict | None) -> dict:
    extra = dict(extra or {})
    unknown = sorted(set(extra) - EXTRA_FIELDS)
    if unknown:
        raise ValidationFailed("文书补充内容包含无效字段 (unknown fields)", {"fields": [f"unknown: {unknown}"]})
    bad = sorted(k for k, v in extra.items() if not (
        isinstance(v, str) and len(v) <= 5000 or v is None
        or k == "materials" and isinstance(v, list) and all(isinstance(m, str) and len(m) <= 500 for m in v)))
    if bad:
        raise ValidationFailed("文书补充内容应为文字 (text expected)", {k: ["应为不超过5000字的文字"] for k in bad})
    return {k: v for k, v in extra.items() if v is not None}


def _case_for_issue(actor, case_id: int, roles=ISSUER_ROLES) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if actor is not None:
        if not can_view_case(actor, case):
            raise Forbidden("无权查看该案件 (this case belongs to another unit)")
        if case.unit_id != actor.unit_id or not any(actor.has_role(r) for r in roles):
            raise Forbidden("无权出具或作废本案文书 (not yours to issue)")
    return case


def _render(case: Case, doc_type: DocumentType, *, number: str | None, version: int, extra: dict, now,
            overlay: dict | None = None, party_seq: int | None = None):
    if party_seq is None and doc_type.key in PARTY_DOCUMENTS:
        party_seq = 1  # a case with several parties: the case's own party's document unless another is named
    needs = rendering.template_names(doc_type.template)
    if needs is not None and doc_type.key == "legal_review_opinion":
        needs = needs | {"legal_reviews"}  # its signature block names the reviewer
    context = build_context(case, now=now, extra=extra, overlay=overlay, needs=needs, party_seq=party_seq)
    context["doc"] = {"type": doc_type.key, "title": doc_type.title, "number": number, "version": version,
                      "issued_date": context["today"]}
    blocks = signature_blocks(case, doc_type, context)
    context["signers"] = signers(blocks)
    html = rendering.render_html(doc_type.template, context)
    try:
        # The PDF is drawn from this HTML after the step (pdfs.py); the fonts it needs must be there now.
        rendering.font_face_css(rendering.environment_font_dir())
    except rendering.FontsMissing as exc:
        raise fonts_missing(exc) from None
    return html, blocks


def _year(now) -> int:
    return to_local(now).year


def _freeze(case: Case, doc_type: DocumentType, actor, *, extra: dict, step: str | None, number=None, year=None,
            sequence=None, version=1, supersedes: IssuedDocument | None = None, reason: str | None = None,
            party_seq: int | None = None):
    now = clock().now()
    reservation = None
    party_seq = None if party_seq == 1 else party_seq
    if doc_type.numbered and number is None:
        # A number reserved for it (the decision's, taken when its draft was submitted) is the one it carries.
        if doc_type.key in numbering.RESERVED_TYPES:
            reservation = numbering.open_reservation(case.id, doc_type.key, party_seq)
        if reservation is not None:
            number, year, sequence = reservation.number, reservation.year, reservation.sequence
        else:
            year = _year(now)
            number, sequence = numbering.take_number(case.unit, doc_type, year)
    html, blocks = _render(case, doc_type, number=number, version=version, extra=extra, now=now,
                           party_seq=party_seq)
    document = IssuedDocument(party_seq=party_seq,
        case_id=case.id, unit_id=case.unit_id, doc_type=doc_type.key, title=doc_type.title, number=number,
        year=year, sequence=sequence, version=version, status=DocumentStatus.issued.value, step=step,
        fields=extra, signatures=blocks, pdf=None, pdf_sha256=None, pdf_pages=None,
        html=html, html_sha256=hashlib.sha256(html.encode()).hexdigest(), issued_at=now,
        issued_by_id=getattr(actor, "id", None), supersedes_id=supersedes.id if supersedes else None,
        correction_reason=reason)
    db.session.add(document)
    db.session.flush()
    if reservation is not None:
        reservation.document_id = document.id
    record_event(actor, "document_issued", instance_id=case.instance_id, details={
        "document_id": document.id, "doc_type": doc_type.key, "title": doc_type.title, "number": number,
        "version": version, "html_sha256": document.html_sha256,
        "step": step, "supersedes": supersedes.id if supersedes else None,
        "reason": reason, **({"party_seq": party_seq} if party_seq else {})})
    return document


def issue_document(actor, case_id: int, doc_type: str, extra: dict | None = None, *, step: str | None = None,
                   check_access: bool = True) -> IssuedDocument:
    """出具文书: a new document of the case with the next number of its type, frozen as rendered now.
    `actor` None (with check_access False) is the system issuing at a step."""
    kind = _type(doc_type)
    extra = _check_extra(extra)
    case = _case_for_issue(actor if check_access else None, case_id)
    if kind.key == "service_receipt":
        extra = _public_notice_effect(extra, case)
    return _freeze(case, kind, actor, extra=extra, step=step)


def _document_for_change(actor, document_id: int, roles) -> IssuedDocument:
    document = db.session.get(IssuedDocument, document_id)
    if document is None:
        raise NotFound("文书不存在 (no such document)")
    _case_for_issue(actor, document.case_id, roles)
    return document


def correct_document(actor, document_id: int, reason: str, extra: dict | None = None) -> IssuedDocument:
    """更正: a new version under the same number, rendered from what the case holds now; the old version stays
    in the record, marked superseded."""
    if not (reason or "").strip():
        raise ValidationFailed("请填写更正理由 (a reason is required)", {"reason": ["required"]})
    old = _document_for_change(actor, document_id, ISSUER_ROLES)
    if old.status != DocumentStatus.issued.value:
        raise Conflict("只能更正现行有效的文书 (only a document in force can be corrected)", code="document_not_current")
    case = db.session.get(Case, old.case_id)
    merged = {**(old.fields or {}), **_check_extra(extra)}
    old.status = DocumentStatus.superseded.value
    db.session.flush()
    return _freeze(case, _type(old.doc_type), actor, extra=merged, step=old.step, number=old.number, year=old.year,
                   sequence=old.sequence, version=old.version + 1, supersedes=old, reason=reason.strip(),
                   party_seq=old.party_seq)


def void_document(actor, document_id: int, reason: str) -> IssuedDocument:
    """作废: the document keeps its number and its bytes, marked void with the reason; the number is never
    given to another document (the sequence only moves forward)."""
    if not (reason or "").strip():
        raise ValidationFailed("请填写作废理由 (a reason is required)", {"reason": ["required"]})
    document = _document_for_change(actor, document_id, VOIDER_ROLES)
    if document.status == DocumentStatus.void.value:
        raise Conflict("该文书已作废 (already void)", code="document_void")
    document = ensure_pdf(document)  # the bytes the void copy is stamped on, and whose hash the record names
    document.status = DocumentStatus.void.value
    document.void_reason = reason.strip()
    document.voided_at = clock().now()
    document.voided_by_id = actor.id
    db.session.flush()
    case = db.session.get(Case, document.case_id)
    record_event(actor, "document_voided", instance_id=case.instance_id, details={
        "document_id": document.id, "doc_type": document.doc_type, "number": document.number,
        "version": document.version, "reason": document.void_reason, "pdf_sha256": document.pdf_sha256})
    return document


def current_document(case_id: int, doc_type: str, party_seq: int | None = None) -> IssuedDocument | None:
    return db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.case_id == case_id, IssuedDocument.doc_type == doc_type,
        numbering._party(IssuedDocument.party_seq, party_seq),
        IssuedDocument.status == DocumentStatus.issued.value).order_by(IssuedDocument.id.desc()).limit(1))


def preview_number(case: Case, kind: DocumentType, now, party_seq: int | None = None) -> tuple[str | None, bool]:
    """The number a preview shows and whether it is the document's own: the number reserved for it (the
    decision's, once its draft is submitted), else the one the next issue would take, marked as not yet taken."""
    if not kind.numbered:
        return None, False
    reservation = numbering.open_reservation(case.id, kind.key, party_seq)
    if reservation is not None:
        return reservation.number, True
    return f"{numbering.peek_number(case.unit, kind, _year(now))}（预览，出具时编号）", False


def preview(case: Case, doc_type: str, extra: dict | None = None, overlay: dict | None = None,
            party_seq: int | None = None) -> bytes:
    """The document as it will be issued, from what the case holds now (and `overlay`: what the step's form
    holds before it is submitted), without freezing it or taking a number. `party_seq`: in a case with several
    parties, the party it is addressed to."""
    kind = _type(doc_type)
    now = clock().now()
    if party_seq is not None:
        seqs = {p.get("seq") for p in data_parties(case.instance.data or {})}
        if party_seq not in seqs:
            raise ValidationFailed(f"本案没有第 {party_seq} 个当事人", {"party": [f"共 {len(seqs)} 个当事人"]})
    number, _reserved = preview_number(case, kind, now, party_seq)
    try:
        html, _blocks = _render(case, kind, number=number, version=1, extra=_check_extra(extra), now=now,
                                overlay=overlay, party_seq=party_seq)
    except (ValueError, TypeError, ArithmeticError):
        if not overlay:
            raise
        # What a form holds before it is validated (an amount that is no number): no preview, a message.
        raise ValidationFailed("表单内容有误，无法生成文书预览，请先更正 (the form's values cannot be previewed)",
                               {"data": ["请检查金额、日期等填写内容"]}) from None
    try:
        return rendering.html_to_pdf(html, rendering.environment_font_dir())
    except rendering.FontsMissing as exc:
        raise fonts_missing(exc) from None


def form_overlay(schema: dict, data) -> dict:
    """What a task's form holds, for a preview: only the form's own fields, never an engine or service key."""
    if not isinstance(data, dict):
        raise ValidationFailed("预览内容应为表单数据 (form data expected)", {"data": ["应为对象"]})
    allowed = set((schema or {}).get("properties") or {})
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        raise ValidationFailed("预览内容包含本表单没有的字段 (unknown fields)", {k: ["本表单没有该字段"] for k in unknown})
    return dict(data)


def preview_types(bpmn_id: str, data: dict) -> list[str]:
    """What a task shows "as it will be issued" (TASK_PREVIEWS), less documents the case does not call for."""
    types = list(TASK_PREVIEWS.get(bpmn_id, ()))
    if "hearing_notice" in types and data.get("hearing_eligible") is not True:
        types.remove("hearing_notice")
    return types


def _public_notice_effect(fields: dict, case: Case) -> dict:
    """民事诉讼法 Art 95 (applied by 行政处罚法 Art 61): service by public notice takes effect when the period of the
    rule `public_notice_service` (30 days) has passed since the notice was published — the rule in force for the
    case's province on the day of publication, as the service step checked it (cases/rules.py)."""
    published = to_local(fields.get("published_at"))
    if fields.get("method") == "public_notice" and published is not None and not fields.get("effective_at"):
        days = find_rule("public_notice_service", province_code(case.unit), published.date()).amount
        fields = {**fields, "notice_days": days, "effective_at": (published + timedelta(days=days)).isoformat()}
    return fields


def _receipt_fields(case: Case, step: str, data: dict) -> dict:
    doc_type, time_key = SERVED_BY_STEP[step]
    served = current_document(case.id, doc_type)
    fields = {"document_title": served.title if served else DOCUMENT_TYPES[doc_type].title,
              "document_number": served.number if served else "", "served_at": data.get(time_key) or ""}
    if time_key == "served_at":  # the serve steps' form records how, to whom and where (the other steps only when)
        fields.update(method=data.get("service_method") or "", recipient=data.get("recipient") or "",
                      note=data.get("service_note") or "", place=data.get("service_place") or "",
                      witness=data.get("witness") or "",
                      document_number=fields["document_number"] or numbering.decision_number(case.id) or "")
    if fields.get("method") == "public_notice" and fields["served_at"]:
        fields.update(published_at=data.get("published_at") or fields["served_at"],
                      publication=data.get("service_note") or "")
    return _public_notice_effect({k: v for k, v in fields.items() if v}, case)


def documents_for_step(case: Case, step: str, actor=None) -> list[IssuedDocument]:
    """Issue what the BPMN step `step` of bpmn/case_handling.bpmn produces (registry.STEP_DOCUMENTS), from the
    case's process data as the step left it. Called by the step pipeline after the step; `actor` is the person
    who completed it (None: the system). A document already issued at this step is not issued twice."""
    data = case.instance.data or {}
    if several(data) and step in PARTY_STEPS:
        return _party_documents(case, step, data, actor)
    issued = []
    for doc_type, condition in STEP_DOCUMENTS.get(step, ()):
        if condition is not None and not condition(data):
            continue
        existing = db.session.scalar(sa.select(sa.func.count(IssuedDocument.id)).where(
            IssuedDocument.case_id == case.id, IssuedDocument.doc_type == doc_type, IssuedDocument.step == step,
            IssuedDocument.status == DocumentStatus.issued.value))
        if existing and doc_type not in ("legal_review_opinion", "collective_discussion_record", "case_report"):
            continue
        extra = _receipt_fields(case, step, data) if doc_type == "service_receipt" else {}
        if doc_type in ("payment_demand", "enforcement_application"):
            decision = current_document(case.id, "penalty_decision")
            extra["decision_number"] = decision.number if decision else numbering.decision_number(case.id) or ""
        issued.append(_freeze(case, DOCUMENT_TYPES[doc_type], actor, extra=extra, step=step))
    if step == "archive":
        order_case_file(case, actor, retention=data.get("retention") or "30年",
                        archive_number=data.get("archive_number"))
    return issued


# Documents addressed to a party: in a case with several parties each party gets its own (DOMAIN.md: 双罚).
PARTY_DOCUMENTS = {"penalty_notice", "hearing_notice", "penalty_decision", "no_penalty_decision", "service_receipt",
                   "payment_demand", "deferral_approval"}
PARTY_STEPS = {"notify_intended_penalty", "approve_decision", "serve_decision", "payment_demand", "approve_no_penalty",
               "serve_no_penalty_decision", "approve_payment_deferral"}


def _issued_for(case: Case, doc_type: str, step: str, party_seq: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count(IssuedDocument.id)).where(
        IssuedDocument.case_id == case.id, IssuedDocument.doc_type == doc_type, IssuedDocument.step == step,
        numbering._party(IssuedDocument.party_seq, party_seq),
        IssuedDocument.status == DocumentStatus.issued.value)))


def _party_documents(case: Case, step: str, data: dict, actor) -> list[IssuedDocument]:
    """The documents of a step in a case with several parties: one set per party the step concerns, each with its
    own number, naming that party and its own penalties, amounts and dates (party_rules.party_view)."""
    plan: list[tuple[str, int, dict]] = []
    if step == "notify_intended_penalty":
        for entry in data.get("party_notices") or []:
            seq = entry["party"]
            plan.append(("penalty_notice", seq, {}))
            if entry.get("hearing_eligible"):
                plan.append(("hearing_notice", seq, {}))
            plan.append(("service_receipt", seq, {"document": "penalty_notice", "served_at": entry["notified_at"]}))
    elif (step == "approve_decision" and data.get("decision_approved") is True
          or step == "approve_no_penalty" and data.get("no_penalty_approved") is True):
        for seq, outcome in sorted(decided(data).items()):
            plan.append(("penalty_decision" if outcome["outcome"] == "penalty" else "no_penalty_decision", seq, {}))
    elif step in ("serve_decision", "serve_no_penalty_decision"):
        outcomes = decided(data)
        for entry in data.get("party_services") or []:
            seq = entry["party"]
            kind = "penalty_decision" if outcomes.get(seq, {}).get("outcome") == "penalty" else "no_penalty_decision"
            plan.append(("service_receipt", seq, {"document": kind, "served_at": entry["served_at"],
                                                  "method": entry.get("service_method") or "",
                                                  "recipient": entry.get("recipient") or ""}))
    elif step == "approve_payment_deferral" and data.get("deferral_approved") is True:
        if isinstance(data.get("deferral_party"), int):
            plan.append(("deferral_approval", data["deferral_party"], {}))
    elif step == "payment_demand":
        for outcome in unpaid(data):
            plan.append(("payment_demand", outcome["seq"], {"decision": True}))
            if data.get("demand_served_at"):
                plan.append(("service_receipt", outcome["seq"], {"document": "payment_demand",
                                                                 "served_at": data["demand_served_at"]}))
    issued = []
    for doc_type, seq, spec in plan:
        if _issued_for(case, doc_type, step, seq):
            continue
        extra = {}
        if doc_type == "service_receipt":
            served = current_document(case.id, spec["document"], seq)
            extra = {"document_title": served.title if served else DOCUMENT_TYPES[spec["document"]].title,
                     "document_number": served.number if served else "", "served_at": spec["served_at"],
                     "method": spec.get("method") or "", "recipient": spec.get("recipient") or ""}
            extra = {k: v for k, v in extra.items() if v}
        elif spec.get("decision"):
            decision = current_document(case.id, "penalty_decision", seq)
            extra["decision_number"] = decision.number if decision else ""
        issued.append(_freeze(case, DOCUMENT_TYPES[doc_type], actor, extra=extra, step=step, party_seq=seq))
    return issued


_MATERIAL_NAMES = {"transfer_letter": None, "investigation_report": "涉嫌犯罪案件情况的调查报告",
                   "items_list": "涉案物品清单", "appraisal_reports": "有关检验报告或者鉴定意见",
                   "other_materials": "其他有关涉嫌犯罪的材料"}


def documents_for_process_step(instance, step: str, actor=None) -> list[IssuedDocument]:
    """The documents a step of the criminal transfer or rectification process produces (PROCESS_STEP_DOCUMENTS),
    issued into the file of the penalty case the process belongs to. A rectification order given before any
    case exists has no case file yet: nothing is issued (see the report on issue 18)."""
    entries = PROCESS_STEP_DOCUMENTS.get((instance.process_id, step))
    if not entries:
        return []
    data = instance.data or {}
    case_id, extra = None, {}
    if instance.process_id == "criminal_transfer":
        transfer = db.session.scalar(sa.select(CriminalTransfer).where(CriminalTransfer.instance_id == instance.id))
        case_id = transfer.case_id if transfer else None
        materials = data.get("materials") if isinstance(data.get("materials"), dict) else {}
        extra = {"police": data.get("police_bureau") or "", "procuratorate": data.get("procuratorate") or "",
                 "materials": [name for key, name in _MATERIAL_NAMES.items() if name and materials.get(key)]}
        extra = {k: v for k, v in extra.items() if v}
    elif instance.process_id == "rectification":
        order = db.session.scalar(sa.select(RectificationOrder).where(RectificationOrder.instance_id == instance.id))
        case_id = (order.source_case_id or order.penalty_case_id) if order else None
        if step == "reinspect" and data.get("reinspection_findings"):
            extra = {"findings": str(data["reinspection_findings"])[:5000]}
    else:  # a process whose instance is the case's own (the simple procedure, 当场处罚)
        owner = case_for_instance(instance.id)
        case_id = owner.id if owner else None
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        return []
    return [_freeze(case, DOCUMENT_TYPES[doc_type], actor, extra=extra if doc_type != "transfer_approval_form" else {},
                    step=f"{instance.process_id}:{step}")
            for doc_type, condition in entries if condition is None or condition(data)]


def case_of_task(task) -> Case:
    case = case_for_instance(task.instance_id)
    if case is None:
        raise NotFound("该待办不属于行政处罚案件 (the task belongs to no penalty case)")
    return case


def task_documents(task) -> list[dict]:
    """The documents a task shows as they will be issued: title, the number they will carry (`number_reserved`:
    it is theirs already), what they say in items a person checks (the decision's six items of 行政处罚法
    Art 59, the closure's reason, summary and payment), and the link to each preview."""
    case = case_of_task_or_none(task)
    if case is None:
        return []
    data = task.instance.data or {}
    now = clock().now()
    result = []
    if several(data):
        return _party_task_documents(task, case, data, now)
    for t in preview_types(task.bpmn_id, data):
        kind = DOCUMENT_TYPES[t]
        number, reserved = preview_number(case, kind, now)
        result.append({"doc_type": t, "title": kind.title, "number": number, "number_reserved": reserved,
                       "items": document_items(case, t, now=now),
                       "preview_url": f"/api/v1/tasks/{task.id}/document-preview?doc_type={t}"})
    return result


def _party_task_documents(task, case: Case, data: dict, now) -> list[dict]:
    """Several parties: a task's documents addressed to a party are listed once per party it concerns (the
    notice to each party to be penalised, the hearing notice to each that may ask for one, each party's own
    decision), each with that party's number, items and preview."""
    result = []
    for t in preview_types(task.bpmn_id, data):
        if t not in PARTY_DOCUMENTS:
            targets = [(t, None)]
        elif t in ("penalty_notice", "hearing_notice"):
            targets = [(t, s) for s, o in sorted(notified(data).items())
                       if t == "penalty_notice" or o.get("hearing_eligible")]
        else:
            targets = [("penalty_decision" if o["outcome"] == "penalty" else "no_penalty_decision", s)
                       for s, o in sorted(decided(data).items())] if t in ("penalty_decision", "no_penalty_decision") \
                else [(t, 1)]
        for doc_type, seq in targets:
            kind = DOCUMENT_TYPES[doc_type]
            number, reserved = preview_number(case, kind, now, seq)
            entry = {"doc_type": doc_type, "title": kind.title, "number": number, "number_reserved": reserved,
                     "items": document_items(case, doc_type, now=now, party_seq=seq),
                     "preview_url": f"/api/v1/tasks/{task.id}/document-preview?doc_type={doc_type}"
                                    + (f"&party={seq}" if seq else "")}
            if seq:
                party = next((p for p in data_parties(data) if p.get("seq") == seq), {})
                entry.update(party=seq, party_name=party.get("name") or "")
            result.append(entry)
    return result


def case_of_task_or_none(task) -> Case | None:
    return case_for_instance(task.instance_id)


def rebuild_case_file(actor, case_id: int, *, retention: str, archive_number: str | None):
    case = _case_for_issue(actor, case_id)
    data = case.instance.data or {}
    return build_case_file(case, actor, retention=retention,
                           archive_number=archive_number or data.get("archive_number"))


def issue_for_step(record) -> None:
    """Step handler (wiring.py): the documents a step creates are issued when it is done, from the process data
    as the step left it (registry.STEP_DOCUMENTS, PROCESS_STEP_DOCUMENTS) — the person who completed the step is
    the one who issues them. The 集体讨论记录 comes with the heads' record of their discussion
    (record_collective_discussion), whether or not an online vote prepared it; the vote's own minutes stay
    printable from the ballot (committee.ballot_minutes)."""
    try:
        _issue_for_step(record)
    except DocumentFontsMissing as exc:
        # A machine without the document font (npm not run) still lets people work: the step goes on, the record
        # says which documents wait, and they are issued from the case page once the font is there.
        record_event(None, "documents_not_issued", instance_id=record.instance.id,
                     details={"step": record.completed_task.bpmn_id if record.completed_task else None,
                              "reason": exc.message})


def _issue_for_step(record) -> None:
    task = record.completed_task
    if record.process_id != CASE_PROCESS:
        if task is not None:
            documents_for_process_step(record.instance, task.bpmn_id, record.actor)
        return
    steps = [task.bpmn_id] if task is not None and (task.bpmn_id in STEP_DOCUMENTS or task.bpmn_id == "archive") else []
    if not steps:
        return
    case = case_for_instance(record.instance.id)
    if case is None:
        return
    for step in steps:
        documents_for_step(case, step, record.actor)
