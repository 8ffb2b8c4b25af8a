"""Task forms: one JSON Schema per form id in forms/, validated on the server before data reaches the engine.

Form data enters the engine's task data, which its script evaluator reads: a key such as `__builtins__`
would reach `eval`, so unknown keys and every key starting with `__` are refused whatever the schema says.
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator

from .errors import NotFound, ValidationFailed

_FORM_ID = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_SUBMISSION_BYTES = 256 * 1024


def _path(forms_dirs: str, form_id: str) -> Path | None:
    """`forms_dirs` may name several directories (os.pathsep-separated); the first match wins."""
    for directory in forms_dirs.split(os.pathsep):
        path = Path(directory) / f"{form_id}.json"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=256)
def _load(forms_dir: str, form_id: str) -> dict:
    path = _path(forms_dir, form_id)
    if path is None:
        raise FileNotFoundError(form_id)
    with path.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return schema


def load_form(forms_dir: str, form_id: str) -> dict:
    if not form_id or not _FORM_ID.match(form_id):
        raise NotFound(f"表单不存在 (no form {form_id!r})")
    try:
        return _load(forms_dir, form_id)
    except FileNotFoundError:
        raise NotFound(f"表单不存在 (no form {form_id!r})") from None


def form_exists(forms_dir: str, form_id: str) -> bool:
    return bool(form_id) and bool(_FORM_ID.match(form_id)) and _path(forms_dir, form_id) is not None


def validate_submission(schema: dict, data) -> dict:
    """Return the data if valid; else raise ValidationFailed with messages per field."""
    errors = submission_errors(schema, data)
    if errors:
        raise ValidationFailed("表单校验未通过 (the form has errors)", errors)
    return data


def submission_errors(schema: dict, data) -> dict[str, list[str]]:
    """The whole schema, at every depth, as Chinese messages by the field's path ("party.age",
    "proposals.0.fine_amount"), so a form can show each at its field. Unknown keys are refused wherever the
    schema closes an object (additionalProperties: false), and keys starting with `__` everywhere."""
    if not isinstance(data, dict):
        return {"_schema": ["表单数据必须是对象"]}
    errors: dict[str, list[str]] = {}
    _dunder_keys(data, [], errors)
    if schema.get("additionalProperties") is not False:
        # Top-level keys become process variables the script engine sees: only the form's own, whatever it says.
        allowed = set(schema.get("properties") or {})
        for key in data:
            if isinstance(key, str) and not key.startswith("__") and key not in allowed:
                errors.setdefault(key, []).append("未知字段")
    for error in Draft202012Validator(schema).iter_errors(data):
        for field, message in _field_messages(error):
            if message not in errors.get(field, []):
                errors.setdefault(field, []).append(message)
    return errors


def _dunder_keys(value, path: list[str], errors: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("__"):
                errors.setdefault(".".join([*path, str(key)]), []).append("不允许的字段")
            else:
                _dunder_keys(item, [*path, key], errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _dunder_keys(item, [*path, str(index)], errors)


def _field_messages(error):
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        # The full path of the missing field ("party.name"), so a form can show it at its field.
        missing = [name for name in error.validator_value if isinstance(error.instance, dict)
                   and name not in error.instance]
        return [(".".join([*path, name]), "必填") for name in missing] or [(".".join(path) or "_schema", "必填")]
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties") or {})
        patterns = [re.compile(p) for p in error.schema.get("patternProperties") or {}]
        extra = [k for k in error.instance if k not in known and not any(p.search(k) for p in patterns)]
        return [(".".join([*path, str(k)]), "未知字段") for k in extra if not str(k).startswith("__")]
    return [(".".join(path) or "_schema", _message(error))]


_TYPES = {"string": "文字", "integer": "整数", "number": "数字", "boolean": "是或否", "array": "列表",
          "object": "对象", "null": "空值"}


def _message(error) -> str:
    """One Chinese sentence per kind of error (jsonschema's own messages are English)."""
    value = error.validator_value
    kind = error.validator
    if kind == "type":
        names = [_TYPES.get(t, t) for t in (value if isinstance(value, list) else [value])]
        return f"类型不正确，应为{'或'.join(names)}"
    if kind == "minLength":
        return "必填" if value == 1 else f"至少 {value} 个字"
    if kind == "maxLength":
        return f"不得超过 {value} 个字"
    if kind == "minimum":
        return f"不得小于 {value:g}"
    if kind == "maximum":
        return f"不得大于 {value:g}"
    if kind == "exclusiveMinimum":
        return f"须大于 {value:g}"
    if kind == "exclusiveMaximum":
        return f"须小于 {value:g}"
    if kind == "minItems":
        return f"至少 {value} 项"
    if kind == "maxItems":
        return f"最多 {value} 项"
    if kind == "uniqueItems":
        return "不得重复"
    if kind in ("enum", "oneOf", "anyOf", "const"):
        titles = [o.get("title") for o in (error.schema.get("oneOf") or []) if isinstance(o, dict) and o.get("title")]
        return f"不在可选范围内（可选：{'、'.join(titles)}）" if titles else "不在可选范围内"
    if kind in ("pattern", "format"):
        return "日期时间格式不正确" if error.schema.get("format") in ("date-time", "date") else "格式不正确"
    return "取值无效"


# -- dates against the service clock ----------------------------------------------------------------------
# A date the person records is something that has happened (served, paid, archived) unless the form marks it
# "x-may-be-future" (a hearing to be held, a deferral granted until). A few minutes of grace cover a browser
# clock running ahead of the service's.
FUTURE_GRACE = timedelta(minutes=5)


def parse_time(value, tz: ZoneInfo) -> datetime | None:
    """An ISO date-time (aware; a naive one is read in `tz`) or date (its start in `tz`); None if it is neither."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def shown(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def future_date_errors(schema: dict, data, now: datetime, tz: ZoneInfo) -> dict[str, list[str]]:
    """{field path: [message]} for every recorded event dated after the service clock's now."""
    errors: dict[str, list[str]] = {}
    _future_dates(schema, data, [], now, tz, errors)
    return errors


def _future_dates(schema, value, path, now, tz, errors) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                _future_dates(sub, value[name], [*path, name], now, tz, errors)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _future_dates(schema["items"], item, [*path, str(index)], now, tz, errors)
    elif schema.get("format") in ("date-time", "date") and not schema.get("x-may-be-future"):
        when = parse_time(value, tz)
        if when is not None and when > now + FUTURE_GRACE:
            title = schema.get("title") or path[-1]
            errors.setdefault(".".join(path), []).append(
                f"{title}（{shown(when, tz)}）不能晚于当前时间（{shown(now, tz)}）")
