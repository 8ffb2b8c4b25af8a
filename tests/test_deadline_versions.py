"""Deadline rules by date (issue 17, deadlines 1 and 8): versions with effective_from/effective_to, the version
in force on the day a period starts, running cases keeping theirs, and each rule's basis as the law sets it."""
from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from .case_driver import FILING, CaseDriver


def compute(client, rule, start):
    response = client.get(f"/api/v1/deadlines/compute?rule={rule}&from={quote(start)}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_case_filed_before_february_2026_has_30_days_to_the_decision(login):
    body = compute(login("handler1"), "decision_after_filing", "2025-12-20T09:00:00+08:00")
    assert body["last_day"] == "2026-01-19"
    assert body["period"] == "30 calendar_days"
    assert "第七十七号" in body["basis"] or "令第77号" in body["basis"]
    assert "第三十一条" in body["basis"]
    assert body["unverified"] is False
    assert (body["version"]["effective_from"], body["version"]["effective_to"]) == ("2015-05-01", "2026-02-01")
    assert [t["cap_days"] for t in body["version"]["extension_tiers"]] == [90, 180]


def test_a_case_filed_from_february_2026_has_90_days_marked_unverified(login):
    handler = login("handler1")
    last = compute(handler, "decision_after_filing", "2026-01-31T09:00:00+08:00")
    first = compute(handler, "decision_after_filing", "2026-02-01T09:00:00+08:00")
    assert last["period"] == "30 calendar_days" and last["last_day"] == "2026-03-02"  # 30 days from 31 January: 2 March
    assert first["period"] == "90 calendar_days" and first["last_day"] == "2026-05-06"  # 2 May falls in the May Day holiday
    assert first["unverified"] is True and first["confidence"] == "L"
    assert "令第18号" in first["basis"]


def test_the_rule_list_shows_every_rule_with_its_versions_basis_and_confidence(login):
    rules = {r["rule_id"]: r for r in login("reviewer1").get("/api/v1/deadline-rules").get_json()}
    assert {"demand_notice_wait", "lawsuit_period", "public_notice_service", "police_decision_leads",
            "police_decision_major"} <= set(rules)
    wait = rules["demand_notice_wait"]
    assert (wait["amount"], wait["unit"]) == (10, "working_days")
    assert "第五十四条" in wait["legal_basis"] and "第六十九条" in wait["legal_basis"]
    versions = rules["decision_after_filing"]["versions"]
    assert [(v["amount"], v["effective_from"], v["effective_to"], v["unverified"]) for v in versions] == [
        (30, "2015-05-01", "2026-02-01", False), (90, "2026-02-01", None, True)]
    for rule in rules.values():
        assert rule["versions"] and rule["legal_basis"] and rule["confidence"] in ("H", "M", "L")


# Item 8: each rule the review found loose cites what sets it, or says it is practice and configurable.
@pytest.mark.parametrize("rule_id, cites, not_cited", [
    ("statement_window", "实践做法，可配置", "第六十二条"),
    ("payment_demand", "第五十四条", None),
    ("reinspection", "安监总政法〔2016〕72号", "待核实"),
    ("materials_notice", "应急〔2019〕54号", "第八条"),
    ("materials_supplement", "应急〔2019〕54号", "第一百八十条"),
    ("police_followup", "实践做法，可配置", None),
    ("publication_period", "国家发展改革委令第58号", None),
])
def test_loose_legal_bases_are_corrected(login, rule_id, cites, not_cited):
    rule = {r["rule_id"]: r for r in login("reviewer1").get("/api/v1/deadline-rules").get_json()}[rule_id]
    text = f"{rule['legal_basis']} {rule['note'] or ''}"
    assert cites in text
    if not_cited:
        assert not_cited not in rule["legal_basis"]
    assert "《" in rule["legal_basis"] or rule["legal_basis"].startswith("实践做法，可配置")


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def _new_versions_gone(app, rule_id):
    from workflow_service.extensions import db
    from workflow_service.modules.deadlines.operations import forget
    with app.app_context():
        first = db.session.scalar(sa.text("SELECT min(effective_from) FROM deadline_rules WHERE rule_id = :r "
                                          "AND jurisdiction = 'national' AND effective_from > '2026-02-01'"),
                                  {"r": rule_id})
        if first is not None:
            db.session.execute(sa.text("DELETE FROM deadline_rules WHERE rule_id = :r AND effective_from > '2026-02-01'"),
                               {"r": rule_id})
            db.session.execute(sa.text("UPDATE deadline_rules SET effective_to = NULL WHERE rule_id = :r "
                                       "AND effective_from = '2026-02-01'"), {"r": rule_id})
        db.session.commit()
        forget()


def test_a_running_case_keeps_the_version_it_started_with(app, driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    due_before, rule = d.due("investigate")
    assert rule == "decision_after_filing" and due_before == "2026-12-21T16:00:00+00:00"  # 90 days: Sunday 20 December, so Monday
    d.at("2026-09-25T09:00")
    try:
        response = d.admin.client.put("/api/v1/deadline-rules/decision_after_filing", json={"amount": 60},
                                      headers=d.admin.headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["effective_from"] == "2026-09-25"
        # The next step of the running case counts its decision limit as before ...
        d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                                 "collected_at": "2026-09-21T10:00:00+08:00"}]})
        assert d.due("investigation_report")[0] == due_before
        # ... a case filed after the change has 60 days, and the version that ran before it is closed.
        assert compute(d.client("handler1"), "decision_after_filing", "2026-09-26T09:00:00+08:00")["period"] == \
            "60 calendar_days"
        versions = {r["rule_id"]: r for r in d.client("handler1").get("/api/v1/deadline-rules").get_json()}[
            "decision_after_filing"]["versions"]
        assert [(v["amount"], v["effective_from"], v["effective_to"]) for v in versions][-2:] == [
            (90, "2026-02-01", "2026-09-25"), (60, "2026-09-25", None)]
    finally:
        _new_versions_gone(app, "decision_after_filing")


def test_the_migration_splits_the_decision_limit_and_keeps_running_timers_on_their_version(tmp_path):
    from flask_migrate import upgrade

    from workflow_service.extensions import db

    from .conftest import make_app

    old = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        with old.app_context():
            upgrade(revision="7c2d9e4f1a63")
            db.session.execute(sa.text(
                "INSERT INTO deadline_rules (id, rule_id, name, amount, unit, runs_from, legal_basis, confidence, "
                "jurisdiction, effective_from, warning_lead_hours, escalation2_after_hours, note, updated_at) VALUES "
                "(1, 'decision_after_filing', '立案后作出处罚决定', 90, 'calendar_days', '立案之日', '《行政处罚法》第六十条', "
                "'H', 'national', '2021-07-15', 240, 168, NULL, '2026-01-01 00:00:00'), "
                "(2, 'statement_window', '陈述申辩期限', 3, 'working_days', '告知书送达之日', "
                "'《行政处罚法》第四十四条、第四十五条、第六十二条', 'M', 'national', '2021-07-15', 24, 48, NULL, "
                "'2026-01-01 00:00:00')"))
            db.session.commit()
            db.engine.dispose()
            raw = sqlite3.connect(tmp_path / "old.sqlite")  # no instance row needed: foreign keys are off here
            raw.execute(
                "INSERT INTO timers (instance_id, engine_task_id, bpmn_id, name, due_at, status, attempts, properties, "
                "rule_id, rule_kind, created_at, provisional) VALUES (1, 't1', 'due_investigate', '办案期限', "
                "'2026-04-20 16:00:00', 'waiting', 0, '{}', 'decision_after_filing', 'deadline', "
                "'2026-01-20 01:00:00', 0)")
            raw.commit()
            raw.close()
            upgrade()
            rows = db.session.execute(sa.text(
                "SELECT id, amount, effective_from, effective_to, confidence FROM deadline_rules "
                "WHERE rule_id = 'decision_after_filing' ORDER BY effective_from")).all()
            assert [tuple(r)[1:] for r in rows] == [(30, "2015-05-01", "2026-02-01", "M"), (90, "2026-02-01", None, "L")]
            # The running timer was computed with the 90-day row: it keeps it.
            assert db.session.scalar(sa.text("SELECT rule_version_id FROM timers")) == rows[1].id == 1
            basis = db.session.scalar(sa.text("SELECT legal_basis FROM deadline_rules WHERE rule_id = 'statement_window'"))
            assert "未规定期限" in basis
    finally:
        with old.app_context():
            db.engine.dispose()


def test_a_case_shows_the_basis_of_the_version_its_deadline_runs_on(driver):
    d = driver.at("2026-01-20T09:00")
    d.file()
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.at("2026-03-01T09:00")  # later, with the 2026 version in force
    task = d.open_task("investigate")
    assert task["due_rule"]["period"] == "30 calendar_days" and "第三十一条" in task["due_rule"]["legal_basis"]
    assert task["due_rule"]["unverified"] is False
    running = [x for x in d.detail()["deadlines"] if x["rule_id"] == "decision_after_filing"]
    assert running and all("第三十一条" in x["legal_basis"] and x["unverified"] is False for x in running)

    later = CaseDriver(d.login, d.admin).at("2026-03-02T09:00")
    later.file()
    later.complete("draft_filing", FILING)
    later.complete("approve_filing", {"filing_approved": True})
    assert later.open_task("investigate")["due_rule"]["unverified"] is True
    assert all(x["unverified"] for x in later.detail()["deadlines"] if x["rule_id"] == "decision_after_filing")
