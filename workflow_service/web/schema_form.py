"""A task form in the browser, drawn from its JSON Schema (forms/*.json) and read back into JSON.

Rendering is done here on the server (Jinja) rather than by a client-side JSON Schema form library: the forms
must work on slow government networks without a CDN, show the *server's* validation messages at their fields
(the server, not the browser, is the judge: forms/README.md), and keep every rule out of the browser. This
module only translates between the HTML form encoding (flat names such as `violations.0.description`) and the
nested JSON the schema describes; it checks nothing: `validate_submission` does, on the server.

Supported: strings (with `oneOf` const/title choices as radios or a select, `format: date-time` / `date` /
`uri`, long text as a textarea), integers, numbers, booleans (是/否), nested objects, arrays of objects
(add / remove rows), arrays of choices (checkboxes), arrays of people chosen by name (`x-choose`, checkboxes of
the group the page supplies) and arrays of strings (one per line).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

INDEX = "__i__"  # placeholder of a new row's index in a <template>; never submitted (templates are inert)
_RADIO_MAX = 4   # up to this many choices show as radio buttons; more as a select
_TEXTAREA_FROM = 500  # a string allowed to be longer than this is a textarea


@dataclass
class Field:
    kind: str
    name: str
    title: str
    description: str = ""
    required: bool = False
    value: object = None
    options: list = field(default_factory=list)  # [(value, title)]
    errors: list = field(default_factory=list)
    children: list = field(default_factory=list)  # object: its fields
    rows: list = field(default_factory=list)      # array of objects: one list of fields per row
    template: list = field(default_factory=list)  # array of objects: the fields of a new row
    attrs: dict = field(default_factory=dict)     # min, max, step, maxlength


def _choices(schema: dict) -> list | None:
    options = schema.get("oneOf") or schema.get("anyOf")
    if options and all("const" in o for o in options):
        return [(o["const"], o.get("title") or str(o["const"])) for o in options]
    if "enum" in schema:
        return [(v, str(v)) for v in schema["enum"]]
    return None


def build_fields(schema: dict, data: dict | None, errors: dict | None, tz: ZoneInfo, prefix: str = "",
                 people: dict | None = None) -> list[Field]:
    """`people`: for a list the schema marks `"x-choose": "<group>"` (承办人: "officers"), the people of that group
    as [(username, name)], offered as checkboxes by name."""
    data = data if isinstance(data, dict) else {}
    errors = errors or {}
    required = set(schema.get("required") or [])
    return [_field(name, sub, data.get(name), errors, tz, f"{prefix}{name}", name in required, people or {})
            for name, sub in (schema.get("properties") or {}).items()]


def _field(key: str, schema: dict, value, errors: dict, tz: ZoneInfo, path: str, required: bool,
           people: dict) -> Field:
    kind = _kind(schema)
    f = Field(kind=kind, name=path, title=schema.get("title") or key, description=schema.get("description") or "",
              required=required, errors=list(errors.get(path) or []))
    if kind == "object":
        f.children = build_fields(schema, value, errors, tz, prefix=f"{path}.", people=people)
    elif kind == "rows":
        items = schema.get("items") or {}
        f.rows = [build_fields(items, row, errors, tz, prefix=f"{path}.{i}.", people=people)
                  for i, row in enumerate(value if isinstance(value, list) else [])]
        if not f.rows and required:
            f.rows = [build_fields(items, {}, errors, tz, prefix=f"{path}.0.", people=people)]
        f.template = build_fields(items, {}, {}, tz, prefix=f"{path}.{INDEX}.", people=people)
        f.attrs["item_title"] = items.get("title") or "项目"
    elif kind == "checkboxes":
        f.value = [v for v in value] if isinstance(value, list) else []
        if schema.get("x-choose"):
            # The people of the group by name; a value that is not one of them stays visible (and is refused by
            # the server) rather than silently dropped.
            f.options = list(people.get(schema["x-choose"]) or [])
            offered = {v for v, _ in f.options}
            f.options += [(v, str(v)) for v in f.value if v not in offered]
        else:
            f.options = _choices(schema["items"])
    elif kind == "lines":
        f.value = "\n".join(str(v) for v in value) if isinstance(value, list) else (value or "")
        # A list of usernames (承办人, 参加人员): the page lists the unit's users beside it.
        f.attrs["usernames"] = "用户名" in ((schema.get("items") or {}).get("title") or "")
    elif kind in ("radio", "select"):
        f.options = _choices(schema)
        f.value = value
    elif kind == "boolean":
        f.value = value
    elif kind == "datetime":
        f.value = _local_input(value, tz)
    elif kind == "json":
        f.value = json.dumps(value, ensure_ascii=False, indent=2) if value is not None else ""
    else:
        f.value = "" if value is None else value
        for source, target in (("minimum", "min"), ("maximum", "max"), ("maxLength", "maxlength")):
            if source in schema:
                f.attrs[target] = schema[source]
        if kind in ("number", "integer"):
            f.attrs["step"] = "1" if kind == "integer" else "any"
    return f


def _kind(schema: dict) -> str:
    t = schema.get("type")
    if t == "object" and "properties" in schema:
        return "object"
    if t == "array":
        items = schema.get("items") or {}
        if schema.get("x-choose"):
            return "checkboxes"
        if items.get("type") == "object" and "properties" in items:
            return "rows"
        if items.get("type") == "string" and _choices(items):
            return "checkboxes"
        if items.get("type") == "string":
            return "lines"
        return "json"
    if t == "boolean":
        return "boolean"
    if t in ("integer", "number"):
        return t
    if t == "string":
        choices = _choices(schema)
        if choices:
            return "radio" if len(choices) <= _RADIO_MAX else "select"
        fmt = schema.get("format")
        if fmt == "date-time":
            return "datetime"
        if fmt == "date":
            return "date"
        if fmt in ("uri", "url"):
            return "url"
        if schema.get("maxLength", 0) > _TEXTAREA_FROM:
            return "textarea"
        return "text"
    return "json"


def _local_input(value, tz: ZoneInfo) -> str:
    """An ISO date-time with offset as the value of <input type=datetime-local> in the service's time zone."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return str(value)


# -- reading a submitted form back into JSON ------------------------------------------------------------
def decode_form(schema: dict, form, tz: ZoneInfo) -> dict:
    """The submitted fields as the JSON the schema describes. Empty inputs are left out (a required one is then
    reported by the server as 必填); values that do not parse are passed on as text so the server's message
    names the field ("类型不正确")."""
    return _decode_object(schema, form, tz, "") or {}


def _decode_object(schema: dict, form, tz: ZoneInfo, prefix: str) -> dict:
    result = {}
    for name, sub in (schema.get("properties") or {}).items():
        value = _decode(sub, form, tz, f"{prefix}{name}")
        if value is not None:
            result[name] = value
    return result


def _decode(schema: dict, form, tz: ZoneInfo, path: str):
    kind = _kind(schema)
    if kind == "object":
        return _decode_object(schema, form, tz, f"{path}.") or None
    if kind == "rows":
        pattern = re.compile(rf"^{re.escape(path)}\.(\d+)\.")
        indexes = sorted({int(m.group(1)) for key in form.keys() if (m := pattern.match(key))})
        if not indexes and f"{path}.__present" not in form:
            return None
        return [_decode_object(schema["items"], form, tz, f"{path}.{i}.") for i in indexes]
    if kind == "checkboxes":
        values = [v for v in form.getlist(path) if v != ""]
        return values if values or f"{path}.__present" in form else None
    raw = form.get(path)
    if raw is None:
        return None
    raw = raw.strip() if kind != "textarea" else raw.strip("\r\n ")
    if raw == "":
        return None
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        # <input type=datetime-local> has no offset: it is the service's local time (Asia/Shanghai).
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).isoformat()
    if kind == "json":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
