from __future__ import annotations

from marshmallow import Schema, fields, validate

from .registry import DOCUMENT_TYPES


class IssueArgs(Schema):
    doc_type = fields.String(required=True, validate=validate.OneOf(sorted(DOCUMENT_TYPES)),
                             metadata={"description": "document type (文书种类), e.g. penalty_decision"})
    fields = fields.Dict(keys=fields.String(), load_default=dict,
                         metadata={"description": "what the handler adds, e.g. {\"reasoning\": \"说理\"}"})


class VoidArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CorrectArgs(VoidArgs):
    fields = fields.Dict(keys=fields.String(), load_default=dict)


class PreviewArgs(Schema):
    doc_type = fields.String(required=True, validate=validate.OneOf(sorted(DOCUMENT_TYPES)))
    party = fields.Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "description": "a case with several parties: the party (seq) the document is addressed to"})


class TaskPreviewArgs(PreviewArgs):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "what the task's form holds now (its own fields only)"})


class CaseFileArgs(Schema):
    retention = fields.String(load_default="30年", validate=validate.OneOf(["永久", "30年", "10年"]),
                              metadata={"description": "保管期限"})
    archive_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class FormatArgs(Schema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(["pdf", "docx"]))


class DocumentSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    doc_type = fields.String()
    title = fields.String()
    number = fields.String(allow_none=True)
    version = fields.Integer()
    status = fields.String(metadata={"description": "issued | superseded | void (作废)"})
    step = fields.String(allow_none=True)
    party_seq = fields.Integer(allow_none=True, metadata={
        "description": "a case with several parties: the party (seq) the document is addressed to; None: the "
                       "case's own party or the whole case"})
    pdf_sha256 = fields.String(allow_none=True, metadata={
        "description": "SHA-256 of the PDF; null until the PDF is drawn from the frozen HTML (seconds after the step, "
                       "or at the first download)"})
    pdf_pages = fields.Integer(allow_none=True)
    pdf_ready = fields.Function(lambda d: d.pdf_sha256 is not None)
    html_sha256 = fields.String(metadata={"description": "SHA-256 of the frozen HTML the PDF and DOCX come from"})
    issued_at = fields.AwareDateTime()
    issued_by = fields.Function(lambda d: d.issued_by.username if d.issued_by else None)
    supersedes_id = fields.Integer(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    void_reason = fields.String(allow_none=True)
    voided_at = fields.AwareDateTime(allow_none=True)
    pdf_url = fields.Function(lambda d: f"/api/v1/cases/{d.case_id}/documents/{d.id}/content?format=pdf")
    docx_url = fields.Function(lambda d: f"/api/v1/cases/{d.case_id}/documents/{d.id}/content?format=docx")


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema))


class CaseFileSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    version = fields.Integer()
    archive_number = fields.String(allow_none=True)
    retention = fields.String()
    contents = fields.List(fields.Dict(), metadata={
        "description": "what it binds, in binding order; first_page and pages once its PDF is drawn"})
    pdf_sha256 = fields.String(allow_none=True, metadata={"description": "null until the PDF is drawn"})
    pages = fields.Integer(allow_none=True)
    pdf_ready = fields.Function(lambda f: f.pdf_sha256 is not None)
    requested_at = fields.AwareDateTime(metadata={"description": "ordered (archiving): what it binds is fixed"})
    built_at = fields.AwareDateTime(allow_none=True)
    pdf_url = fields.Function(lambda f: f"/api/v1/cases/{f.case_id}/case-file/content")


class DocumentSettingsArgs(Schema):
    dept_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    type_codes = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=16)),
                             load_default=dict)
    reconsideration_body = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    court = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    payment_account = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class DocumentSettingsSchema(Schema):
    unit_id = fields.Integer()
    dept_code = fields.String()
    type_codes = fields.Dict()
    reconsideration_body = fields.String(allow_none=True)
    court = fields.String(allow_none=True)
    payment_account = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
