"""生产经营单位名录 (the enterprise registry): search, register, edit, classify, licences, bulk import."""
from __future__ import annotations

import functools

from flask import Response, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from ..core.errors import NotFound
from ..modules.enterprises import importing, operations, queries
from ..modules.enterprises.schemas import (ClassifyArgs, EnterpriseDetailSchema, EnterprisePageSchema,
                                           EnterpriseSchema, EnterpriseSearchArgs, ImportArgs, ImportResultSchema,
                                           LicenceArgs, LicenceSchema, LicenceStatusArgs, RegisterEnterpriseArgs,
                                           SchemeArgs, SchemeSchema, UpdateEnterpriseArgs)
from ..modules.enterprises.plans import today
from .auth import current_api_user


class _MultipartParser(FlaskParser):
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _RegistryBlueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}


blp = _RegistryBlueprint("enterprises", __name__, url_prefix="/api/v1/enterprises",
                         description="生产经营单位名录 (the enterprise registry)")


def _limit_import_size(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = importing.MAX_BYTES + 64 * 1024
        return view(*args, **kwargs)
    return wrapper


def _detail(enterprise):
    day = today()
    for licence in enterprise.licences:
        licence.state = queries.licence_state(licence, day)
    enterprise.history = queries.history(current_api_user(), enterprise)
    return enterprise


@blp.route("", methods=["GET"])
@blp.arguments(EnterpriseSearchArgs, location="query")
@blp.response(200, EnterprisePageSchema)
def search(args):
    """Enterprises of the units I see, by name or credit code, class (`none`: 未分类), region, industry."""
    items, total = queries.search(current_api_user(), **args)
    return {"items": items, "total": total}


@blp.route("", methods=["POST"])
@blp.arguments(RegisterEnterpriseArgs)
@blp.response(201, EnterpriseDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def register(args):
    """登记: add an enterprise (credit code checked, unique in the province) with its licences."""
    return _detail(operations.register_enterprise(current_api_user(), **args))


@blp.route("/import", methods=["POST"])
@_limit_import_size
@blp.arguments(ImportArgs, location="multipart")
@blp.response(201, ImportResultSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(413, schema="Error")
@blp.alt_response(422, schema="Error",
                  description="nothing imported; `details.rows` lists every refused row: {row, field, column, reason}")
def import_file(form):
    """批量导入 (CSV or XLSX with the template's columns): every row or none."""
    upload = form["file"]
    return importing.import_enterprises(current_api_user(), filename=upload.filename or "",
                                        data=upload.stream.read(importing.MAX_BYTES + 1),
                                        unit_code=form["unit_code"])


@blp.route("/import/template.csv", methods=["GET"])
@blp.response(200, {"format": "binary", "type": "string"}, content_type="text/csv")
def import_template():
    """The import template: headings and one example row."""
    current_api_user()
    return Response(importing.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=enterprises-template.csv"})


@blp.route("/scheme", methods=["GET"])
@blp.response(200, SchemeSchema)
@blp.alt_response(404, schema="Error")
def scheme():
    """The 分类分级 scheme of my province."""
    found = queries.scheme_for_unit(current_api_user().unit)
    if found is None:
        raise NotFound("本省尚未设置分类分级方案")
    return found


@blp.route("/scheme", methods=["PUT"])
@blp.arguments(SchemeArgs)
@blp.response(200, SchemeSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def set_scheme(args):
    """Set my province's scheme (a province-level administrator)."""
    return operations.set_scheme(current_api_user(), **args)


@blp.route("/<int:enterprise_id>", methods=["GET"])
@blp.response(200, EnterpriseDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def detail(enterprise_id):
    """A company with its licences, class history and whole history (cases, orders, transfers, ...)."""
    return _detail(queries.visible_enterprise(current_api_user(), enterprise_id))


@blp.route("/<int:enterprise_id>", methods=["PATCH"])
@blp.arguments(UpdateEnterpriseArgs)
@blp.response(200, EnterpriseSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def update(args, enterprise_id):
    """Edit the registered facts (the class changes through /classification)."""
    return operations.update_enterprise(current_api_user(), enterprise_id, **args)


@blp.route("/<int:enterprise_id>/classification", methods=["POST"])
@blp.arguments(ClassifyArgs)
@blp.response(200, EnterpriseDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def classify(args, enterprise_id):
    """分类分级调整 (a 负责人): another class of the province's scheme, with the reason kept in its history."""
    return _detail(operations.classify_enterprise(current_api_user(), enterprise_id, **args))


@blp.route("/<int:enterprise_id>/licences", methods=["POST"])
@blp.arguments(LicenceArgs)
@blp.response(201, LicenceSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def add_licence(args, enterprise_id):
    licence = operations.add_licence(current_api_user(), enterprise_id, **args)
    licence.state = queries.licence_state(licence, today())
    return licence


@blp.route("/licences/<int:licence_id>", methods=["PATCH"])
@blp.arguments(LicenceStatusArgs)
@blp.response(200, LicenceSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def set_licence_status(args, licence_id):
    """暂扣, 吊销, 注销 or restore a licence."""
    licence = operations.set_licence_status(current_api_user(), licence_id, **args)
    licence.state = queries.licence_state(licence, today())
    return licence
