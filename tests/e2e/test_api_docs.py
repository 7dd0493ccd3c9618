"""The API's documentation page works in Chromium under the site's strict Content Security
Policy (Swagger UI from the site's own static files, started by static/js/api_docs.js: no
inline script), and a person makes a token on their account page, sees it once, and revokes
it."""

import pytest

from accounts.models import AccessToken
from tests.e2e.helpers import field
from tests.e2e.test_content_security_policy import watched_page
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_shows_every_endpoint_without_violations(
    browser, live_server, screenshot_dir
):
    page, messages = watched_page(browser)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for()
    text = page.locator("#swagger-ui").inner_text()
    session = "/api/v1/courses/{course_slug}/{offering_slug}/staff/sessions/{session_id}"
    for path in ["/api/v1/courses", "/api/v1/me/enrolments", f"{session}/attendance"]:
        assert path in text.replace("\u200b", ""), path
    page.screenshot(path=screenshot_dir / "api-docs-1280.png")
    violations = page.evaluate("window.__cspViolations || []")
    page.context.close()
    assert violations == [] and messages == []


def test_a_token_is_made_shown_once_and_revoked(browser, live_server, screenshot_dir):
    user = UserFactory(email="tess@example.org", full_name="Tess Token")
    page, messages = watched_page(browser)
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/")
    page.get_by_label(field("Email address")).fill(user.email)
    page.get_by_label(field("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your account").wait_for()
    page.get_by_label(field("Name")).fill("Card reader")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#new-token-value").inner_text()
    assert secret.startswith("cs_")
    page.screenshot(path=screenshot_dir / "account-new-token-1280.png", full_page=True)
    page.goto(f"{live_server.url}/accounts/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Card reader").click()
    page.get_by_text("is revoked").wait_for()
    assert AccessToken.objects.get().revoked_at is not None
    violations = page.evaluate("window.__cspViolations || []")
    page.context.close()
    assert violations == [] and messages == []
