"""Who sees a case sees its documents (cases.queries.can_view_case)."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import NotFound
from ...extensions import db
from ..cases.parties import party_dict, party_rows, several
from ..cases.party_rules import party_progress
from ..cases.queries import get_case
from ..users.provinces import province_code
from . import numbering
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


def parties_with_progress(case) -> list[dict]:
    """当事人 of a case (the case page and API), and for a case with several where each stands: outcome, hearing
    right, notice, the number of its own decision, service, payment."""
    data, province = case.instance.data or {}, province_code(case.unit)
    parties = []
    for row in party_rows(case):
        entry = party_dict(row)
        if several(data):
            progress = party_progress(data, row.seq, province)
            if progress:
                kind = "penalty_decision" if progress["outcome"] == "penalty" else "no_penalty_decision"
                progress["decision_number"] = numbering.document_number(case.id, kind, row.seq)
            entry["progress"] = progress
        parties.append(entry)
    return parties
