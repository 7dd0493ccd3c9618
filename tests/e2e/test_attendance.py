"""Discussion-session attendance in Chromium: the register, the student's rate, the schedule."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from accounts.enums import EnrolmentStatus
from sessions.enums import AttendanceStatus
from sessions.models import DiscussionSession
from sessions.services import register_save
from tests.e2e.helpers import log_in
from tests.factories import EnrolmentFactory, OfferingFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERING = "/courses/deep-learning/2016"
MY_ATTENDANCE = "/me/deep-learning/2016/attendance/"
PHONE = {"width": 390, "height": 844}

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
PAST_DAYS = [-10, -8, -6, -3]  # sessions already held, oldest first
FUTURE_DAYS = [2, 4, 7, 9, 11, 14]  # the one on day 9 is cancelled


def session_at(offering, days: int, **extra) -> DiscussionSession:
    local = timezone.localtime().replace(hour=13, minute=15, second=0, microsecond=0)
    starts_at = local + dt.timedelta(days=days)
    return DiscussionSession.objects.create(
        offering=offering,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=105),
        room="ML13",
        **extra,
    )


@pytest.fixture
def course(transactional_db):
    """Deep Learning 2016 with a TA, three accepted students and ten sessions.

    Threshold 80 %, excused absences left out of the total (the default). Attendance is
    recorded for the first three held sessions; the fourth is not taken yet, so it counts
    as an absence for everyone. Five sessions that count are still to come (one of the
    six future sessions is cancelled).
    """
    offering = OfferingFactory(
        course__title="Deep Learning",
        course__slug="deep-learning",
        slug="2016",
        attendance_threshold=80,
    )
    ta = UserFactory(full_name="Tess Assistant")
    StaffFactory(offering=offering, user=ta, name=ta.full_name)

    def accepted(name):
        return EnrolmentFactory(
            offering=offering,
            status=EnrolmentStatus.ACCEPTED,
            enrolled_on=None,
            student__full_name=name,
        )

    alice = accepted("Alice Andersson")
    bertil = accepted("Bertil Berg")
    cecilia = accepted("Cecilia Carlsson")

    past = [session_at(offering, days) for days in PAST_DAYS]
    future = [session_at(offering, days) for days in FUTURE_DAYS]
    cancelled = future[3]
    cancelled.is_cancelled = True
    cancelled.cancel_reason = "The room is taken for exams."
    cancelled.save()

    recorded = {
        alice: (PRESENT, PRESENT, PRESENT),
        bertil: (PRESENT, PRESENT, ABSENT),
        cecilia: (PRESENT, EXCUSED, PRESENT),
    }
    for index, session in enumerate(past[:3]):
        register_save(
            session=session,
            entries={e.pk: (statuses[index], False) for e, statuses in recorded.items()},
            by=ta,
        )
    return SimpleNamespace(
        offering=offering,
        ta=ta,
        alice=alice,
        bertil=bertil,
        cecilia=cecilia,
        past=past,
        future=future,
        cancelled=cancelled,
    )


def summary_card(page):
    return page.locator(".card", has=page.locator(".display-6"))


def test_ta_takes_attendance_and_the_student_sees_the_rate_change(
    browser, live_server, course, screenshot_dir
):
    # 1. Alice was present at the three recorded sessions; the fourth is not taken yet, so
    #    it counts as an absence: 3 of 4 = 75 %. Finally 4 + 5 = 9 sessions count and 80 %
    #    of 9 needs 8 attended: 5 more, every remaining one.
    student = log_in(browser, live_server, course.alice.student, MY_ATTENDANCE)
    teacher = None
    try:
        expect(student.get_by_role("heading", name="My attendance")).to_be_visible()
        card = summary_card(student)
        expect(card.locator(".display-6")).to_have_text("75 %")
        expect(card).to_contain_text("attended 3 of 4 held sessions; the threshold is 80 %")
        expect(card).to_contain_text("You must attend 5 of the 5 remaining sessions to reach 80 %.")
        expect(card).to_have_class(re.compile(r"\bborder-danger\b"))  # below the threshold
        rows = student.locator("main table tbody tr")
        expect(rows).to_have_count(4)  # held sessions only
        expect(rows.locator(".badge")).to_have_text(
            ["Present", "Present", "Present", "Not recorded, counts as absent"]
        )
        student.screenshot(path=screenshot_dir / "attendance-student-before.png", full_page=True)

        # 2. The TA takes the register of the fourth held session.
        session = course.past[3]
        register = f"{OFFERING}/staff/sessions/{session.pk}/register/"
        teacher = log_in(browser, live_server, course.ta, register)
        expect(teacher.get_by_role("heading", name=re.compile(r"^Register: "))).to_be_visible()
        expect(teacher.locator("main")).to_contain_text("ML13 · 3 students, 0 recorded")
        alice = teacher.get_by_role("radiogroup", name="Attendance of Alice Andersson")
        alice.locator("label", has_text="Present").click()
        expect(alice.get_by_role("radio", name="Present")).to_be_checked()
        teacher.get_by_role("group", name="Set everyone").get_by_role(
            "button", name="Absent"
        ).click()
        expect(alice.get_by_role("radio", name="Present")).to_be_checked()  # already marked
        for name in ("Bertil Berg", "Cecilia Carlsson"):
            group = teacher.get_by_role("radiogroup", name=f"Attendance of {name}")
            expect(group.get_by_role("radio", name="Absent")).to_be_checked()
        row = teacher.locator("tr", has=alice)
        row.get_by_label("active").check()
        teacher.mouse.move(0, 0)  # no hover highlight in the screenshot
        teacher.screenshot(
            path=screenshot_dir / "attendance-register-filled.png",
            full_page=True,
            animations="disabled",
        )
        teacher.get_by_role("button", name="Save attendance").click()
        teacher.wait_for_url(f"**{register}")
        expect(teacher.get_by_role("alert")).to_contain_text(
            "Attendance saved: 3 new, 0 changed, 0 unchanged."
        )
        expect(teacher.locator("main")).to_contain_text("3 students, 3 recorded")
        expect(alice.get_by_role("radio", name="Present")).to_be_checked()
        expect(row.get_by_label("active")).to_be_checked()
        teacher.screenshot(path=screenshot_dir / "attendance-register-saved.png", full_page=True)

        # 3. Alice reloads her page: 4 of 4 = 100 %; 8 of 9 still needs 4 of the 5 left.
        student.reload()
        card = summary_card(student)
        expect(card.locator(".display-6")).to_have_text("100 %")
        expect(card).to_contain_text("attended 4 of 4 held sessions")
        expect(card).to_contain_text("You must attend 4 of the 5 remaining sessions to reach 80 %.")
        expect(card).not_to_have_class(re.compile(r"\bborder-danger\b"))
        expect(rows.locator(".badge")).to_have_text(["Present"] * 4)
        student.screenshot(path=screenshot_dir / "attendance-student-after.png", full_page=True)

        # 4. The overview: Alice at 100 %; Bertil (2 of 4, 6 needed of 5) can no longer
        #    make it; Cecilia (2 of 3 with one excused left out, 5 of 5 needed) is below.
        teacher.goto(f"{live_server.url}{OFFERING}/staff/attendance/")
        expect(teacher.get_by_role("heading", name="Attendance", exact=True)).to_be_visible()
        expect(teacher.locator("main")).to_contain_text(
            "3 students, 4 sessions held, threshold 80 %. 2 at risk."
        )
        grid = teacher.locator("table.attendance-grid")
        expect(grid.locator("thead th.session")).to_have_count(4)

        def overview_row(name):
            return grid.locator("tbody tr", has=teacher.get_by_role("rowheader", name=name))

        alice_row = overview_row(re.compile(r"^Alice Andersson"))
        expect(alice_row.locator("td")).to_have_text(["100 %", "4 of 5", "P", "P", "P", "P"])
        expect(alice_row).not_to_contain_text("at risk")
        bertil_row = overview_row(re.compile(r"^Bertil Berg"))
        expect(bertil_row.locator(".badge")).to_have_text("at risk")
        expect(bertil_row.locator("td")).to_have_text(["50 %", "unreachable", "P", "P", "A", "A"])
        cecilia_row = overview_row(re.compile(r"^Cecilia Carlsson"))
        expect(cecilia_row.locator(".badge")).to_have_text("at risk")
        expect(cecilia_row.locator("td")).to_have_text(["67 %", "5 of 5", "P", "E", "P", "A"])
        teacher.screenshot(path=screenshot_dir / "attendance-overview.png", full_page=True)
    finally:
        student.context.close()
        if teacher is not None:
            teacher.context.close()


def test_schedule_groups_sessions_by_week_and_offers_a_calendar(
    browser, page, live_server, course, screenshot_dir
):
    sessions = list(DiscussionSession.objects.filter(offering=course.offering))
    weeks = []
    for session in sessions:
        year, number, _ = timezone.localtime(session.starts_at).isocalendar()
        if f"Week {number}, {year}" not in weeks:
            weeks.append(f"Week {number}, {year}")

    page.goto(f"{live_server.url}{OFFERING}/schedule/")
    expect(page.get_by_role("heading", name="Discussion sessions")).to_be_visible()
    expect(page.locator("main section h3")).to_have_text(weeks, ignore_case=True)
    expect(page.locator("main section li.list-group-item")).to_have_count(len(sessions))
    expect(page.locator("main section .badge", has_text="Held")).to_have_count(len(PAST_DAYS))
    cancelled = page.locator(f"#session-{course.cancelled.pk}")
    expect(cancelled.locator(".badge")).to_have_text("Cancelled")
    expect(cancelled).to_contain_text("The room is taken for exams.")
    expect(cancelled.locator(".text-decoration-line-through")).to_contain_text("ML13")
    expect(page.locator("main .badge", has_text="Cancelled")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "schedule.png", full_page=True)

    link = page.get_by_role("link", name="Subscribe (iCalendar)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions) == len(PAST_DAYS) + len(FUTURE_DAYS)
    assert [str(event["status"]) for event in events].count("CANCELLED") == 1
    cancelled_event = next(e for e in events if str(e["status"]) == "CANCELLED")
    assert str(cancelled_event["uid"]) == f"session-{course.cancelled.pk}@coursesite"
    assert str(cancelled_event["location"]) == "ML13"

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}{OFFERING}/schedule/")
        expect(mobile.locator(f"#session-{course.cancelled.pk} .badge")).to_have_text("Cancelled")
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the schedule scrolls sideways on a phone ({width}px)"
        mobile.screenshot(path=screenshot_dir / "schedule-phone.png", full_page=True)
    finally:
        phone.close()


def test_a_student_cannot_open_the_register(browser, live_server, course, screenshot_dir):
    register = f"{OFFERING}/staff/sessions/{course.past[3].pk}/register/"
    page = log_in(browser, live_server, course.bertil.student, MY_ATTENDANCE)
    try:
        response = page.goto(f"{live_server.url}{register}")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
        expect(page.get_by_text("Alice Andersson")).to_have_count(0)
        page.screenshot(path=screenshot_dir / "attendance-register-404.png", full_page=True)
    finally:
        page.context.close()
