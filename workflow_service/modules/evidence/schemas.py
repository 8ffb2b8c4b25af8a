from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from .models import EvidenceKind


class EvidenceFormArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in EvidenceKind]),
                         metadata={"description": "photo 现场照片 | recording 录音 | video 视频 | scan 扫描件 | document 书证"})
    description = fields.String(load_default="", validate=validate.Length(max=500))


class _FileUpload(Upload):
    """A file part of the multipart body; a plain text field of the same name is not a file."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("须上传文件 (send a file part with a filename)")
        return value


class EvidenceFileArgs(Schema):
    file = _FileUpload(required=True)


class EvidenceUploadArgs(EvidenceFormArgs, EvidenceFileArgs):
    """The whole multipart body: `kind`, `description` and `file` (one requestBody in the OpenAPI document)."""


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
    total = fields.Integer(metadata={"description": "the case's files in all pages"})
