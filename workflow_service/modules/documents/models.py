"""Enforcement documents (执法文书) as issued, the numbers they carry, and the bound case file (案卷).

An issued document is frozen: the HTML rendered from the case at issue time is kept with its SHA-256 (in the case's
audit chain); the PDF is drawn from that HTML once, shortly after (documents/pdfs.py), and kept with its SHA-256
(in the chain too); the editable DOCX is made from the frozen HTML. A correction issues a new version under the same number and keeps the
old one (superseded); voiding keeps the document and its number, marked 作废 with the reason.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import deferred

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class DocumentStatus(str, enum.Enum):
    issued = "issued"          # 已出具: in force
    superseded = "superseded"  # 已更正: a later version of the same number replaced it (kept in the record)
    void = "void"              # 作废: kept with its number and the reason; the number is never reused


class IssuedDocument(db.Model):
    __tablename__ = "issued_documents"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    doc_type = sa.Column(sa.String(48), nullable=False)   # registry key, e.g. penalty_decision
    title = sa.Column(sa.String(100), nullable=False)     # 行政处罚决定书
    # 文号, e.g. 楚应急罚〔2026〕12号; None for documents that carry no number of their own (送达回执)
    number = sa.Column(sa.String(100), nullable=True)
    year = sa.Column(sa.Integer, nullable=True)
    sequence = sa.Column(sa.Integer, nullable=True)
    version = sa.Column(sa.Integer, nullable=False, default=1)
    status = sa.Column(sa.String(16), nullable=False, default=DocumentStatus.issued.value)
    step = sa.Column(sa.String(64), nullable=True)         # the BPMN step that produced it, if any
    # What the handler added (说理, recipient of a receipt, ...) on top of what the case holds.
    fields = sa.Column(JSONType, nullable=False, default=dict)
    # The PDF drawn from the frozen HTML (documents/pdfs.py): None until it is drawn — seconds after the step, by
    # the scheduler, or at once by the first download, voiding or the case file.
    pdf = deferred(sa.Column(sa.LargeBinary, nullable=True))
    pdf_sha256 = sa.Column(sa.String(64), nullable=True)
    pdf_pages = sa.Column(sa.Integer, nullable=True)
    rendered_at = sa.Column(UTCDateTime, nullable=True)
    # The document's text as issued, frozen at the step: the PDF is drawn from it and the editable DOCX copy is
    # made from it on request.
    html = deferred(sa.Column(sa.Text, nullable=False))
    html_sha256 = sa.Column(sa.String(64), nullable=False)
    issued_at = sa.Column(UTCDateTime, nullable=False)
    issued_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)  # None: the system
    supersedes_id = sa.Column(sa.Integer, sa.ForeignKey("issued_documents.id"), nullable=True)
    correction_reason = sa.Column(sa.Text, nullable=True)
    void_reason = sa.Column(sa.Text, nullable=True)
    voided_at = sa.Column(UTCDateTime, nullable=True)
    voided_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    # The signature and seal blocks the document carries, as filled in when it was issued: [{"role": 执法人员 |
    # 审批人 | 受送达人 | 见证人 | 送达人 | 印章, "name": ..., "signed": bool}]. The case-file review (案卷评查) reads
    # them: an approval form without its approver, a receipt without the recipient's signature or a witness.
    signatures = sa.Column(JSONType, nullable=False, default=list, server_default="[]")
    # The party a document is addressed to in a case with several (its seq in case_parties, 2 and on); None: the
    # case's own party (seq 1), or a document of the whole case.
    party_seq = sa.Column(sa.Integer, nullable=True)

    issued_by = db.relationship("User", foreign_keys=[issued_by_id])
    voided_by = db.relationship("User", foreign_keys=[voided_by_id])

    __table_args__ = (
        sa.Index("ix_issued_documents_case", "case_id", "id"),
        # The scheduler's render_documents job reads the documents still without their PDF: a handful at most.
        sa.Index("ix_issued_documents_pdf_pending", "id", postgresql_where=sa.text("pdf_sha256 IS NULL"),
                 sqlite_where=sa.text("pdf_sha256 IS NULL")),
        # A number belongs to one document (its versions share it): never two documents with one number.
        sa.UniqueConstraint("unit_id", "doc_type", "year", "sequence", "version", name="uq_issued_documents_number"),
    )

    @property
    def is_current(self) -> bool:
        return self.status == DocumentStatus.issued.value


class NumberReservation(db.Model):
    """A number (文号) taken for a document before it is issued: the decision's number is taken when its draft is
    submitted (制作处罚决定书), so the approver approves the document with the number it will carry and the
    decision is issued under it once approved. The sequence has moved on; the number is this case's and no other
    document's. `document_id` is the document that took it (None: not issued yet)."""

    __tablename__ = "document_number_reservations"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    doc_type = sa.Column(sa.String(48), nullable=False)
    number = sa.Column(sa.String(100), nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    sequence = sa.Column(sa.Integer, nullable=False)
    step = sa.Column(sa.String(64), nullable=True)
    reserved_at = sa.Column(UTCDateTime, nullable=False)
    reserved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    document_id = sa.Column(sa.Integer, sa.ForeignKey("issued_documents.id"), nullable=True)
    party_seq = sa.Column(sa.Integer, nullable=True)  # as IssuedDocument.party_seq

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "doc_type", "year", "sequence", name="uq_document_number_reservations_number"),
        sa.Index("ix_document_number_reservations_case", "case_id", "doc_type"),
    )


class DocumentSequence(db.Model):
    """The last sequence number used, per department, document type and year. Issuing locks this row
    (SELECT ... FOR UPDATE) until its transaction ends, so two issuers take turns and never share a number;
    the sequence only moves forward, so a voided document's number is never handed out again."""

    __tablename__ = "document_sequences"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    doc_type = sa.Column(sa.String(48), nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    last_number = sa.Column(sa.Integer, nullable=False, default=0)

    __table_args__ = (sa.UniqueConstraint("unit_id", "doc_type", "year", name="uq_document_sequences_key"),)


class DocumentUnitSettings(db.Model):
    """What a department puts on its documents, set by administrators: its short code in numbers (机关代字,
    e.g. 楚应急), the type codes it uses (罚, 罚告, ...; registry defaults otherwise), where a party applies for
    reconsideration or sues, where fines are paid."""

    __tablename__ = "document_unit_settings"

    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    dept_code = sa.Column(sa.String(32), nullable=False)
    type_codes = sa.Column(JSONType, nullable=False, default=dict)   # {doc_type: code}
    reconsideration_body = sa.Column(sa.String(200), nullable=True)  # 行政复议机关
    court = sa.Column(sa.String(200), nullable=True)                 # 行政诉讼 / 强制执行的人民法院
    payment_account = sa.Column(sa.String(300), nullable=True)       # 罚款缴纳银行及账户
    address = sa.Column(sa.String(300), nullable=True)               # 机关地址、联系电话
    updated_at = sa.Column(UTCDateTime, nullable=False)
    updated_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)


class CaseFile(db.Model):
    """The bound case file (案卷) of a case, ordered at archiving: one PDF with cover, contents and page numbers,
    drawn just after (casefile.py); until then `pdf`, `pdf_sha256`, `pages` and `built_at` are empty and `contents`
    lists what it binds without page numbers."""

    __tablename__ = "case_files"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    version = sa.Column(sa.Integer, nullable=False, default=1)
    archive_number = sa.Column(sa.String(64), nullable=True)
    retention = sa.Column(sa.String(16), nullable=False)   # 永久 | 30年 | 10年
    contents = sa.Column(JSONType, nullable=False)          # the 卷内目录 rows: title, number, date, first page
    pdf = deferred(sa.Column(sa.LargeBinary, nullable=True))
    pdf_sha256 = sa.Column(sa.String(64), nullable=True)
    pages = sa.Column(sa.Integer, nullable=True)
    requested_at = sa.Column(UTCDateTime, nullable=False)  # archiving (or a person) ordered it: what it binds is fixed
    built_at = sa.Column(UTCDateTime, nullable=True)       # its PDF drawn
    built_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)  # who ordered it (None: the system)

    __table_args__ = (sa.UniqueConstraint("case_id", "version", name="uq_case_files_case_version"),
                      sa.Index("ix_case_files_pdf_pending", "id", postgresql_where=sa.text("pdf_sha256 IS NULL"),
                               sqlite_where=sa.text("pdf_sha256 IS NULL")))
