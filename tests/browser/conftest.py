"""A real Chromium, driven by Playwright, against the live test server.

Browser tests are marked `browser` and can be run alone:
`python -m pytest -m browser`. Chromium comes from the system package
(PLAYWRIGHT_CHROMIUM_PATH, else `chromium` on PATH); screenshots go under
test-output/.
"""

import os
import shutil
from pathlib import Path

import pytest

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
