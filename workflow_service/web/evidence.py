"""Evidence files (证据材料) on the case and task pages: the list, the upload form (multipart, to the evidence
operation), and downloads. Which files are accepted, from whom and when, is decided by modules/evidence."""
from __future__ import annotations

from flask import flash, redirect, request, send_file, url_for
from flask_login import login_required

from ..core.errors import ServiceError
from ..core.services import setting
from ..core.transaction import discard
from ..modules.cases.models import CaseStatus
from ..modules.evidence import operations as evidence_ops
from ..modules.evidence.queries import count_evidence, list_evidence
from .common import Pager, bp, chinese, is_local_path, me, page_number

KIND_NAMES = {"photo": "现场照片", "recording": "录音", "video": "视频（执法记录仪）", "scan": "扫描件", "document": "书证、电子文件"}
EVIDENCE_PER_PAGE = 30  # a case page shows this many files at a time (paged, upload order)
_FIELD_ERRORS = {413: "文件超过大小上限", 415: "文件类型不被接受，或与所选证据类型不符"}


def evidence_panel(user, case) -> dict:
    """What the pages show: the files, the kinds, and whether to offer the form (the operation decides)."""
    may_upload = (case.unit_id == user.unit_id and case.status != CaseStatus.closed.value
                  and any(user.has_role(r) for r in evidence_ops.UPLOADER_ROLES))
    pager = Pager(page_number("evidence_page"), count_evidence(case.id), per_page=EVIDENCE_PER_PAGE,
                  arg="evidence_page")
    return {"evidence_files": list_evidence(user, case.id, limit=pager.per_page, offset=pager.offset),
            "evidence_pager": pager, "evidence_kinds": KIND_NAMES,
            "may_upload_evidence": may_upload, "evidence_max_mb": setting("EVIDENCE_MAX_BYTES") // (1024 * 1024)}


def _back(case_id):
    target = request.form.get("next", "")
    if is_local_path(target):
        return redirect(target + "#evidence")
    return redirect(url_for("web.case_page", case_id=case_id) + "#evidence")


@bp.route("/cases/<int:case_id>/evidence", methods=["POST"])
@login_required
def upload_evidence(case_id):
    # An oversized body is refused from its Content-Length before it is read (413 page in Chinese): the limit
    # is raised for this endpoint before the CSRF check reads the form (app._upload_limit).
    upload = request.files.get("file")
    kind = request.form.get("kind", "")
    if upload is None or not upload.filename:
        flash("请选择要上传的证据文件。", "error")
        return _back(case_id)
    if kind not in KIND_NAMES:
        flash("请选择证据类型。", "error")
        return _back(case_id)
    try:
        row = evidence_ops.upload_evidence(me(), case_id, kind=kind, stream=upload.stream, filename=upload.filename,
                                           description=request.form.get("description", "").strip()[:500])
    except ServiceError as exc:
        discard()
        if exc.status in (403, 404):
            raise
        flash(f"上传失败：{_FIELD_ERRORS.get(exc.status) or chinese(exc.message)}。", "error")
        return _back(case_id)
    flash(f"证据「{row.filename}」已上传，SHA-256 {row.sha256[:16]}…已记入全过程记录。", "success")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/evidence/<int:evidence_id>")
@login_required
def download_evidence(case_id, evidence_id):
    row, stream = evidence_ops.open_evidence(me(), case_id, evidence_id)
    response = send_file(stream, mimetype=row.content_type, as_attachment=True,
                         download_name=evidence_ops.download_name(row), etag=row.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Content-SHA256"] = row.sha256
    return response
