"""The statistics' facts (inspection_facts): per unit and calendar month (Asia/Shanghai; and per year, in the row
of month 00, the sum of its months), counts that the step
handler below adds to as each step happens — an inspection recorded, a hidden danger found, rectified or closed
(销号), an order issued, a case filed from an inspection, a penalty decided, a transfer opened. The statistics read
these rows (a few per unit and month) and never scan cases, orders or ledgers; queries.recount() counts the same
figures from the raw rows, and the tests hold the two equal.

What is counted when (the month is that of the moment named):
- inspections, by source; companies inspected (a company's first inspection by the unit in the calendar year);
  on-site measures; orders and cases that the inspection started: when the 现场检查记录 is submitted;
- hidden dangers found (and major): the ledger line's process starts; rectified: its `rectified_at`
  (the re-inspection, the order's re-inspection, or the finding when corrected on the spot); closed (and
  major closed): its process ends (销号);
- orders (责令限期整改, any origin): the rectification process starts;
- penalty decisions by type, fines, 处罚到人 (a decision on a natural person, the responsible principal): the
  case's `decided_at` is set with outcome penalty;
- transfers (移送): the transfer process starts.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ...core.workdays import SHANGHAI
from ...extensions import db
from .models import InspectedCompany, InspectionFact, Measure, Severity

INSPECTION_PROCESS, HAZARD_PROCESS = "inspection", "hidden_danger"
RECTIFICATION_PROCESS, CASE_PROCESS, TRANSFER_PROCESS = "rectification", "case_handling", "criminal_transfer"
PENALTY_KINDS = ("warning", "fine", "confiscation", "suspension", "licence")
SOURCE_FIGURES = {"plan": "inspections_planned", "random": "inspections_random",
                  "complaint": "inspections_complaint", "accident": "inspections_accident"}


def month_of(moment: datetime) -> int:
    local = moment.astimezone(SHANGHAI)
    return local.year * 100 + local.month


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


def add_facts(unit_id: int, moment: datetime, **deltas) -> None:
    """Add to a unit's figures of the month of `moment` (the row is made on first use; concurrent steps add in
    turn: an INSERT … ON CONFLICT DO NOTHING, then one UPDATE x = x + n)."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    month = month_of(moment)
    table = InspectionFact.__table__
    # The month's row and the year's (month 00: a year's statistics read one row per unit, not twelve).
    for key in (month, month // 100 * 100):
        db.session.execute(_insert(table).values(unit_id=unit_id, month=key)
                           .on_conflict_do_nothing(index_elements=["unit_id", "month"]))
        db.session.execute(sa.update(table).where(table.c.unit_id == unit_id, table.c.month == key)
                           .values({table.c[k]: table.c[k] + v for k, v in deltas.items()}))


def _first_inspection_this_year(unit_id: int, year: int, company_key: str) -> bool:
    result = db.session.execute(_insert(InspectedCompany.__table__)
                                .values(unit_id=unit_id, year=year, company_key=company_key)
                                .on_conflict_do_nothing(index_elements=["unit_id", "year", "company_key"]))
    return result.rowcount == 1


def _at(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo else None


def count_facts(record) -> None:
    """Step handler (wiring.py): the facts this step adds."""
    unit_id, data, now = record.instance.unit_id, record.new_data, record.now
    process = record.process_id
    if process == INSPECTION_PROCESS:
        task = record.completed_task
        if task is None or task.bpmn_id != "record_inspection":
            return
        company = data.get("company") or {}
        key = (company.get("code") or company.get("name") or "")[:200]
        hazards = data.get("hidden_dangers") or []
        measures = [h.get("measure") for h in hazards]
        source = data.get("source")
        add_facts(unit_id, now, inspections=1,
                  companies_inspected=int(_first_inspection_this_year(unit_id, now.astimezone(SHANGHAI).year, key)),
                  onsite_measures=measures.count(Measure.on_site_measure.value),
                  orders_from_inspections=int(Measure.order.value in measures),
                  cases_from_inspections=int(Measure.case.value in measures or bool(data.get("violations"))),
                  **({SOURCE_FIGURES[source]: 1} if source in SOURCE_FIGURES else {}))
    elif process == HAZARD_PROCESS:
        major = data.get("hazard_severity") == Severity.major.value
        if record.kind == "start":
            add_facts(unit_id, now, hidden_dangers_found=1, major_found=int(major))
        rectified_at = _at(data.get("rectified_at"))
        if rectified_at and not record.old_data.get("rectified_at"):
            add_facts(unit_id, rectified_at, hidden_dangers_rectified=1)
        if record.process_completed:
            add_facts(unit_id, now, hidden_dangers_closed=1, major_closed=int(major))
    elif process == RECTIFICATION_PROCESS and record.kind == "start":
        add_facts(unit_id, now, orders=1)
    elif process == TRANSFER_PROCESS and record.kind == "start":
        add_facts(unit_id, now, transfers=1)
    elif process == CASE_PROCESS and record.changed("decided_at"):
        decided_at = _at(data.get("decided_at"))
        if decided_at is None or record.old_data.get("decided_at") or data.get("case_outcome") != "penalty":
            return
        kinds = set(data.get("penalty_types") or [])
        party = data.get("party") or {}
        add_facts(unit_id, decided_at, penalty_decisions=1, principals_punished=int(party.get("type") == "individual"),
                  fines_yuan=float(data.get("total_fine") or 0),
                  **{f"penalties_{k}": 1 for k in PENALTY_KINDS if k in kinds})
