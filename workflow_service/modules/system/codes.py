"""Codes a person types that carry their own check character, validated before they are stored (one place for
the case's party, the enterprise registry, imports, the demo and the tests).

统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters, the last one a check character.
Layout: 1 登记管理部门代码, 2 机构类别代码, 3–8 登记管理机关行政区划码, 9–17 主体标识码 (the organisation code of
GB 11714), 18 校验码. The characters are the digits and 21 capital letters (no I, O, Z, S, V, so nothing reads as
a digit). The check character makes a mistyped character (and most swapped pairs) detectable.
"""
from __future__ import annotations

import re
from datetime import date

# GB 32100-2015 表 3: the 31 characters in the order of their values 0..30.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
# GB 32100-2015 §5.3: weight of position i (1-based) is 3^(i-1) mod 31.
WEIGHTS = [pow(3, i, 31) for i in range(17)]
# 登记管理部门代码 (表 1): 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管
# (工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
REGISTRATION_AUTHORITIES = set("123456789ANY")
_REGION = re.compile(r"^\d{6}$")


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (C18 = 31 - (Σ Ci·Wi mod 31), 31 written as 0)."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"17 characters of {CHARSET} expected: {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def normalize(code: str | None) -> str:
    """As written on a licence: spaces dropped, letters upper case."""
    return re.sub(r"\s+", "", code or "").upper()


def credit_code_problem(code: str | None) -> str | None:
    """Why `code` is not a valid unified social credit code (a Chinese message), or None when it is."""
    code = normalize(code)
    if not code:
        return "统一社会信用代码不能为空"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实为 {len(code)} 位"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、Z、S、V）"
    if code[0] not in REGISTRATION_AUTHORITIES:
        return f"统一社会信用代码第 1 位（登记管理部门代码）“{code[0]}”无效"
    if not _REGION.match(code[2:8]):
        return f"统一社会信用代码第 3–8 位应为行政区划代码（6 位数字），实为“{code[2:8]}”"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第 18 位应为“{expected}”，实为“{code[17]}”"
    return None


def is_valid_credit_code(code: str | None) -> bool:
    return credit_code_problem(code) is None


def make_credit_code(body17: str) -> str:
    """The full code for 17 characters (test data, the demo, the benchmark's generator)."""
    body17 = normalize(body17)
    return body17 + check_character(body17)


# 公民身份号码 (GB 11643-1999): 17 digits (6 region, 8 birth date YYYYMMDD, 3 sequence) and a check character
# computed by ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11; the remainder 0..10 maps to 1 0 X 9 8 7 6 5 4 3 2).
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
_ID_BODY = re.compile(r"^\d{17}$")


def id_check_character(first17: str) -> str:
    if not _ID_BODY.match(first17 or ""):
        raise ValueError(f"17 digits expected: {first17!r}")
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def id_number_problem(code: str | None) -> str | None:
    """Why `code` is not a valid 18-digit citizen identity number (a Chinese message), or None when it is."""
    code = normalize(code)
    if not code:
        return "公民身份号码不能为空"
    if len(code) != 18:
        return f"公民身份号码应为 18 位，实为 {len(code)} 位"
    if not _ID_BODY.match(code[:17]) or not (code[17].isdigit() or code[17] == "X"):
        return "公民身份号码前 17 位应为数字，第 18 位为数字或 X"
    birth = code[6:14]
    try:
        date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return f"公民身份号码第 7–14 位（出生日期）“{birth}”不是有效日期"
    if not "1900" <= birth[:4] <= "2100":
        return f"公民身份号码第 7–14 位（出生日期）“{birth}”不是有效日期"
    expected = id_check_character(code[:17])
    if code[17] != expected:
        return f"公民身份号码校验位错误：第 18 位应为“{expected}”，实为“{code[17]}”"
    return None


def make_id_number(body17: str) -> str:
    """The full identity number for 17 digits (test data)."""
    return body17 + id_check_character(body17)
