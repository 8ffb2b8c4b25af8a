"""JSON API under /api/v1. Each route: parse input, check who is calling, call one operation, dump output."""
from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import request, send_from_directory
from flask_smorest import Api

from ..core.errors import ValidationFailed
from ..core.schemas import ErrorSchema
from ..extensions import csrf
from . import (admin, alerts, audit, auth, ballots, case_reviews, cases, challenges, credit, deadlines, definitions,
               disclosures, discretion, documents, enterprises, evidence, inspection_plans, inspections, rectifications,
               simple_penalties, statistics, suspensions, tasks, transfers, typical, users)
from .auth import current_api_user


class _ServiceApi(Api):
    # The one error shape {"code", "message", "details"} is the documented "Error" component.
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would replace the service's HTTPException handler (core.errors) with its own
        # {"code": 404, "status": ..., "errors": ...} payload; keep the one error shape for every client.
        pass


_API_BLUEPRINTS = {"auth", "cases", "tasks", "alerts", "processes", "deadlines", "admin", "ballots", "rectifications",
                   "transfers", "audit", "evidence", "case_reviews", "users"}
_API_BLUEPRINTS |= {"disclosures", "public", "statistics", "documents"}
_API_BLUEPRINTS |= {"inspections"}
_API_BLUEPRINTS |= {"simple_penalties", "discretion", "challenges", "suspensions", "credit", "public_credit", "typical"}
_API_BLUEPRINTS |= {"enterprises", "inspection_plans", "public_draws"}
_PUBLIC_ENDPOINTS = {"auth.create_token"}
_PUBLIC_ENDPOINTS |= {"public.public_disclosures", "public.public_disclosure"}  # 行政执法公示: no login
_PUBLIC_ENDPOINTS |= {"public_credit.public_credit_list"}  # 严重失信主体名单公示: no login
_PUBLIC_ENDPOINTS |= {"public_draws.public_draws", "public_draws.public_draw"}  # 双随机抽查结果公开: no login


def _authenticate_request():
    """Who is calling is settled before the body is parsed: an anonymous or CSRF-less request is refused
    as such, not with a validation error about its body. Then a body or query holding a NUL character is refused
    for every endpoint at once: no column can store one (PostgreSQL refuses it), and no person types one."""
    if request.blueprint in _API_BLUEPRINTS and request.endpoint not in _PUBLIC_ENDPOINTS:
        current_api_user()
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)) or (
            request.is_json and _holds_nul(request.get_json(silent=True))):
        raise ValidationFailed("输入含有不允许的控制字符（NUL）", {"_schema": ["输入含有不允许的控制字符（NUL）"]})


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def register_api(app) -> Api:
    app.config.update(
        API_TITLE="安全生产执法案件办理工作流服务 API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served locally (see below): the enforcement networks often cannot reach a CDN.
        OPENAPI_SWAGGER_UI_URL="/api/v1/swagger-ui/",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    api = _ServiceApi(app)

    for module in (auth, cases, tasks, alerts, definitions, deadlines, admin, ballots, rectifications, transfers,
                   audit, evidence, case_reviews, users):
        csrf.exempt(module.blp)  # bearer-token clients; session callers are checked in auth.current_api_user
        api.register_blueprint(module.blp)

    for blueprint in (disclosures.blp, disclosures.public_blp, statistics.blp, documents.blp, enterprises.blp,
                      inspection_plans.blp, inspection_plans.public_blp, inspections.blp, simple_penalties.blp,
                      discretion.blp, challenges.blp, suspensions.blp, credit.blp, credit.public_blp, typical.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)

    app.before_request(_authenticate_request)
    static_dir = Path(swagger_ui_bundle.swagger_ui_path)

    @app.route("/api/v1/swagger-ui/<path:filename>")
    def swagger_ui_static(filename):
        return send_from_directory(static_dir, filename)

    return api
