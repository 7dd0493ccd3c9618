"""Issue 18: axe-core finds no WCAG 2.1 A or AA violation on any page, for anyone who may open it.

axe-core runs in Chromium over every page of the URL matrix (tests/test_url_matrix.py: the
MATRIX pages as each role that gets them, and the HTML pages of OPEN as each kind of visitor),
over the forms in their error states, and over the Django admin (the index, every list and
the change forms of the main models) as a TA and as a superuser. A failure names the page,
the visitor, the rule and the elements.

axe-core comes from axe-playwright-python (PyPI), which ships axe-core 4.12 and injects it
through Playwright's evaluate (not a <script> of the page, so the Content Security Policy has
nothing to block): the version is pinned by our dependencies and audited with them, and no
half-megabyte file is vendored into the repository. One browser, one context per visitor
(logged in by its session cookie), one world (the URL matrix's) for every page.
"""

import datetime as dt
import re
from collections.abc import Iterable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import User
from course.models import Announcement, Module
from projects.models import Proposal
from sessions.models import Attendance, DiscussionSession
from tests import test_url_matrix
from tests.factories import LecturePartFactory, OfferingFactory, VideoLectureFactory
from tests.test_url_matrix import BASE, MATRIX, OPEN, STAFF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
world = test_url_matrix.world  # the fixture: the URL matrix's people and records

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Plus one rule of axe's best practices that issue 18 names: table headers with no text.
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_AA},
    "rules": {"empty-table-header": {"enabled": True}},
    "resultTypes": ["violations"],
}
AXE = Axe()  # only for the axe-core it ships (AXE.axe_script)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# The HTML pages of OPEN (the others are feeds, calendars, a PDF and the health checks), by
# who may open them: everyone (one visitor of each kind: anonymous, logged in without an
# enrolment, enrolled, the offering's TA, a superuser), people logged in, or visitors who are
# not (a logged-in person is sent on from the log-in page).
KINDS = ["anonymous", "student", "accepted", "ta", "superuser"]
LOGGED_IN = ["student", "accepted", "ta"]
EVERYONE = {
    "course:catalogue": "/",
    "course:course_detail": "/courses/deep-learning/",
    "course:offering_home": f"{BASE}/",
    "course:module_list": f"{BASE}/modules/",
    "course:module_detail": f"{BASE}/modules/{{module}}/",
    "course:lecture_list": f"{BASE}/lectures/",
    "course:announcement_list": f"{BASE}/announcements/",
    "sessions:schedule": f"{BASE}/schedule/",
    "projects:project_list": f"{BASE}/projects/",
    "projects:project_detail": f"{BASE}/projects/1/",
    "projects:programme": f"{BASE}/presentations/",
    "projects:book_page": f"{BASE}/projects/abstracts/",
    "grading:examination": f"{BASE}/examination/",
    "accounts:register": f"{BASE}/register/",
}
SIGNED_IN = {
    "student:courses": "/me/",
    "sessions:check_in": f"{BASE}/check-in/",
    "accounts:password_change": "/accounts/password/change/",
    "accounts:password_change_done": "/accounts/password/change/done/",
}
SIGNED_OUT = {
    "accounts:login": "/accounts/login/",
    "accounts:signup": "/accounts/signup/",
    "accounts:verify_email": "/accounts/verify/not-a-token/",  # the page of a bad link (400)
    "accounts:password_reset": "/accounts/password/reset/",
    "accounts:password_reset_done": "/accounts/password/reset/sent/",
    "accounts:password_reset_confirm": "/accounts/password/reset/{uid}/{token}/",
    "accounts:password_reset_complete": "/accounts/password/reset/complete/",
}
# The university log-in's pages need the test provider: axe checks them in tests/e2e/test_sso.py.
SSO_PAGES = {"accounts:sso_login", "accounts:sso_callback", "accounts:sso_link",
             "accounts:sso_link_confirm"}  # fmt: skip
NOT_HTML = {
    "healthz", "readyz", "sessions:schedule_ics", "sessions:personal_ics", "projects:book_pdf",
    "course:announcement_feed", "projects:download", "grading:results_export",
    "student:my_data_download",
}  # fmt: skip


def test_every_page_of_the_url_matrix_is_checked():
    """A page added to OPEN must be added here too (or said not to be HTML)."""
    checked = set(MATRIX) | set(EVERYONE) | set(SIGNED_IN) | set(SIGNED_OUT) | NOT_HTML | SSO_PAGES
    assert (set(MATRIX) | OPEN) - checked == set()


@pytest.fixture
def a11y_world(world, offering):
    """The URL matrix's world, with what the public pages show: a notice with a link, an
    announcement, lectures with parts, a session attended, a published project; and an
    archived offering of the course whose banner points to the current one."""
    users, ids = world
    now = timezone.now()
    offering.publish_book = True
    offering.notice = "Room changes are on the [schedule](/courses/deep-learning/2016/schedule/)."
    offering.save()
    module = Module.objects.get(offering=offering)
    lecture = VideoLectureFactory(module=module, title="Backpropagation")
    for part in (1, 2):
        LecturePartFactory(lecture=lecture, name=f"Backprop {part}")
    for title in ("Convolutions", "Pooling"):  # watched as a whole
        VideoLectureFactory(module=module, title=title)
    Announcement.objects.create(
        offering=offering, title="Welcome", body="The first session is on *Monday*.",
        published_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    DiscussionSession.objects.filter(pk=ids["session"]).update(module=module)
    Attendance.objects.create(
        session_id=ids["session"], enrolment_id=ids["enrolment"], status="present"
    )
    Proposal.objects.filter(group__offering=offering).update(status="accepted")
    OfferingFactory(
        course=offering.course, slug="2015", status="finished",
        notice="This is the **2015** offering.",
    )  # fmt: skip
    user = users["student"]
    ids |= {
        "module": module.slug,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    return users, ids


def visitor(browser, live_server, user=None, viewport=DESKTOP):
    """A browser context for one visitor (logged in by a session cookie when `user` is
    given), with axe-core loaded into every page it opens."""
    context = browser.new_context(viewport=viewport)
    context.add_init_script(AXE.axe_script)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def violations(page, where: str) -> list[str]:
    """axe's WCAG 2.1 A and AA violations on the page as it is, each named with `where`."""
    found = []
    for violation in page.evaluate("options => axe.run(document, options)", OPTIONS)["violations"]:
        nodes = violation["nodes"]
        targets = "; ".join(
            f"{' '.join(map(str, node['target']))} ({why(node['failureSummary'])})"
            for node in nodes[:4]
        )
        more = f" and {len(nodes) - 4} more" if len(nodes) > 4 else ""
        found.append(f"{where}: {violation['id']} – {violation['help']}: {targets}{more}")
    return found


def why(summary: str) -> str:
    """The first reason of axe's failure summary ("Fix any of the following:\n  reason...")."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    return lines[1] if len(lines) > 1 else summary


def check(page, live_server, path: str, who: str, status: int = 200) -> list[str]:
    """Opens `path` (which must answer `status`, without sending the visitor elsewhere) and
    returns axe's violations on it."""
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == status, (who, path, response.status)
    if "/reset/" not in path or path.endswith("/complete/"):  # a reset link goes on to its form
        assert page.url == live_server.url + path, (who, path, page.url)
    return violations(page, f"{path} as {who}")


def pages_for(role: str, ids: dict) -> Iterable[tuple[str, int]]:
    for name, (path, allowed, _text) in MATRIX.items():
        if name not in NOT_HTML and role in allowed:
            yield path.format(**ids), 200
    if role in KINDS:
        for path in EVERYONE.values():
            yield path.format(**ids), 200
    if role in LOGGED_IN:
        yield from ((path, 200) for path in SIGNED_IN.values())
    if role == "anonymous":
        yield "/courses/deep-learning/2015/", 200  # the archive's banner
        for name, path in SIGNED_OUT.items():
            yield path.format(**ids), 400 if name == "accounts:verify_email" else 200


def test_no_page_of_the_site_violates_wcag_21_aa(browser, live_server, a11y_world):
    users, ids = a11y_world
    found: list[str] = []
    for role in ["anonymous", "student", "accepted", "peer", "other_student", "ta", "other_ta",
                 "superuser"]:  # fmt: skip
        page = visitor(browser, live_server, users.get(role))
        for path, status in pages_for(role, ids):
            found += check(page, live_server, path, role, status)
        if role == "anonymous":  # the forms with their errors
            page.goto(f"{live_server.url}/accounts/login/")
            page.locator("#id_username").fill(users["student"].email)
            page.locator("#id_password").fill("not the password")
            page.locator("main form button[type=submit]").click()
            page.locator("#error-summary").wait_for()
            found += violations(page, "/accounts/login/ refused, as anonymous")
            page.goto(f"{live_server.url}/accounts/signup/")
            page.locator("main form button[type=submit]").click()
            page.locator("#error-summary").wait_for()
            found += violations(page, "/accounts/signup/ with errors, as anonymous")
        page.context.close()
    # The staff's wide tables on a phone, where they scroll sideways.
    page = visitor(browser, live_server, users["ta"], viewport=PHONE)
    for name, (path, allowed, _) in MATRIX.items():
        if name not in NOT_HTML and allowed is STAFF:
            found += check(page, live_server, path.format(**ids), "ta on a phone")
    page.context.close()
    assert found == [], "\n".join(found)


def admin_change_forms(offering) -> list[str]:
    """The change forms of the main models (those with inlines among them), for the TA's
    offering: what a TA and the superuser work in."""
    from django.urls import reverse

    from accounts.models import Enrolment
    from course.models import Quiz, VideoLecture
    from projects.models import Deliverable, ProjectGroup, Submission
    from sessions.models import GradingScale, Rubric

    objects = [
        offering, Module.objects.filter(offering=offering).first(),
        VideoLecture.objects.filter(module__offering=offering).first(),
        Quiz.objects.filter(module__offering=offering).first(),
        Announcement.objects.filter(offering=offering).first(),
        Enrolment.objects.filter(offering=offering).first(),
        ProjectGroup.objects.filter(offering=offering).first(),
        Deliverable.objects.filter(offering=offering).first(),
        Submission.objects.filter(group__offering=offering).first(),
        DiscussionSession.objects.filter(offering=offering).first(),
        Attendance.objects.filter(session__offering=offering).first(),
        GradingScale.objects.filter(offering=offering).first(),
        Rubric.objects.filter(offering=offering).first(),
    ]  # fmt: skip
    return [
        reverse(f"admin:{o._meta.app_label}_{o._meta.model_name}_change", args=[o.pk])
        for o in objects
    ]


def test_no_page_of_the_admin_violates_wcag_21_aa(browser, live_server, a11y_world, offering):
    from django.contrib import admin
    from django.urls import reverse

    users, _ = a11y_world
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    forms = admin_change_forms(offering)
    found: list[str] = []
    for role in ["ta", "superuser"]:
        page = visitor(browser, live_server, users[role])
        found += check(page, live_server, "/admin/", role)
        # The lists the index offers (all of them to the superuser).
        links = page.locator("#content-main th[scope=row] a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        if role == "superuser":
            assert sorted(links) == sorted(changelists)
        for path in links:
            found += check(page, live_server, path, role)
        for path in forms:
            found += check(page, live_server, path, role)
        page.context.close()
    assert found == [], "\n".join(found)


def luminance(rgb) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The focused element's outline (its colour laid over the background) and the background of
# the nearest ancestor that has one, as [r, g, b].
FOCUS_RING = """() => {
  const rgba = (text) => text.match(/[\\d.]+/g).map(Number);
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let box = element;
  while (rgba(getComputedStyle(box).backgroundColor)[3] === 0) { box = box.parentElement; }
  const background = rgba(getComputedStyle(box).backgroundColor).slice(0, 3);
  const [r, g, b, a = 1] = rgba(style.outlineColor);
  const ring = [r, g, b].map((value, i) => a * value + (1 - a) * background[i]);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), ring, background};
}"""


def test_the_skip_link_and_the_focus_in_the_navigation_bar_can_be_seen(
    browser, live_server, a11y_world, screenshot_dir
):
    page = visitor(browser, live_server)
    page.goto(f"{live_server.url}{BASE}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["width"] > 60 and box["height"] > 20
    # Nothing covers it: the navigation bar is below it, not on top.
    centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent", centre) == (
        "Skip to content"
    )
    page.screenshot(path=screenshot_dir / "a11y-skip-link.png", clip={**box, "x": 0, "y": 0,
                    "width": 640, "height": 120})  # fmt: skip

    # Through the brand to the first link of the dark navigation bar: its focus ring contrasts
    # 3:1 at least with the bar (WCAG 1.4.11; Bootstrap's own glow was 1.29:1).
    outline = page.get_by_role("link", name="Outline")
    for _ in range(12):  # the brand, the offering's title, the switch... to the sections
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["ring"], ring["background"]) >= 3, ring
        if outline.evaluate("element => element === document.activeElement"):
            break
    expect(outline).to_be_focused()
    page.screenshot(path=screenshot_dir / "a11y-navbar-focus.png", clip={"x": 0, "y": 0,
                    "width": 1280, "height": 80})  # fmt: skip
    page.context.close()


def test_form_errors_are_announced_and_take_the_focus(
    browser, live_server, a11y_world, screenshot_dir
):
    users, _ = a11y_world
    page = visitor(browser, live_server)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(users["student"].email)
    page.locator("#id_password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Please enter a correct email address and password")
    expect(alert).to_be_focused()  # not the email field, which has the focus on a fresh page
    for field in ("#id_username", "#id_password"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(field)).to_have_attribute("aria-describedby", "error-summary")
    page.screenshot(path=screenshot_dir / "a11y-login-refused.png")

    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The form was not sent")
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=screenshot_dir / "a11y-signup-errors.png", full_page=True)
    # Each error links to its field, and following the link puts the focus there.
    summary.get_by_role("link", name="Email address: Enter a valid email address.").click()
    expect(page.locator("#id_email")).to_be_focused()
    assert User.objects.filter(email="not an address").count() == 0
    page.context.close()


def test_lecture_buttons_grade_marks_and_wide_tables_serve_keyboard_and_touch(
    browser, live_server, a11y_world, screenshot_dir
):
    users, _ = a11y_world
    # Each "Whole lecture" button is named after its lecture.
    page = visitor(browser, live_server, users["accepted"])
    page.goto(f"{live_server.url}{BASE}/lectures/")
    for title in ("Convolutions", "Pooling"):
        button = page.get_by_role("button", name=f"Whole lecture: {title}", exact=True)
        expect(button).to_have_count(1)
        expect(button).to_have_text("Whole lecture")
    page.context.close()

    # The grade sheet's marks: a switch (keyboard, touch) shows each one's details.
    page = visitor(browser, live_server, users["ta"], viewport=PHONE)
    page.goto(f"{live_server.url}{BASE}/staff/grades/")
    detail = page.locator("td .mark-detail").first
    expect(detail).to_have_text(re.compile(r"needs 80 %|no session"))
    assert detail.bounding_box()["width"] <= 1  # read by screen readers, not shown
    switch = page.get_by_role("switch", name="Show the details of each mark")
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).to_be_checked()
    box = detail.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 8
    page.screenshot(path=screenshot_dir / "a11y-grade-sheet-details-375.png", full_page=True)

    # The wide tables scroll inside a region that the keyboard reaches and that is named.
    for path, name in [
        ("/staff/progress/", "Progress of each student, by module"),
        ("/staff/attendance/", "Attendance of each student, by session"),
        ("/staff/grades/", "Grade sheet"),
        ("/staff/projects/", "The projects and their deliverables"),
    ]:
        page.goto(f"{live_server.url}{BASE}{path}")
        region = page.get_by_role("region", name=name)
        expect(region).to_have_attribute("tabindex", "0")
        region.focus()
        expect(region).to_be_focused()
    page.context.close()
