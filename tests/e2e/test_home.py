"""The demo student's home and the demo TA's "today", in Chromium, during a course.

The demo's 2016 offering is archived and its next one open for registration; to see a
course under way, the next offering is moved back in time so that it started three weeks
ago, with the demo student enrolled in it.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.enums import EnrolmentStatus, Level, MailKind, MailStatus
from accounts.models import Enrolment, OutgoingMail, User
from course.enums import OfferingStatus
from course.models import Announcement, Offering, Quiz, WatchedPart
from projects.models import Deliverable, Membership, ProjectGroup
from sessions.models import Attendance
from tests.e2e.helpers import DESKTOP, PHONE, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(transactional_db):
    """The demo, with its next offering under way for three weeks."""
    call_command("load_demo", stdout=StringIO())
    offering = Offering.objects.get(course__slug="deep-learning", slug="next")
    today = timezone.localdate()
    shift = offering.start_date - today + dt.timedelta(days=21)
    offering.discussion_sessions.update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )
    offering.start_date -= shift
    offering.end_date -= shift
    offering.registration_opens -= shift
    offering.registration_closes -= shift
    offering.status = OfferingStatus.RUNNING
    offering.save()
    student = User.objects.get(email="student@example.org")
    enrolment = Enrolment.objects.create(
        offering=offering, student=student, status=EnrolmentStatus.ACCEPTED, level=Level.MSC,
        enrolled_on=offering.start_date,
    )  # fmt: skip
    now = timezone.now()
    held = list(offering.discussion_sessions.filter(starts_at__lte=now).order_by("starts_at"))
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=enrolment, status="present") for s in held[1:]
    )
    coming = offering.discussion_sessions.filter(starts_at__gt=now).order_by("starts_at")
    module = coming.first().module
    lectures = list(module.lectures.prefetch_related("parts"))
    part = lectures[0].parts.first()
    WatchedPart.objects.create(enrolment=enrolment, lecture=lectures[0], part=part)
    Quiz.objects.create(
        module=module, title=f"Quiz: {module.title}", opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=2), attempts_allowed=2,
    )  # fmt: skip
    group = ProjectGroup.objects.create(offering=offering, number=1)
    Membership.objects.create(group=group, enrolment=enrolment)
    Deliverable.objects.create(
        offering=offering, title="Project proposal", slug="proposal",
        due_at=now + dt.timedelta(days=5, hours=3),
    )  # fmt: skip
    Announcement.objects.create(
        offering=offering, title="Welcome to the course", body="Sessions are in **ML13**.",
        published_at=now - dt.timedelta(days=20),
    )  # fmt: skip
    for n in range(3):
        applicant = User.objects.create_user(
            email=f"applicant{n}@example.org", password="x", full_name=f"Applicant {n}"
        )
        Enrolment.objects.create(offering=offering, student=applicant, status="applied")
    OutgoingMail.objects.create(
        offering=offering, to_email="applicant0@example.org", subject="Your application",
        body="…", kind=MailKind.DECISION, status=MailStatus.REVIEW,
    )  # fmt: skip
    return offering


def log_in(browser, live_server, email, password, viewport, locale="en-GB"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/me/")
    page.get_by_label(field(sv("Email address", locale))).fill(email)
    page.get_by_label(field(sv("Password", locale))).fill(password)
    page.get_by_role("button", name=sv("Log in", locale)).click()
    page.wait_for_url("**/me/")
    return page


def sv(text: str, locale: str = "sv-SE") -> str:
    """The text as the page shows it in the browser's language (the Swedish catalogue)."""
    if not locale.startswith("sv"):
        return text
    with translation.override("sv"):
        return translation.gettext(text)


def no_sideways_scroll(page):
    """Nothing of the page's content reaches past the window's right edge (the navigation
    bar is the layout's, tested with it)."""
    assert not page.evaluate(
        """[...document.querySelectorAll('main *')].filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
        ).map(e => e.tagName + '.' + e.className)"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_demo_student_home(browser, live_server, running, screenshot_dir, viewport):
    page = log_in(browser, live_server, "student@example.org", "demo-student-2016", viewport)
    card = page.get_by_role("region", name="Deep Learning 2").first
    expect(card.get_by_role("heading", name="Next discussion session")).to_be_visible()
    expect(card.get_by_text("not watched").first).to_be_visible()
    expect(card.get_by_text("Not attempted yet.")).to_be_visible()
    expect(card.get_by_text("Project proposal")).to_be_visible()
    expect(card.get_by_text("Welcome to the course")).to_be_visible()  # first visit
    expect(card.locator("progress.home-progress").first).to_be_visible()
    expect(card.locator("meter")).to_be_visible()
    # The archived 2016 offering is still listed, with its result.
    expect(page.get_by_text("Result: U")).to_be_visible()
    no_sideways_scroll(page)
    width = viewport["width"]
    page.screenshot(path=screenshot_dir / f"home-student-{width}.png", full_page=True)
    # The next visit: the announcement is no longer new.
    page.reload()
    expect(page.get_by_text("No new announcements since your last visit.")).to_be_visible()
    page.context.close()


def test_demo_student_home_in_swedish(browser, live_server, running, screenshot_dir):
    page = log_in(browser, live_server, "student@example.org", "demo-student-2016", PHONE, "sv-SE")
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.get_by_role("heading", name=sv("Next discussion session"))).to_be_visible()
    expect(
        page.get_by_role("heading", name=sv("Your progress through the modules"))
    ).to_be_visible()
    expect(page.get_by_text(sv("Not attempted yet."))).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "home-student-sv-390.png", full_page=True)
    page.context.close()


def test_demo_ta_today(browser, live_server, running, screenshot_dir):
    page = log_in(browser, live_server, "mogren@example.org", "demo-ta-2016", DESKTOP)
    page.get_by_role("link", name="Today").first.click()
    expect(page.get_by_role("link", name="Open the register")).to_be_visible()
    expect(page.get_by_text("applications waiting for a decision")).to_be_visible()
    expect(page.get_by_text("mail waiting for review")).to_be_visible()
    page.screenshot(path=screenshot_dir / "today-ta-1280.png", full_page=True)
    no_sideways_scroll(page)
    page.get_by_role("link", name="Open the register").click()
    page.wait_for_url("**/register/")
    expect(page.locator("main")).to_contain_text("ML13")
    # The archived 2016 offering: nothing waits.
    page.goto(f"{live_server.url}/courses/deep-learning/2016/staff/today/")
    expect(page.get_by_text("This offering is archived")).to_be_visible()
    page.screenshot(path=screenshot_dir / "today-ta-2016-1280.png", full_page=True)
    page.context.close()
