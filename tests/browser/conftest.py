"""A real Chromium, driven by Playwright, against the live test server.

Browser tests are marked `browser` and can be run alone:
`python -m pytest -m browser`. Chromium comes from the system package
(PLAYWRIGHT_CHROMIUM_PATH, else `chromium` on PATH); screenshots go under
test-output/.
"""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in this thread; the ORM calls that
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Requests:
    """The live server's requests under way, and when the last one began or ended."""

    def __init__(self):
        self.running = 0
        self.changed = time.monotonic()
        self.condition = threading.Condition()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs):
        with self.condition:
            self.running += 1
            self.changed = time.monotonic()

    def finished(self, **kwargs):
        with self.condition:
            self.running -= 1
            self.changed = time.monotonic()
            self.condition.notify_all()

    def wait_until_quiet(self, quiet=0.3, timeout=10):
        """Until no request has run for `quiet` seconds (at most `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while time.monotonic() < deadline:
                idle = time.monotonic() - self.changed
                if self.running <= 0 and idle >= quiet:
                    return
                self.condition.wait(max(quiet - idle, 0.05))


_requests = _Requests()


@pytest.fixture(autouse=True)
def _live_server_quiet_before_teardown(request):
    """The test's database is emptied only once the live server is quiet.

    A page closing sends what it still has to send (autosave's keepalive
    request as the tab closes, which no route of the browser can stop); a
    request still running as the tables are emptied locks SQLite's and
    fails the test. Torn down after the test's page, before its database.
    """
    yield
    if "live_server" in request.fixturenames:
        _requests.wait_until_quiet()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def chromium_path():
    path = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is needed for the browser tests: install Debian's `chromium` "
            "package or set PLAYWRIGHT_CHROMIUM_PATH."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # A change form left with unsaved text autosaves as its tab closes; the
    # test's database is being emptied by then.
    context.route("**/autosave/", lambda route: route.abort())
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as test-output/<name>.png."""

    def take(name, target=None):
        OUTPUT_DIR.mkdir(exist_ok=True)
        path = OUTPUT_DIR / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take
