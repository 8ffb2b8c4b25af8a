"""Who sees a case sees its documents (cases.queries.can_view_case)."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import NotFound
from ...extensions import db
from ..cases.queries import get_case
from .models import CaseFile, IssuedDocument


def list_documents(actor, case_id: int) -> list[IssuedDocument]:
    case = get_case(actor, case_id)
    return list(db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.case_id == case.id)
                                   .order_by(IssuedDocument.issued_at, IssuedDocument.id)))


def get_document(actor, case_id: int, document_id: int) -> IssuedDocument:
    case = get_case(actor, case_id)
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound("文书不存在 (no such document)")
    return document


def case_files(actor, case_id: int) -> list[CaseFile]:
    case = get_case(actor, case_id)
    return list(db.session.scalars(sa.select(CaseFile).where(CaseFile.case_id == case.id).order_by(CaseFile.version)))


def latest_case_file(actor, case_id: int) -> CaseFile:
    files = case_files(actor, case_id)
    if not files:
        raise NotFound("本案尚未生成案卷 (the case file is built at archiving)")
    return files[-1]
