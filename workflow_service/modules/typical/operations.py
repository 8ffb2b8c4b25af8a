"""Marking typical cases, opening a unit's reporting period and submitting its report.

The cadence is the province's (DOMAIN.md: county every two months, city every quarter, province every half year):
the deadline rules typical_report_<level>, edited per province; the minimum per period is the business setting
typical_case_minimum ({"county": 1, "city": 1, "province": 1} by default), and within it under "transfers" the
minimum number of those that are transfer cases (移送司法机关: the case was handed over to the police), none by
default; a period's case count is fixed when it opens, its transfer count is the province's current one. The
report's process
(bpmn/typical_case_report.bpmn) warns the unit's heads and escalates to the unit above when the period ends
unreported."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import sqlalchemy as sa
from openpyxl import Workbook

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import BusinessSetting, Case, CaseStatus
from ..cases.queries import can_view_case
from ..steps import pipeline
from ..steps.tasks import complete_task
from ..tasks.models import Task, TaskStatus
from ..transfers.models import CriminalTransfer
from ..users.models import Role, Unit
from ..users.provinces import province_code
from ..users.units import in_subtree, sees_unit
from .models import TypicalCase, TypicalReport

REPORT_PROCESS = "typical_case_report"
HEADS = (Role.supervisor, Role.principal_head)
DEFAULT_MINIMUM = {"county": 1, "city": 1, "province": 1}
PERIOD_MONTHS = {"county": 2, "city": 3, "province": 6}  # where periods start (the rule sets when they end)


def _head(actor) -> None:
    if not any(actor.has_role(r) for r in HEADS):
        raise Forbidden("仅负责人可办理典型案例 (supervisors only)")


def mark_typical(actor, *, case_id: int, title: str, write_up: str) -> TypicalCase:
    """标记典型案例: a closed case the supervisor sees, with a write-up."""
    _head(actor)
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在 (no such case)")
    if not can_view_case(actor, case):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    if case.status != CaseStatus.closed.value:
        raise Conflict("只有已结案的案件可以标记为典型案例", code="case_not_closed")
    if db.session.scalar(sa.select(TypicalCase).where(TypicalCase.case_id == case.id)) is not None:
        raise Conflict("该案件已标记为典型案例", code="already_typical")
    row = TypicalCase(case_id=case.id, unit_id=case.unit_id, title=title, write_up=write_up, marked_at=clock().now(),
                      marked_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(actor, "typical_case_marked", instance_id=case.instance_id,
                 details={"typical_case_id": row.id, "title": title})
    return row


def _minimum_setting(unit: Unit) -> dict:
    province = province_code(unit)
    rows = {r.jurisdiction: r for r in db.session.scalars(sa.select(BusinessSetting).where(
        BusinessSetting.key == "typical_case_minimum", BusinessSetting.jurisdiction.in_([province or "", "national"])))}
    row = rows.get(province or "") or rows.get("national")
    return dict(row.value) if row else DEFAULT_MINIMUM


def minimum_for(unit: Unit) -> int:
    return int(_minimum_setting(unit).get(unit.level, 1))


def transfer_minimum_for(unit: Unit) -> int:
    """How many of a period's typical cases must be transfer cases (移送司法机关), by the unit's level."""
    return int((_minimum_setting(unit).get("transfers") or {}).get(unit.level, 0))


def transfer_cases(cases: list[TypicalCase]) -> list[TypicalCase]:
    """The typical cases whose case was handed over to the police (a criminal transfer with its hand-over)."""
    ids = set(db.session.scalars(sa.select(CriminalTransfer.case_id).where(
        CriminalTransfer.case_id.in_([c.case_id for c in cases]), CriminalTransfer.handed_over_at.is_not(None))))
    return [c for c in cases if c.case_id in ids]


def period_start_for(unit: Unit, now: datetime) -> datetime:
    """The start of the period `now` falls in: periods of the level's months from 1 January (Asia/Shanghai)."""
    local = now.astimezone(SHANGHAI)
    months = PERIOD_MONTHS.get(unit.level, 3)
    month = ((local.month - 1) // months) * months + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def open_period(actor, unit: Unit, now: datetime | None = None) -> TypicalReport:
    """Open the unit's report for the current period (idempotent: the open one is returned)."""
    now = now or clock().now()
    start = period_start_for(unit, now)
    existing = db.session.scalar(sa.select(TypicalReport).where(TypicalReport.unit_id == unit.id,
                                                               TypicalReport.period_start == start))
    if existing is not None:
        return existing
    rule = f"typical_report_{unit.level}"
    minimum = minimum_for(unit)
    instance = pipeline.start(actor, process_id=REPORT_PROCESS, unit=unit,
                              title=f"{unit.name}典型案例报送（{start.date().isoformat()}起）",
                              data={"report_rule": rule, "period_start": start.isoformat(), "minimum": minimum})
    report = TypicalReport(unit_id=unit.id, instance_id=instance.id, rule_id=rule, period_start=start,
                           minimum=minimum, status="open", case_ids=[])
    db.session.add(report)
    db.session.flush()
    record_event(actor, "typical_report_opened", instance_id=instance.id,
                 details={"report_id": report.id, "rule": rule, "period_start": start.isoformat(), "minimum": minimum})
    return report


def open_my_period(actor) -> TypicalReport:
    _head(actor)
    return open_period(actor, actor.unit)


def open_due_periods(now=None) -> int:
    """Scheduler job (idempotent): every unit has its current period's report."""
    now = now or clock().now()
    opened = 0
    for unit in db.session.scalars(sa.select(Unit)):
        start = period_start_for(unit, now)
        if db.session.scalar(sa.select(TypicalReport.id).where(TypicalReport.unit_id == unit.id,
                                                              TypicalReport.period_start == start)) is None:
            open_period(None, unit, now)
            opened += 1
    return opened


def get_report(actor, report_id: int) -> TypicalReport:
    report = db.session.get(TypicalReport, report_id)
    if report is None:
        raise NotFound("报送记录不存在 (no such report)")
    if not sees_unit(actor, report.unit):
        raise Forbidden("无权查看 (this report belongs to another unit)")
    return report


def unreported_cases(report: TypicalReport) -> list[TypicalCase]:
    """Typical cases of the unit's tree not yet in any report (a unit reports its own and its units' cases)."""
    return list(db.session.scalars(sa.select(TypicalCase).where(
        in_subtree(TypicalCase.unit_id, report.unit), TypicalCase.report_id.is_(None)).order_by(TypicalCase.marked_at, TypicalCase.id)))


def submit_report(actor, report_id: int, note: str = "") -> TypicalReport:
    """报送: the unit's heads; at least the minimum number of typical cases (422 otherwise)."""
    report = get_report(actor, report_id)
    task = db.session.scalar(sa.select(Task).where(Task.instance_id == report.instance_id,
                                                   Task.bpmn_id == "submit_typical_report",
                                                   Task.status == TaskStatus.ready.value))
    if task is None:
        raise Conflict("本期已报送 (already submitted)", code="report_submitted")
    complete_task(actor, task.id, {"report_note": note})
    return report


def sync_report(record) -> None:
    """Step handler (wiring.py): a submitted report takes the cases it reported."""
    if record.process_id != REPORT_PROCESS or record.completed_task is None:
        return
    report = db.session.scalar(sa.select(TypicalReport).where(TypicalReport.instance_id == record.instance.id))
    if report is None or report.status == "submitted":
        return
    ids = list(record.snapshot.data.get("typical_case_ids") or [])
    for row in db.session.scalars(sa.select(TypicalCase).where(TypicalCase.id.in_(ids))):
        row.report_id = report.id
    report.status, report.submitted_at, report.case_ids = "submitted", record.now, ids
    report.submitted_by_id = getattr(record.actor, "id", None)
    report.note = record.snapshot.data.get("report_note")


def export_rows(report: TypicalReport) -> list[list]:
    rows = [["序号", "案号", "当事人", "办案单位", "标题", "案情及典型意义", "结案日期"]]
    cases = db.session.scalars(sa.select(TypicalCase).where(TypicalCase.id.in_(report.case_ids or []))
                               .order_by(TypicalCase.marked_at, TypicalCase.id)) if report.status == "submitted" else unreported_cases(report)
    for i, row in enumerate(cases, start=1):
        closed = row.case.closed_at.astimezone(SHANGHAI).date().isoformat() if row.case.closed_at else ""
        rows.append([i, row.case.case_number, row.case.party_name, row.unit.name, row.title, row.write_up, closed])
    return rows


def export_report(report: TypicalReport, fmt: str) -> tuple[bytes, str, str]:
    """The report to the higher level: CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    rows = export_rows(report)
    name = f"typical-cases-{report.unit.code}-{report.period_start.astimezone(SHANGHAI).date().isoformat()}"
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "典型案例"
        sheet.append([f"{report.unit.name}典型案例报送表（{report.period_start.astimezone(SHANGHAI).date().isoformat()}起）"])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}.xlsx"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv", f"{name}.csv"


# -- task rules ----------------------------------------------------------------------------------------------
DECLARED = Declarations()


@DECLARED.task_rule(REPORT_PROCESS, "submit_typical_report")
def _at_least_the_minimum(actor, task, data, current):
    report = db.session.scalar(sa.select(TypicalReport).where(TypicalReport.instance_id == task.instance_id))
    cases = unreported_cases(report)
    if len(cases) < report.minimum:
        raise ValidationFailed(f"本期至少报送{report.minimum}个典型案例，目前只有{len(cases)}个未报送的典型案例",
                               {"typical_case_ids": [f"不少于{report.minimum}个"]})
    needed, transfers = transfer_minimum_for(report.unit), len(transfer_cases(cases))
    if transfers < needed:
        raise ValidationFailed(f"本期至少报送{needed}个移送司法机关的典型案例，目前只有{transfers}个，还差{needed - transfers}个",
                               {"typical_case_ids": [f"其中移送司法机关的案例不少于{needed}个"]})
    return {**data, "typical_case_ids": [c.id for c in cases]}


def set_minimum(actor, *, county: int, city: int, province: int, transfers: dict | None = None) -> dict:
    """The province's minimum number of typical cases per period and level (administrators of the province);
    periods opened afterwards use it. `transfers`, by level, is how many of them must be transfer cases
    (移送司法机关); left out, the province's current transfer minimum stays."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可设置典型案例报送数量 (administrators only)")
    jurisdiction = province_code(actor.unit) or "national"
    row = db.session.scalar(sa.select(BusinessSetting).where(BusinessSetting.key == "typical_case_minimum",
                                                             BusinessSetting.jurisdiction == jurisdiction))
    if transfers is None:
        transfers = dict((row.value or {}).get("transfers") or {}) if row is not None else {}
    transfers = {level: int(transfers.get(level, 0)) for level in ("county", "city", "province")}
    value = {"county": county, "city": city, "province": province, "transfers": transfers}
    if row is None:
        row = BusinessSetting(key="typical_case_minimum", jurisdiction=jurisdiction, value=value,
                              basis="本省典型案例报送要求", updated_at=clock().now())
        db.session.add(row)
    else:
        row.value, row.updated_at = value, clock().now()
    db.session.flush()
    record_event(actor, "typical_case_minimum_set", details={"jurisdiction": jurisdiction, **value})
    return {"jurisdiction": jurisdiction, **value}
