"""行政执法公示: a penalty decision is drafted for disclosure with personal data redacted, a reviewer publishes it
(安全生产法 Art 78: within 7 working days), it can be withdrawn with its reason (行政处罚法 Art 48), it expires
after the publication period, and nothing unredacted ever reaches the public pages or the public API."""
from __future__ import annotations

import json

import pytest

from .case_driver import FILING, CaseDriver, fine_proposal

ID_NUMBER = "53230119851012341X"
MOBILE = "13987654321"
LANDLINE = "0878-3123456"
ADDRESS = "楚雄市鹿城镇紫溪路18号3栋2单元501室"
ACCOUNT = "6228480012345678901"
WORKER = "张三丰"
LEGAL_REP = "李建国"
CREDIT_CODE = "91532301MA6K1234XN"
PERSONAL = [ID_NUMBER, MOBILE, LANDLINE, "3123456", ADDRESS, "紫溪路18号", ACCOUNT, WORKER, LEGAL_REP,
            "张承办", "刘法制"]  # the last two: officers of the case (handler1, reviewer1)

FILING_WITH_PERSONAL_DATA = {
    **FILING,
    "party": {"name": "楚雄某化工有限公司", "type": "organisation", "credit_code": CREDIT_CODE,
              "legal_representative": LEGAL_REP, "address": "楚雄市开发区永安路8号"},
    "violations": [{"description": f"员工{WORKER}（身份证号{ID_NUMBER}，手机{MOBILE}，住址{ADDRESS}）未经安全培训上岗作业，"
                                   f"法定代表人{LEGAL_REP}未组织培训",
                    "provision": "《安全生产法》第二十八条"}],
}
# The reasoning (说理) is the handler's own text: it goes into the decision, never into the disclosure.
DECISION_WITH_PERSONAL_DATA = {
    "decision_reasoning": f"罚款人民币伍仟元，于十五日内缴至账号{ACCOUNT}；承办人张承办，咨询电话{LANDLINE}",
}
PROPOSAL = fine_proposal(5000)
PROPOSAL["proposals"][0]["basis"] = "《安全生产法》第九十七条第三项"


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def decided(d, filing=FILING_WITH_PERSONAL_DATA):
    """A fine of 5,000 yuan decided on Mon 28 Sep 2026 and served the next day: record_disclosure is open."""
    d.at("2026-09-21T09:00")
    d.file()
    d.complete("draft_filing", filing)
    d.complete("approve_filing", {"filing_approved": True})
    d.complete("investigate", {"evidence": [{"type": "photo", "description": "现场照片",
                                             "collected_at": "2026-09-21T10:00:00+08:00"}]})
    d.complete("investigation_report", PROPOSAL)
    d.at("2026-09-24T10:00")
    d.complete("notify_intended_penalty", {"notified_at": "2026-09-24T10:00:00+08:00", "hearing_offered": False})
    d.complete("record_statements", {"statement_made": False, "waived": True, "hearing_requested": False})
    d.complete("draft_decision", DECISION_WITH_PERSONAL_DATA)
    d.at("2026-09-28T10:00")
    d.complete("approve_decision", {"decision_approved": True})
    # Served the next day: a payment deadline on the same instant as the disclosure deadline would be
    # attributed to the wrong rule by the timer projection (its computed times are keyed by due time).
    d.complete("serve_decision", {"served_at": "2026-09-29T10:00:00+08:00", "service_method": "direct"})
    return d


def published(d, public, **form):
    task = d.open_task("record_disclosure")
    d.complete("record_disclosure", {"disclosure_publish": True, **form})
    return public.get("/api/v1/public/disclosures").get_json(), task


@pytest.fixture
def public(app):
    from .conftest import ApiClient

    return ApiClient(app.test_client(), None)


def test_a_decision_is_drafted_redacted_and_published_on_time_by_the_reviewer(driver, public):
    d = decided(driver)
    # 安全生产法 Art 78: 7 working days from Mon 28 Sep (1-7 Oct holidays, Sat 10 Oct worked) -> Tue 13 Oct.
    assert d.due("record_disclosure") == ("2026-10-13T16:00:00+00:00", "disclosure")
    # The reviewer (法制审核人员) confirms, not the handlers.
    assert d.queue("reviewer1") == ["record_disclosure"] and d.queue("handler1") == ["record_payment"]
    task = d.open_task("record_disclosure")
    view = d.client("reviewer1").get(f"/api/v1/tasks/{task['id']}").get_json()
    draft = view["data"]["disclosure_draft"]
    assert draft["decision_number"] == "楚应急罚〔2026〕1号" and draft["party_credit_code"] == CREDIT_CODE
    assert draft["party_name"] == "楚雄某化工有限公司" and draft["deciding_body"] == "楚雄市应急管理局"
    assert draft["decision_date"] == "2026-09-28" and "第九十七条" in draft["legal_basis"]
    assert "未经安全培训上岗作业" in draft["violation"] and "张某" in draft["violation"]
    assert all(value not in json.dumps(draft, ensure_ascii=False) for value in PERSONAL)
    assert view["data"]["disclosure_redactions"]["id_number"] == 1
    assert public.get("/api/v1/public/disclosures").get_json()["total"] == 0  # a draft is not public
    d.at("2026-10-09T11:00")
    listing, _ = published(d, public)
    assert listing["total"] == 1
    item = listing["items"][0]
    assert item["decision_number"] == "楚应急罚〔2026〕1号" and item["status"] == "published"
    officers = d.client("supervisor1").get(f"/api/v1/disclosures/{item['id']}").get_json()
    assert officers["published_late"] is False and officers["status"] == "published"
    assert d.detail()["data"]["disclosed"] is True
    assert [a for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
            if "公示" in a["title"]] == []


def test_a_late_disclosure_is_escalated_and_recorded_as_late(driver, public, sweep):
    d = decided(driver)
    d.at("2026-10-14T09:00")  # the day after the last day
    sweep()
    alerts = d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
    assert any(a["level"] == "escalation1" and "公示期限逾期督办" in a["title"] for a in alerts)
    listing, _ = published(d, public)
    officers = d.client("supervisor1").get(f"/api/v1/disclosures/{listing['items'][0]['id']}").get_json()
    assert officers["published_late"] is True
    assert not [a for a in d.client("supervisor1").get("/api/v1/alerts").get_json()["items"] if "公示" in a["title"]]


def test_the_reviewer_can_correct_the_draft_and_name_what_redaction_missed(driver, public):
    d = decided(driver)
    listing, _ = published(d, public, disclosure_extra_redactions=["未经安全培训"],
                           disclosure_draft={"penalty": f"罚款5000元。联系人孙小明，电话{MOBILE}"})
    item = listing["items"][0]
    assert "未经安全培训" not in item["violation"] and "孙小明" not in item["penalty"]
    assert MOBILE not in item["penalty"] and "孙某" in item["penalty"]


def test_the_reviewer_may_record_a_lawful_reason_not_to_publish(driver, public):
    d = decided(driver)
    body = d.complete("record_disclosure", {"disclosure_publish": False}, expect=422)
    assert "disclosure_not_published_reason" in body["details"]
    d.complete("record_disclosure", {"disclosure_publish": False, "disclosure_not_published_reason": "涉及国家秘密"})
    assert public.get("/api/v1/public/disclosures").get_json()["total"] == 0
    assert d.detail()["data"]["disclosed"] is False


def test_nothing_unredacted_reaches_the_public_pages_or_the_public_api(driver, public):
    d = decided(driver)
    listing, _ = published(d, public)
    disclosure_id = listing["items"][0]["id"]
    pages = [public.get("/api/v1/public/disclosures").get_data(as_text=True),
             public.get(f"/api/v1/public/disclosures/{disclosure_id}").get_data(as_text=True),
             public.get("/gongshi/").get_data(as_text=True),
             public.get(f"/gongshi/{disclosure_id}").get_data(as_text=True)]
    assert "楚雄某化工有限公司" in pages[2] and "楚应急罚〔2026〕1号" in pages[3] and CREDIT_CODE in pages[3]
    for page in pages:
        for value in PERSONAL:
            assert value not in page, value
    # Searching for a redacted value finds nothing, through every search field.
    for value in PERSONAL:
        for field in ("party", "violation", "unit"):
            assert public.get("/api/v1/public/disclosures", query_string={field: value}).get_json()["total"] == 0
            assert "没有符合条件的公示信息" in public.get("/gongshi/", query_string={field: value}).get_data(as_text=True)
    # ...while the public words of the record are found.
    found = public.get("/api/v1/public/disclosures", query_string={"party": "化工", "violation": "安全培训",
                                                                 "unit": "532300", "date_from": "2026-09-01",
                                                                 "date_to": "2026-09-30"}).get_json()
    assert found["total"] == 1
    assert public.get("/api/v1/public/disclosures", query_string={"date_from": "2026-10-01"}).get_json()["total"] == 0
    assert d.client("handler1").get("/api/v1/disclosures").status_code == 200
    assert public.get("/api/v1/disclosures").status_code == 401  # the officers' API needs a login


def test_a_withdrawal_within_three_working_days_publishes_its_reason(driver, public, sweep):
    d = decided(driver)
    listing, _ = published(d, public)
    disclosure_id = listing["items"][0]["id"]
    handler = d.client("handler1").post(f"/api/v1/disclosures/{disclosure_id}/withdrawal",
                                        json={"reason": "revoked", "explanation": "复议机关撤销"})
    assert handler.status_code == 403
    d.at("2026-10-15T10:00")
    response = d.client("supervisor1").post(f"/api/v1/disclosures/{disclosure_id}/withdrawal", json={
        "reason": "revoked", "explanation": f"经行政复议，原决定被撤销（申请人{LEGAL_REP}，电话{MOBILE}）"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "withdrawing"
    again = d.client("supervisor1").post(f"/api/v1/disclosures/{disclosure_id}/withdrawal",
                                         json={"reason": "revoked", "explanation": "重复"})
    assert again.status_code == 409
    # Still public while the withdrawal is pending.
    assert public.get(f"/api/v1/public/disclosures/{disclosure_id}").get_json()["status"] == "published"
    tasks = d.client("reviewer1").get("/api/v1/tasks?scope=available").get_json()["items"]
    [task] = [t for t in tasks if t["bpmn_id"] == "confirm_withdrawal"]
    # 行政处罚法 Art 48: 3 working days from Thu 15 Oct -> Tue 20 Oct.
    assert task["due_at"] == "2026-10-20T16:00:00+00:00" and task["due_rule"]["rule_id"] == "disclosure_withdrawal"
    detail = d.client("reviewer1").get(f"/api/v1/tasks/{task['id']}").get_json()
    notice = detail["data"]["withdrawal_notice"]
    assert notice.startswith("处罚决定被依法撤销")
    d.at("2026-10-21T09:00")  # one day late: escalated to the supervisors
    sweep()
    alerts = d.client("supervisor1").get("/api/v1/alerts").get_json()["items"]
    assert any(a["level"] == "escalation1" and "撤回公示逾期督办" in a["title"] for a in alerts)
    done = d.client("reviewer1").post(f"/api/v1/tasks/{task['id']}/complete",
                                      json={"data": {"withdrawal_notice": notice, "withdrawal_confirmed": True}})
    assert done.status_code == 200, done.get_json()
    shown = public.get(f"/api/v1/public/disclosures/{disclosure_id}").get_json()
    assert shown["status"] == "withdrawn" and "原决定被撤销" in shown["withdrawal_notice"]
    assert shown["violation"] is None and shown["penalty"] is None  # the content is withdrawn, the reason stays
    assert LEGAL_REP not in shown["withdrawal_notice"] and MOBILE not in shown["withdrawal_notice"]
    page = public.get(f"/gongshi/{disclosure_id}").get_data(as_text=True)
    assert "本公示已撤回" in page and "原决定被撤销" in page and "未经安全培训" not in page


def test_after_the_publication_period_the_record_leaves_the_public_pages(driver, public, app):
    d = decided(driver)
    d.at("2026-10-09T11:00")
    listing, _ = published(d, public)
    disclosure_id = listing["items"][0]["id"]
    officers = d.client("supervisor1").get(f"/api/v1/disclosures/{disclosure_id}").get_json()
    # publication_period: 12 months (configurable rule) from the publication on 9 Oct 2026.
    assert officers["expires_at"].startswith("2027-10-")
    d.at("2027-10-09T10:00")
    assert public.get("/api/v1/public/disclosures").get_json()["total"] == 1
    d.at("2027-10-12T10:00")
    # Gone at once (the public queries check the expiry time), before the job has even run...
    assert public.get("/api/v1/public/disclosures").get_json()["total"] == 0
    assert public.get(f"/api/v1/public/disclosures/{disclosure_id}").status_code == 404
    assert public.get(f"/gongshi/{disclosure_id}").status_code == 404
    # ...and the job marks it expired.
    from workflow_service.extensions import db
    from workflow_service.modules.disclosure.operations import expire_disclosures

    with app.app_context():
        assert expire_disclosures() == 1
        db.session.commit()
        assert expire_disclosures() == 0
    assert d.client("supervisor1").get(f"/api/v1/disclosures/{disclosure_id}").get_json()["status"] == "expired"


def test_a_handler_of_the_case_cannot_confirm_its_disclosure(driver, app):
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import Role, User, UserRole

    d = decided(driver)
    with app.app_context():  # handler2 also holds the legal reviewer role (of the same unit)
        user_id = db.session.scalar(db.select(User.id).filter_by(username="handler2"))
        db.session.add(UserRole(user_id=user_id, role=Role.legal_reviewer.value))
        db.session.commit()
    try:
        body = d.complete("record_disclosure", {"disclosure_publish": True}, username="handler2", expect=403)
        assert body["code"] == "separation_of_duties"
    finally:
        with app.app_context():
            db.session.execute(db.delete(UserRole).where(UserRole.user_id == user_id,
                                                         UserRole.role == Role.legal_reviewer.value))
            db.session.commit()


def test_the_expiry_command(app):
    from workflow_service.cli import expire_disclosures_cmd

    result = app.test_cli_runner().invoke(expire_disclosures_cmd)
    assert result.exit_code == 0 and "expired 0" in result.output


def test_an_individual_partys_id_number_and_home_address_never_reach_the_public(driver, public):
    individual = {**FILING_WITH_PERSONAL_DATA,
                  "party": {"name": "王某某", "type": "individual", "credit_code": ID_NUMBER, "address": ADDRESS}}
    d = decided(driver, filing=individual)
    draft = d.client("reviewer1").get(f"/api/v1/tasks/{d.open_task('record_disclosure')['id']}").get_json()["data"]
    assert draft["disclosure_draft"]["party_credit_code"] == "【身份证号已隐去】"
    listing, _ = published(d, public)
    item = listing["items"][0]
    assert item["party_name"] == "王某某" and item["party_credit_code"] is None
    page = public.get(f"/gongshi/{item['id']}").get_data(as_text=True)
    for value in (ID_NUMBER, ADDRESS, "紫溪路"):
        assert value not in page and value not in json.dumps(item, ensure_ascii=False)
