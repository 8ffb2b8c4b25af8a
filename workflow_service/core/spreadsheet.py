"""Writing user text into CSV and Excel files without turning it into formulas (CSV/formula injection).

A spreadsheet program reads a cell that starts with = + - @ (or a tab or carriage return, after which some of
them look for those characters) as a formula: a party named `=HYPERLINK("http://…","点此")` or `@SUM(…)` would
become a live link or a calculation in the supervisor's copy of the transfers report. Every text cell of every
export passes through `safe_cell`: such text is written as text, behind an apostrophe (OWASP's advice; Excel
shows the text, the apostrophe marks it as not a formula). Numbers stay numbers."""
from __future__ import annotations

import csv
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


class SafeCsvWriter:
    """csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, buffer, **kwargs):
        self._writer = csv.writer(buffer, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def append_safe(sheet, row: Iterable) -> None:
    """openpyxl's `sheet.append`, with text cells written as text: openpyxl itself stores any string starting
    with "=" as a formula."""
    sheet.append(safe_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
