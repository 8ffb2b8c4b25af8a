"""Task forms: one JSON Schema per form id in forms/, validated on the server before data reaches the engine.

Form data enters the engine's task data, which its script evaluator reads: a key such as `__builtins__`
would reach `eval`, so unknown keys and every key starting with `__` are refused whatever the schema says.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

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
    if not isinstance(data, dict):
        raise ValidationFailed("表单数据必须是对象 (form data must be an object)", {"_schema": ["expected an object"]})
    errors: dict[str, list[str]] = {}
    allowed = set(schema.get("properties", {}))
    for key in data:
        if not isinstance(key, str) or key.startswith("__"):
            errors.setdefault(str(key), []).append("不允许的字段 (field not allowed)")
        elif key not in allowed:
            errors.setdefault(key, []).append("未知字段 (unknown field)")
    validator = Draft202012Validator(schema)
    for error in validator.iter_errors(data):
        if error.validator == "required":
            # The full path ("party.name", "proposals.0.fine_amount"), so a form can show it at its field.
            name = error.message.split("'")[1] if "'" in error.message else "_schema"
            field = ".".join([*(str(p) for p in error.absolute_path), name])
            errors.setdefault(field, []).append("必填 (required)")
        elif error.validator == "additionalProperties":
            continue  # reported per key above
        else:
            field = ".".join(str(p) for p in error.absolute_path) or "_schema"
            errors.setdefault(field, []).append(_message(error))
    if errors:
        raise ValidationFailed("表单校验未通过 (the form has errors)", errors)
    return data


def _message(error) -> str:
    """The validator's complaint in Chinese, with the limit it names (jsonschema's own text is English)."""
    limit = error.validator_value
    says = {
        "type": lambda: "类型不正确", "minimum": lambda: f"不能小于 {limit}", "maximum": lambda: f"不能大于 {limit}",
        "exclusiveMinimum": lambda: f"须大于 {limit}", "exclusiveMaximum": lambda: f"须小于 {limit}",
        "minLength": lambda: "必填" if limit == 1 else f"至少 {limit} 个字符",
        "maxLength": lambda: f"不能超过 {limit} 个字符", "enum": lambda: "不在可选范围内", "pattern": lambda: "格式不正确",
        "format": lambda: "格式不正确", "minItems": lambda: f"至少需要 {limit} 项", "maxItems": lambda: f"最多 {limit} 项",
        "uniqueItems": lambda: "不能有重复项", "const": lambda: "取值不正确", "multipleOf": lambda: f"须为 {limit} 的整数倍",
    }
    say = says.get(error.validator)
    return say() if say is not None else "取值无效"
