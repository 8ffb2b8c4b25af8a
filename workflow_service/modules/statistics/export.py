"""CSV and Excel renderings of the statistics table (the same rows and columns as the JSON)."""
from __future__ import annotations

import io

from openpyxl import Workbook

from ...core.spreadsheet import SafeCsvWriter, append_safe

LEVELS = {"province": "省级", "city": "市级", "county": "县级"}


def _table(result: dict) -> list[list]:
    header = ["单位代码", "单位名称", "层级"] + [c["label"] for c in result["columns"]] + ["零立案", "零处罚"]
    rows = [header]
    for row in result["rows"]:
        values = [row["figures"].get(c["key"]) for c in result["columns"]]
        rows.append([row["unit_code"], row["unit_name"], LEVELS.get(row["level"], row["level"])]
                    + ["" if v is None else v for v in values]
                    + ["是" if row["flags"]["zero_filing"] else "", "是" if row["flags"]["zero_penalty"] else ""])
    return rows


def to_csv(result: dict) -> bytes:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow([f"统计期间：{result['period']['label']}（{result['period']['start']} 至 {result['period']['end']}，不含截止日）"])
    writer.writerows(_table(result))
    # UTF-8 with a BOM: Excel on Windows opens it with the Chinese intact.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(result: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "统计"
    append_safe(sheet, [f"统计期间：{result['period']['label']}"])
    for row in _table(result):
        append_safe(sheet, row)
    stages = book.create_sheet("平均办理天数")
    append_safe(stages, ["单位代码", "单位名称", "环节", "办结任务数", "平均天数"])
    for row in result["rows"]:
        for stage in row["stages"]:
            append_safe(stages, [row["unit_code"], row["unit_name"], stage["name"], stage["count"], stage["avg_days"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
