"""One error shape for every client: {"code", "message", "details"} with the right HTTP status."""
from __future__ import annotations

from flask import current_app, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from .messages import is_chinese, to_chinese, to_chinese_all


class ServiceError(Exception):
    """An expected error a user can act on. Operations raise these; the API renders them."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(ServiceError):
    status, code = 422, "validation_failed"


class NotAuthenticated(ServiceError):
    status, code = 401, "not_authenticated"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class PayloadTooLarge(ServiceError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ServiceError):
    status, code = 415, "unsupported_media_type"


class TooManyRequests(ServiceError):
    status, code = 429, "too_many_requests"


def error_response(status: int, code: str, message: str, details: dict | None = None):
    # What a person reads is Chinese (core/messages.py): the libraries' English messages translated, the English
    # glosses dropped; the English stays in `code`.
    message, details = to_chinese(message), to_chinese_all(details or {})
    # Browser pages get the error as an HTML page in Chinese (rendered by web/, registered as
    # app.extensions["wfs_error_page"]); the API, and any client asking for JSON, keeps the one JSON shape.
    page = current_app.extensions.get("wfs_error_page") if has_request_context() else None
    if page is not None and not request.path.startswith("/api/") and not request.is_json \
            and request.accept_mimetypes.best != "application/json":
        response = page(status, code, message, details or {})
        if response is not None:
            return response
    response = jsonify({"code": code, "message": message, "details": details or {}})
    response.status_code = status
    return response


_HTTP_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_failed", 429: "too_many_requests",
}


# Werkzeug's own English descriptions, said in Chinese (the English kept in brackets as everywhere else).
_HTTP_MESSAGES = {
    400: "请求无效 (bad request)", 401: "请先登录", 403: "无权访问", 404: "页面或记录不存在 (not found)",
    405: "不支持该请求方法 (method not allowed)", 406: "无法提供所要求的格式", 408: "请求超时，请重试",
    409: "操作冲突，请刷新后重试", 410: "该内容已不存在", 411: "请求缺少长度信息", 412: "前提条件不满足，请刷新后重试",
    414: "请求地址过长", 415: "不支持的内容类型 (unsupported media type)", 416: "请求的范围无效",
    422: "输入有误", 428: "缺少前提条件", 429: "请求过于频繁，请稍后再试 (too many requests)",
    431: "请求头过大", 500: "服务内部错误", 501: "不支持该操作", 502: "上游服务出错", 503: "服务暂时不可用，请稍后再试",
}
# Flask-WTF's CSRF refusals (an expired or missing form token) in words a person can act on.
_CSRF_MESSAGE = "页面已过期或来源不明，请刷新页面后重新提交。"


def _http_message(exc: HTTPException) -> str:
    status = exc.code or 500
    if status == 413:  # the body is larger than this endpoint takes (an evidence file: WFS_EVIDENCE_MAX_BYTES)
        limit = request.max_content_length if has_request_context() else None
        size = f"（上限约 {limit // (1024 * 1024)} MB）" if limit else ""
        return f"上传内容超过大小上限{size} (the request body is too large)"
    if exc.description == type(exc).description and status in _HTTP_MESSAGES:
        return _HTTP_MESSAGES[status]
    description = exc.description or exc.name
    if "CSRF" in description:
        return _CSRF_MESSAGE
    if not is_chinese(to_chinese(description)):  # a library's English sentence: say what the status means
        return _HTTP_MESSAGES.get(status, "请求无法处理")
    return description


def register_error_handlers(app) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        details: dict = {}
        message = _http_message(exc)
        # webargs/flask-smorest attach the marshmallow messages here: keep them per field.
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages:
            # {"json": {"field": [...]}} -> {"field": [...]}
            for location, location_messages in messages.items():
                if isinstance(location_messages, dict):
                    details.update(location_messages)
                else:  # e.g. {"json": ["Invalid JSON body."]}: a message about the whole body
                    details[location] = location_messages
            message = "输入数据无效 (invalid input)"
        status = exc.code or 500
        response = error_response(status, _HTTP_CODES.get(status, "error"), message, details)
        if getattr(exc, "valid_methods", None):  # a 405 must say which methods are allowed (RFC 9110)
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    from sqlalchemy.exc import DBAPIError, OperationalError

    from .ids import out_of_range

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        # A database restart or failover cuts the connections: the transaction was rolled back whole, so the
        # client may simply retry (503 + Retry-After) — not an internal error.
        app.logger.warning("database unavailable: %s", exc.orig)
        response = error_response(503, "database_unavailable",
                                  "数据库暂时不可用，请稍后重试 (the database is unavailable; retry shortly)", {})
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if exc.connection_invalidated:
            return _database_unavailable(exc)
        if out_of_range(exc):
            return _no_such_row(exc)
        app.logger.exception("database error")
        return error_response(500, "internal_error", "服务内部错误 (internal error)", {})

    @app.errorhandler(OverflowError)
    def _no_such_row(exc: Exception):
        # An id too large for any row (core/ids.py) read by a page from its query string: no such record.
        if not out_of_range(exc):
            return _unexpected(exc)
        return error_response(404, "not_found", "记录不存在 (no such record)", {})

    @app.errorhandler(RecursionError)
    def _too_deep(exc: RecursionError):
        # A hostile JSON body nested ~100,000 levels deep makes the JSON parser recurse out of stack.
        return error_response(400, _HTTP_CODES.get(400, "bad_request"),
                              "请求内容嵌套过深 (the request body is nested too deeply)", {})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # pragma: no cover - logged, never leaks internals
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", "服务内部错误 (internal error)", {})
