"""Importing a discretion benchmark from a spreadsheet (CSV or XLSX, read as the enterprise registry reads its
imports): all rows or none, every refused row reported with its row number, column and reason.

One row per circumstance of a violation (类别 裁量幅度), or per item of a list (类别 不予处罚 / 从轻处罚 / 减轻处罚):

  类别 | 编号 | 违法行为 | 违反条款 | 处罚依据 | 情节 | 情节描述 | 罚款下限 | 罚款上限 | 其他处罚 | 适用条件 | 首违不罚
"""
from __future__ import annotations

import csv
import io

from ...core.errors import ValidationFailed
from ..enterprises.importing import read_rows
from .models import CIRCUMSTANCE_LABELS, LIST_LABELS

COLUMNS = [("类别", "kind"), ("编号", "code"), ("违法行为", "description"), ("违反条款", "provision"),
           ("处罚依据", "penalty_basis"), ("情节", "circumstance"), ("情节描述", "circumstance_description"),
           ("罚款下限", "fine_min"), ("罚款上限", "fine_max"), ("其他处罚", "other"), ("适用条件", "conditions"),
           ("首违不罚", "first_violation")]
HEADINGS = {h: f for h, f in COLUMNS} | {f: f for _, f in COLUMNS}
LABELS = {f: h for h, f in COLUMNS}
KINDS = {"裁量幅度": "range", **{label: kind for kind, label in LIST_LABELS.items()}}
CIRCUMSTANCES = {label: key for key, label in CIRCUMSTANCE_LABELS.items()}
REPORTED_ROWS = 200


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([h for h, _ in COLUMNS])
    writer.writerow(["裁量幅度", "AQ-001", "未如实记录安全生产教育和培训情况", "《安全生产法》第二十八条", "《安全生产法》第九十七条第三项",
                     "一般", "未如实记录1至3人", "10000", "30000", "", "", ""])
    writer.writerow(["不予处罚", "BY-01", "首次未如实记录安全生产教育和培训情况", "《安全生产法》第二十八条", "", "", "", "", "", "",
                     "初次违法、危害后果轻微并及时改正", "是"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _amount(text: str):
    text = str(text or "").replace(",", "").replace("，", "").strip()
    if not text:
        return None
    return float(text)


def parse_benchmark(filename: str, data: bytes) -> tuple[list[dict], list[dict]]:
    """(items, list entries) of a benchmark sheet; ValidationFailed with every problem if any row is refused."""
    rows = read_rows(filename, data)
    if not rows:
        raise ValidationFailed("导入文件为空", {"file": ["没有表头"]})
    fields, unknown = [], []
    for heading in rows[0]:
        heading = str(heading or "").strip()
        field = HEADINGS.get(heading)
        if heading and field is None:
            unknown.append(heading)
        fields.append(field)
    missing = [LABELS[f] for f in ("kind", "code", "description") if f not in fields]
    if unknown or missing:
        raise ValidationFailed("表头与裁量基准导入模板不符",
                               {k: v for k, v in (("unknown_columns", unknown), ("missing_columns", missing)) if v})
    items: dict[str, dict] = {}
    entries, problems = [], []

    def refuse(number, field, reason):
        problems.append({"row": number, "field": field, "column": LABELS.get(field, field), "reason": reason})

    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in row):
            continue
        raw = {f: str(row[i] if i < len(row) else "").strip() for i, f in enumerate(fields) if f}
        kind = KINDS.get(raw.get("kind", ""))
        if kind is None:
            refuse(number, "kind", f"应为 {'、'.join(KINDS)} 之一")
            continue
        for field in ("code", "description"):
            if not raw.get(field):
                refuse(number, field, "必填")
        if kind == "range":
            if not raw.get("provision"):
                refuse(number, "provision", "裁量幅度须写明违反条款")
            circumstance = CIRCUMSTANCES.get(raw.get("circumstance", ""))
            if circumstance is None:
                refuse(number, "circumstance", "应为 轻微、一般、较重、严重 之一")
            try:
                low, high = _amount(raw.get("fine_min")), _amount(raw.get("fine_max"))
            except ValueError:
                refuse(number, "fine_min", "罚款数额应为数字（元）")
                continue
            if low is not None and high is not None and low > high:
                refuse(number, "fine_max", "罚款上限不得低于下限")
            if (low is None) != (high is None):
                refuse(number, "fine_max", "罚款下限、上限应同时填写（不罚款的两项都不填）")
            if circumstance is None or not raw.get("code"):
                continue
            item = items.setdefault(raw["code"], {"code": raw["code"], "description": raw.get("description", ""),
                                                  "provision": raw.get("provision", ""),
                                                  "penalty_basis": raw.get("penalty_basis", ""), "ranges": {}})
            if item["provision"] != raw.get("provision", ""):
                refuse(number, "provision", f"编号 {raw['code']} 的违反条款与前面的行不一致")
            if circumstance in item["ranges"]:
                refuse(number, "circumstance", f"编号 {raw['code']} 的“{raw['circumstance']}”情节重复")
            item["ranges"][circumstance] = {"min": low, "max": high, "description": raw.get("circumstance_description", ""),
                                            "other": raw.get("other", "")}
        else:
            flag = raw.get("first_violation", "")
            if flag not in ("", "是", "否"):
                refuse(number, "first_violation", "应为 是 或 否")
            entries.append({"kind": kind, "code": raw.get("code", ""), "description": raw.get("description", ""),
                            "provision": raw.get("provision", ""), "conditions": raw.get("conditions", ""),
                            "first_violation": flag == "是"})
    if not items and not entries and not problems:
        raise ValidationFailed("导入文件没有数据行", {"file": ["至少一行"]})
    if problems:
        raise ValidationFailed(f"裁量基准有 {len(problems)} 处错误，未导入任何内容",
                               {"rows": problems[:REPORTED_ROWS], "refused": [str(len(problems))]})
    return list(items.values()), entries
