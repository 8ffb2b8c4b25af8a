from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from .models import EvidenceKind


class EvidenceFormArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in EvidenceKind]),
                         metadata={"description": "photo 现场照片 | recording 录音 | video 视频 | scan 扫描件 | document 书证"})
    description = fields.String(load_default="", validate=validate.Length(max=500))


class EvidenceFileArgs(Schema):
    file = Upload(required=True)


class EvidenceUploadDoc(EvidenceFormArgs, EvidenceFileArgs):
    """The multipart body as documented: flask-smorest documents one request body per operation, so the form
    fields (EvidenceFormArgs) and the file (EvidenceFileArgs), parsed separately, are described together here."""


class EvidenceSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    description = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Function(lambda e: e.uploaded_by.username)
    uploaded_at = fields.AwareDateTime()


class EvidenceListSchema(Schema):
    items = fields.List(fields.Nested(EvidenceSchema))
