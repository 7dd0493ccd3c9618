"""Schedule, attendance pages, overview and report; who may open which."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape

from accounts.enums import EnrolmentStatus as S
from sessions.services import register_save
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    VideoLectureFactory,
)
from tests.factories.grading import PresentationSessionFactory
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db
BASE = "/courses/deep-learning/2016"


@pytest.fixture
def term(offering, ta, accepted_student):
    """Ten held sessions (one cancelled), five to come; the student attended six."""
    module = ModuleFactory(offering=offering, title="Regularization")
    VideoLectureFactory(module=module, speaker="Geoffrey Hinton", title="Dropout")
    held = [DiscussionSessionFactory(offering=offering, module=module, days_ago=30 - 2 * i)
            for i in range(10)]  # fmt: skip
    held[9].is_cancelled = True
    held[9].cancel_reason = "Easter"
    held[9].save()
    upcoming = [DiscussionSessionFactory(offering=offering, days_ago=-2 - i) for i in range(5)]
    enrolment = accepted_student.enrolments.get()
    for index, session in enumerate(held[:9]):
        status = "present" if index < 6 else "absent"
        register_save(session=session, entries={enrolment.pk: (status, False)}, by=ta)
    return held, upcoming


def test_schedule_groups_by_week_with_what_to_watch_and_cancellations(client, term):
    page = client.get(f"{BASE}/schedule/").content.decode()
    assert "Week " in page
    assert "Regularization" in page
    assert "Geoffrey Hinton, Dropout" in page
    assert "text-decoration-line-through" in page
    assert "Easter" in page


def test_schedule_without_sessions_says_so(client, offering):
    assert (
        "No discussion sessions have been scheduled yet."
        in client.get(f"{BASE}/schedule/").content.decode()
    )


def test_student_sees_rate_and_what_is_still_needed(client, term, accepted_student):
    client.force_login(accepted_student)
    page = client.get("/me/deep-learning/2016/attendance/").content.decode()
    # 6 of 9 held (67 %), 5 to come: 80 % of 14 is 11.2, so 12 needed: 6 more of 5: impossible.
    assert "67 %" in page
    assert "The threshold can no longer be reached" in page
    assert "Cancelled, does not count" in page


def test_student_with_a_chance_is_told_how_many_sessions_to_attend(
    client, offering, term, accepted_student, ta
):
    _, upcoming = term
    more = [DiscussionSessionFactory(offering=offering, days_ago=-20 - i) for i in range(10)]
    assert len(upcoming + more) == 15
    client.force_login(accepted_student)
    page = client.get("/me/deep-learning/2016/attendance/").content.decode()
    # 6 of 9, 15 to come: 80 % of 24 is 19.2 → 20 attended, 14 more.
    assert "You must attend <strong>14 of the 15 remaining sessions</strong>" in page


def test_my_page_shows_the_attendance_summary(client, term, accepted_student):
    client.force_login(accepted_student)
    assert "67 %" in client.get("/me/deep-learning/2016/").content.decode()


def test_overview_sorts_flags_risk_and_exports_csv(client, offering, term, ta, accepted_student):
    good = EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Aa Good")
    held, _ = term
    for session in held[:9]:
        register_save(session=session, entries={good.pk: ("present", True)}, by=ta)
    client.force_login(ta)
    page = client.get(f"{BASE}/staff/attendance/?sort=rate").content.decode()
    assert "1 at risk." in page
    assert page.index(accepted_student.full_name) < page.index("Aa Good")
    response = client.get(f"{BASE}/staff/attendance/?format=csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="attendance-deep-learning-2016.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:10] == ["name", "email", "level", "present", "excused", "absent",
                            "rate_percent", "needed", "reachable", "at_risk"]  # fmt: skip
    assert len(rows[0]) == 10 + 9  # nine held sessions
    by_name = {row[0]: row for row in rows[1:]}
    # 9 of 9 so far and 5 to come: 12 of 14 reach 80 %, so 3 more.
    assert by_name["Aa Good"][6:10] == ["100.0", "3", "yes", "no"]
    assert by_name[accepted_student.full_name][6:10] == ["66.7", "", "no", "yes"]


@pytest.mark.parametrize(
    ("accept_language", "language"), [("sv", "sv"), ("en-GB,en;q=0.8", "en-gb")]
)
def test_staff_grids_are_cached_per_language(client, term, ta, accept_language, language):
    """The grid and the progress table are kept as rendered HTML, in a language: a Swedish
    page never shows an English grid kept before it, or the other way round."""
    client.force_login(ta)
    for page in ("attendance/", "progress/"):
        response = client.get(f"{BASE}/staff/{page}", HTTP_ACCEPT_LANGUAGE=accept_language)
        assert response.context["fragment"].endswith(f":{language}")


def test_attendance_report_command_prints_and_exports(term, accepted_student):
    out = StringIO()
    call_command("attendance_report", "deep-learning/2016", stdout=out)
    text = out.getvalue()
    assert "1 student(s) marked ! are below 80 %" in text
    assert f"!  {accepted_student.full_name}" in text
    out = StringIO()
    call_command("attendance_report", "deep-learning/2016", "--csv", stdout=out)
    assert out.getvalue().startswith("name,email,level")
    with pytest.raises(CommandError, match="No offering"):
        call_command("attendance_report", "deep-learning/1999", stdout=StringIO())


# Permissions ---------------------------------------------------------------------------------

STAFF_PAGES = ["staff/attendance/", "staff/attendance/?format=csv",
               "staff/sessions/{session}/register/", "staff/sessions/{session}/code/"]  # fmt: skip


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_log_in(client, term, page):
    url = f"{BASE}/" + page.format(session=term[0][0].pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("who", ["student", "accepted_student", "other_student", "other_ta"])
def test_staff_pages_are_404_for_everyone_but_the_offerings_staff(client, term, page, who, request):
    url = f"{BASE}/" + page.format(session=term[0][0].pk)
    client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == 404
    assert request.getfixturevalue("accepted_student").email not in response.content.decode()


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_open_for_the_offerings_ta(client, term, page, ta, accepted_student):
    client.force_login(ta)
    response = client.get(f"{BASE}/" + page.format(session=term[0][0].pk))
    assert response.status_code == 200
    # Every staff page is about this offering's students, or its session's code.
    body = response.content.decode()
    assert accepted_student.full_name in body or "check-in" in body.lower()


def test_register_of_another_offerings_session_is_404(client, term, ta, other_offering):
    theirs = DiscussionSessionFactory(offering=other_offering)
    client.force_login(ta)
    assert client.get(f"{BASE}/staff/sessions/{theirs.pk}/register/").status_code == 404


@pytest.mark.parametrize("who", ["student", "other_student", "ta", "other_ta"])
def test_someone_elses_attendance_page_is_404(client, term, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/me/deep-learning/2016/attendance/").status_code == 404


def test_check_in_page_needs_a_login(client, offering):
    response = client.get(f"{BASE}/check-in/")
    assert response["Location"].startswith("/accounts/login/")


# Query counts ---------------------------------------------------------------------------------


def grow(offering, ta, scale):
    modules = [ModuleFactory(offering=offering, slug=f"m{i}") for i in range(3 * scale)]
    for module in modules:
        VideoLectureFactory.create_batch(2, module=module)
    # Three quarters held, the rest to come.
    sessions = [
        DiscussionSessionFactory(
            offering=offering, module=modules[i % len(modules)], days_ago=6 * scale - i
        )
        for i in range(8 * scale)
    ]
    enrolments = EnrolmentFactory.create_batch(3 * scale, offering=offering, status=S.ACCEPTED)
    everyone_present = {e.pk: ("present", False) for e in enrolments}
    for session in sessions:
        if session.starts_at < timezone.now():
            register_save(session=session, entries=everyone_present, by=ta)
    return enrolments


@pytest.mark.parametrize("scale", [1, 10])
def test_schedule_query_count_is_fixed(client, django_assert_num_queries, offering, ta, scale):
    grow(offering, ta, scale)
    for day in range(2 * scale):
        starts = timezone.now() + datetime.timedelta(days=30 + day)
        PresentationSessionFactory(offering=offering, room="EL41", starts_at=starts)
    # Offering, series, sessions with modules, their lectures, the lectures' parts, and the
    # presentation sessions.
    with django_assert_num_queries(6 + KEEPING):
        page = client.get(f"{BASE}/schedule/").content.decode()
    assert page.count("ML13") >= 8 * scale  # every session listed with its room
    assert page.count("Project presentations</a>") == 2 * scale


@pytest.mark.parametrize("scale", [1, 10])
def test_attendance_pages_query_counts_are_fixed(
    client, django_assert_num_queries, offering, ta, scale
):
    enrolments = grow(offering, ta, scale)
    client.force_login(enrolments[0].student)
    with django_assert_num_queries(5 + KEEPING):
        page = client.get("/me/deep-learning/2016/attendance/").content.decode()
    assert "100 %" in page  # present at every held session
    client.force_login(ta)
    # The teacher's offerings (1): how long to keep the page of them is known already.
    with django_assert_num_queries(7 + 1):
        page = client.get(f"{BASE}/staff/attendance/").content.decode()
    assert f"{3 * scale} student" in page
    assert all(escape(e.student.full_name) in page for e in enrolments)


@pytest.mark.parametrize("scale", [1, 10])
def test_ics_query_count_is_fixed(client, django_assert_num_queries, offering, ta, scale):
    grow(offering, ta, scale)
    # The offering, its sessions with modules, lectures, parts; presentation sessions.
    with django_assert_num_queries(5 + KEEPING):
        feed = client.get(f"{BASE}/schedule.ics").content.decode()
    assert feed.count("BEGIN:VEVENT") == 8 * scale
