"""What a person reads is Chinese: the libraries' English messages said in Chinese, in one place.

marshmallow and webargs answer a bad field in English ("Must be one of: …", "Length must be between 1 and
200.", "Not a valid date."), and many of the service's own messages carry their English gloss in brackets
("用户名或密码错误 (wrong username or password)") for the developers reading a log. `to_chinese` turns the first
into Chinese and drops the second; the error handler (core/errors.py) passes every error message and every
per-field message through it, and the pages pass every flash and field message through it (the `zh` filter),
so no view has to remember. The English stays where machines read it: the error's `code` and the log.
"""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# marshmallow's and webargs' default messages (marshmallow/fields.py, marshmallow/validate.py, webargs/core.py).
_FIXED = {
    "Missing data for required field.": "必填",
    "Field may not be null.": "不能为空",
    "Unknown field.": "不允许的字段",
    "Invalid input type.": "输入类型不正确",
    "Invalid value.": "取值无效",
    "Not a valid string.": "应为文本",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为“是”或“否”",
    "Not a valid date.": "不是有效的日期（格式：年-月-日，如 2026-10-12）",
    "Not a valid datetime.": "不是有效的日期时间（格式如 2026-10-12T09:00:00+08:00）",
    "Not a valid time.": "不是有效的时间（格式如 09:00）",
    "Not a valid period of time.": "不是有效的时长",
    "Not a valid email address.": "不是有效的电子邮件地址",
    "Not a valid URL.": "不是有效的网址",
    "Not a valid UUID.": "不是有效的标识",
    "Not a valid list.": "应为列表",
    "Not a valid tuple.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Not a valid decimal.": "应为数字",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大",
    "Invalid JSON body.": "请求内容不是有效的 JSON",
    "Invalid JSON.": "请求内容不是有效的 JSON",
    "String does not match expected pattern.": "格式不正确",
    "Invalid email address.": "不是有效的电子邮件地址",
    "expected an object": "应为对象",
    "already exists": "已存在",
    # The service's own short field messages (modules/*/operations.py), said once here.
    "unknown user": "用户不存在",
    "unknown unit": "单位不存在",
    "empty file": "文件为空",
    "required": "必填",
    "include an offset": "须带时区，如 +08:00",
    "include an offset, e.g. +08:00": "须带时区，如 +08:00",
}

# marshmallow's validators with numbers or choices in them; the group keeps the value.
_PATTERNS = [
    (re.compile(r"^Must be one of: (.*)\.$"), lambda m: f"必须是以下取值之一：{m.group(1)}"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), lambda m: f"长度须在 {m.group(1)} 至 {m.group(2)} 个字符之间"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), lambda m: f"长度不能少于 {m.group(1)} 个字符"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), lambda m: f"长度不能超过 {m.group(1)} 个字符"),
    (re.compile(r"^Length must be (\d+)\.$"), lambda m: f"长度须为 {m.group(1)} 个字符"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     lambda m: f"须在 {m.group(1)} 至 {m.group(2)} 之间"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), lambda m: f"不能小于 {m.group(1)}"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), lambda m: f"不能大于 {m.group(1)}"),
    (re.compile(r"^Must be greater than (\S+)\.$"), lambda m: f"须大于 {m.group(1)}"),
    (re.compile(r"^Must be less than (\S+)\.$"), lambda m: f"须小于 {m.group(1)}"),
    (re.compile(r"^Must be greater than (\S+) and less than (\S+)\.$"), lambda m: f"须大于 {m.group(1)} 且小于 {m.group(2)}"),
    (re.compile(r"^Must be equal to (.*)\.$"), lambda m: f"必须为 {m.group(1)}"),
    (re.compile(r"^Invalid value\b.*$"), lambda m: "取值无效"),
    (re.compile(r"^one of (.*)$"), lambda m: f"可选取值：{m.group(1)}"),
    (re.compile(r"^unknown: (.*)$"), lambda m: f"无效：{m.group(1)}"),
    (re.compile(r"^at most (\d+) bytes$"), lambda m: f"不能超过 {m.group(1)} 字节"),
    (re.compile(r"^Shorter than minimum length.*$"), lambda m: "内容过短"),
]

# An English gloss in brackets after Chinese text: "…错误 (wrong username or password)". Only a gloss of words is
# dropped; "(GB 32100-2015)", "(P100D)" or "(handler1)" are a code or a value and stay.
_GLOSS = re.compile(r"\s*[(（]\s*(?=[^()（）]*[a-z]{2,}[^()（）]*\s[^()（）]*[a-z])[^()（）\u4e00-\u9fff]*[)）]")


def to_chinese(message):
    """The message as a person should read it. Anything that is not a string is returned as it is."""
    if not isinstance(message, str):
        return message
    text = message.strip()
    if text in _FIXED:
        return _FIXED[text]
    for pattern, say in _PATTERNS:
        match = pattern.match(text)
        if match:
            return say(match)
    if _CJK.search(message):
        stripped = _GLOSS.sub("", message).strip()
        return stripped or message
    return message


def to_chinese_all(value):
    """Every message in a {field: [messages]} tree (marshmallow's and the form validator's error details)."""
    if isinstance(value, str):
        return to_chinese(value)
    if isinstance(value, list):
        return [to_chinese_all(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_chinese_all(v) for v in value)
    if isinstance(value, dict):
        return {k: to_chinese_all(v) for k, v in value.items()}
    return value


def is_chinese(text) -> bool:
    return isinstance(text, str) and bool(_CJK.search(text))
