"""A visitor browses the demo course in Chromium."""

from io import StringIO

import pytest
from django.core.management import call_command

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
