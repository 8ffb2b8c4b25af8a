from __future__ import annotations

import functools

from flask import Response, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from ..modules.cases.queries import get_case
from ..modules.discretion import importing, operations, queries
from ..modules.discretion.schemas import (BenchmarkDetailSchema, BenchmarkListArgs, BenchmarkPageSchema,
                                          CaseDiscretionSchema, ImportBenchmarkArgs)
from ..modules.enterprises.importing import MAX_BYTES
from .auth import current_api_user

class _MultipartParser(FlaskParser):
    """A multipart body's form fields and file as one set of arguments (as the registry's import reads them)."""
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _ImportBlueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}


blp = _ImportBlueprint("discretion", __name__, url_prefix="/api/v1",
                description="行政处罚裁量基准 (discretion benchmarks, 行政处罚法 Art 34)")


def _limit_import_size(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = MAX_BYTES + 64 * 1024
        return view(*args, **kwargs)
    return wrapper


@blp.route("/discretion-benchmarks", methods=["POST"])
@_limit_import_size
@blp.arguments(ImportBenchmarkArgs, location="multipart")
@blp.response(201, BenchmarkDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error", description="nothing imported; `details.rows`: {row, field, column, reason}")
def import_benchmark(form):
    """导入裁量基准 (administrators, their province): a new version from a spreadsheet — ranges by circumstance
    (轻微/一般/较重/严重) per violation, and the 不予处罚 / 从轻 / 减轻 lists; every row or none."""
    upload = form.pop("file")
    return operations.import_benchmark(current_api_user(), filename=upload.filename or "",
                                       data=upload.stream.read(MAX_BYTES + 1), **form)


@blp.route("/discretion-benchmarks", methods=["GET"])
@blp.arguments(BenchmarkListArgs, location="query")
@blp.response(200, BenchmarkPageSchema)
def benchmark_list(args):
    """Every version of every jurisdiction's benchmark (they are public documents)."""
    current_api_user()
    return {"items": queries.list_benchmarks(args["jurisdiction"])}


@blp.route("/discretion-benchmarks/template.csv", methods=["GET"])
@blp.response(200, {"format": "binary", "type": "string"}, content_type="text/csv")
def benchmark_template():
    """The import template: headings and example rows."""
    current_api_user()
    return Response(importing.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=discretion-template.csv"})


@blp.route("/discretion-benchmarks/<int:benchmark_id>", methods=["GET"])
@blp.response(200, BenchmarkDetailSchema)
@blp.alt_response(404, schema="Error")
def benchmark_detail(benchmark_id):
    """One version with its items and lists."""
    current_api_user()
    return operations.get_benchmark(benchmark_id)


@blp.route("/cases/<int:case_id>/discretion", methods=["GET"])
@blp.response(200, CaseDiscretionSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def case_discretion(case_id):
    """The benchmark in force for the case's violations (ranges by circumstance, lists), the company's earlier
    penalties, and what the report step found: fines outside the range with their reasons, doubtful 首违 claims."""
    case = get_case(current_api_user(), case_id)
    data = case.instance.data or {}
    return {**operations.suggestions(case, data.get("violations") or []),
            "discretion_findings": data.get("discretion_findings") or [],
            "first_violation_flags": data.get("first_violation_flags") or []}
