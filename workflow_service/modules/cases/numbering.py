"""Case numbers (案件编号): unit code + year + a six-digit sequence, e.g. 532301-2027-000001.

The sequence runs per unit and per year, in the service's time zone (a case filed at 08:00 on 1 January in
Beijing is a case of the new year, although it is still 31 December in UTC). Taking a number locks the unit's
row for the year (SELECT ... FOR UPDATE on PostgreSQL; SQLite serializes every writing transaction) until the
filing transaction ends, so two filings at the same instant take turns; a rolled-back filing gives its number
back. The unique constraint on cases.case_number is the second guard.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...core.services import setting
from ...extensions import db
from ..users.models import Unit
from .models import CaseNumberSequence


def case_year(instant: datetime) -> int:
    return instant.astimezone(ZoneInfo(setting("TIMEZONE"))).year


def take_case_number(unit: Unit, filed_at: datetime) -> str:
    """The next number of the unit's sequence for the year of `filed_at`, held by this transaction."""
    year = case_year(filed_at)
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(CaseNumberSequence.__table__)
                       .values(unit_id=unit.id, year=year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["unit_id", "year"]))
    row = db.session.execute(
        sa.select(CaseNumberSequence.id, CaseNumberSequence.last_number)
        .where(CaseNumberSequence.unit_id == unit.id, CaseNumberSequence.year == year)
        .with_for_update()).one()
    sequence = row.last_number + 1
    db.session.execute(sa.update(CaseNumberSequence).where(CaseNumberSequence.id == row.id)
                       .values(last_number=sequence))
    return f"{unit.code}-{year}-{sequence:06d}"
