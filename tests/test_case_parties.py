"""Several parties in one case (issue 17 item 10; DOMAIN.md: 单位 and its 主要负责人, 双罚): each with its own
proposal, notice, hearing right, decision, service and payment — driven through the API as the users who do
each step, with the clock moved."""
from __future__ import annotations

import pytest

from workflow_service.modules.system.codes import make_credit_code, make_id_number

from .case_driver import DECISION, FILING, CaseDriver, review
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


def documents(d, doc_type=None):
    items = d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/documents").get_json()["items"]
    return [x for x in items if doc_type is None or x["doc_type"] == doc_type]


def pdf_text(d, doc):
    from .test_documents import text_of
    response = d.client("handler1").get(doc["pdf_url"])
    assert response.status_code == 200
    return text_of(response.data)


def reported(d, unit=60000, principal=15000):
    """The unit's 60,000 yuan reaches the organisation threshold (50,000), its principal's 15,000 stays under the
    individual one (20,000): only the unit may ask for a hearing (行政处罚法 Art 63; 令77号 Art 33)."""
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(unit), fine(principal, party=2)]})
    if "legal_review" in d.open_steps():
        d.complete("legal_review", review())
    return d


# -- (3) a notice for each party, and each party's own hearing right and statement window ----------------------
def test_each_party_is_notified_with_its_own_hearing_right_and_window(driver):
    d = reported(filed_unit_and_principal(driver))
    progress = {p["seq"]: p["progress"] for p in d.detail()["parties"]}
    assert progress[1]["hearing_eligible"] is True and progress[2]["hearing_eligible"] is False
    assert d.open_steps() == ["notify_intended_penalty"]
    body = d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00",
                                                  "hearing_offered": True}, expect=422)
    assert "未记录“楚雄某化工有限公司”（单位）、“张三”（主要负责人）的告知书送达" in body["details"]["party_notices"][0]
    body = d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False},
            {"party": 2, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]}, expect=422)
    assert "有权要求听证" in body["details"]["party_notices.0.hearing_offered"][0]
    d.at("2026-09-28T10:00")
    d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-28T10:00:00+08:00", "hearing_offered": True, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True},
            {"party": 2, "notified_at": "2026-09-28T10:00:00+08:00", "hearing_offered": False}]})
    # One 告知书 per party, each with its own number, its own party and its own penalty; the hearing notice for the
    # unit only.
    notices = documents(d, "penalty_notice")
    assert len(notices) == 2 and len({n["number"] for n in notices}) == 2
    by_party = {n["party_seq"] or 1: pdf_text(d, n) for n in notices}
    assert "罚款人民币陆万元整" in by_party[1] and "罚款人民币壹万伍仟元整" not in by_party[1]
    assert "张三" in by_party[2] and "罚款人民币壹万伍仟元整" in by_party[2] and "陆万" not in by_party[2]
    assert "有权要求听证" in by_party[1] and "有权要求听证" not in by_party[2]
    assert [h["party_seq"] for h in documents(d, "hearing_notice")] == [None]
    assert len(documents(d, "service_receipt")) == 2
    # The statements step waits for each party's window, from its own notice: the unit's 5 working days to ask
    # for a hearing from Thu 24 Sep (Mid-Autumn 25-27 Sep, National Day 1-7 Oct) are 28, 29, 30 Sep, 8, 9 Oct;
    # the principal's 3 working days from Mon 28 Sep are 29, 30 Sep, 8 Oct.
    windows = {p["seq"]: p["progress"]["statement_last_day"] for p in d.detail()["parties"]}
    assert windows == {1: "2026-10-09", 2: "2026-10-08"}
    d.at("2026-09-29T10:00")
    statements = {"statement_made": False, "waived": False, "hearing_requested": False, "party_statements": [
        {"party": 1, "statement_made": False, "waived": False, "hearing_requested": False},
        {"party": 2, "statement_made": False, "waived": False, "hearing_requested": False}]}
    body = d.complete("record_statements", statements, expect=422)
    assert f"期限至 {windows[1]} 届满" in body["details"]["party_statements.0"][0]
    assert "“张三”（主要负责人）的陈述申辩期限" in body["details"]["party_statements.1"][0]
    # The principal may not ask for a hearing: 15,000 yuan is below the individual threshold.
    body = d.complete("record_statements", {**statements, "party_statements": [
        {"party": 1, "statement_made": False, "waived": True, "hearing_requested": False},
        {"party": 2, "statement_made": False, "waived": False, "hearing_requested": True,
         "hearing_requested_at": "2026-09-29T09:00:00+08:00"}]}, expect=422)
    assert "不符合听证条件" in body["details"]["party_statements.1.hearing_requested"][0]
    # The unit asks for a hearing in time; the principal waives: the case goes to the hearing.
    d.complete("record_statements", {**statements, "party_statements": [
        {"party": 1, "statement_made": False, "waived": False, "hearing_requested": True,
         "hearing_requested_at": "2026-09-29T09:00:00+08:00"},
        {"party": 2, "statement_made": False, "waived": True, "hearing_requested": False}]})
    assert d.open_steps() == ["prepare_hearing"]


def notified_and_heard(d):
    """Both parties notified on 24 Sep, both waive their statements (and the unit its hearing)."""
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True},
            {"party": 2, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False,
                                     "party_statements": [
        {"party": 1, "statement_made": False, "waived": True, "hearing_requested": False},
        {"party": 2, "statement_made": False, "waived": True, "hearing_requested": False}]})
    steps = d.open_steps()
    if "legal_review_after_hearing" in steps:
        d.complete("legal_review_after_hearing", review())
    if "prepare_collective_discussion" in d.open_steps():
        d.committee_decides("agree")
    return d


def decided_case(driver):
    d = notified_and_heard(reported(filed_unit_and_principal(driver)))
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    return d


# -- (4) a decision for each party, each served on its own ------------------------------------------------------
def test_each_party_gets_its_own_decision_with_its_own_number_and_service(driver):
    d = decided_case(driver)
    decisions = documents(d, "penalty_decision")
    assert len(decisions) == 2 and len({x["number"] for x in decisions}) == 2
    texts = {x["party_seq"] or 1: pdf_text(d, x) for x in decisions}
    assert "楚雄某化工有限公司" in texts[1] and "罚款人民币陆万元整" in texts[1] and "¥60,000.00" in texts[1]
    assert "壹万伍仟" not in texts[1]
    assert "张三" in texts[2] and "罚款人民币壹万伍仟元整" in texts[2] and "¥15,000.00" in texts[2]
    assert "陆万" not in texts[2] and PRINCIPAL_ID in texts[2]
    numbers = {p["seq"]: p["progress"]["decision_number"] for p in d.detail()["parties"]}
    assert numbers == {x["party_seq"] or 1: x["number"] for x in decisions}
    assert d.detail()["decision_number"] == numbers[1]
    # The disclosure drafted from the decision states the unit's own penalty, not the sum of both.
    (draft,) = d.client("supervisor1").get("/api/v1/disclosures").get_json()["items"]
    assert "陆万" in draft["penalty"] and "柒万伍仟" not in draft["penalty"]
    # Service is recorded for each party; each one's payment period runs from its own service.
    body = d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct",
                                         "party_services": [{"party": 1, "served_at": "2026-09-29T10:00:00+08:00",
                                                             "service_method": "direct"}]}, expect=422)
    assert "未记录“张三”（主要负责人）的决定书送达" in body["details"]["party_services"][0]
    d.complete("serve_decision", {"served_at": "2026-10-09T10:00:00+08:00", "service_method": "direct",
                                  "party_services": [
        {"party": 1, "served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct", "recipient": "李四"},
        {"party": 2, "served_at": "2026-10-09T10:00:00+08:00", "service_method": "post"}]})
    progress = {p["seq"]: p["progress"] for p in d.detail()["parties"]}
    # 15 days from 29 Sep end on 14 Oct; from 9 Oct on Sat 24 Oct, a rest day: moved to Mon 26 Oct.
    assert progress[1]["payment_due_at"] == "2026-10-14T16:00:00+00:00"
    assert progress[2]["payment_due_at"] == "2026-10-26T16:00:00+00:00"
    receipts = [r for r in documents(d, "service_receipt") if r["step"] == "serve_decision"]
    assert sorted(r["party_seq"] or 1 for r in receipts) == [1, 2]
    principal_receipt = pdf_text(d, next(r for r in receipts if r["party_seq"] == 2))
    assert numbers[2] in principal_receipt and "张三" in principal_receipt and "邮寄送达" in principal_receipt


def served_case(driver):
    d = decided_case(driver)
    d.complete("serve_decision", {"served_at": "2026-10-09T10:00:00+08:00", "service_method": "direct",
                                  "party_services": [
        {"party": 1, "served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct", "recipient": "李四"},
        {"party": 2, "served_at": "2026-10-09T10:00:00+08:00", "service_method": "direct", "recipient": "张三"}]})
    return d


# -- (5) each party pays its own fine; the case closes when every decision is executed -------------------------
def test_the_units_payment_does_not_close_the_case_while_the_principal_owes_his_fine(driver):
    d = served_case(driver)
    d.at("2026-10-12T10:00")
    unit_paid = {"party": 1, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000}
    # "Paid in full" is each party's own fine: the principal's 10,000 is short of his 15,000.
    body = d.complete("record_payment", {"paid": False, "party_payments": [
        unit_paid, {"party": 2, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 10000}]},
        expect=422)
    assert body["details"]["party_payments.1.amount_paid"] == [
        "“张三”（主要负责人）已缴 10,000.00 元，少于其罚款 15,000.00 元，不能记为已足额缴纳"]
    # The unit paid; the principal's own period (from his service on 9 Oct) runs until 26 Oct.
    body = d.complete("record_payment", {"paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000,
                                         "party_payments": [unit_paid]}, expect=422)
    assert "其缴款期限至 2026-10-26 届满" in body["details"]["party_payments"][0]
    assert "record_payment" in d.open_steps()
    # Past his period, still unpaid: the payment step ends unpaid and the demand (催告) follows, for him alone.
    d.at("2026-10-27T10:00")
    d.complete("record_payment", {"paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000,
                                  "party_payments": [unit_paid, {"party": 2, "paid": False}]})
    data = d.detail()["data"]
    assert data["paid"] is False and "payment_demand" in d.open_steps()
    # The surcharge accrues on his fine alone, from the day after his own period (3 % a day: 450 yuan on day 1).
    surcharge = d.detail()["surcharge"]
    assert (surcharge["fine"], surcharge["days_late"], surcharge["amount"]) == (15000, 1, 450)
    assert [p["party"] for p in surcharge["parties"]] == [2]
    progress = {p["seq"]: p["progress"] for p in d.detail()["parties"]}
    assert (progress[1]["paid"], progress[2]["paid"]) == (True, False)
    body = d.complete("payment_demand", {"demand_served_at": "2026-10-27T10:00:00+08:00", "surcharge_amount": 20000},
                      expect=422)
    assert "超过罚款 15,000.00 元" in body["details"]["surcharge_amount"][0]
    d.complete("payment_demand", {"demand_served_at": "2026-10-27T10:00:00+08:00", "surcharge_amount": 4500})
    demands = documents(d, "payment_demand")
    assert [x["party_seq"] for x in demands] == [2] and "张三" in pdf_text(d, demands[0])


def test_a_case_of_several_parties_closes_as_executed_only_when_every_fine_is_paid(driver):
    d = served_case(driver)
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.at("2026-10-27T10:00")
    d.complete("record_payment", {"paid": False, "party_payments": [
        {"party": 1, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000},
        {"party": 2, "paid": True, "paid_at": "2026-10-20T09:00:00+08:00", "amount_paid": 15000}]})
    assert d.detail()["data"]["paid"] is True and d.detail()["data"]["amount_paid"] == 75000
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"})
    d.complete("approve_closure", {"closure_approved": True})
    d.complete("archive", {"archive_number": "A-2026-002", "archived_at": "2026-10-28T10:00:00+08:00"})
    assert d.detail()["status"] == "closed"
    # The case-file review (案卷评查) reads each party's notice and window.
    response = d.client("supervisor1").post("/api/v1/case-reviews", json={"case_id": d.case["id"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"][0]["defects"] == []


def test_a_fine_still_owed_is_no_executed_decision_at_closure(driver):
    d = served_case(driver)
    d.at("2026-10-27T10:00")
    d.complete("record_payment", {"paid": False, "party_payments": [
        {"party": 1, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000},
        {"party": 2, "paid": False}]})
    d.complete("payment_demand", {"demand_served_at": "2026-10-27T10:00:00+08:00", "surcharge_amount": 4500})
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.at("2027-04-20T10:00")  # the lawsuit period (6 months from the last service, 9 Oct) has passed
    d.complete("apply_enforcement", {"enforcement_applied_at": "2027-04-20T10:00:00+08:00",
                                     "enforcement_court": "楚雄市人民法院"})
    body = d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"},
                      expect=422)
    assert "“张三”（主要负责人）罚款 15,000.00 元尚未缴清" in body["details"]["closure_reason"][0]
    d.complete("draft_closure_report", {"closure_reason": "enforcement", "closure_summary": "已申请强制执行"})


# -- (6) the no-fine rule of a pending transfer binds the transferred person only -------------------------------
def test_a_transfer_of_the_principal_leaves_the_units_fine_to_the_case(login):
    from .transfer_driver import REPORT, TransferDriver

    td = TransferDriver(login, login("admin"))
    filed_unit_and_principal(td)
    # The unit is fined; its principal is warned here while his conduct goes to the police.
    td.complete("investigation_report", {"facts": "经查属实", "proposals": [
        fine(60000), {"violation_index": 1, "outcome": "penalty", "penalty_types": ["warning"], "party": 2}]})
    if "legal_review" in td.open_steps():
        td.complete("legal_review", review())
    td.at("2026-09-24T10:00")
    td.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True},
            {"party": 2, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]})
    td.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False,
                                      "party_statements": [
        {"party": 1, "statement_made": False, "waived": True, "hearing_requested": False},
        {"party": 2, "statement_made": False, "waived": True, "hearing_requested": False}]})
    if "prepare_collective_discussion" in td.open_steps():
        td.committee_decides("agree")
    td.open_transfer(case_id=td.case["id"], summary="主要负责人涉嫌重大责任事故以外的犯罪", transferred_violations=[1])
    # A crime with unit liability, the transferred party not yet named: the unit's fine waits too.
    report = {**REPORT, "suspected_crime": "提供虚假证明文件罪"}
    body = td.complete("draft_decision", DECISION, expect=409)
    assert body["code"] == "transfer_pending"
    body = td.step("draft_transfer_report", {**report, "transferred_parties": [3]}, expect=422)
    assert body["details"]["transferred_parties"] == ["本案没有第 3 个当事人（共 2 个）"]
    td.step("draft_transfer_report", {**report, "transferred_parties": [2]})
    # Only the principal is transferred: the unit's fine is decided in this case.
    td.complete("draft_decision", DECISION)
    assert td.open_steps() == ["approve_decision"]


def test_each_partys_reconsideration_period_runs_from_its_own_service(driver):
    d = served_case(driver)  # the unit served on 29 Sep, its principal on 9 Oct
    d.at("2026-12-01T10:00")
    url = f"/api/v1/cases/{d.case['id']}/challenges"
    filed = {"kind": "reconsideration", "body": "楚雄市人民政府", "filed_at": "2026-12-01T09:00:00+08:00"}
    response = d.client("handler1").post(url, json={**filed, "party": 3})
    assert response.status_code == 422 and "本案没有第 3 个当事人" in response.get_json()["message"]
    unit = d.client("handler1").post(url, json={**filed, "party": 1}).get_json()
    assert unit["late"] is True and unit["party_seq"] == 1  # 60 days from 29 Sep have passed
    response = d.client("supervisor1").post(f"/api/v1/challenges/{unit['id']}/result", json={
        "result": "withdrawn", "decided_at": "2026-12-01T09:30:00+08:00"})
    assert response.status_code == 200, response.get_json()
    principal = d.client("handler1").post(url, json={**filed, "party": 2}).get_json()
    assert principal["late"] is False  # 60 days from 9 Oct have not


def test_a_defence_may_not_shift_a_fine_from_the_unit_to_its_principal(driver):
    d = reported(filed_unit_and_principal(driver))
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True},
            {"party": 2, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]})
    d.at("2026-10-10T10:00")  # the unit's window to ask for a hearing has run out (9 Oct)
    d.complete("record_statements", {"statement_made": True, "waived": False, "hearing_requested": False,
                                     "statement": "申辩", "statement_review": "复核", "statement_points": [
                                         {"point": "已整改", "review": "属实", "adopted": True}],
                                     "party_statements": [
        {"party": 1, "statement_made": True, "waived": False, "hearing_requested": False, "statement": "已整改"},
        {"party": 2, "statement_made": False, "waived": True, "hearing_requested": False}]})
    if "legal_review_after_hearing" in d.open_steps():
        d.complete("legal_review_after_hearing", review())
    assert d.committee_decides("disagree")["result"] == "rejected"
    assert d.open_steps() == ["investigation_report"]
    # The total stays at 75,000, but the principal would pay 25,000 instead of the 15,000 he was told of.
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(50000), fine(25000, party=2)]},
                      expect=422)
    assert "“张三”（主要负责人）罚款 25,000 元高于已告知的 15,000 元" in body["details"]["proposals"]
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(50000), fine(15000, party=2)]})


def test_the_forms_open_with_a_row_for_each_party_and_the_case_page_shows_where_each_stands(driver, app):
    d = reported(filed_unit_and_principal(driver))
    task = d.open_task("notify_intended_penalty")
    shown = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert shown["party_notices"] == [{"party": 1, "hearing_offered": True}, {"party": 2, "hearing_offered": False}]
    client = app.test_client()
    web_login(client, "handler1")
    page = client.get(f"/tasks/{task['id']}")
    assert page.status_code == 200 and "各当事人的告知" in page.get_data(as_text=True)
    notified_and_heard(d)
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    client = app.test_client()  # a new session: the clock moved on by a week
    web_login(client, "handler1")
    response = client.get(f"/cases/{d.case['id']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    numbers = {p["seq"]: p["progress"]["decision_number"] for p in d.detail()["parties"]}
    assert f"决定书 {numbers[2]}" in page and f"决定书 {numbers[1]}" in page and "罚款 15,000.00 元" in page


def test_a_principal_not_penalised_gets_his_own_no_penalty_decision_beside_the_units_penalty(driver):
    d = filed_unit_and_principal(driver)
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [
        fine(5000), {"violation_index": 1, "outcome": "no_penalty_first", "party": 2}]})
    assert d.open_steps() == ["notify_intended_penalty"]
    # Only the party to be penalised is told of an intended penalty.
    body = d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False},
            {"party": 2, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]}, expect=422)
    assert "不在本环节之列" in body["details"]["party_notices.1.party"][0]
    d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False}]})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False,
                                     "party_statements": [{"party": 1, "statement_made": False, "waived": True,
                                                           "hearing_requested": False}]})
    d.complete("draft_decision", DECISION)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    (penalty,) = documents(d, "penalty_decision")
    (no_penalty,) = documents(d, "no_penalty_decision")
    assert (penalty["party_seq"], no_penalty["party_seq"]) == (None, 2)
    text = pdf_text(d, no_penalty)
    assert "张三" in text and "初次违法且危害后果轻微并及时改正" in text and "不予行政处罚" in text
    assert {p["seq"]: p["progress"]["decision_number"] for p in d.detail()["parties"]} == {
        1: penalty["number"], 2: no_penalty["number"]}


def test_two_parties_not_penalised_get_a_no_penalty_decision_each(driver):
    d = filed_unit_and_principal(driver)
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [
        {"violation_index": 1, "outcome": "no_penalty_first"},
        {"violation_index": 1, "outcome": "no_penalty_minor", "party": 2}]})
    d.complete("draft_no_penalty_decision", {"no_penalty_reason": "first_violation", "no_penalty_facts": "经查属实",
                                             "no_penalty_basis": "《中华人民共和国行政处罚法》第三十三条第一款"})
    d.complete("approve_no_penalty", {"no_penalty_approved": True})
    decisions = documents(d, "no_penalty_decision")
    assert sorted(x["party_seq"] or 1 for x in decisions) == [1, 2] and len({x["number"] for x in decisions}) == 2
    d.complete("serve_no_penalty_decision", {"served_at": "2026-09-23T10:00:00+08:00", "service_method": "direct",
                                             "party_services": [
        {"party": 1, "served_at": "2026-09-22T10:00:00+08:00", "service_method": "direct"},
        {"party": 2, "served_at": "2026-09-23T10:00:00+08:00", "service_method": "direct"}]})
    receipts = [r for r in documents(d, "service_receipt") if r["step"] == "serve_no_penalty_decision"]
    assert sorted(r["party_seq"] or 1 for r in receipts) == [1, 2]


def test_the_case_file_review_counts_each_partys_window_from_its_own_notice(driver):
    """The unit (may ask for a hearing) told on Thu 24 Sep: 5 working days to Fri 9 Oct; its principal (may not)
    told on Mon 28 Sep: 3 working days to Thu 8 Oct. Decided on Sat 10 Oct (a working day), after both: no
    defect — though 5 working days from the last notice would run to 10 Oct."""
    d = reported(filed_unit_and_principal(driver))
    d.at("2026-09-28T10:00")
    d.complete("notify_intended_penalty", {
        "notified_at": "2026-09-28T10:00:00+08:00", "hearing_offered": True, "party_notices": [
            {"party": 1, "notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": True},
            {"party": 2, "notified_at": "2026-09-28T10:00:00+08:00", "hearing_offered": False}]})
    d.at("2026-10-10T09:00")
    d.complete("record_statements", {"statement_made": False, "waived": False, "hearing_requested": False,
                                     "party_statements": [
        {"party": 1, "statement_made": False, "waived": False, "hearing_requested": False},
        {"party": 2, "statement_made": False, "waived": False, "hearing_requested": False}]})
    if "prepare_collective_discussion" in d.open_steps():
        d.committee_decides("agree")
    d.complete("draft_decision", DECISION)
    d.complete("approve_decision", {"decision_approved": True})
    d.complete("serve_decision", {"served_at": "2026-10-10T11:00:00+08:00", "service_method": "direct",
                                  "party_services": [
        {"party": 1, "served_at": "2026-10-10T11:00:00+08:00", "service_method": "direct", "recipient": "李四"},
        {"party": 2, "served_at": "2026-10-10T11:00:00+08:00", "service_method": "direct", "recipient": "张三"}]})
    d.complete("record_disclosure", {"disclosure_publish": True})
    d.complete("record_payment", {"paid": False, "party_payments": [
        {"party": 1, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000},
        {"party": 2, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 15000}]})
    d.complete("draft_closure_report", {"closure_reason": "executed", "closure_summary": "执行完毕"})
    d.complete("approve_closure", {"closure_approved": True})
    d.complete("archive", {"archive_number": "A-2026-003", "archived_at": "2026-10-13T10:00:00+08:00"})
    response = d.client("supervisor1").post("/api/v1/case-reviews", json={"case_id": d.case["id"]})
    assert response.status_code == 200, response.get_json()
    item = response.get_json()["items"][0]
    assert [x["code"] for x in item["defects"]] == [], item["defects"]


def test_the_approver_sees_each_partys_decision_with_its_number_before_approving(driver):
    d = notified_and_heard(reported(filed_unit_and_principal(driver)))
    d.complete("draft_decision", DECISION)
    task = d.open_task("approve_decision")
    docs = d.client("supervisor1").get(f"/api/v1/tasks/{task['id']}").get_json()["documents"]
    decisions = [x for x in docs if x["doc_type"] == "penalty_decision"]
    assert [(x["party"], x["party_name"], x["number_reserved"]) for x in decisions] == [
        (1, "楚雄某化工有限公司", True), (2, "张三", True)]
    assert decisions[0]["number"] != decisions[1]["number"]
    preview = d.client("supervisor1").get(decisions[1]["preview_url"])
    from .test_documents import text_of
    text = text_of(preview.data)
    assert preview.status_code == 200 and "张三" in text and decisions[1]["number"] in text and "壹万伍仟" in text
    bad = d.client("supervisor1").get(f"/api/v1/tasks/{task['id']}/document-preview?doc_type=penalty_decision&party=5")
    assert bad.status_code == 422 and "本案没有第 5 个当事人" in bad.get_json()["message"]
    d.complete("approve_decision", {"decision_approved": True})
    issued = {x["party_seq"] or 1: x["number"] for x in documents(d, "penalty_decision")}
    assert issued == {1: decisions[0]["number"], 2: decisions[1]["number"]}  # issued under the numbers approved


def test_the_per_party_task_pages_open(driver, app):
    d = served_case(driver)
    client = app.test_client()
    web_login(client, "handler1")
    task = d.open_task("record_payment")
    page = client.get(f"/tasks/{task['id']}")
    assert page.status_code == 200 and "各当事人的罚款缴纳" in page.get_data(as_text=True)
    shown = d.client("handler1").get(f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert shown["party_payments"] == [{"party": 1, "paid": False}, {"party": 2, "paid": False}]


def test_the_investigation_finds_the_principal_liable_and_the_report_lists_him(driver):
    d = driver.filed_and_investigated()  # filed with its one party, the company
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(60000), fine(15000, party=2)],
                                               "co_parties": [{**PRINCIPAL, "identification": "123"}]}, expect=422)
    assert "公民身份号码应为 18 位" in body["details"]["co_parties.0.identification"][0]
    d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(60000), fine(15000, party=2)],
                                        "co_parties": [PRINCIPAL]})
    parties = d.detail()["parties"]
    assert [(p["seq"], p["role"], p["name"]) for p in parties] == [(1, "unit", "楚雄某化工有限公司"),
                                                                  (2, "principal", "张三")]
    assert (parties[0]["progress"]["hearing_eligible"], parties[1]["progress"]["hearing_eligible"]) == (True, False)


def test_the_filing_form_lists_the_principal_and_a_party_once_listed_stays(driver):
    d = driver.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", {**FILING, "co_parties": [PRINCIPAL]})
    assert [p["name"] for p in d.detail()["parties"]] == ["楚雄某化工有限公司", "张三"]
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    body = d.complete("investigation_report", {"facts": "经查属实", "proposals": [fine(5000)], "co_parties": []},
                      expect=422)
    assert body["details"]["co_parties"] == ["缺少已列明的当事人：张三"]


def test_a_deferral_is_the_asking_partys_own(driver):
    d = served_case(driver)  # the unit served on 29 Sep, its principal on 9 Oct
    d.at("2026-10-12T10:00")
    unit_paid = {"party": 1, "paid": True, "paid_at": "2026-10-12T09:00:00+08:00", "amount_paid": 60000}
    body = d.complete("record_payment", {"paid": False, "deferral_requested": True, "deferral_reason": "经济困难",
                                         "deferral_party": 1, "party_payments": [unit_paid]}, expect=422)
    assert "尚未缴清的：“张三”（主要负责人）" in body["details"]["deferral_party"][0]
    d.complete("record_payment", {"paid": False, "deferral_requested": True, "deferral_reason": "经济困难",
                                  "deferral_party": 2, "party_payments": [unit_paid]})
    d.complete("approve_payment_deferral", {"deferral_approved": True, "deferral_until": "2026-11-30T23:59:00+08:00",
                                            "deferral_opinion": "同意"})
    (approval,) = documents(d, "deferral_approval")
    text = pdf_text(d, approval)
    assert approval["party_seq"] == 2 and "张三" in text and "15,000" in text
    progress = {p["seq"]: p["progress"] for p in d.detail()["parties"]}
    assert progress[1]["paid"] is True and progress[2]["payment_due_at"] == "2026-11-30T15:59:00+00:00"
    # His own period now runs to 30 Nov: the step waits for him past his first 15 days.
    d.at("2026-10-28T10:00")
    body = d.complete("record_payment", {"paid": False, "party_payments": [{"party": 2, "paid": False}]}, expect=422)
    assert "其缴款期限至 2026-11-30 届满" in body["details"]["party_payments"][0]
    assert d.detail()["surcharge"] is None  # nothing accrues while the deferral runs
    d.complete("record_payment", {"paid": False, "party_payments": [
        {"party": 2, "paid": True, "paid_at": "2026-10-28T09:00:00+08:00", "amount_paid": 15000}]})
    assert d.detail()["data"]["paid"] is True and "record_payment" not in d.open_steps()


def test_the_migration_gives_every_existing_case_its_own_party(tmp_path):
    import sqlite3

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from workflow_service.extensions import db

    from .conftest import make_app

    old = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        with old.app_context():
            upgrade(revision="3f8a6c1d9e27")
            db.engine.dispose()
            raw = sqlite3.connect(tmp_path / "old.sqlite")  # foreign keys are off here: no instance or unit rows
            raw.execute("INSERT INTO cases (id, case_number, instance_id, unit_id, source, party_name, party_type, "
                        "summary, violations, status, created_at) VALUES (7, 'C-1', 1, 1, 'inspection', '某公司', "
                        "'organisation', '摘要', '[]', 'open', '2026-11-01 00:00:00'), (8, 'C-2', 2, 1, "
                        "'inspection', '李四', 'individual', '摘要', '[]', 'closed', '2026-11-02 00:00:00')")
            raw.commit()
            raw.close()
            upgrade()
            rows = db.session.execute(sa.text(
                "SELECT case_id, seq, role, name, type FROM case_parties ORDER BY case_id")).all()
            assert [tuple(r) for r in rows] == [(7, 1, "unit", "某公司", "organisation"),
                                                (8, 1, "individual", "李四", "individual")]
    finally:
        with old.app_context():
            db.engine.dispose()
