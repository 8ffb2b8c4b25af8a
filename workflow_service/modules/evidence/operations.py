"""Uploading evidence files to a case.

Every check that can refuse an upload runs before a byte reaches the evidence store; the bytes are stored
under a key the service makes, and removed again if the transaction that records them rolls back.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import tempfile
import unicodedata
import uuid
from typing import BinaryIO

import filetype
from sqlalchemy import event
from sqlalchemy.orm import Session

from ...core.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ...core.services import clock, setting
from ...core.transaction import unit_of_work
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import CaseStatus
from ..cases.queries import get_case
from ..steps.locking import lock_instance
from ..users.models import Role
from .models import KIND_CONTENT_TYPES, EvidenceFile, EvidenceKind
from .storage import evidence_store, open_verified

UPLOADER_ROLES = (Role.case_handler, Role.supervisor, Role.principal_head)
_CHUNK = 1024 * 1024


def allowed_content_types() -> set[str]:
    return {t.strip() for t in setting("EVIDENCE_CONTENT_TYPES").split(",") if t.strip()}


def display_filename(name: str | None) -> str:
    """The client's file name, for display and the download's Content-Disposition only: no directories,
    no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-255:] or "evidence"


def _spool(stream: BinaryIO, limit: int):
    """Copy the upload to a temporary file, hashing as it goes; refuse it past the size limit."""
    digest, size = hashlib.sha256(), 0
    spool = tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK)
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"文件超过大小上限 {limit} 字节 (the file is larger than {limit} bytes)",
                                      {"file": [f"at most {limit} bytes"]})
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


def upload_evidence(actor, case_id: int, *, kind: str, stream: BinaryIO, filename: str | None,
                    description: str = "") -> EvidenceFile:
    """证据材料上传: a handler or supervisor of the case's own unit adds a file to an open case."""
    case = get_case(actor, case_id)
    if case.unit_id != actor.unit_id or not any(actor.has_role(r) for r in UPLOADER_ROLES):
        raise Forbidden("仅本案所属单位的承办人、负责人可上传证据 (only handlers and supervisors of the case's unit upload evidence)")
    if case.status == CaseStatus.closed.value:
        raise Conflict("案件已结案，不能再上传证据 (the case is closed)", code="case_closed")
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        raise ValidationFailed("证据类型无效 (invalid evidence kind)", {"kind": [f"one of {[k.value for k in EvidenceKind]}"]})
    spool, size, sha256 = _spool(stream, setting("EVIDENCE_MAX_BYTES"))
    try:
        if size == 0:
            raise ValidationFailed("文件为空 (the file is empty)", {"file": ["empty file"]})
        guessed = filetype.guess(spool.read(8192))
        spool.seek(0)
        content_type = guessed.mime if guessed else None
        if content_type not in allowed_content_types():
            raise UnsupportedMediaType("不支持的文件类型 (this file type is not accepted as evidence)",
                                       {"file": [f"type {content_type or 'unknown'} is not accepted"]})
        if not content_type.startswith(KIND_CONTENT_TYPES[evidence_kind]):
            raise UnsupportedMediaType("文件类型与证据类型不符 (the file does not match the evidence kind)",
                                       {"file": [f"a {evidence_kind.value} cannot be {content_type}"]})
        key = f"{case.id}/{uuid.uuid4().hex}"
        store = evidence_store()
        store.put(key, spool)
    finally:
        spool.close()
    _remove_on_rollback(store, key)
    lock_instance(case.instance_id)  # as every change of the case: its audit chain is appended in turn
    row = EvidenceFile(case_id=case.id, kind=evidence_kind.value, description=description or "",
                       filename=display_filename(filename), content_type=content_type, size_bytes=size,
                       sha256=sha256, storage_key=key, uploaded_by_id=actor.id, uploaded_at=clock().now())
    db.session.add(row)
    db.session.flush()
    record_event(actor, "evidence_uploaded", instance_id=case.instance_id, details={
        "evidence_id": row.id, "kind": row.kind, "filename": row.filename, "content_type": content_type,
        "size_bytes": size, "sha256": sha256})
    return row


def open_evidence(actor, case_id: int, evidence_id: int) -> tuple[EvidenceFile, BinaryIO]:
    """The row and a stream of its bytes (checked against the recorded digest), for whoever may see the case. A
    file altered or lost in the store since its upload is not served (409, storage.open_verified); the refusal is
    written to the case's audit chain (`evidence_integrity_failed`) in a transaction of its own, so it stays
    although the request answers with an error (and a GET commits nothing)."""
    case = get_case(actor, case_id)
    row = db.session.get(EvidenceFile, evidence_id)
    if row is None or row.case_id != case.id:
        raise NotFound("证据文件不存在 (no such evidence file)")
    try:
        return row, open_verified(evidence_store(), row.storage_key, row.sha256)
    except Conflict as exc:
        if exc.code in ("evidence_altered", "evidence_missing"):
            _record_refused_download(actor, case, row, exc.code.removeprefix("evidence_"))
        raise


def _record_refused_download(actor, case, row: EvidenceFile, problem: str) -> None:
    with unit_of_work():  # as the sweep records a failed timer: the refusal is kept, the request fails
        lock_instance(case.instance_id)
        record_event(actor, "evidence_integrity_failed", instance_id=case.instance_id, details={
            "evidence_id": row.id, "filename": row.filename, "sha256": row.sha256, "problem": problem})


def download_name(row: EvidenceFile) -> str:
    """The name a download is offered under: the client's name, with the extension of what the bytes are. A
    JPEG uploaded as `x.html` downloads as `x.jpg`, never as a page a browser would open as HTML."""
    kind = filetype.get_type(mime=row.content_type)
    extension = f".{kind.extension}" if kind else ""
    stem, dot, suffix = row.filename.rpartition(".")
    if dot and stem and f".{suffix.lower()}" in {extension, *mimetypes.guess_all_extensions(row.content_type)}:
        return row.filename
    return f"{stem if dot and stem else row.filename}{extension}"


# Bytes stored by a transaction that then rolls back are deleted again: the store holds no file the
# database does not know.
def _remove_on_rollback(store, key: str) -> None:
    db.session.info.setdefault("evidence_stored", []).append((store, key))


@event.listens_for(Session, "after_commit")
def _forget_stored(session) -> None:
    session.info.pop("evidence_stored", None)


@event.listens_for(Session, "after_rollback")
def _delete_stored(session) -> None:
    for store, key in session.info.pop("evidence_stored", []):
        try:
            store.delete(key)
        except OSError:  # pragma: no cover - a leftover file is harmless, a failed rollback is not
            pass


# Shared with the domains that keep files in the evidence store (inspections: the photos of a site).
spool_upload = _spool
delete_if_rolled_back = _remove_on_rollback
