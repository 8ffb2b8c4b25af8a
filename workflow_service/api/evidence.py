from __future__ import annotations

import functools

from flask import request, send_file
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from ..core.schemas import PageArgs
from ..core.services import setting
from ..modules.evidence import operations as evidence_ops
from ..modules.evidence import queries
from ..modules.evidence.schemas import EvidenceListSchema, EvidenceSchema, EvidenceUploadArgs
from .auth import current_api_user

class _MultipartParser(FlaskParser):
    """Reads a multipart body's form fields and files as one set of arguments."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _EvidenceBlueprint(Blueprint):
    # One schema for the form fields and the file, documented as one multipart/form-data requestBody: with a
    # "form" and a "files" argument, flask-smorest documents the second as OpenAPI 2 `formData` parameters,
    # which is not valid OpenAPI 3 (clients and schemathesis cannot use it).
    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}


blp = _EvidenceBlueprint("evidence", __name__, url_prefix="/api/v1/cases", description="证据材料 (evidence files)")

# Room for the multipart envelope and the form fields around the file.
_ENVELOPE_BYTES = 64 * 1024


def _limit_request_size(view):
    """Refuse an oversized body before it is parsed (and spooled to disk), with the one error shape (413)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = setting("EVIDENCE_MAX_BYTES") + _ENVELOPE_BYTES
        return view(*args, **kwargs)
    return wrapper


@blp.route("/<int:case_id>/evidence", methods=["POST"])
@_limit_request_size
@blp.arguments(EvidenceUploadArgs, location="multipart")
@blp.response(201, EvidenceSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(413, schema="Error")
@blp.alt_response(415, schema="Error")
@blp.alt_response(422, schema="Error")
def upload(form, case_id):
    """Upload an evidence file (multipart: `kind`, `description`, `file`) to an open case of your unit.
    Its type is read from its bytes; its SHA-256 is recorded in the case's audit chain."""
    user = current_api_user()
    upload = form["file"]
    return evidence_ops.upload_evidence(user, case_id, kind=form["kind"], stream=upload.stream,
                                        filename=upload.filename, description=form["description"])


@blp.route("/<int:case_id>/evidence", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, EvidenceListSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def evidence_list(args, case_id):
    """The evidence files of a case in upload order, with their digests: a page of them (`limit`, at most
    200, from `offset`) and how many the case has (`total`)."""
    items = queries.list_evidence(current_api_user(), case_id, limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": queries.count_evidence(case_id)}


@blp.route("/<int:case_id>/evidence/<int:evidence_id>/content", methods=["GET"])
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def download(case_id, evidence_id):
    """The bytes of one evidence file, as an attachment."""
    row, stream = evidence_ops.open_evidence(current_api_user(), case_id, evidence_id)
    response = send_file(stream, mimetype=row.content_type, as_attachment=True,
                         download_name=evidence_ops.download_name(row), etag=row.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Content-SHA256"] = row.sha256
    return response


# Shared with the other endpoints that take a file (api/inspections.py: an inspection's photos).
MultipartBlueprint = _EvidenceBlueprint
limit_request_size = _limit_request_size
