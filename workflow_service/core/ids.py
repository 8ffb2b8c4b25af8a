"""Row ids as the outside world sends them: in a URL, a query or a body, an id past what the databases hold
(2^63-1: PostgreSQL's bigint, SQLite's INTEGER) or below 1 names no row. It is refused where it is read — the
URL converter answers 404, the `Id` field 422 — instead of reaching a database driver, which raises
(SQLite: OverflowError; PostgreSQL: numeric_value_out_of_range) and would answer 500."""
from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

MAX_ID = 2 ** 63 - 1


class IdConverter(IntegerConverter):
    """The app's `int` URL converter: `<int:case_id>` matches 0 … 2^63-1 only (no sign: "-1" never matches), so
    a larger id is a 404 like any other unknown one. flask-smorest documents the bound in the OpenAPI document."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class Id(fields.Integer):
    """An id in a query or a body: 1 … 2^63-1, else 422 with a Chinese message at the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID, error="编号无效 (no such id)"))
        super().__init__(**kwargs)


def out_of_range(exc: BaseException) -> bool:
    """Whether a database error says that a number did not fit its column: what an id out of range that slipped
    past the converter and the `Id` field (a page reading `?case_id=` itself) raises."""
    if isinstance(exc, OverflowError):
        return "SQLite INTEGER" in str(exc) or "int too large" in str(exc)
    orig = getattr(exc, "orig", None)
    return getattr(orig, "pgcode", None) == "22003"  # numeric_value_out_of_range
