"""Reading the evidence files of a case."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..cases.queries import get_case
from .models import EvidenceFile


def list_evidence(actor, case_id: int) -> list[EvidenceFile]:
    case = get_case(actor, case_id)
    return list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.case_id == case.id)
                                   .order_by(EvidenceFile.id)))


def evidence_digests(case_id: int) -> list[dict]:
    """The fingerprint of a case's evidence, in upload order (the legal review sign-off hashes this list).
    No access check: callers are operations that already checked theirs."""
    rows = db.session.execute(sa.select(EvidenceFile.id, EvidenceFile.sha256, EvidenceFile.kind,
                                        EvidenceFile.uploaded_at)
                              .where(EvidenceFile.case_id == case_id).order_by(EvidenceFile.id))
    return [{"id": r.id, "sha256": r.sha256, "kind": r.kind, "uploaded_at": r.uploaded_at} for r in rows]
