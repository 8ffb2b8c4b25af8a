"""执法文书 on the case and task pages: the documents of the case with number, date, version and downloads; issuing
and voiding (forms to the documents operations); on a task, the document it drafts or approves as it will be
issued. Who may do what is decided by modules/documents."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import flash, redirect, request, send_file, url_for
from flask_login import login_required

from ..core.errors import NotFound, ServiceError
from ..core.forms import load_form
from ..core.services import setting
from ..core.transaction import discard
from ..extensions import db
from ..modules.documents import operations as doc_ops
from ..modules.documents.models import CaseFile, IssuedDocument
from ..modules.documents.numbering import decision_number
from ..modules.documents.registry import DOCUMENT_TYPES
from ..modules.tasks.queries import get_visible_task
from .common import bp, chinese, me, tz
from .schema_form import decode_form

STATUS_NAMES = {"issued": "有效", "superseded": "已更正", "void": "作废"}


def documents_panel(user, case) -> dict:
    """The case page's list (the case is visible to `user` already: who sees the case sees its documents)."""
    documents = list(db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.case_id == case.id)
                                        .order_by(IssuedDocument.issued_at, IssuedDocument.id)))
    case_file = db.session.scalar(sa.select(CaseFile).where(CaseFile.case_id == case.id)
                                  .order_by(CaseFile.version.desc()).limit(1))
    own = case.unit_id == user.unit_id
    return {"documents": documents, "case_file": case_file, "document_status_names": STATUS_NAMES,
            "decision_number": decision_number(case.id),
            "document_types": {k: t.title for k, t in DOCUMENT_TYPES.items()},
            "may_issue_documents": own and any(user.has_role(r) for r in doc_ops.ISSUER_ROLES),
            "may_void_documents": own and any(user.has_role(r) for r in doc_ops.VOIDER_ROLES)}


def task_documents_panel(task) -> list[dict]:
    return doc_ops.task_documents(task)


def _back(case_id):
    return redirect(url_for("web.case_page", case_id=case_id) + "#documents")


@bp.route("/cases/<int:case_id>/documents", methods=["POST"])
@login_required
def issue_document(case_id):
    doc_type = request.form.get("doc_type", "")
    extra = {"reasoning": request.form["reasoning"].strip()} if request.form.get("reasoning", "").strip() else {}
    try:
        document = doc_ops.issue_document(me(), case_id, doc_type, extra)
    except ServiceError as exc:
        discard()  # nothing of the refused operation is kept (core/transaction.py)
        if exc.status in (403, 404):
            raise
        flash(f"出具失败：{chinese(exc.message)}。", "error")
        return _back(case_id)
    flash(f"已出具「{document.title}」{document.number or ''}，文书内容 SHA-256 {document.html_sha256[:16]}…已记入全过程记录；"
          "PDF 随后生成，下载时即可取得。", "success")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/void", methods=["POST"])
@login_required
def void_document(case_id, document_id):
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.case_id != case_id:
        raise NotFound("文书不存在 (no such document)")
    try:
        doc_ops.void_document(me(), document_id, request.form.get("reason", ""))
    except ServiceError as exc:
        discard()  # nothing of the refused operation is kept (core/transaction.py)
        if exc.status in (403, 404):
            raise
        flash(f"作废失败：{chinese(exc.message)}。", "error")
        return _back(case_id)
    flash(f"「{document.title}」{document.number or ''}已作废，文号保留。", "success")
    return _back(case_id)




@bp.route("/tasks/<int:task_id>/document-preview", methods=["POST"])
@login_required
def task_document_preview(task_id):
    """The task's document as the step will issue it with what its form holds now (the form's 预览 button posts
    here): nothing is frozen, no number is taken, nothing is kept."""
    task = get_visible_task(me(), task_id)
    case = doc_ops.case_of_task(task)
    schema = load_form(setting("FORMS_DIR"), task.form_id) if task.form_id else {}
    data = {k: v for k, v in decode_form(schema, request.form, tz()).items() if v not in (None, "")}
    pdf = doc_ops.preview(case, request.args.get("doc_type", ""), overlay=doc_ops.form_overlay(schema, data))
    discard()  # a preview changes nothing
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="preview.pdf", max_age=0)
