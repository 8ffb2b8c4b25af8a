"""Reading the evidence files of a case."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ...extensions import db
from ..cases.queries import get_case
from .models import EvidenceFile
from .storage import evidence_store


def list_evidence(actor, case_id: int, *, limit: int | None = None, offset: int = 0) -> list[EvidenceFile]:
    """A case's files in upload order (a page of them with `limit`), with their uploaders in one more query."""
    case = get_case(actor, case_id)
    query = (sa.select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id)
             .options(sa.orm.selectinload(EvidenceFile.uploaded_by)))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def count_evidence(case_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(EvidenceFile.id)).where(EvidenceFile.case_id == case_id))


def evidence_digests(case_id: int) -> list[dict]:
    """The fingerprint of a case's evidence, in upload order (the legal review sign-off hashes this list).
    No access check: callers are operations that already checked theirs."""
    rows = db.session.execute(sa.select(EvidenceFile.id, EvidenceFile.sha256, EvidenceFile.kind,
                                        EvidenceFile.uploaded_at)
                              .where(EvidenceFile.case_id == case_id).order_by(EvidenceFile.id))
    return [{"id": r.id, "sha256": r.sha256, "kind": r.kind, "uploaded_at": r.uploaded_at} for r in rows]


def verify_evidence_files(case_id: int | None = None) -> tuple[int, list[dict]]:
    """Re-hash stored evidence (one case's, or all) against the digests recorded at upload: a file changed
    or lost in the store is reported. Returns (files checked, problems)."""
    store = evidence_store()
    query = sa.select(EvidenceFile).order_by(EvidenceFile.id)
    if case_id is not None:
        query = query.where(EvidenceFile.case_id == case_id)
    checked, problems = 0, []
    for row in db.session.scalars(query.execution_options(yield_per=200)):
        checked += 1
        try:
            with store.open(row.storage_key) as stream:
                digest = hashlib.sha256()
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
        except FileNotFoundError:
            problems.append({"evidence_id": row.id, "case_id": row.case_id, "problem": "missing"})
            continue
        if digest.hexdigest() != row.sha256:
            problems.append({"evidence_id": row.id, "case_id": row.case_id, "problem": "altered"})
    return checked, problems
