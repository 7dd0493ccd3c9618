"""Staff and student pages keep what they compute (the attendance grid, the grade sheet,
the projects overview, progress, a student's cards) in the cache under the offering's
content and records versions: a change made a moment ago shows on the next request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.enums import EnrolmentStatus as S
from course.quizzes import watched_set
from course.services import lecture_set_parts
from projects.services import group_create
from sessions.services import register_save
from tests.factories import (
    DeliverableFactory,
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    VideoLectureFactory,
)
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.django_db
BASE = "/courses/deep-learning/2016"


def test_the_attendance_grid_shows_a_register_saved_a_moment_ago(client, offering, ta):
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Ann")
    session = DiscussionSessionFactory(offering=offering, days_ago=1)
    client.force_login(ta)
    grid = f"{BASE}/staff/attendance/"
    assert ">P<" not in client.get(grid).content.decode()
    client.get(grid)  # from the cache now
    client.post(f"{BASE}/staff/sessions/{session.pk}/register/",
                {f"status-{student.pk}": "present"})  # fmt: skip
    assert ">P<" in client.get(grid).content.decode()
    register_save(session=session, entries={student.pk: ("absent", False)}, by=ta)
    page = client.get(grid).content.decode()
    assert ">A<" in page and ">P<" not in page


def test_progress_follows_a_tick_on_the_staff_and_the_students_page(client, offering, ta):
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    lecture = VideoLectureFactory(module=ModuleFactory(offering=offering))
    lecture_set_parts(lecture=lecture, notation="A, B")
    client.force_login(ta)
    staff = f"{BASE}/staff/progress/"
    assert "0/2 watched" in client.get(staff).content.decode()
    mine = "/me/deep-learning/2016/progress/"
    student = client_for(enrolment.student)
    assert "0 of 2" in student.get(mine).content.decode()
    watched_set(enrolment=enrolment, lecture=lecture, part=lecture.parts.first(), watched=True)
    assert "1/2 watched" in client.get(staff).content.decode()
    assert "1 of 2" in student.get(mine).content.decode()


def test_an_upload_shows_on_the_overview_and_the_students_page(client, offering, ta):
    alice = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    group_create(enrolment=alice, by=alice.student)
    DeliverableFactory(offering=offering, title="Project report", slug="project-report")
    client.force_login(ta)
    overview = f"{BASE}/staff/projects/"
    assert "v1</a>" not in client.get(overview).content.decode()
    student = client_for(alice.student)
    assert "Submitted on time" not in student.get("/me/deep-learning/2016/").content.decode()
    student.post(
        "/me/deep-learning/2016/group/deliverables/project-report/",
        {
            "file": SimpleUploadedFile("r.pdf", pdf_bytes(1), content_type="application/pdf"),
            "close_group": "on",
        },
    )
    assert "v1</a>" in client.get(overview).content.decode()
    assert "Submitted on time" in student.get("/me/deep-learning/2016/").content.decode()


def client_for(user):
    other = Client()
    other.force_login(user)
    return other
