"""Helpers for the registry, plan and draw tests: spreadsheets of generated companies, certified officers."""
from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from workflow_service.modules.system.codes import make_credit_code
from workflow_service.modules.enterprises.importing import COLUMNS

HEADINGS = [h for h, _ in COLUMNS]
CLASSES = "ABCD"
INDUSTRIES = ["C2614", "B0610", "F5162", "E4710", "G5430"]
REGIONS = ["532301", "532301001", "532301002"]


def company_row(i: int, *, prefix: str = "MA", classification: str | None = None) -> list:
    code = make_credit_code(f"91532301{prefix}{i:07d}")
    return [f"测试{i:04d}化工有限公司", code, f"楚雄市工业园区 {i} 号", REGIONS[i % 3], INDUSTRIES[i % 5],
            f"法人{i}", f"负责人{i}", "0878-1234567", ["大型", "中型", "小型", "微型"][i % 4],
            classification or CLASSES[i % 4], "", "", "", "", ""]


def csv_bytes(rows: list[list], headings=HEADINGS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list], headings=HEADINGS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, filename: str = "companies.csv", **form):
    return client.client.post("/api/v1/enterprises/import", headers=client.headers,
                              data={"file": (io.BytesIO(data), filename), **form},
                              content_type="multipart/form-data")


INSPECTORS = [(f"inspector{i}", f"检查员{i}", f"5323011900{i + 2}") for i in range(1, 5)]


def ensure_certified_officers(app) -> None:
    """Four more certified case handlers in the county (six with handler1 and handler2), and one whose
    certificate has expired (never drawn)."""
    from tests.conftest import PASSWORD
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import User
    from workflow_service.modules.users.operations import create_user

    with app.app_context():
        for username, name, number in INSPECTORS + [("inspector_expired", "过期证员", "53230119999")]:
            user = db.session.scalar(sa.select(User).filter_by(username=username))
            if user is None:
                user = create_user(None, username=username, password=PASSWORD, display_name=name,
                                   unit_code="532301", roles=["case_handler"])
            user.certificate_number = number
            user.certificate_valid_to = date(2020, 1, 1) if username == "inspector_expired" else date(2029, 12, 31)
        db.session.commit()
