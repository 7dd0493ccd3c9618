"""Self check-in with the code shown in the room."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from sessions.models import Attendance, CheckInFailure
from sessions.services import MAX_FAILURES, check_in, check_in_code
from tests.factories import DiscussionSessionFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db
CHECK_IN = "/courses/deep-learning/2016/check-in/"


@pytest.fixture
def running(offering):
    """A session with self check-in that started ten minutes ago."""
    start = timezone.now() - dt.timedelta(minutes=10)
    return DiscussionSessionFactory(
        offering=offering, starts_at=start, ends_at=start + dt.timedelta(minutes=105),
        self_check_in=True,
    )  # fmt: skip


def test_right_code_marks_the_student_present(client, running, accepted_student):
    client.force_login(accepted_student)
    response = client.post(CHECK_IN, {"code": check_in_code(running)}, follow=True)
    assert "You are marked present" in response.content.decode()
    record = Attendance.objects.get()
    assert (record.status, record.updated_by) == ("present", accepted_student)
    assert record.changes.get().via == "check-in"


def test_last_minutes_code_still_works_but_an_older_one_does_not(
    offering, running, accepted_student
):
    now = timezone.now()
    check_in(offering=offering, user=accepted_student,
             code=check_in_code(running, now, step=-1), now=now)  # fmt: skip
    assert Attendance.objects.get().status == "present"
    with pytest.raises(ValidationError, match="Wrong or expired code"):
        check_in(offering=offering, user=accepted_student,
                 code=check_in_code(running, now, step=-3), now=now)  # fmt: skip


def test_wrong_code_is_refused_and_counted(client, running, accepted_student):
    client.force_login(accepted_student)
    wrong = f"{(int(check_in_code(running)) + 1) % 1_000_000:06d}"
    response = client.post(CHECK_IN, {"code": wrong}, follow=True)
    assert "Wrong or expired code" in response.content.decode()
    assert not Attendance.objects.exists()
    assert CheckInFailure.objects.count() == 1


def test_repeated_wrong_codes_are_throttled(offering, running, accepted_student):
    for _ in range(MAX_FAILURES):
        with pytest.raises(ValidationError):
            check_in(offering=offering, user=accepted_student, code="000000x")
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        check_in(offering=offering, user=accepted_student, code=check_in_code(running))
    assert not Attendance.objects.exists()


def test_only_enrolled_students_check_in(offering, running, student, other_student):
    for outsider in (student, other_student):
        with pytest.raises(ValidationError, match="Only students enrolled"):
            check_in(offering=offering, user=outsider, code=check_in_code(running))
    assert not Attendance.objects.exists()


def test_check_in_outside_a_session_is_refused(client, offering, accepted_student):
    DiscussionSessionFactory(offering=offering, days_ago=2, self_check_in=True)
    client.force_login(accepted_student)
    page = client.get(CHECK_IN).content.decode()
    assert "No session with self check-in is running now." in page
    response = client.post(CHECK_IN, {"code": "123456"}, follow=True)
    assert "No session with self check-in is running now." in response.content.decode()
    assert not Attendance.objects.exists()


def test_session_without_self_check_in_refuses(offering, running, accepted_student):
    running.self_check_in = False
    running.save()
    with pytest.raises(ValidationError, match="No session with self check-in"):
        check_in(offering=offering, user=accepted_student, code=check_in_code(running))


def test_checking_in_keeps_the_active_mark(offering, running, accepted_student, ta):
    from sessions.services import register_save

    enrolment = accepted_student.enrolments.get()
    register_save(session=running, entries={enrolment.pk: ("absent", True)}, by=ta)
    check_in(offering=offering, user=accepted_student, code=check_in_code(running))
    record = Attendance.objects.get()
    assert (record.status, record.active) == ("present", True)


def test_code_page_is_for_the_offerings_staff(client, running, ta, other_ta, accepted_student):
    url = f"/courses/deep-learning/2016/staff/sessions/{running.pk}/code/"
    client.force_login(ta)
    page = client.get(url).content.decode()
    # The page was made a moment ago: the minute may have turned since.
    shown = [check_in_code(running), check_in_code(running, step=-1)]
    assert any(f"{code[:3]} {code[3:]}" in page for code in shown)
    for outsider in (other_ta, accepted_student):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_waitlisted_student_cannot_check_in(offering, running):
    waiting = EnrolmentFactory(offering=offering, status=S.WAITLISTED).student
    with pytest.raises(ValidationError, match="Only students enrolled"):
        check_in(offering=offering, user=waiting, code=check_in_code(running))
