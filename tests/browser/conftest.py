"""Browser tests: headless Chromium (the Debian `chromium` package, never a downloaded browser) driven by
Playwright against a live server running in a thread on its own SQLite database.

Without /usr/bin/chromium (or WFS_CHROMIUM) or the playwright package the tests skip, loudly. Screenshots of
every page visited go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

from ..conftest import PASSWORD, T0, ApiClient, make_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
_skipped: list[str] = []


def _chromium() -> str | None:
    candidate = os.environ.get("WFS_CHROMIUM") or "/usr/bin/chromium"
    if os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path():
    path = _chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        _skipped.append("browser")
        pytest.skip("Chromium or Playwright missing: browser tests SKIPPED (apt-get install chromium; "
                    "pip install -e '.[test]')")
    return path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The service on a free local port, in a thread, with the demo users and a settable clock at T0."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from workflow_service.demo import seed_demo
    from workflow_service.extensions import db
    from workflow_service.modules.system.operations import move_clock

    database = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        upgrade()
        seed_demo()
        move_clock(None, now=T0, frozen=True)
        db.session.commit()
    # Its line per request too (werkzeug logs at INFO whatever the root's level): tests/conftest.py's LOG_LEVEL.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.live_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def api(live_server):
    """An API client (bearer token) on the live server's app, for the steps a test does not click through."""
    def _login(username: str) -> ApiClient:
        client = live_server.test_client()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
        return ApiClient(client, response.get_json()["token"])

    return _login


@pytest.fixture(scope="session")
def signed_in(browser):
    """username -> a browser context signed in as that user, kept for the whole run: a new context costs Chromium
    about half a second of CPU and signing in through the login page a second more (issue 14: the browser tests
    opened some forty of each)."""
    contexts: dict = {}
    yield contexts
    for context in browser.contexts:
        context.close()


@pytest.fixture
def open_page(browser, live_server, signed_in):
    """A new page at a laptop width, signed in as `username`, on the inbox. The user signs in through the login
    page once, in a context of their own, and later pages open in that context; where the session has ended since
    (a logout, a deactivation, the clock moved past its expiry) the user signs in again in a fresh context.
    Whatever the Content-Security-Policy blocks on any page visited (an inline script, a style, a frame) fails
    the test at its end; the test's pages are closed then."""
    pages = []
    blocked: list[str] = []
    home = f"{live_server.live_url}/"

    def _new_page(context, width, height):
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.on("console", lambda message: blocked.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        pages.append(page)
        return page

    def _open(username: str, width: int = 1366, height: int = 900):
        context = signed_in.get(username)
        if context is not None:
            page = _new_page(context, width, height)
            page.goto(home)
            if page.url == home:
                return page
            # Sent to the login page: the session has ended. The old context stays open (this test may still hold a
            # page of it) until the end of the run.
        context = signed_in[username] = browser.new_context(locale="zh-CN")
        page = _new_page(context, width, height)
        page.goto(f"{live_server.live_url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(home)
        return page

    yield _open
    for page in pages:
        if not page.is_closed():
            page.close()
    assert not blocked, "the Content-Security-Policy blocked something:\n" + "\n".join(blocked)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist turns the group into the test's id (--dist loadgroup)
def pytest_collection_modifyitems(items):
    # Under pytest-xdist the browser tests all run on one worker: one Chromium and one live server, not one each.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_sep("!", "Browser tests SKIPPED (no Chromium or Playwright)", red=True, bold=True)
