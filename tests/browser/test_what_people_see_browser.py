"""What people see in the browser (issue 16): a diagram one can read, with zoom buttons, on open and closed cases;
no missing favicon; the skip link and the field errors a screen reader needs."""
from __future__ import annotations

import pytest

from ..case_driver import FILING
from .conftest import shot

pytestmark = pytest.mark.usefixtures("chromium_path")


@pytest.fixture
def admin_api(api):
    admin = api("admin")
    response = admin.post("/api/v1/admin/clock", json={"now": "2026-10-12T09:00:00+08:00", "frozen": True})
    assert response.status_code == 200, response.get_json()
    return admin


def _file(api, party, reject=False):
    handler, supervisor = api("handler1"), api("supervisor1")
    case = handler.post("/api/v1/cases", json={"source": "inspection", "party_name": party,
                                               "party_type": "organisation", "summary": "检查发现"}).get_json()
    (task,) = handler.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
    assert handler.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": FILING}).status_code == 200
    if reject:
        (task,) = supervisor.get(f"/api/v1/cases/{case['id']}").get_json()["open_tasks"]
        answer = supervisor.post(f"/api/v1/tasks/{task['id']}/complete",
                                 json={"data": {"filing_approved": False, "filing_opinion": "不属于本机关管辖"}})
        assert answer.status_code == 200, answer.get_json()
        assert supervisor.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "closed"
    return case


def _scale(page) -> float:
    return float(page.get_attribute("#diagram", "data-scale"))


def _inside(page, element_id: str) -> bool:
    """Whether the diagram element is drawn wholly inside the diagram's box."""
    box = page.locator("#diagram").bounding_box()
    shape = page.locator(f".djs-element[data-element-id={element_id}]").first.bounding_box()
    return (shape is not None and shape["x"] >= box["x"] - 1 and shape["y"] >= box["y"] - 1
            and shape["x"] + shape["width"] <= box["x"] + box["width"] + 1
            and shape["y"] + shape["height"] <= box["y"] + box["height"] + 1)


def test_the_diagram_of_an_open_case_is_legible_shows_the_current_lane_and_zooms(open_page, api, admin_api,
                                                                             live_server):
    case = _file(api, "楚雄某危化品经营部")
    page = open_page("supervisor1")
    page.goto(f"{live_server.live_url}/cases/{case['id']}")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=15000)
    assert _scale(page) >= 0.6  # not the whole 10,000-unit process squeezed into the page
    assert _inside(page, "approve_filing")
    lane = page.evaluate("""() => {
        const step = document.querySelector('.djs-element[data-element-id=approve_filing]');
        return step ? step.closest('.djs-group').parentElement.closest('.djs-group')
            .querySelector('.djs-element').dataset.elementId : null; }""")
    if lane and lane.startswith("lane"):
        assert _inside(page, lane), lane  # the current step's lane, its name included, is not cut
    shot(page, "20-diagram-open-case")
    before = _scale(page)
    page.click("[data-zoom=in]")
    assert _scale(page) > before
    page.click("[data-zoom=all]")
    assert _scale(page) < 0.3
    shot(page, "21-diagram-whole-process")
    page.click("[data-zoom=current]")
    assert _scale(page) >= 0.6 and _inside(page, "approve_filing")


def test_the_diagram_of_a_closed_case_is_legible(open_page, api, admin_api, live_server):
    case = _file(api, "楚雄某五金店", reject=True)
    page = open_page("supervisor1")
    page.goto(f"{live_server.live_url}/cases/{case['id']}")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=15000)
    assert _scale(page) >= 0.6
    assert _inside(page, "approve_filing")  # the start of the process, where this case went
    assert "回到流程开始" in page.inner_text("#process-diagram")
    shot(page, "22-diagram-closed-case")


def test_no_page_asks_for_a_missing_favicon_and_the_skip_link_comes_first(open_page, live_server):
    page = open_page("handler1")
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.live_url}/cases")
    page.goto(f"{live_server.live_url}/")
    assert not failed, failed
    icon = page.evaluate("() => fetch('/favicon.ico').then(r => r.status)")
    assert icon == 200
    assert page.locator("h1").count() >= 1
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.evaluate("() => document.activeElement.textContent") == "跳到正文"


def test_a_hand_written_form_ties_its_errors_to_the_fields(open_page, live_server):
    page = open_page("handler1")
    page.goto(f"{live_server.live_url}/rectifications/new")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    # page.js ties the messages of a hand-written form to its fields once the refused page has loaded.
    page.wait_for_selector("#party_name[aria-invalid=true]", timeout=10_000)
    field = page.locator("#party_name")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert described and all(page.locator(f"#{i}").count() == 1 for i in described.split())
    assert page.locator(f"#{described.split()[0]}").inner_text().strip()
    assert page.locator("fieldset[data-field=party_type] > legend").count() == 1
    shot(page, "23-form-errors-tied")
