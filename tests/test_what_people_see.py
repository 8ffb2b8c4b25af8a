"""What the pages show must be true and readable (issue 16, "What people see"): names rather than usernames,
the timeline in Chinese, the committee's open votes as one step with the members' names, the case list's
search, case numbers per unit and year, the real reason for a refused extension, the integration account kept
out of the web UI, money shown as money."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from .case_driver import FILING, CaseDriver
from .test_auth_and_access import csrf_token_in, web_login
from .test_chinese_text import _file_case
from .test_review_and_committee import _to_committee
from .test_statistics import seeded  # noqa: F401  (the statistics fixture: cases with fines in October 2026)


@pytest.fixture
def driver(login):
    return CaseDriver(login, login("admin"))


def browser(app, username):
    client = app.test_client()
    assert web_login(client, username).status_code == 302
    return client


def section(page: str, element_id: str) -> str:
    match = re.search(rf'<section id="{element_id}".*?</section>', page, re.S)
    assert match, f"no section #{element_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_the_case_page_names_the_handlers_and_the_committee_members_it_waits_for(app, driver):
    d = _to_committee(driver)
    d.open_ballot()
    page = browser(app, "supervisor1").get(f"/cases/{d.case['id']}").get_data(as_text=True)
    assert "张承办、李承办" in page and "handler1、handler2" not in page
    steps = section(page, "open-tasks")
    # Six votes are one step, with the six names; not six lines of "集体讨论网上表决（辅助） 案审委员".
    assert steps.count("集体讨论网上表决") == 1, steps
    assert "6 项" in steps
    for name in ("赵局长", "委员1", "委员2", "委员3", "委员4", "委员5"):
        assert name in steps, steps


def test_the_timeline_says_who_and_what_in_chinese(app, driver, sweep):
    d = _to_committee(driver)
    page = browser(app, "supervisor1").get(f"/cases/{d.case['id']}").get_data(as_text=True)
    timeline = section(page, "timeline")
    assert "张承办 · 登记案件" in timeline or "张承办 · 案件登记" in timeline
    assert "刘法制 · 法制审核签署" in timeline
    assert not re.search(r"\b(system|handler1|reviewer1)\b", timeline), timeline
    assert not re.search(r"[a-z]+_[a-z_]+", timeline), timeline  # no raw event types (disclosure_drafted)
    api = d.client("supervisor1").get(f"/api/v1/cases/{d.case['id']}/timeline").get_json()
    labels = {e["action"]: e["action_label"] for e in api["items"]}
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.values()), labels


def test_case_numbers_restart_each_year_in_the_services_time_zone(driver):
    first = driver.at("2026-12-30T09:00").file()
    second = driver.file()
    # 08:00 on 1 January in Beijing is still 31 December in UTC: a case of 2027, its first.
    new_year = driver.at("2027-01-01T08:00").file()
    assert first["case_number"] == "532301-2026-000001" and second["case_number"] == "532301-2026-000002"
    assert new_year["case_number"] == "532301-2027-000001"
    assert driver.file()["case_number"] == "532301-2027-000002"


def test_concurrent_filings_never_share_a_case_number(app, login):
    """Eight handlers' filings at once (threads, each its own request and transaction): eight numbers."""
    from concurrent.futures import ThreadPoolExecutor

    clients = [login("handler1" if i % 2 else "handler2") for i in range(8)]

    def file(api):
        return api.post("/api/v1/cases", json={"source": "inspection", "party_name": "并发登记有限公司",
                                               "party_type": "organisation", "summary": "同时登记"})

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(file, clients))
    numbers = sorted(a.get_json()["case_number"] for a in answers if a.status_code == 201)
    assert all(a.status_code in (201, 409) for a in answers), [a.get_json() for a in answers]
    assert len(numbers) == len(set(numbers)) and numbers[0].endswith("-000001")
    assert numbers == [f"532301-2026-{n:06d}" for n in range(1, len(numbers) + 1)]


def test_the_case_list_finds_cases_by_party_number_dates_stage_and_shows_where_each_stands(app, driver):
    first = driver.at("2026-09-21T09:00").file("楚雄某化工有限公司")
    driver.complete("draft_filing", FILING)
    second = driver.at("2026-10-12T09:00").file("禄丰某矿业有限公司")
    api = driver.client("supervisor1")

    def found(query):
        answer = api.get(f"/api/v1/cases?{query}")
        assert answer.status_code == 200, answer.get_json()
        return [c["case_number"] for c in answer.get_json()["items"]]

    assert found("q=矿业") == [second["case_number"]]
    assert found(f"q={first['case_number']}") == [first["case_number"]]
    assert found("q=532301-2026") == [second["case_number"], first["case_number"]]
    assert found("q=%25") == []  # a wildcard is a character, not "everything"
    assert found("filed_from=2026-10-01") == [second["case_number"]]
    assert found("filed_to=2026-09-21") == [first["case_number"]]
    assert found("stage=approve_filing") == [first["case_number"]]
    items = api.get("/api/v1/cases").get_json()["items"]
    assert {c["case_number"]: c["current_stages"] for c in items} == {
        first["case_number"]: ["立案审批"], second["case_number"]: ["立案登记"]}
    assert api.get("/api/v1/cases?filed_from=yesterday").status_code == 422

    page = browser(app, "supervisor1").get("/cases?q=化工&filed_from=2026-09-01&filed_to=2026-09-30")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and first["case_number"] in body and second["case_number"] not in body
    assert "<th>当前环节</th>" in body and "立案审批" in body
    bad = browser(app, "supervisor1").get("/cases?filed_from=yesterday&q=矿业")
    assert bad.status_code == 200 and second["case_number"] in bad.get_data(as_text=True)
    assert "筛选条件无效" in bad.get_data(as_text=True)


def test_an_extension_without_a_running_deadline_says_so_instead_of_blaming_someone_else(app, driver):
    case = driver.at("2026-10-12T09:00").file()  # not yet approved: the 90-day decision deadline has not started
    client = browser(app, "head1")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "尚无进行中的作出处罚决定期限" in page and 'action="/cases/%d/extension"' % case["id"] not in page
    answer = client.post(f"/cases/{case['id']}/extension", data={"csrf_token": csrf_token_in(page), "days": "30",
                                                               "reason": "案情复杂"}, follow_redirects=True)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "没有进行中的决定期限" in body
    assert "已被他人处理" not in body and "请刷新" not in body
    api = driver.client("head1").post(f"/api/v1/cases/{case['id']}/extension", json={"days": 30, "reason": "案情复杂"})
    assert api.status_code == 409 and api.get_json()["code"] == "no_deadline"
    assert api.get_json()["message"] == "该案件没有进行中的决定期限"


def test_the_integration_account_cannot_use_the_web_ui_and_is_told_why(app, driver):
    case = driver.at("2026-10-12T09:00").file()
    client = app.test_client()
    answer = web_login(client, "police_gateway")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "接口账户" in body and "不能登录网页界面" in body
    assert client.get("/").status_code == 302  # no session: back to the login page
    # Its API token still works where it is meant to, and elsewhere the refusal says what the account is.
    gateway = driver.client("police_gateway")
    refused = gateway.get(f"/api/v1/cases/{case['id']}")
    assert refused.status_code == 403 and "接口账户" in refused.get_json()["message"]
    assert "another unit" not in refused.get_json()["message"] and "其他单位" not in refused.get_json()["message"]


def test_statistics_show_fines_as_money_and_charts_keep_whole_unit_names(seeded, app):
    page = browser(app, "city_supervisor").get("/supervision?period=2026-10").get_data(as_text=True)
    table = re.search(r'<table class="counts" id="statistics-table">.*?</table>', page, re.S).group(0)
    assert "35,000.00 元" in table and "2,000.00 元" in table  # 5,000 + 30,000 in the county; 2,000 in the other
    assert not re.search(r"\b\d+\.0\b", table), table
    fines = re.search(r'<figure id="chart-fines">.*?</figure>', page, re.S).group(0)
    assert "35,000.00" in fines
    # The longest unit name is printed whole, inside the drawing (its label column is as wide as the name).
    assert "楚雄彝族自治州应急管理局" in fines and "…" not in fines
    x = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end">楚雄彝族自治州应急管理局', fines).group(1))
    assert x >= 12 * 13  # twelve characters of 13 px end at x without running off the left edge


def test_money_is_written_with_separators_and_two_decimals():
    from workflow_service.web.charts import figure, money

    assert money(30000) == "30,000.00 元" and money(30000.0) == "30,000.00 元" and money("1500") == "1,500.00 元"
    assert figure(12, "cases_filed") == "12" and figure(None, "fines_yuan") == "—" and figure(66.67, "x_rate") == "66.7"


def test_the_demo_clock_can_be_set_back_from_the_page(app, login):
    client = browser(app, "admin")
    page = client.get("/admin/clock").get_data(as_text=True)
    assert "ISO 8601" not in page and 'name="set_to"' in page
    token = csrf_token_in(page)
    moved = client.post("/admin/clock", data={"csrf_token": token, "what": "advance", "amount": "3", "unit": "days"},
                        follow_redirects=True)
    assert "2026-10-15 09:00" in moved.get_data(as_text=True)
    back = client.post("/admin/clock", data={"csrf_token": token, "what": "set", "set_to": "2026-10-01T08:30"},
                       follow_redirects=True)
    assert back.status_code == 200 and "2026-10-01 08:30" in back.get_data(as_text=True)
    assert login("admin").get("/api/v1/admin/clock").get_json()["now"].startswith("2026-10-01T00:30")
    bad = client.post("/admin/clock", data={"csrf_token": token, "what": "set", "set_to": "someday"})
    assert bad.status_code == 422 and "请填写要设定的日期和时间" in bad.get_data(as_text=True)


def test_every_page_links_a_favicon_that_exists(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page).group(1)
    assert client.get(href).status_code == 200
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_demo_data_can_be_reset(tmp_path):
    from flask_migrate import upgrade

    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db
    from workflow_service.modules.cases.models import Case
    from workflow_service.modules.system.models import ClockState

    from .conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "handler1", "password": "test-password-1"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.post("/api/v1/cases", headers=headers, json={
        "source": "inspection", "party_name": "某公司", "party_type": "organisation", "summary": "检查"}).status_code == 201
    refused = app.test_cli_runner().invoke(args=["wfs", "reset-demo"], input="n\n")
    assert refused.exit_code != 0
    result = app.test_cli_runner().invoke(args=["wfs", "reset-demo", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
        assert db.session.get(ClockState, 1).offset_seconds == 0
    # The users are back (with fresh sessions: the old token is gone) and the numbering starts again.
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    token = client.post("/api/v1/auth/token", json={"username": "handler1", "password": "test-password-1"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    filed = client.post("/api/v1/cases", headers=headers, json={
        "source": "inspection", "party_name": "某公司", "party_type": "organisation", "summary": "检查"})
    assert filed.get_json()["case_number"].endswith("-000001")
    production = make_app(f"sqlite:///{tmp_path / 'demo.sqlite'}", SETTABLE_CLOCK=False)
    assert production.test_cli_runner().invoke(args=["wfs", "reset-demo", "--yes"]).exit_code == 2


def test_every_page_has_a_heading_and_a_skip_link(app, login):
    from .test_chinese_text import _NOT_PAGES, _fill, _routes

    case, task = _file_case(login("handler1"))
    ids = {"case_id": case["id"], "task_id": task["id"]}
    missing = []
    for username in ("handler1", "supervisor1", "admin", "member1"):
        client = browser(app, username)
        for rule in _routes(app, lambda p: not p.startswith(_NOT_PAGES)):
            if "GET" not in rule.methods or rule.endpoint in ("web.case_diagram", "web.download_evidence"):
                continue
            answer = client.get(_fill(rule.rule, ids), follow_redirects=True)
            body = answer.get_data(as_text=True)
            if answer.mimetype != "text/html":
                continue
            if "<h1" not in body or 'class="skip-link" href="#main"' not in body or '<div id="main" tabindex="-1">' not in body:
                missing.append(f"{username} {rule.rule} [{answer.status_code}]")
    assert not missing, missing


def test_field_errors_are_tied_to_their_fields_and_choices_are_fieldsets(app, login):
    client = browser(app, "handler1")
    token = csrf_token_in(client.get("/cases/new").get_data(as_text=True))
    page = client.post("/cases/new", data={"csrf_token": token, "source": "sky", "party_name": ""})
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    for field in ("source", "party_name", "summary"):
        control = re.search(rf'<(?:input|select|textarea)[^>]*id="{field}"[^>]*>', body).group(0)
        assert 'aria-invalid="true"' in control, control
        described = re.search(r'aria-describedby="([^"]+)"', control).group(1)
        for error_id in described.split():
            assert re.search(rf'<p class="field-error" role="alert" id="{error_id}">[^<]+</p>', body), error_id
    group = re.search(r'<fieldset class="field has-error"[^>]*>\s*<legend class="label">当事人类型', body)
    assert group and 'aria-describedby="party_type-error"' in group.group(0)
    # A task form's yes/no and choice questions are fieldsets named by their legend.
    case, task = _file_case(login("handler1"))
    form = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'type="radio"' in form
    for radio in re.finditer(r'<input type="radio" name="([^"]+)"', form):
        before = form[:radio.start()]
        assert before.rfind("<fieldset") > before.rfind("</fieldset>"), radio.group(1)


def test_the_messages_the_issue_quoted_are_chinese_now(app, login):
    handler = login("handler1")
    answer = handler.post("/api/v1/cases", json={"source": "sky", "party_name": "", "party_type": "organisation",
                                                 "summary": "检查"}).get_json()
    assert answer["code"] == "validation_failed"
    assert answer["details"]["source"][0].startswith("必须是以下取值之一：inspection")
    assert answer["details"]["party_name"] == ["长度须在 1 至 200 个字符之间"]
    listed = handler.get("/api/v1/cases?filed_from=someday").get_json()
    assert listed["details"]["filed_from"] == ["不是有效的日期（格式：年-月-日，如 2026-10-12）"]
    case, task = _file_case(handler)
    handler.post(f"/api/v1/tasks/{task['id']}/claim", json={})
    filing = handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {**FILING, "handlers": []}}).get_json()
    assert filing["code"] == "validation_failed" and filing["details"]["handlers"], filing
    assert all("too short" not in m and "至少" in m for m in filing["details"]["handlers"]), filing
    wrong = app.test_client().post("/api/v1/auth/token", json={"username": "handler1", "password": "x"}).get_json()
    assert wrong == {"code": "bad_credentials", "message": "用户名或密码错误", "details": {}}
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={"username": "handler1", "password": "x", "csrf_token": token})
    assert "用户名或密码错误" in page.get_data(as_text=True) and "wrong username" not in page.get_data(as_text=True)
    missing = browser(app, "handler1").get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert "Not Found" not in missing.get_data(as_text=True)
    big = handler.client.post(f"/api/v1/cases/{case['id']}/extension", data="x" * (17 << 20),
                              content_type="application/json", headers=handler.headers)
    assert big.status_code == 413 and big.get_json()["message"].startswith("上传内容超过大小上限")
    assert "Request Entity Too Large" not in big.get_data(as_text=True)


def test_the_translation_keeps_codes_and_values_and_drops_only_english_glosses():
    from workflow_service.core.messages import to_chinese, to_chinese_all

    assert to_chinese("用户名或密码错误 (wrong username or password)") == "用户名或密码错误"
    assert to_chinese("统一社会信用代码校验位不符 (GB 32100-2015)") == "统一社会信用代码校验位不符 (GB 32100-2015)"
    assert to_chinese("拨快 (P3D)") == "拨快 (P3D)" and to_chinese("改派给 (handler2)") == "改派给 (handler2)"
    assert to_chinese("Not a valid date.").startswith("不是有效的日期")
    assert to_chinese("Length must be between 1 and 200.") == "长度须在 1 至 200 个字符之间"
    assert to_chinese_all({"a": ["Unknown field."], "b": {0: {"c": ["Missing data for required field."]}},
                           "n": 3}) == {"a": ["不允许的字段"], "b": {0: {"c": ["必填"]}}, "n": 3}
    assert to_chinese("楚雄某化工有限公司") == "楚雄某化工有限公司" and to_chinese(None) is None


def test_an_unclaimed_step_names_who_may_take_it(app, driver):
    driver.at("2026-10-12T09:00").file()
    driver.complete("draft_filing", FILING)
    page = browser(app, "handler1").get(f"/cases/{driver.case['id']}").get_data(as_text=True)
    steps = section(page, "open-tasks")
    assert "立案审批" in steps and "可由" in steps and "王分管" in steps and "赵局长" in steps, steps
