"""Checks of an enterprise's fields, shared by the form, the API and the spreadsheet import: each returns the
problems as {field: Chinese message}, so an import reports every problem of a row at once."""
from __future__ import annotations

import re
from datetime import date

from ..system.codes import credit_code_problem, normalize
from .models import SCALE_LABELS, ClassificationScheme, EnterpriseScale, LicenceStatus

# 国民经济行业分类 GB/T 4754-2017: the 门类 letter and the range of its 大类 (two-digit) codes.
INDUSTRY_SECTIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
INDUSTRY_SECTION_NAMES = {
    "A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业", "E": "建筑业",
    "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业", "I": "信息传输、软件和信息技术服务业",
    "J": "金融业", "K": "房地产业", "L": "租赁和商务服务业", "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业", "O": "居民服务、修理和其他服务业", "P": "教育", "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业", "S": "公共管理、社会保障和社会组织", "T": "国际组织",
}
_INDUSTRY = re.compile(r"^([A-T])(\d{2,4})$")
_REGION = re.compile(r"^\d{6}(\d{3}){0,2}$")
LICENCE_STATUS_LABELS = {"valid": "有效", "suspended": "暂扣", "revoked": "吊销", "cancelled": "注销"}


def normalize_industry(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def industry_problem(code: str) -> str | None:
    """GB/T 4754-2017: a section letter and a 大类 (2 digits), 中类 (3) or 小类 (4) code inside that section."""
    match = _INDUSTRY.match(code)
    if not match:
        return "行业代码应为门类字母加 2–4 位数字（GB/T 4754-2017），如 C2614"
    low, high = INDUSTRY_SECTIONS[match.group(1)]
    major = int(match.group(2)[:2])
    if not low <= major <= high:
        return (f"行业代码 {code} 的大类 {match.group(2)[:2]} 不属于门类 {match.group(1)}"
                f"（{INDUSTRY_SECTION_NAMES[match.group(1)]}，大类 {low:02d}–{high:02d}）")
    return None


def region_problem(code: str, province_code: str | None) -> str | None:
    if not _REGION.match(code):
        return "行政区划代码应为 6 位（或 9、12 位）数字（GB/T 2260）"
    if province_code and len(province_code) == 6 and province_code.isdigit() and code[:2] != province_code[:2]:
        return f"行政区划代码 {code} 不在本省（{province_code}）范围内"
    return None


def parse_scale(value) -> str | None:
    """'large' or '大型' (with or without 企业) → 'large'; '' → None; anything else raises ValueError."""
    text = str(value or "").strip().removesuffix("企业")
    if not text:
        return None
    for key, label in SCALE_LABELS.items():
        if text in (key, label, label.removesuffix("型")):
            return key
    raise ValueError(text)


def parse_classification(value, scheme: ClassificationScheme | None) -> str | None:
    """A level's code or label → its code; '' → None (未分类); anything else raises ValueError."""
    text = str(value or "").strip()
    if not text:
        return None
    if scheme is None:
        raise ValueError(text)
    for level in scheme.levels:
        if text.upper() == level["code"].upper() or text == level["label"]:
            return level["code"]
    raise ValueError(text)


def enterprise_problems(values: dict, *, scheme: ClassificationScheme | None, province_code: str | None) -> dict:
    """Checks the fields of an enterprise in place (normalizing them) and returns {field: message}."""
    problems: dict[str, str] = {}
    name = str(values.get("name") or "").strip()
    values["name"] = name
    if not name:
        problems["name"] = "单位名称不能为空"
    elif len(name) > 200:
        problems["name"] = "单位名称不超过 200 字"
    code = normalize(values.get("credit_code"))
    values["credit_code"] = code
    problem = credit_code_problem(code)
    if problem:
        problems["credit_code"] = problem
    region = str(values.get("region_code") or "").strip()
    values["region_code"] = region
    problem = region_problem(region, province_code)
    if problem:
        problems["region_code"] = problem
    industry = normalize_industry(values.get("industry_code"))
    values["industry_code"] = industry
    problem = industry_problem(industry)
    if problem:
        problems["industry_code"] = problem
    for field, label, limit in (("address", "地址", 300), ("legal_representative", "法定代表人", 100),
                                ("principal", "主要负责人", 100), ("principal_phone", "联系电话", 32)):
        text = str(values.get(field) or "").strip()
        values[field] = text
        if len(text) > limit:
            problems[field] = f"{label}不超过 {limit} 字"
    if not values["principal"] and not problems.get("principal"):
        problems["principal"] = "主要负责人不能为空"
    try:
        values["scale"] = parse_scale(values.get("scale"))
    except ValueError as exc:
        problems["scale"] = f"企业规模“{exc}”无效，应为 大型、中型、小型 或 微型"
    try:
        values["classification"] = parse_classification(values.get("classification"), scheme)
    except ValueError as exc:
        if scheme is None:
            problems["classification"] = "本省尚未设置分类分级方案，不能填写分类"
        else:
            allowed = "、".join(level["code"] for level in scheme.levels)
            problems["classification"] = f"分类“{exc}”不在本省分类分级方案（{allowed}）中"
    return problems


def licence_problems(values: dict, *, today: date | None = None) -> dict:
    """Checks a licence's fields in place and returns {field: message}. Dates may be dates or ISO strings."""
    problems: dict[str, str] = {}
    for field, label, limit in (("type", "许可证类型", 64), ("number", "许可证编号", 64), ("issuer", "发证机关", 200)):
        text = str(values.get(field) or "").strip()
        values[field] = text
        if field != "issuer" and not text:
            problems[field] = f"{label}不能为空"
        elif len(text) > limit:
            problems[field] = f"{label}不超过 {limit} 字"
    for field, label in (("valid_from", "有效期起"), ("valid_to", "有效期止")):
        value = values.get(field)
        if isinstance(value, date):
            values[field] = value if not hasattr(value, "date") else value.date()
            continue
        try:
            values[field] = date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            problems[field] = f"{label}应为日期（如 2026-01-31）"
    if not problems.get("valid_from") and not problems.get("valid_to") and values["valid_to"] < values["valid_from"]:
        problems["valid_to"] = "有效期止不能早于有效期起"
    status = str(values.get("status") or LicenceStatus.valid.value).strip()
    for key, label in LICENCE_STATUS_LABELS.items():
        if status == label:
            status = key
    values["status"] = status
    if status not in LICENCE_STATUS_LABELS:
        problems["status"] = "许可证状态应为 有效、暂扣、吊销 或 注销"
    return problems


SCALES = [s.value for s in EnterpriseScale]
