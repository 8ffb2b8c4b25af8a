"""Reading a browser form back into the JSON its schema describes (no database)."""
from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from workflow_service.web.schema_form import build_fields, decode_form

FORMS = Path(__file__).resolve().parent.parent / "forms"
TZ = ZoneInfo("Asia/Shanghai")


def form(name):
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


def test_rows_numbers_choices_and_local_times_become_json():
    schema = form("case_investigation_report")
    data = decode_form(schema, MultiDict([
        ("facts", "经查属实"), ("proposals.__present", "1"),
        ("proposals.0.violation_index", "1"), ("proposals.0.outcome", "penalty"),
        ("proposals.0.penalty_types", "warning"), ("proposals.0.penalty_types", "fine"),
        ("proposals.0.fine_amount", "30000"), ("proposals.3.violation_index", "2"),
        ("proposals.3.outcome", "no_penalty_first"), ("proposals.3.fine_amount", "12.5"),
    ]), TZ)
    assert data == {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "penalty", "penalty_types": ["warning", "fine"], "fine_amount": 30000},
        {"violation_index": 2, "outcome": "no_penalty_first", "fine_amount": 12.5}]}
    evidence = decode_form(form("case_investigate"), MultiDict({
        "evidence.0.type": "photo", "evidence.0.description": "照片", "evidence.0.collected_at": "2026-10-12T09:30"}), TZ)
    assert evidence["evidence"][0]["collected_at"] == "2026-10-12T09:30:00+08:00"


def test_empty_inputs_are_left_out_and_bad_numbers_reach_the_server_as_typed():
    schema = form("case_investigation_report")
    data = decode_form(schema, MultiDict({"facts": "  ", "proposals.0.violation_index": "一"}), TZ)
    # The server then says 必填 for facts and 类型不正确 for the index, at their fields.
    assert data == {"proposals": [{"violation_index": "一"}]}


def test_booleans_are_yes_no_and_the_fields_carry_titles_required_marks_and_choices():
    schema = form("case_draft_filing")
    fields = {f.name: f for f in build_fields(schema, {"party": {"name": "某公司"}}, {"party.name": ["必填"]}, TZ)}
    assert fields["source"].kind == "select" and ("inspection", "检查发现") in fields["source"].options
    assert fields["party"].kind == "object" and fields["party"].required
    party = {f.name: f for f in fields["party"].children}
    assert party["party.name"].value == "某公司" and party["party.name"].errors == ["必填"]
    assert party["party.type"].kind == "radio"
    assert fields["violations"].kind == "rows" and len(fields["violations"].rows) == 1  # a required list opens with a row
    assert fields["handlers"].kind == "checkboxes"  # 承办人 are chosen by name (x-choose: officers)
    deferral = {f.name: f for f in build_fields(form("case_approve_payment_deferral"), {}, {}, TZ)}
    assert deferral["deferral_approved"].kind == "boolean"
    assert decode_form(form("case_approve_payment_deferral"), MultiDict({"deferral_approved": "false"}), TZ) == \
        {"deferral_approved": False}
