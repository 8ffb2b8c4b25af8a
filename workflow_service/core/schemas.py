"""Shared marshmallow pieces."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "human-readable message (Chinese, English)"})
    details = fields.Dict(required=True, metadata={"description": "per-field messages or other context"})


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
