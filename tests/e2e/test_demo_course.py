"""A visitor browses the demo course in Chromium."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, PHONE, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def test_visitor_follows_the_navigation_to_the_lectures(page, live_server, demo, screenshot_dir):
    page.goto(f"{live_server.url}/courses/deep-learning/2016/")
    assert (
        "not be given in the academic year 2016-2017" in page.locator(".notice-banner").inner_text()
    )
    page.screenshot(path=screenshot_dir / "offering-home.png", full_page=True)

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Lectures"
    ).click()
    page.wait_for_url("**/courses/deep-learning/2016/lectures/")
    assert page.get_by_role("heading", name="Video lectures").is_visible()
    hinton = page.locator("li", has_text="Geoffrey Hinton")
    assert hinton.locator(".badge").all_inner_texts() == ["9A", "9B", "9C", "9E", "10E"]
    page.screenshot(path=screenshot_dir / "lectures.png", full_page=True)
    assert (screenshot_dir / "lectures.png").stat().st_size > 10_000


def test_contact_addresses_become_mail_links_with_javascript(page, live_server, demo):
    page.goto(f"{live_server.url}/courses/deep-learning/2016/")
    link = page.get_by_role("link", name="mogren@example.org")
    assert link.get_attribute("href") == "mailto:mogren@example.org"


def test_navigation_collapses_on_a_phone(browser, live_server, demo, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/courses/deep-learning/2016/")
    nav = page.get_by_role("navigation", name="Main navigation")
    outline = nav.get_by_role("link", name="Outline", exact=True)
    assert not outline.is_visible()
    page.get_by_role("button", name="Toggle navigation").click()
    outline.wait_for(state="visible")
    page.screenshot(path=screenshot_dir / "offering-home-phone.png", full_page=True)
    outline.click()
    page.wait_for_url("**/modules/")
    assert page.get_by_role("link", name="Recurrent Neural Networks").is_visible()
    context.close()


def test_demo_ta_finds_the_signed_off_2016_grades(browser, live_server, demo, screenshot_dir):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/courses/deep-learning/2016/")
    page.get_by_label(field("Email address")).fill("mogren@example.org")
    page.get_by_label(field("Password")).fill("demo-ta-2016")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Staff").click()
    page.get_by_role("link", name="Grades").click()
    expect(page.get_by_text("Signed off 14 Jun 2016")).to_be_visible()
    expect(page.get_by_text("22 students: 19 eligible, 22 graded.")).to_be_visible()
    page.get_by_role("link", name="Assessors disagree").click()
    expect(page.locator("tbody tr")).to_have_count(2)  # group 8's two members
    page.get_by_role("link", name="All students").click()
    page.screenshot(path=screenshot_dir / "demo-grade-sheet.png", full_page=True)
    page.get_by_role("link", name="Examination").first.click()
    expect(page.get_by_text("How projects are assessed")).to_be_visible()
    context.close()


def test_demo_student_sees_the_2016_result(browser, live_server, demo, screenshot_dir):
    """The demo student (PhD, too few sessions attended) got U and sees why."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/me/")
    page.get_by_label(field("Email address")).fill("student@example.org")
    page.get_by_label(field("Password")).fill("demo-student-2016")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Result: U")).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-my-courses-phone.png", full_page=True)
    page.get_by_role("link", name=re.compile("Deep Learning 2016")).click()
    expect(page.get_by_text("Your result, signed off Tuesday 14 June 2016")).to_be_visible()
    expect(page.get_by_text("part of the examination record")).to_be_visible()
    expect(page.locator("#result").get_by_text("76.4 %, needs 80 %")).to_be_visible()
    page.locator("#result").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "demo-student-result-phone.png", full_page=True)
    page.goto(f"{live_server.url}/courses/deep-learning/2016/examination/")
    expect(page.get_by_text("How projects are assessed")).to_be_visible()
    page.screenshot(path=screenshot_dir / "demo-examination-phone.png", full_page=True)
    context.close()


def test_the_schedule_shows_the_presentations_and_next_year_has_its_own_dates(
    page, live_server, demo, screenshot_dir
):
    page.goto(f"{live_server.url}/courses/deep-learning/2016/schedule/")
    presentations = page.get_by_role("link", name="Project presentations")
    assert presentations.count() == 2
    presentations.first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "demo-schedule-presentations.png")
    page.goto(f"{live_server.url}/courses/deep-learning/next/examination/")
    text = page.locator("main").inner_text()
    assert "{" not in text and "May 31st" not in text
    page.screenshot(path=screenshot_dir / "demo-next-examination.png", full_page=True)
