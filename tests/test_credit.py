"""The credit list (安全生产严重失信主体名单, 失信联合惩戒) through the HTTP API: a company with a penalty decision
entered by the deciding unit's heads with the period the credit rules set, public without login, repaired by
application and approval (not before the wait), gone from the public list when its period ends."""
from __future__ import annotations

import pytest

from .case_driver import FILING, CaseDriver
from .conftest import ApiClient
from .test_disclosure import decided


@pytest.fixture
def public(app):
    return ApiClient(app.test_client(), None)


def enter(d, case_id, user="supervisor1", expect=201, ground="unrectified_major_danger"):
    response = d.client(user).post("/api/v1/credit-entries", json={
        "case_id": case_id, "ground": ground, "facts": "重大事故隐患逾期未整改，受到行政处罚"})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def post(d, path, body, user="supervisor1", expect=200):
    response = d.client(user).post(path, json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_a_listed_company_is_public_until_repaired_or_its_period_ends(login, app, public):
    first = decided(CaseDriver(login, login("admin")), FILING)
    second = decided(CaseDriver(login, login("admin")), {**FILING, "party": {"name": "楚雄某冶金有限公司",
                                                                            "type": "organisation"}})
    undecided = CaseDriver(login, login("admin")).filed_and_investigated("2026-09-28T10:00")
    d = first
    d.at("2026-09-30T10:00")
    assert enter(d, undecided.case["id"], expect=409)["code"] == "no_decision"
    enter(d, first.case["id"], user="handler1", expect=403)
    entry = enter(d, first.case["id"])
    # 36 months on the list, repair after 12 (rules credit_list_period / credit_repair_wait, per province)
    assert entry["expires_at"].startswith("2029-09-30") or entry["expires_at"].startswith("2029-10")
    assert entry["repair_from"] < "2027-10-02" and entry["repair_from"] > "2027-09-29"
    assert enter(d, first.case["id"], expect=409)["code"] == "already_listed"
    other = enter(d, second.case["id"], ground="refused_suspension")
    listed = public.get("/api/v1/public/credit-list").get_json()
    assert listed["total"] == 2 and {"party_name", "ground_label", "unit_name"} <= set(listed["items"][0])
    assert "facts" not in listed["items"][0]
    # repair: not before the wait; then applied for, refused, applied again and approved
    path = f"/api/v1/credit-entries/{entry['id']}"
    d.at("2027-03-01T10:00")
    body = post(d, f"{path}/repair-application", {"applied_at": "2027-03-01T09:00:00+08:00",
                                                  "statement": "已整改并作出信用承诺"}, user="handler1", expect=409)
    assert body["code"] == "repair_too_early"
    d.at("2027-10-08T10:00")
    post(d, f"{path}/repair-application", {"applied_at": "2027-10-08T09:00:00+08:00", "statement": "已整改"},
         user="handler1")
    post(d, f"{path}/repair-decision", {"approved": True}, user="handler1", expect=403)
    assert post(d, f"{path}/repair-decision", {"approved": False, "note": "罚款未缴清"})["status"] == "listed"
    post(d, f"{path}/repair-application", {"applied_at": "2027-10-08T09:30:00+08:00", "statement": "已缴清"},
         user="handler1")
    repaired = post(d, f"{path}/repair-decision", {"approved": True, "note": "符合修复条件"})
    assert repaired["status"] == "repaired" and repaired["left_at"]
    assert [e["id"] for e in public.get("/api/v1/public/credit-list").get_json()["items"]] == [other["id"]]
    # the other entry's period ends: off the public list at once, and the expiry job records it
    d.at("2029-10-08T10:00")
    assert public.get("/api/v1/public/credit-list").get_json()["total"] == 0
    with app.app_context():
        from workflow_service.extensions import db
        from workflow_service.modules.credit.operations import expire_credit_entries

        assert expire_credit_entries() == 1
        db.session.commit()
    statuses = {e["id"]: e["status"] for e in d.client("city_supervisor").get("/api/v1/credit-entries").get_json()["items"]}
    assert statuses == {entry["id"]: "repaired", other["id"]: "expired"}
