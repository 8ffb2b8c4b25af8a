"""Codes a person types that carry their own check character, validated before they are stored.

统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-character set (digits and
capital letters without I, O, S, V, Z): registration authority (1), organisation type (1), administrative
division (6 digits), organisation code (9), check character (1). The check character is computed from the first
17 with the weights 3^(i) mod 31 (GB 32100-2015 §4.2 and Annex B).
"""
from __future__ import annotations

import re

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE = re.compile(rf"^[{CREDIT_CODE_CHARSET}]{{2}}\d{{6}}[{CREDIT_CODE_CHARSET}]{{10}}$")


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """None for a valid 统一社会信用代码; else what is wrong with it, in Chinese."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，当前为 {len(code)} 位"
    if not _CREDIT_CODE.match(code):
        return "统一社会信用代码含有不允许的字符（第 3 至 8 位为行政区划数字，不使用 I、O、S、V、Z）"
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位不符（应为 {expected}），请核对是否录入有误"
    return None
