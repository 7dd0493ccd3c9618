"""What the browser tests share: finding form fields and logging in."""

import re

from tests.factories.accounts import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def field(label: str) -> re.Pattern:
    """A form field's label; crispy-forms marks required fields with a * and pads the text."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def log_in(browser, live_server, user, path: str, viewport=None):
    """A new browser context logged in as `user`, on `path`; returns its page."""
    context = browser.new_context(viewport=viewport or DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label(field("Email address")).fill(user.email)
    page.get_by_label(field("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{path}")
    return page
