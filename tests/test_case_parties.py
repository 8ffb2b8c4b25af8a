"""Several parties in one case (issue 17 item 10; DOMAIN.md: 单位 and its 主要负责人, 双罚): each with its own
proposal, notice, hearing right, decision, service and payment — driven through the API as the users who do
each step, with the clock moved."""
from __future__ import annotations

import pytest

from workflow_service.modules.system.codes import make_credit_code, make_id_number

from .case_driver import DECISION, FILING, CaseDriver
from .test_auth_and_access import csrf_token_in, web_login

PRINCIPAL_ID = make_id_number("53230119800101001")
UNIT_CODE = make_credit_code("91532301MA6K00001")
PRINCIPAL = {"role": "principal", "name": "张三", "identification": PRINCIPAL_ID, "position": "总经理"}


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def file_with_principal(d, principal=PRINCIPAL, expect=201, party_type="organisation", party_name="楚雄某化工有限公司"):
    response = d.client("handler1").post("/api/v1/cases", json={
        "source": "inspection", "party_name": party_name, "party_type": party_type, "summary": "日常检查发现",
        "co_parties": [principal]})
    assert response.status_code == expect, response.get_json()
    if expect == 201:
        d.case = response.get_json()
    return response.get_json()


# -- (1) the parties: filed with the case, shown on its page and in the API ------------------------------------
def test_a_unit_and_its_principal_are_filed_as_two_parties_of_one_case(driver, app):
    d = driver.at("2026-09-21T09:00")
    file_with_principal(d)
    parties = d.detail()["parties"]
    assert [(p["seq"], p["role"], p["name"], p["type"]) for p in parties] == [
        (1, "unit", "楚雄某化工有限公司", "organisation"), (2, "principal", "张三", "individual")]
    assert parties[1]["identification"] == PRINCIPAL_ID and parties[1]["role_name"] == "主要负责人"
    assert d.detail()["data"]["parties"][1]["name"] == "张三"
    # The filing form corrects the case's own party: its seq-1 entry follows.
    d.complete("draft_filing", {**FILING, "party": {"name": "楚雄某化工股份有限公司", "type": "organisation"}})
    assert d.detail()["parties"][0]["name"] == "楚雄某化工股份有限公司"
    client = app.test_client()
    web_login(client, "handler1")
    page = client.get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "张三（主要负责人，总经理）" in page and PRINCIPAL_ID in page


def test_a_single_party_case_lists_its_one_party(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    assert [(p["seq"], p["role"]) for p in d.detail()["parties"]] == [(1, "unit")]
    assert "parties" not in d.detail()["data"]


def test_a_party_with_a_wrong_identity_number_or_a_head_of_a_person_is_refused(driver):
    d = driver.at("2026-09-21T09:00")
    wrong = PRINCIPAL_ID[:17] + ("0" if PRINCIPAL_ID[17] != "0" else "1")
    body = file_with_principal(d, {**PRINCIPAL, "identification": wrong}, expect=422)
    assert "校验位错误" in body["details"]["co_parties.0.identification"][0]
    body = file_with_principal(d, {"role": "unit", "name": "某公司", "identification": "91532301MA6K00001X"},
                               expect=422)
    assert "统一社会信用代码" in body["details"]["co_parties.0.identification"][0]
    body = file_with_principal(d, PRINCIPAL, expect=422, party_type="individual", party_name="李四")
    assert "不能列主要负责人" in body["details"]["co_parties.0.role"][0]
    cases = d.client("handler1").get("/api/v1/cases").get_json()["items"]
    assert cases == []  # nothing was filed


def test_the_filing_page_takes_the_principal(app):
    client = app.test_client()
    web_login(client, "handler1")
    token = csrf_token_in(client.get("/cases/new").get_data(as_text=True))
    page = client.post("/cases/new", data={
        "csrf_token": token, "source": "inspection", "party_name": "楚雄某化工有限公司", "party_type": "organisation",
        "summary": "日常检查发现", "co_role_0": "principal", "co_name_0": "张三", "co_identification_0": "123"})
    assert page.status_code == 422 and "公民身份号码应为 18 位" in page.get_data(as_text=True)
    page = client.post("/cases/new", data={
        "csrf_token": token, "source": "inspection", "party_name": "楚雄某化工有限公司", "party_type": "organisation",
        "summary": "日常检查发现", "co_role_0": "principal", "co_name_0": "张三",
        "co_identification_0": PRINCIPAL_ID, "co_position_0": "总经理"})
    assert page.status_code == 302
    page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "张三（主要负责人，总经理）" in page


def filed_unit_and_principal(d, filed_at="2026-09-21T09:00"):
    d.at(filed_at)
    file_with_principal(d)
    d.complete("draft_filing", FILING)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    return d


def fine(amount, party=None, types=("fine",), outcome="penalty"):
    proposal = {"violation_index": 1, "outcome": outcome, "penalty_types": list(types), "fine_amount": amount}
    if outcome != "penalty":
        proposal = {"violation_index": 1, "outcome": outcome}
    return {**proposal, **({"party": party} if party is not None else {})}


# -- (2) a proposal for every party ------------------------------------------------------------------------------
def test_every_party_needs_its_own_proposal(driver):
    d = filed_unit_and_principal(driver)
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(60000)]}, expect=422)
    assert "“张三”（主要负责人）没有处理意见" in body["details"]["proposals"][0]
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(60000), fine(15000, party=3)]},
                      expect=422)
    assert body["details"]["proposals.1.party"] == ["本案没有第 3 个当事人（共 2 个）"]
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [
        fine(60000), fine(15000, party=2), fine(1000, party=2)]}, expect=422)
    assert body["details"]["proposals.2.violation_index"] == ["第 1 项违法行为已有处理意见"]
    assert d.open_steps() == ["investigation_report"]
    # The same violation, once for the unit and once for its principal (双罚).
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(60000), fine(15000, party=2)]})
    outcomes = {o["seq"]: o for o in d.detail()["data"]["party_outcomes"]}
    assert (outcomes[1]["total_fine"], outcomes[2]["total_fine"]) == (60000, 15000)


def test_a_single_party_case_may_not_name_a_second_party(driver):
    d = driver.filed_and_investigated()
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(5000, party=2)]}, expect=422)
    assert body["details"]["proposals.0.party"] == ["本案没有第 2 个当事人（共 1 个）"]
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(5000, party=1)]})
    assert "party_outcomes" not in d.detail()["data"]
