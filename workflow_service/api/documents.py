"""执法文书 and 案卷 over the API: list a case's documents, fetch one as PDF or DOCX, issue, correct, void; preview a
document as it will be issued; the case file; what a department prints on its documents (administrators)."""
from __future__ import annotations

import io

from flask import send_file
from flask_smorest import Blueprint

from ..modules.cases.queries import get_case
from ..modules.documents import operations as doc_ops
from ..modules.documents import queries
from ..modules.documents.numbering import configure_unit
from ..modules.documents.casefile import ensure_case_file
from ..modules.documents.pdfs import ensure_pdf
from ..modules.documents.rendering import html_to_docx, void_stamped
from ..modules.documents.schemas import (CaseFileArgs, CaseFileSchema, CorrectArgs, DocumentListSchema,
                                         DocumentSchema, DocumentSettingsArgs, DocumentSettingsSchema, FormatArgs,
                                         IssueArgs, PreviewArgs, TaskPreviewArgs, VoidArgs)
from ..core.forms import load_form
from ..core.services import setting
from ..core.transaction import discard, unit_of_work
from ..modules.tasks.queries import get_visible_task
from .auth import current_api_user

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="执法文书与案卷 (enforcement documents, case file)")

_PDF = {"format": "binary", "type": "string"}


def _pdf_response(pdf: bytes, filename: str, sha256: str | None = None, inline: bool = True):
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=not inline,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if sha256:
        response.headers["X-Content-SHA256"] = sha256
    return response


@blp.route("/cases/<int:case_id>/documents", methods=["GET"])
@blp.response(200, DocumentListSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def document_list(case_id):
    """Every document of the case, in the order issued: number, version, status (作废 with its reason), digests."""
    return {"items": queries.list_documents(current_api_user(), case_id)}


@blp.route("/cases/<int:case_id>/documents", methods=["POST"])
@blp.arguments(IssueArgs)
@blp.response(201, DocumentSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def issue(args, case_id):
    """Issue a document of the case (出具): the next number of its type, rendered from what the case holds
    plus `fields` (e.g. `reasoning`, 说理), frozen with its SHA-256 in the case's audit chain."""
    document = doc_ops.issue_document(current_api_user(), case_id, args["doc_type"], args["fields"])
    return document


@blp.route("/cases/<int:case_id>/documents/preview", methods=["GET"])
@blp.arguments(PreviewArgs, location="query")
@blp.response(200, _PDF, content_type="application/pdf")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def preview(args, case_id):
    """A document as it will be issued, from what the case holds now; nothing is frozen, no number is taken."""
    case = get_case(current_api_user(), case_id)
    return _pdf_response(doc_ops.preview(case, args["doc_type"], party_seq=args["party"]),
                         f"{args['doc_type']}-preview.pdf")


@blp.route("/cases/<int:case_id>/documents/<int:document_id>", methods=["GET"])
@blp.response(200, DocumentSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def document_detail(case_id, document_id):
    """One document's record."""
    return queries.get_document(current_api_user(), case_id, document_id)


@blp.route("/cases/<int:case_id>/documents/<int:document_id>/content", methods=["GET"])
@blp.arguments(FormatArgs, location="query")
@blp.response(200, _PDF, content_type="application/pdf")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def document_content(args, case_id, document_id):
    """The document as issued: `format=pdf` the frozen bytes (their SHA-256 in `X-Content-SHA256`; a void
    document comes stamped 作废 with its reason), `format=docx` an editable copy made from the frozen text."""
    document = queries.get_document(current_api_user(), case_id, document_id)
    name = f"{document.title}-{document.number or document.id}-v{document.version}"
    if args["format"] == "docx":
        response = send_file(io.BytesIO(html_to_docx(document.html)), as_attachment=True,
                             mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             download_name=f"{name}.docx", max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    if document.pdf_sha256 is None:
        # The one write a GET makes: a PDF not drawn yet (seconds after its step) is drawn now from the frozen HTML
        # and kept, in a unit of work of its own (modules/documents/pdfs.py).
        with unit_of_work():
            ensure_pdf(document)
    if document.status == "void":
        return _pdf_response(void_stamped(document.pdf, document.void_reason or ""), f"{name}-作废.pdf")
    return _pdf_response(document.pdf, f"{name}.pdf", document.pdf_sha256)


@blp.route("/cases/<int:case_id>/documents/<int:document_id>/void", methods=["POST"])
@blp.arguments(VoidArgs)
@blp.response(200, DocumentSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def void(args, case_id, document_id):
    """作废 (supervisors): the document keeps its number and bytes, marked void with the reason."""
    user = current_api_user()
    queries.get_document(user, case_id, document_id)
    document = doc_ops.void_document(user, document_id, args["reason"])
    return document


@blp.route("/cases/<int:case_id>/documents/<int:document_id>/corrections", methods=["POST"])
@blp.arguments(CorrectArgs)
@blp.response(201, DocumentSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def correct(args, case_id, document_id):
    """更正: a new version under the same number, from what the case holds now; the old one stays (superseded)."""
    user = current_api_user()
    queries.get_document(user, case_id, document_id)
    document = doc_ops.correct_document(user, document_id, args["reason"], args["fields"])
    return document


@blp.route("/cases/<int:case_id>/case-file", methods=["GET"])
@blp.response(200, CaseFileSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_file(case_id):
    """The latest case file (案卷) of the case: contents with first pages, pages, SHA-256."""
    return queries.latest_case_file(current_api_user(), case_id)


@blp.route("/cases/<int:case_id>/case-file", methods=["POST"])
@blp.arguments(CaseFileArgs)
@blp.response(201, CaseFileSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def build_case_file(args, case_id):
    """Build the case file again (a new version), e.g. after a correction; archiving builds the first one."""
    record = doc_ops.rebuild_case_file(current_api_user(), case_id, retention=args["retention"],
                                       archive_number=args["archive_number"])
    return record


@blp.route("/cases/<int:case_id>/case-file/content", methods=["GET"])
@blp.response(200, _PDF, content_type="application/pdf")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_file_content(case_id):
    """The case file as one PDF (its SHA-256 in `X-Content-SHA256`)."""
    record = queries.latest_case_file(current_api_user(), case_id)
    if record.pdf_sha256 is None:
        # Ordered at archiving and not drawn yet: drawn now and kept, in a unit of work of its own (as a document).
        with unit_of_work():
            ensure_case_file(record)
    return _pdf_response(record.pdf, f"案卷-{record.archive_number or case_id}-v{record.version}.pdf",
                         record.pdf_sha256, inline=False)


@blp.route("/tasks/<int:task_id>/document-preview", methods=["GET"])
@blp.arguments(PreviewArgs, location="query")
@blp.response(200, _PDF, content_type="application/pdf")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def task_preview(args, task_id):
    """The document a task drafts or approves, as it will be issued (listed in the task's `documents`)."""
    user = current_api_user()
    task = get_visible_task(user, task_id)
    case = doc_ops.case_of_task(task)
    return _pdf_response(doc_ops.preview(case, args["doc_type"], party_seq=args["party"]),
                         f"{args['doc_type']}-preview.pdf")


@blp.route("/tasks/<int:task_id>/document-preview", methods=["POST"])
@blp.arguments(TaskPreviewArgs)
@blp.response(200, _PDF, content_type="application/pdf")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def task_preview_with_form(args, task_id):
    """The task's document as the step will issue it with `data`, what its form holds before it is submitted
    (only the form's own fields): the handler checks the document while writing, e.g. the reasoning (说理) of a
    decision. Nothing is frozen or kept, no number is taken."""
    user = current_api_user()
    task = get_visible_task(user, task_id)
    case = doc_ops.case_of_task(task)
    schema = load_form(setting("FORMS_DIR"), task.form_id) if task.form_id else {}
    pdf = doc_ops.preview(case, args["doc_type"], overlay=doc_ops.form_overlay(schema, args["data"]),
                          party_seq=args["party"])
    discard()  # a preview changes nothing
    return _pdf_response(pdf, f"{args['doc_type']}-preview.pdf")


@blp.route("/admin/document-settings/<unit_code>", methods=["PUT"])
@blp.arguments(DocumentSettingsArgs)
@blp.response(200, DocumentSettingsSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def document_settings(args, unit_code):
    """What a department's documents carry (administrators): its code in numbers (机关代字, e.g. 楚应急), the
    type codes (e.g. {"penalty_decision": "罚"}), the reconsideration body, the court, where fines are paid."""
    settings = configure_unit(current_api_user(), unit_code, **args)
    return settings

