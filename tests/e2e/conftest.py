"""Browser tests: Playwright drives the system's Chromium against pytest-django's live server.

Chromium comes from Debian (`apt-get install chromium`); Playwright's own browser download is
not used. Where /usr/bin/chromium (or $CHROMIUM_PATH) is missing the tests are skipped with
a message saying so; .ci/run installs it, so CI always runs them.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(
    os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[2] / "test-results")
)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would then refuse the
    # ORM calls the tests make to set up data. The live server runs in its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir():
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def login(browser, live_server):
    """Opens logged-in pages (helpers.log_in) and closes their contexts after the test, so
    that no browser request reaches the live server once its database is gone."""
    from tests.e2e.helpers import log_in

    pages = []

    def open_as(user, path, viewport=None):
        pages.append(log_in(browser, live_server, user, path, viewport=viewport))
        return pages[-1]

    yield open_as
    for page in pages:
        page.context.close()
