"""Issue 16, item 13: under the strict Content Security Policy the main pages and the admin
work in Chromium without a single violation (nothing blocked, nothing inline)."""

from io import StringIO

import pytest
from django.core.management import call_command

from course.models import Offering
from projects.models import ProjectGroup
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERING = "/courses/deep-learning/2016"
PUBLIC = ["/", "/courses/deep-learning/", f"{OFFERING}/", f"{OFFERING}/modules/",
          f"{OFFERING}/lectures/", f"{OFFERING}/announcements/", f"{OFFERING}/schedule/",
          f"{OFFERING}/projects/", f"{OFFERING}/presentations/", f"{OFFERING}/examination/",
          "/accounts/login/", "/accounts/signup/"]  # fmt: skip
# Records every violation the page reports; an init script runs outside the page's policy.
LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__cspViolations = window.__cspViolations || []).push(
    e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile
    + ":" + e.lineNumber);
});"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def watched_page(browser):
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    messages: list[str] = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, messages


def visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")
    return page.evaluate("window.__cspViolations || []")


def test_public_pages_and_a_students_pages_run_without_violations(browser, live_server, demo):
    page, messages = watched_page(browser)
    violations = []
    for path in PUBLIC:
        violations += visit(page, live_server.url + path)
    page.get_by_role("link", name="Log in").first.click()
    page.locator("#id_username").fill("student@example.org")
    page.locator("#id_password").fill("demo-student-2016")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    for path in ["/me/", "/me/deep-learning/2016/", "/accounts/data/"]:
        violations += visit(page, live_server.url + path)
    page.context.close()
    assert violations == [] and messages == []


def test_the_admin_runs_without_violations(browser, live_server, demo):
    admin = UserFactory(is_staff=True, is_superuser=True, email="root@example.org")
    offering = Offering.objects.get(course__slug="deep-learning", slug="2016")
    group = ProjectGroup.objects.filter(offering=offering).first()
    page, messages = watched_page(browser)
    violations = visit(page, f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    for path in [
        "/admin/",
        "/admin/course/offering/",
        f"/admin/course/offering/{offering.pk}/change/",
        f"/admin/course/offering/{offering.pk}/history/",
        "/admin/course/module/add/",
        "/admin/accounts/enrolment/",
        "/admin/accounts/enrolment/add/",
        f"/admin/projects/projectgroup/{group.pk}/change/",
        "/admin/projects/membership/add/",
        "/admin/discussions/discussionsession/add/",
        "/admin/discussions/attendance/",
        "/admin/discussions/gradingscale/",
    ]:
        violations += visit(page, live_server.url + path)
    # The widgets the admin's scripts build: the calendar and clock, the id lookup popup.
    page.goto(f"{live_server.url}/admin/discussions/discussionsession/add/")
    page.locator("#calendarlink0").click()
    page.locator("#clocklink0").click()
    violations += page.evaluate("window.__cspViolations || []")
    page.goto(f"{live_server.url}/admin/projects/membership/add/")
    with page.expect_popup() as popup_info:
        page.locator("#lookup_id_enrolment").click()
    popup = popup_info.value
    popup.wait_for_load_state("load")
    violations += popup.evaluate("window.__cspViolations || []")
    page.context.close()
    assert violations == [] and messages == []


def test_a_ta_sees_the_admin_without_violations(browser, live_server, demo):
    """Teaching staff get lists without actions (nothing they may delete): Django then adds
    a <style> element of its own, which the policy would block."""
    page, messages = watched_page(browser)
    violations = visit(page, f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("mogren@example.org")
    page.locator("#id_password").fill("demo-ta-2016")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    for path in ["/admin/", "/admin/discussions/attendance/", "/admin/discussions/finalgrade/",
                 "/admin/projects/submission/", "/admin/course/module/"]:  # fmt: skip
        violations += visit(page, live_server.url + path)
    page.context.close()
    assert violations == [] and messages == []
