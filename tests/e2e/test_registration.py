"""A new student registers for the next offering of the demo course in Chromium."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.enums import MailKind
from accounts.models import OutgoingMail
from tests.e2e.helpers import field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Ada Lindqvist"
EMAIL = "ada.lindqvist@example.org"
PASSWORD = "quiet-lantern-2041"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def verification_link(live_server) -> str:
    mail = OutgoingMail.objects.get(kind=MailKind.VERIFICATION, to_email=EMAIL)
    match = re.search(rf"{re.escape(settings.SITE_URL)}/\S+", mail.body)
    assert match, mail.body
    return live_server.url + match.group(0).removeprefix(settings.SITE_URL)


def test_new_student_registers_and_sees_their_status(
    browser, page, live_server, demo, screenshot_dir
):
    # 1. The offering's home page invites the visitor to register.
    page.goto(f"{live_server.url}/courses/deep-learning/next/")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Registration"))
    expect(card).to_contain_text("Registration is open until")
    card.get_by_role("link", name="Register", exact=True).click()
    page.wait_for_url("**/courses/deep-learning/next/register/")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Register for Deep Learning"))
    ).to_be_visible()
    expect(page.get_by_text("You need an account to apply.")).to_be_visible()

    # 2. The visitor creates an account, logs in with it and comes back.
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url("**/accounts/signup/**")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label(field("Full name")).fill(NAME)
    page.get_by_label(field("Email address")).fill(EMAIL)
    page.get_by_label(field("Password")).fill(PASSWORD)
    page.get_by_label(field("Password again")).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("alert")).to_contain_text(f"We have sent a mail to {EMAIL}")
    page.get_by_label(field("Email address")).fill(EMAIL)
    page.get_by_label(field("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/courses/deep-learning/next/register/")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("button", name=NAME)).to_be_visible()
    banner = page.get_by_role("status").filter(has_text="Please confirm")
    expect(banner).to_contain_text(EMAIL)
    expect(banner.get_by_role("button", name="Send the link again")).to_be_visible()
    page.screenshot(path=screenshot_dir / "register-signed-up.png", full_page=True)

    # 3. The link in the verification mail confirms the address.
    page.goto(verification_link(live_server))
    page.wait_for_url("**/me/")
    expect(page.get_by_role("alert")).to_contain_text(f"Thank you: {EMAIL} is confirmed.")
    expect(page.get_by_text("Please confirm")).to_have_count(0)

    # 4. Back on the register page the student sends the application.
    page.goto(f"{live_server.url}/courses/deep-learning/next/register/")
    form = page.locator("form", has=page.get_by_role("button", name="Send application"))
    expect(form).to_be_visible()
    form.get_by_label("PhD", exact=True).check()
    form.get_by_label(field("Programme or department")).fill("PhD studies, CSE")
    form.get_by_label(field("Why do you want to take this course?")).fill(
        "My thesis is on speech recognition with recurrent networks."
    )
    page.screenshot(path=screenshot_dir / "register-form.png", full_page=True)
    form.get_by_role("button", name="Send application").click()

    page.wait_for_url("**/me/deep-learning/next/")
    expect(page.get_by_role("alert")).to_contain_text(
        "Application received. You will be mailed the decision."
    )
    enrolment = page.locator("section.card", has=page.get_by_role("heading", name="Your enrolment"))
    expect(enrolment.locator(".badge")).to_have_text("Applied")
    expect(enrolment).to_contain_text("is waiting for a decision")
    expect(enrolment).not_to_contain_text("It counts once you confirm")
    expect(enrolment).to_contain_text("PhD studies, CSE")
    page.screenshot(path=screenshot_dir / "my-offering-applied.png", full_page=True)

    # 5. The same page on a phone.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        storage_state=page.context.storage_state(),
    )
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/me/deep-learning/next/")
        badge = mobile.locator("section.card", has_text="Your enrolment").locator(".badge")
        expect(badge).to_have_text("Applied")
        mobile.screenshot(path=screenshot_dir / "my-offering-applied-phone.png", full_page=True)
    finally:
        phone.close()


def test_registration_for_the_archived_offering_is_closed(page, live_server, demo, screenshot_dir):
    page.goto(f"{live_server.url}/courses/deep-learning/2016/register/")
    expect(page.get_by_role("heading", name="Register for Deep Learning 2016")).to_be_visible()
    expect(
        page.get_by_text("Registration is closed: it closed on Monday 14 March 2016")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Send application")).to_have_count(0)
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "register-closed.png", full_page=True)
