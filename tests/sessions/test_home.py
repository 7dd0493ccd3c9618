"""A student's home (/me/) during, before and after a course, and a teacher's "today"."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import EnrolmentStatus, MailKind, MailStatus
from accounts.models import OutgoingMail
from course.enums import OfferingStatus
from course.models import Quiz, WatchedPart
from projects.models import Membership
from sessions.enums import AttendanceStatus
from sessions.models import Attendance, HomeVisit
from sessions.services import home_visit_record
from tests.factories import EnrolmentFactory, ModuleFactory
from tests.factories.course import AnnouncementFactory, LecturePartFactory, VideoLectureFactory
from tests.factories.projects import DeliverableFactory, ProjectGroupFactory
from tests.factories.sessions import DiscussionSessionFactory

pytestmark = pytest.mark.django_db


def build_course(offering, enrolment, scale=1):
    """A running course `scale` times over: modules with lectures in parts, held and coming
    sessions (the student attended most held ones), an open quiz, deadlines, news."""
    today = timezone.localdate()
    offering.start_date = today - dt.timedelta(days=40)
    offering.end_date = today + dt.timedelta(days=60)
    offering.status = OfferingStatus.RUNNING
    offering.save()
    enrolment.enrolled_on = None
    enrolment.save()
    now = timezone.now()
    modules = []
    for m in range(3 * scale):
        module = ModuleFactory(offering=offering, title=f"Module {m:03d}", order=m)
        for n in range(2):
            lecture = VideoLectureFactory(module=module, title=f"Lecture {m}.{n}")
            LecturePartFactory(lecture=lecture, name=f"Lec{m}x{n}a")
            LecturePartFactory(lecture=lecture, name=f"Lec{m}x{n}b")
        modules.append(module)
    held = [
        DiscussionSessionFactory(
            offering=offering, module=modules[i % len(modules)], days_ago=30 - i / scale
        )
        for i in range(5 * scale)
    ]
    for session in held[1:]:  # one absence
        Attendance.objects.create(session=session, enrolment=enrolment, status="present")
    DiscussionSessionFactory(
        offering=offering, module=modules[1], days_ago=-2, room="Room Next"
    )  # the next one
    for i in range(3 * scale):
        DiscussionSessionFactory(offering=offering, module=modules[-1], days_ago=-5 - i)
    Quiz.objects.create(
        module=modules[0], title="Quiz on module zero", opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
    )  # fmt: skip
    for i in range(scale - 1):  # closed quizzes
        Quiz.objects.create(
            module=modules[i], title=f"Old quiz {i}", opens_at=now - dt.timedelta(days=20),
            closes_at=now - dt.timedelta(days=10),
        )  # fmt: skip
    group = ProjectGroupFactory(offering=offering, number=1)
    Membership.objects.create(group=group, enrolment=enrolment)
    DeliverableFactory(
        offering=offering, title="Project proposal", due_at=now + dt.timedelta(days=4)
    )
    for i in range(2 * scale):
        DeliverableFactory(offering=offering, due_at=now + dt.timedelta(days=20 + i))
        DeliverableFactory(offering=offering, due_at=now - dt.timedelta(days=20 + i))
    for i in range(2 * scale):
        AnnouncementFactory(
            offering=offering, title=f"Old news {i}", body="Old.",
            published_at=now - dt.timedelta(days=10 + i),
        )  # fmt: skip
    # The lectures of the next session's module: one part watched.
    first = modules[1].lectures.order_by("order").first().parts.order_by("order").first()
    WatchedPart.objects.create(enrolment=enrolment, lecture=first.lecture, part=first)
    return modules


@pytest.fixture
def enrolment(offering):
    return EnrolmentFactory(
        offering=offering, status=EnrolmentStatus.ACCEPTED, student__full_name="Ann Home"
    )


def test_home_shows_the_student_their_day(client, offering, enrolment):
    build_course(offering, enrolment)
    client.force_login(enrolment.student)
    page = client.get("/me/").content.decode()
    # The next session: when, where, which module, and what to watch before it.
    assert "Next discussion session" in page
    assert "room Room Next" in page
    assert "Module 001" in page
    assert "Lec1x0a watched" in page
    assert "Lec1x0b not watched" in page
    # Attendance: 4 of 5 held sessions (80 %), 4 to come; the rule of sessions/attendance.py.
    assert "80 %" in page
    assert "Attended 4 of 5 held sessions." in page
    assert "You must attend <strong>4 of the 4 remaining sessions</strong> to reach 80 %." in page
    assert '<meter class="home-meter"' in page and 'value="80"' in page
    # The group's next deadline and its state; the open quiz, not yet attempted.
    assert "Project proposal" in page and "Not submitted yet" in page
    assert "Quiz on module zero" in page and "Not attempted yet." in page
    # Progress as bars: one per module with lectures, and the modules complete.
    assert page.count('<progress class="home-progress"') == 3
    assert "0 of 3 modules complete." in page
    assert 'style="' not in page


def test_announcements_are_new_once_then_no_more_even_from_the_page_cache(
    client, offering, enrolment
):
    build_course(offering, enrolment)
    client.force_login(enrolment.student)
    first = client.get("/me/").content.decode()
    # Never visited: the latest are shown, not called new.
    assert "Latest announcements" in first and "Old news 0" in first
    visit = HomeVisit.objects.get(enrolment=enrolment)
    seen = visit.announcements_seen_until
    again = client.get("/me/").content.decode()
    assert "No new announcements since your last visit." in again
    assert "Old news 0" not in again
    # The next visit is served from the kept page, and is still right.
    assert client.get("/me/").content.decode() == again
    # Staff publish something: the next visit shows it as new, once.
    AnnouncementFactory(
        offering=offering, title="Room change", body="We move to ML14.",
        published_at=timezone.now() - dt.timedelta(seconds=1),
    )  # fmt: skip
    news = client.get("/me/").content.decode()
    assert "New since your last visit" in news and "Room change" in news
    assert HomeVisit.objects.get(enrolment=enrolment).announcements_seen_until > seen
    later = client.get("/me/").content.decode()
    assert "Room change" not in later
    assert "No new announcements since your last visit." in later


def test_a_visit_is_recorded_forward_only_and_never_in_the_future(offering, enrolment):
    now = timezone.now()
    assert home_visit_record(enrolment=enrolment, seen_until=now - dt.timedelta(hours=1))
    assert not home_visit_record(enrolment=enrolment, seen_until=now - dt.timedelta(hours=2))
    with pytest.raises(ValidationError):
        home_visit_record(enrolment=enrolment, seen_until=now + dt.timedelta(hours=1))
    visit = HomeVisit.objects.get(enrolment=enrolment)
    assert visit.announcements_seen_until == now - dt.timedelta(hours=1)


def test_before_the_course_the_home_says_when_it_starts(client, offering, enrolment):
    today = timezone.localdate()
    offering.start_date = today + dt.timedelta(days=10)
    offering.end_date = today + dt.timedelta(days=80)
    offering.status = OfferingStatus.REGISTRATION
    offering.save()
    DiscussionSessionFactory(offering=offering, days_ago=-11, room="First Room")
    client.force_login(enrolment.student)
    page = client.get("/me/").content.decode()
    assert "The course starts on" in page
    assert "room First Room" in page
    assert "No session has been held yet. You need to attend 80 % of them." in page


def test_before_any_session_attendance_says_so(client, offering, enrolment):
    today = timezone.localdate()
    offering.start_date, offering.end_date = today, today + dt.timedelta(days=50)
    offering.save()
    DiscussionSessionFactory(offering=offering, days_ago=-3)
    client.force_login(enrolment.student)
    page = client.get("/me/").content.decode()
    assert "No session has been held yet. You need to attend 80 % of them." in page
    assert "No deadline ahead." in page
    assert "No quiz is open now." in page
    assert "You are not in a project group yet" in page


def test_after_the_course_the_home_lists_it_without_a_day(client, offering, enrolment):
    build_course(offering, enrolment)
    offering.status = OfferingStatus.ARCHIVED
    offering.save()
    client.force_login(enrolment.student)
    page = client.get("/me/").content.decode()
    assert "Next discussion session" not in page
    assert "Deep Learning" in page  # still listed among their courses
    assert not HomeVisit.objects.exists()


def test_applicants_get_no_day_yet(client, offering):
    applicant = EnrolmentFactory(offering=offering, status=EnrolmentStatus.APPLIED)
    build_course(offering, applicant)
    client.force_login(applicant.student)
    page = client.get("/me/").content.decode()
    assert "Next discussion session" not in page


@pytest.mark.parametrize("scale", [1, 10])
def test_home_query_count_is_fixed(client, offering, enrolment, scale, django_assert_num_queries):
    build_course(offering, enrolment, scale)
    client.force_login(enrolment.student)
    client.get("/me/")  # the first visit records the announcements seen
    cache.clear()
    # Log-in, the person's enrolments, results and offerings; per current course its
    # sessions, attendance, progress (8), group (3), deadlines (3), the visit, announcements,
    # watched parts; the offerings taught; how long to keep the page: the same at 10x.
    with django_assert_num_queries(HOME_QUERIES):
        page = client.get("/me/").content.decode()
    assert "Room Next" in page
    # Then from the page cache: no query but the user's.
    with django_assert_num_queries(1):
        assert client.get("/me/").content.decode() == page


HOME_QUERIES = 32


# A teacher's "today" --------------------------------------------------------------------------


TODAY = "/courses/deep-learning/2016/staff/today/"


def test_teacher_sees_what_waits_today(client, offering, enrolment, ta):
    build_course(offering, enrolment)
    EnrolmentFactory(offering=offering, status=EnrolmentStatus.APPLIED)
    EnrolmentFactory(offering=offering, status=EnrolmentStatus.APPLIED)
    OutgoingMail.objects.create(
        offering=offering, to_email="a@example.org", subject="Decision", body="Hi",
        kind=MailKind.DECISION, status=MailStatus.REVIEW,
    )  # fmt: skip
    group = enrolment.membership.group
    group.presented = True
    group.save()
    client.force_login(ta)
    page = client.get(TODAY).content.decode()
    assert "Open the register" in page and "room Room Next" in page
    assert "2</span>" in page and "applications waiting for a decision" in page
    assert "mail waiting for review" in page
    assert "project still to assess" in page and "/staff/grades/projects/1/" in page
    assert "Next deadline: Project proposal" in page
    assert 'style="' not in page
    # Linked from the teacher's /me/.
    assert TODAY in client.get("/me/").content.decode()


def test_teacher_today_after_the_course(client, offering, ta):
    offering.status = OfferingStatus.ARCHIVED
    offering.save()
    client.force_login(ta)
    page = client.get(TODAY).content.decode()
    assert "This offering is archived" in page
    assert "No more discussion sessions are scheduled." in page


@pytest.mark.parametrize("scale", [1, 10])
def test_teacher_today_query_count_is_fixed(
    client, offering, enrolment, ta, scale, django_assert_num_queries
):
    build_course(offering, enrolment, scale)
    for _ in range(scale):
        EnrolmentFactory(offering=offering, status=EnrolmentStatus.APPLIED)
    client.force_login(ta)
    client.get(TODAY)
    with django_assert_num_queries(TODAY_QUERIES):
        client.get(TODAY)


TODAY_QUERIES = 7


def test_attendance_on_the_home_is_the_rule_of_attendance_py(client, offering, enrolment):
    """An excused absence left out of the total, as the offering says."""
    build_course(offering, enrolment)
    offering.excused_absences = "removed"
    offering.save()
    first = offering.discussion_sessions.order_by("starts_at").first()
    Attendance.objects.create(session=first, enrolment=enrolment, status=AttendanceStatus.EXCUSED)
    client.force_login(enrolment.student)
    page = client.get("/me/").content.decode()
    assert "Attended 4 of 4 held sessions." in page
    assert "100 %" in page
