"""Supervisors' statistics: a seeded set of cases with hand-computed figures per unit and period, the roll-up
to the city and province, the 零立案/零处罚 flags, the contributor registry, access by unit tree, and the
CSV and Excel exports."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from .case_driver import CaseDriver
from .conftest import set_clock

SH = ZoneInfo("Asia/Shanghai")


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def iso(text: str) -> str:
    return sh(text).isoformat()


@pytest.fixture
def seeded(app):
    """County A (532301, the demo county) and county B (532399, created here) under the city 532300.

    County A, October 2026 (Asia/Shanghai):
      c1 filed 10-12, penalty 10-20 warning+fine 5,000, closed 10-30
      c2 filed 10-13, penalty 10-21 fine+suspension 30,000
      c3 filed 10-14, no-penalty decision 10-22, closed 10-28
      c4 filed 09-15, penalty 10-05 licence (no fine)
      c5 filed 11-02 (November)
      c6 filed 10-31 23:30 Shanghai (still October)
      c7 filed 10-15, penalty 11-01 00:30 Shanghai = 10-31 16:30 UTC: November, warning
    County B: b1 filed 09-20, penalty 10-08 fine 2,000.
    Tasks of c1: record_disclosure created 10-20 10:00, due 10-30 00:00, done 10-30 10:00 (late, 10 days);
      serve_decision created 10-20 10:00, due 10-30, done 10-22 10:00 (2 days); an open task due 10-25
      (overdue) and one due 11-05. Alerts: escalation1 10-30, warning 10-28, escalation2 11-02.
    """
    from workflow_service.extensions import db
    from workflow_service.modules.alerts.models import Alert
    from workflow_service.modules.cases.models import Case
    from workflow_service.modules.processes.models import ProcessDefinition, ProcessInstance
    from workflow_service.modules.tasks.models import Task
    from workflow_service.modules.users.models import Unit
    from workflow_service.modules.users.operations import create_unit

    with app.app_context():
        if db.session.scalar(sa.select(Unit).filter_by(code="532399")) is None:
            create_unit(None, code="532399", name="测试县应急管理局", level="county", parent_code="532300")
        units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        definition = db.session.scalar(sa.select(ProcessDefinition).filter_by(process_id="case_handling", is_latest=True))
        instances = {}

        def case(key, unit_code, filed, data, closed=None):
            unit = units[unit_code]
            created = sh(filed)
            instance = ProcessInstance(definition_id=definition.id, process_id="case_handling", unit_id=unit.id,
                                       title=key, status="running", state="{}", serializer_version="seed",
                                       data={"filed_at": iso(filed), **data}, started_at=created, updated_at=created)
            db.session.add(instance)
            db.session.flush()
            db.session.add(Case(case_number=f"SEED-{key}", instance_id=instance.id, unit_id=unit.id, source="inspection",
                                party_name=f"{key}公司", party_type="organisation", summary="seed", violations=[],
                                status="closed" if closed else "open", created_at=created,
                                closed_at=sh(closed) if closed else None))
            instances[key] = instance

        penalty = {"case_outcome": "penalty"}
        case("c1", "532301", "2026-10-12T09:00", {**penalty, "decided_at": iso("2026-10-20T10:00"),
                                                  "penalty_types": ["fine", "warning"], "total_fine": 5000},
             closed="2026-10-30T15:00")
        case("c2", "532301", "2026-10-13T09:00", {**penalty, "decided_at": iso("2026-10-21T10:00"),
                                                  "penalty_types": ["fine", "suspension"], "total_fine": 30000})
        case("c3", "532301", "2026-10-14T09:00", {"case_outcome": "no_penalty",
                                                  "no_penalty_decided_at": iso("2026-10-22T10:00")},
             closed="2026-10-28T10:00")
        case("c4", "532301", "2026-09-15T09:00", {**penalty, "decided_at": iso("2026-10-05T10:00"),
                                                  "penalty_types": ["licence"], "total_fine": 0})
        case("c5", "532301", "2026-11-02T09:00", {})
        case("c6", "532301", "2026-10-31T23:30", {})
        case("c7", "532301", "2026-10-15T09:00", {**penalty, "decided_at": iso("2026-11-01T00:30"),
                                                  "penalty_types": ["warning"], "total_fine": 0})
        case("b1", "532399", "2026-09-20T09:00", {**penalty, "decided_at": iso("2026-10-08T10:00"),
                                                  "penalty_types": ["fine"], "total_fine": 2000})
        a = units["532301"].id
        c1 = instances["c1"].id

        def task(n, bpmn_id, name, created, due, completed=None):
            db.session.add(Task(instance_id=c1, engine_task_id=f"seed-{n}", bpmn_id=bpmn_id, name=name,
                                role="case_handler", unit_id=a, status="completed" if completed else "ready",
                                created_at=sh(created), due_at=sh(due), completed_at=sh(completed) if completed else None))

        task(1, "record_disclosure", "公示", "2026-10-20T10:00", "2026-10-30T00:00", "2026-10-30T10:00")
        task(2, "serve_decision", "送达决定书", "2026-10-20T10:00", "2026-10-30T00:00", "2026-10-22T10:00")
        task(3, "record_payment", "缴纳罚款", "2026-10-20T10:00", "2026-10-25T00:00")
        task(4, "archive", "归档", "2026-10-20T10:00", "2026-11-05T00:00")
        for level, raised in (("escalation1", "2026-10-30T00:00"), ("warning", "2026-10-28T00:00"),
                              ("escalation2", "2026-11-02T00:00")):
            db.session.add(Alert(instance_id=c1, level=level, title="seed", source_bpmn_id="seed", raised_at=sh(raised)))
        db.session.commit()
    set_clock(app, datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc))
    return units


def rows_by_code(body):
    return {row["unit_code"]: row for row in body["rows"]}


def test_october_figures_per_unit_with_roll_up_and_flags(seeded, login):
    body = login("city_supervisor").get("/api/v1/statistics?period=2026-10").get_json()
    assert body["period"] == {"label": "2026-10", "kind": "month", "start": "2026-10-01", "end": "2026-11-01"}
    rows = rows_by_code(body)
    # The city's tree (other tests may have added units to it), not the province.
    assert {"532300", "532301", "532399"} <= set(rows) and "530000" not in rows
    county = rows["532301"]["figures"]
    assert county["cases_filed"] == 5          # c1 c2 c3 c6 c7 (c4 in September, c5 in November)
    assert county["cases_closed"] == 2         # c1 c3
    assert county["penalty_decisions"] == 3    # c1 c2 c4 (c7 is 1 November in Shanghai)
    assert (county["penalties_warning"], county["penalties_fine"], county["penalties_suspension"],
            county["penalties_licence"], county["penalties_confiscation"]) == (1, 2, 1, 1, 0)
    assert county["fines_yuan"] == 35000
    assert county["no_penalty_decisions"] == 1
    assert county["overdue_tasks"] == 2        # done late, and still open past its deadline
    assert county["escalations"] == 1          # the warning does not count; the level-2 one is in November
    # Filing to decision: c1 8.04, c2 8.04, c3 8.04 (no penalty), c4 20.04 days -> 11.0; decision to closure:
    # c1 10.21 (decided 10-20 10:00, closed 10-30 15:00), c3 6.0 -> 8.1.
    assert county["avg_days_to_decision"] == 11.0 and county["avg_days_to_closure"] == 8.1
    assert rows["532399"]["figures"]["avg_days_to_closure"] is None
    stages = {s["bpmn_id"]: s for s in rows["532301"]["stages"]}
    assert stages["record_disclosure"]["avg_days"] == 10.0 and stages["serve_decision"]["avg_days"] == 2.0
    assert rows["532301"]["flags"] == {"zero_filing": False, "zero_penalty": False}
    other = rows["532399"]
    assert other["figures"]["cases_filed"] == 0 and other["figures"]["penalty_decisions"] == 1
    assert other["flags"] == {"zero_filing": True, "zero_penalty": False}  # 零立案
    city = rows["532300"]
    assert city["own"]["cases_filed"] == 0 and city["own"]["penalty_decisions"] == 0
    assert city["figures"]["cases_filed"] == 5 and city["figures"]["penalty_decisions"] == 4
    assert city["figures"]["fines_yuan"] == 37000 and city["figures"]["penalties_fine"] == 3
    assert city["flags"] == {"zero_filing": False, "zero_penalty": False}
    # b1: filed 09-20 09:00, decided 10-08 10:00 = 18.04 days; with the county's four: 62.2 / 5 = 12.4.
    assert city["figures"]["avg_days_to_decision"] == 12.4 and city["own"]["avg_days_to_decision"] is None


def test_november_and_the_quarter(seeded, login):
    client = login("province_supervisor")
    rows = rows_by_code(client.get("/api/v1/statistics?period=2026-11").get_json())
    assert rows["532301"]["figures"]["cases_filed"] == 1 and rows["532301"]["figures"]["penalty_decisions"] == 1
    assert rows["532399"]["flags"] == {"zero_filing": True, "zero_penalty": True}  # 零立案、零处罚
    assert rows["530000"]["figures"]["escalations"] == 1
    quarter = rows_by_code(client.get("/api/v1/statistics?period=2026-Q4").get_json())
    assert quarter["530000"]["figures"]["cases_filed"] == 6
    assert quarter["530000"]["figures"]["penalty_decisions"] == 5
    year = rows_by_code(client.get("/api/v1/statistics?period=2026").get_json())
    assert year["530000"]["figures"]["cases_filed"] == 8 and year["530000"]["figures"]["fines_yuan"] == 37000


def test_statistics_are_for_supervisors_of_the_unit_tree(seeded, login, app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Unit

    with app.app_context():
        city_id = db.session.scalar(sa.select(Unit.id).filter_by(code="532300"))
    county = login("supervisor1")
    county_rows = rows_by_code(county.get("/api/v1/statistics?period=2026-10").get_json())
    assert "532301" in county_rows and not {"532300", "532399", "530000"} & set(county_rows)
    assert county.get(f"/api/v1/statistics?period=2026-10&unit_id={city_id}").status_code == 403
    assert login("handler1").get("/api/v1/statistics?period=2026-10").status_code == 403
    assert county.get("/api/v1/statistics?period=2026-13").status_code == 422
    # Years outside the service's records are refused, not a server error (found by the schemathesis run).
    for period in ("0000", "9999-12", "0001-Q1"):
        assert county.get(f"/api/v1/statistics?period={period}").status_code == 422
        assert county.get(f"/api/v1/statistics/export?period={period}").status_code == 422
    assert county.get("/api/v1/statistics/export?period=2026-10&unit_id=%d" % city_id).status_code == 403


def test_contributors_plug_their_figures_in_and_rates_are_derived_after_the_roll_up(seeded, login, app):
    from workflow_service.modules.statistics.contributors import StatisticsContributor
    from workflow_service.modules.users.models import Unit

    with app.app_context():
        from workflow_service.extensions import db

        ids = {u.code: u.id for u in db.session.scalars(sa.select(Unit))}
    contributors = app.extensions["wfs_registry"].statistics_contributors
    saved = list(contributors)
    contributors[:] = [c for c in saved if c.name != "rectification"]
    contributors.append(StatisticsContributor(
        name="rectification",
        columns=(("rectification_orders_issued", "责令整改数"), ("rectification_orders_completed", "整改完成数")),
        collect=lambda unit_ids, start, end: {
            ids["532301"]: {"rectification_orders_issued": 4, "rectification_orders_completed": 3},
            ids["532399"]: {"rectification_orders_issued": 1, "rectification_orders_completed": 0}},
        derived=(("rectification_rate", "整改率（%）"),),
        derive=lambda f: {"rectification_rate": round(100 * f["rectification_orders_completed"]
                                                      / f["rectification_orders_issued"], 1)
                          if f["rectification_orders_issued"] else None}))
    try:
        body = login("city_supervisor").get("/api/v1/statistics?period=2026-10").get_json()
        rows = rows_by_code(body)
        assert rows["532301"]["figures"]["rectification_rate"] == 75.0
        assert rows["532300"]["figures"]["rectification_orders_issued"] == 5
        assert rows["532300"]["figures"]["rectification_rate"] == 60.0  # 3 of 5, not the mean of the rates
        assert {"key": "rectification_rate", "label": "整改率（%）"} in body["columns"]
        exported = login("city_supervisor").get("/api/v1/statistics/export?period=2026-10&format=csv")
        assert "整改率（%）" in exported.get_data().decode("utf-8-sig")
    finally:
        contributors[:] = saved


def test_the_csv_and_excel_exports_carry_the_same_figures(seeded, login):
    client = login("city_supervisor")
    response = client.get("/api/v1/statistics/export?period=2026-10&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="statistics-2026-10.csv"' in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert lines[0][0].startswith("统计期间：2026-10")
    header = lines[1]
    assert header[:3] == ["单位代码", "单位名称", "层级"] and header[-2:] == ["零立案", "零处罚"]
    table = {line[0]: dict(zip(header, line)) for line in lines[2:]}
    assert table["532301"]["立案数"] == "5" and table["532301"]["罚款金额（元）"] == "35000.0"
    assert table["532300"]["行政处罚决定数"] == "4" and table["532300"]["层级"] == "市级"
    assert table["532399"]["零立案"] == "是" and table["532399"]["零处罚"] == ""

    from openpyxl import load_workbook

    response = client.get("/api/v1/statistics/export?period=2026-10&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book["统计"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[1]
    table = {row[0]: dict(zip(header, row)) for row in values[2:]}
    assert table["532301"]["立案数"] == 5 and table["532300"]["罚款金额（元）"] == 37000
    assert table["532399"]["零立案"] == "是"
    stages = [[cell.value for cell in row] for row in book["平均办理天数"].iter_rows()]
    assert ["532301", "楚雄市应急管理局", "公示", 1, 10.0] in stages


def test_a_case_driven_through_the_process_is_counted(login):
    d = CaseDriver(login, login("admin"))
    from .test_disclosure import decided

    decided(d)
    rows = rows_by_code(d.client("supervisor1").get("/api/v1/statistics?period=2026-09").get_json())
    figures = rows["532301"]["figures"]
    assert figures["cases_filed"] == 1 and figures["penalty_decisions"] == 1
    assert figures["penalties_fine"] == 1 and figures["fines_yuan"] == 5000
