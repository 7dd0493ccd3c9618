"""The demo course in Swedish, in Chromium: a Swedish-speaking student registers, follows the
course and sees a result, and a teaching assistant runs a register and the grade sheet,
without an English interface sentence (tests/test_languages.py checks every page for
English; here the words a person clicks and reads are the Swedish ones).

Expected texts come from the Swedish catalogue (`sv()`), which also proves they differ from
the English ones. Screenshots of three pages in both languages go to test-results/screenshots.
"""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from accounts.enums import MailKind
from accounts.models import OutgoingMail, User
from tests.e2e.helpers import DESKTOP, PHONE, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Astrid Sjöberg"
EMAIL = "astrid.sjoberg@example.org"
PASSWORD = "tyst-lykta-2041"


def sv(text: str, context: str = "") -> str:
    """`text` in Swedish, from the site's catalogue; it must be translated."""
    with translation.override("sv"):
        swedish = translation.pgettext(context, text) if context else translation.gettext(text)
    assert swedish != text, f"not translated: {text!r}"
    return swedish


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def swedish_context(browser, viewport=DESKTOP):
    return browser.new_context(viewport=viewport, locale="sv-SE")


def log_in(page, live_server, email, password, path):
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label(field(sv("Email address"))).fill(email)
    page.get_by_label(field(sv("Password"))).fill(password)
    page.get_by_role("button", name=sv("Log in")).click()


def test_a_swedish_student_registers_in_swedish(browser, live_server, demo, screenshot_dir):
    context = swedish_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/courses/deep-learning/next/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.locator("main").get_by_role(
        "link", name=sv("Register", "apply for the course"), exact=True
    ).click()
    page.wait_for_url("**/courses/deep-learning/next/register/")
    page.get_by_role("link", name=sv("Create an account")).first.click()
    page.wait_for_url("**/accounts/signup/**")
    page.get_by_label(field(sv("Full name"))).fill(NAME)
    page.get_by_label(field(sv("Email address"))).fill(EMAIL)
    page.get_by_label(field(sv("Password")), exact=True).fill(PASSWORD)
    page.get_by_label(field(sv("Password again"))).fill(PASSWORD)
    page.get_by_role("button", name=sv("Create account")).click()
    page.wait_for_url("**/accounts/login/**")
    # The account speaks Swedish: so does the mail with the confirmation link.
    assert User.objects.get(email=EMAIL).language == "sv"
    mail = OutgoingMail.objects.get(kind=MailKind.VERIFICATION, to_email=EMAIL)
    assert mail.subject == sv("Confirm your email address for coursesite")
    page.get_by_label(field(sv("Email address"))).fill(EMAIL)
    page.get_by_label(field(sv("Password"))).fill(PASSWORD)
    page.get_by_role("button", name=sv("Log in")).click()
    page.wait_for_url("**/courses/deep-learning/next/register/")
    link = re.search(rf"{re.escape(settings.SITE_URL)}/\S+", mail.body).group(0)
    page.goto(live_server.url + link.removeprefix(settings.SITE_URL))
    page.wait_for_url("**/me/")
    page.goto(f"{live_server.url}/courses/deep-learning/next/register/")
    form = page.locator("form", has=page.get_by_role("button", name=sv("Send application")))
    form.get_by_label(sv("PhD"), exact=True).check()
    form.get_by_label(field(sv("Programme or department"))).fill("Doktorand, CSE")
    form.get_by_label(field(sv("Why do you want to take this course?"))).fill(
        "Min avhandling handlar om taligenkänning."
    )
    form.get_by_role("button", name=sv("Send application")).click()
    page.wait_for_url("**/me/deep-learning/next/")
    expect(page.get_by_role("alert")).to_contain_text(
        sv("Application received. You will be mailed the decision.")
    )
    expect(page.get_by_role("heading", name=sv("Your enrolment"))).to_be_visible()
    page.screenshot(path=screenshot_dir / "sv-my-offering-applied.png", full_page=True)
    context.close()


def test_the_demo_student_follows_the_course_and_sees_the_result_in_swedish(
    browser, live_server, demo, screenshot_dir
):
    context = swedish_context(browser, PHONE)
    page = context.new_page()
    log_in(page, live_server, "student@example.org", "demo-student-2016", "/me/")
    page.wait_for_url("**/me/")
    expect(page.get_by_text(sv("Result: %(result)s") % {"result": "U"})).to_be_visible()
    page.goto(f"{live_server.url}/me/deep-learning/2016/")
    with translation.override("sv"):
        signed = sv("Your result, signed off %(date)s:") % {
            "date": "tisdag 14 juni 2016",
        }
    expect(page.get_by_text(signed.rstrip(":"))).to_be_visible()
    expect(page.locator("#result")).to_contain_text("76,4 %")  # the Swedish decimal comma
    page.screenshot(path=screenshot_dir / "sv-student-offering-phone.png", full_page=True)
    for path in ("progress/", "attendance/"):
        page.goto(f"{live_server.url}/me/deep-learning/2016/{path}")
        assert page.locator("html").get_attribute("lang") == "sv"
    context.close()


def test_a_ta_runs_a_register_and_the_grade_sheet_in_swedish(
    browser, live_server, demo, screenshot_dir
):
    context = swedish_context(browser)
    page = context.new_page()
    log_in(page, live_server, "mogren@example.org", "demo-ta-2016", "/courses/deep-learning/2016/")
    page.wait_for_url("**/courses/deep-learning/2016/")
    page.get_by_role("button", name=sv("Staff", "staff menu")).click()
    page.get_by_role("link", name=sv("Grades")).click()
    page.wait_for_url("**/staff/grades/**")
    expect(page.get_by_role("link", name=sv("All students"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"14 juni 2016")).first).to_be_visible()
    page.screenshot(path=screenshot_dir / "sv-grade-sheet.png", full_page=True)
    page.goto(f"{live_server.url}/courses/deep-learning/2016/staff/attendance/")
    page.get_by_role("link", name=re.compile(r"\d+ mars")).first.click()  # a session's register
    page.wait_for_url("**/register/")
    assert page.locator("html").get_attribute("lang") == "sv"
    # 2016 is archived: its register is shown as it was kept, in Swedish, with no form.
    expect(page.get_by_role("cell", name=sv("Present")).first).to_be_visible()
    expect(page.get_by_role("button", name=sv("Save"))).to_have_count(0)
    context.close()


@pytest.mark.parametrize("language", ["en-gb", "sv"])
def test_three_pages_in_both_languages(browser, live_server, demo, screenshot_dir, language):
    """For the eye: the offering home, the student's course page and the grade sheet."""
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    page.goto(f"{live_server.url}/courses/deep-learning/2016/")
    page.screenshot(path=screenshot_dir / f"{language}-offering-home.png", full_page=True)
    for email, password, path, name in (
        ("student@example.org", "demo-student-2016", "/me/deep-learning/2016/", "student"),
        ("mogren@example.org", "demo-ta-2016", "/courses/deep-learning/2016/staff/grades/",
         "grade-sheet"),
    ):  # fmt: skip
        context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/?next={path}")
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**{path}")
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=screenshot_dir / f"{language}-{name}.png", full_page=True)
    context.close()
