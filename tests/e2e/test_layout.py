"""The demo's main pages at four widths, as a visitor, the demo student and the demo TA: the
page never scrolls sideways, the navigation fits, and wide tables keep their name column.

Screenshots of every page at every width go to test-results/screenshots/layout/.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Enrolment
from course.enums import Accent
from course.models import Offering
from sessions.models import DiscussionSession
from tests.e2e.helpers import field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 768, 1280, 1920)
OFFERING = "/courses/deep-learning/2016"
STUDENT = ("student@example.org", "demo-student-2016")
TA = ("mogren@example.org", "demo-ta-2016")

# Elements wider than the window that are not inside a scrolling box: named on failure.
CULPRITS = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !inScroller(el))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join(".") + " " +
         Math.round(el.getBoundingClientRect().right) + "px: " +
         el.textContent.trim().slice(0, 40));
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def log_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/accounts/login/?next=/me/")
    page.get_by_label(field("Email address")).fill(email)
    page.get_by_label(field("Password")).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/me/")


def check_pages(page, live_server, who, paths, folder):
    """Every path at every width: no sideways scroll of the page; a screenshot of each."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{path}: {response.status}"
            page.screenshot(path=folder / f"{who}-{name}-{width}.png", full_page=True)
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                problems.append((width, path, scroll, page.evaluate(CULPRITS)))
    assert problems == [], "\n".join(map(str, problems))


@pytest.fixture
def folder(screenshot_dir):
    path = screenshot_dir / "layout"
    path.mkdir(exist_ok=True)
    return path


def test_public_pages_fit_every_width(page, live_server, demo, folder):
    paths = [
        ("catalogue", "/"),
        ("course", "/courses/deep-learning/"),
        ("home", f"{OFFERING}/"),
        ("outline", f"{OFFERING}/modules/"),
        ("lectures", f"{OFFERING}/lectures/"),
        ("schedule", f"{OFFERING}/schedule/"),
        ("projects", f"{OFFERING}/projects/"),
        ("presentations", f"{OFFERING}/presentations/"),
        ("examination", f"{OFFERING}/examination/"),
        ("announcements", f"{OFFERING}/announcements/"),
        ("next-home", "/courses/deep-learning/next/"),
        ("login", "/accounts/login/"),
    ]
    check_pages(page, live_server, "public", paths, folder)


def test_student_pages_fit_every_width(page, live_server, demo, folder):
    log_in(page, live_server, *STUDENT)
    paths = [
        ("my-courses", "/me/"),
        ("my-offering", "/me/deep-learning/2016/"),
        ("my-attendance", "/me/deep-learning/2016/attendance/"),
        ("my-progress", "/me/deep-learning/2016/progress/"),
        ("home", f"{OFFERING}/"),
        ("lectures", f"{OFFERING}/lectures/"),
        ("examination", f"{OFFERING}/examination/"),
        ("account", "/accounts/"),
    ]
    check_pages(page, live_server, "student", paths, folder)


def test_staff_pages_fit_every_width(page, live_server, demo, folder):
    log_in(page, live_server, *TA)
    student = Enrolment.objects.get(student__email=STUDENT[0], offering__slug="2016")
    session = DiscussionSession.objects.filter(offering__slug="2016").order_by("pk").first()
    paths = [
        ("home", f"{OFFERING}/"),
        ("grade-sheet", f"{OFFERING}/staff/grades/"),
        ("student-grade", f"{OFFERING}/staff/grades/students/{student.pk}/"),
        ("attendance", f"{OFFERING}/staff/attendance/"),
        ("progress", f"{OFFERING}/staff/progress/"),
        ("register", f"{OFFERING}/staff/sessions/{session.pk}/register/"),
        ("projects", f"{OFFERING}/staff/projects/"),
        ("assessment", f"{OFFERING}/staff/grades/projects/1/"),
    ]
    check_pages(page, live_server, "staff", paths, folder)


def test_the_user_menu_fits_a_laptop_screen(page, live_server, demo, folder):
    """At 1280 px the whole navigation shows, log-out included, without a menu button."""
    log_in(page, live_server, *TA)
    page.goto(f"{live_server.url}{OFFERING}/staff/grades/")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("button", name="Toggle navigation")).to_be_hidden()
    expect(nav.get_by_role("link", name="Announcements")).to_be_visible()
    nav.get_by_role("button", name="Olof Mogren").click()
    log_out = nav.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    box = log_out.bounding_box()
    assert box["x"] + box["width"] <= 1280
    page.screenshot(path=folder / "staff-user-menu-1280.png")


@pytest.mark.parametrize(
    "path",
    [
        f"{OFFERING}/staff/grades/",
        f"{OFFERING}/staff/attendance/",
        f"{OFFERING}/staff/progress/",
    ],
)
def test_wide_tables_keep_the_name_column_on_a_phone(page, live_server, demo, folder, path):
    log_in(page, live_server, *TA)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}{path}")
    scroller = page.locator(".table-responsive:has(> .table-sticky)").first
    name = scroller.locator("tbody tr").first.locator("th, td").first
    before = name.bounding_box()["x"]
    assert scroller.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it does scroll
    scroller.evaluate("(el) => { el.scrollLeft = 400; }")
    assert scroller.evaluate("(el) => el.scrollLeft") > 0
    assert name.bounding_box()["x"] == pytest.approx(before, abs=1)
    page.screenshot(path=folder / f"sticky-{path.strip('/').split('/')[-1]}-375.png")


def background_of(page, selector):
    """The rgb() channels of an element's computed background colour."""
    colour = page.locator(selector).first.evaluate("(el) => getComputedStyle(el).backgroundColor")
    return [int(part) for part in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]


def test_dark_mode_follows_the_system_and_keeps_the_offering_accent(
    browser, live_server, demo, folder
):
    # Next year's run was copied from 2016 with its teal; its staff chose orange.
    Offering.objects.filter(slug="next").update(accent=Accent.ORANGE)
    pages = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{live_server.url}{OFFERING}/")
        pages[scheme] = (background_of(page, "body"), background_of(page, ".offering-mark"))
        page.screenshot(path=folder / f"public-home-{scheme}-1280.png", full_page=True)
        page.goto(f"{live_server.url}/courses/deep-learning/next/")
        pages[scheme] += (background_of(page, ".offering-mark"),)
        context.close()
    (light_body, light_teal, light_orange), (dark_body, dark_teal, dark_orange) = pages.values()
    assert sum(light_body) > 600 and sum(dark_body) < 150  # a light page, a dark page
    assert light_teal != light_orange and dark_teal != dark_orange  # each offering its colour
    assert light_teal != dark_teal  # a lighter shade of it on the dark page
