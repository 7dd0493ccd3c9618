import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import override_settings

from accounts.models import OutgoingMail, User
from course.models import Announcement, Course, LecturePart, Module, Offering, Staff, VideoLecture
from projects.models import Submission
from sessions.grading import sheet as grading_sheet
from sessions.models import (
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    RubricLevel,
    ScaleGrade,
)

pytestmark = pytest.mark.django_db

COUNTED = [Course, Offering, Staff, Module, VideoLecture, LecturePart, Announcement, User,
           Submission, GradingScale, ScaleGrade, RubricLevel, ProjectAssessment, FinalGrade,
           GradeChange, ResultsEvent, OutgoingMail]  # fmt: skip


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_creates_the_2016_offering_from_the_seed():
    load()
    offering = Offering.objects.get(course__slug="deep-learning", slug="2016")
    assert offering.get_absolute_url() == "/courses/deep-learning/2016/"
    assert offering.study_period == "LP4"
    assert (str(offering.start_date), str(offering.end_date)) == ("2016-03-21", "2016-06-04")
    assert "not be given in the academic year 2016-2017" in offering.notice
    assert offering.attendance_threshold == 80
    assert offering.group_size == 2
    assert offering.course.credits == 7.5
    assert [m.title for m in offering.modules.order_by("order")] == [
        "Preliminaries",
        "Recurrent Neural Networks",
        "Convolutional Neural Networks",
        "Unsupervised and semi-supervised methods",
        "Regularization",
        "Project presentations",
    ]
    assert offering.modules.get(slug="project-presentations").kind == "presentations"
    lectures = VideoLecture.objects.filter(module__offering=offering)
    assert lectures.count() == 10
    assert lectures.get(speaker="Hugo Larochelle").parts_notation == "Lec1, Lec2:1-2:11"
    assert lectures.get(speaker="Geoffrey Hinton").parts_notation == "9A, 9B, 9C, 9E, 10E"


def test_load_demo_stores_each_teachers_own_address():
    load()
    emails = dict(Staff.objects.filter(offering__slug="2016").values_list("name", "email"))
    assert emails["Olof Mogren"] == "mogren@example.org"
    assert emails["Mikael Kågebäck"] == "kageback@example.org"
    assert emails["Fredrik Johansson"] == "frejohk@example.org"
    assert Staff.objects.get(offering__slug="2016", role="responsible").name == "Devdatt Dubhashi"


def test_load_demo_twice_duplicates_nothing():
    load()
    before = {model: model.objects.count() for model in COUNTED}
    load()
    assert {model: model.objects.count() for model in COUNTED} == before


def test_load_demo_prints_logins_that_work(client):
    output = load()
    for email, password in [
        ("admin@example.org", "demo-admin-2016"),
        ("mogren@example.org", "demo-ta-2016"),
        ("student@example.org", "demo-student-2016"),
    ]:
        assert f"{email}  /  {password}" in output
        # Log-ins are throttled per client (django-axes): authenticate() needs a request.
        assert client.login(request=HttpRequest(), username=email, password=password)
        client.logout()


def test_demo_ta_sees_the_archived_2016_offering_in_the_admin(client):
    """The TA opens it; archived, only its status can change (to un-archive it)."""
    load()
    assert client.login(
        request=HttpRequest(), username="mogren@example.org", password="demo-ta-2016"
    )
    offering = Offering.objects.get(slug="2016")
    page = client.get(f"/admin/course/offering/{offering.pk}/change/").content.decode()
    assert "Deep Learning" in page
    assert 'name="status"' in page and 'name="name"' not in page


@override_settings(COURSESITE_ENVIRONMENT="production")
def test_load_demo_refuses_a_production_database_without_force():
    with pytest.raises(CommandError, match="production database"):
        load()
    assert not Course.objects.exists()
    call_command("load_demo", "--force", stdout=StringIO())
    assert Course.objects.filter(slug="deep-learning").exists()


def test_load_demo_grades_the_2016_students_and_signs_the_results_off():
    load()
    offering = Offering.objects.get(slug="2016")
    sheet = grading_sheet.grade_sheet(offering)
    assert sheet.state.locked
    assert sheet.state.signed_off_at.date() == dt.date(2016, 6, 14)
    assert len(sheet.rows) == 22 and not sheet.ungraded  # every accepted student
    grades = {"msc": set(), "phd": set()}
    for row in sheet.rows:
        grades[row.enrolment.level].add(row.final.grade)
    assert grades == {"msc": {"U", "3", "4", "5"}, "phd": {"U", "G", "VG"}}
    # The fails are the invented students below 80 %, not eligible; everyone else passes.
    failed = {r.enrolment.student.email for r in sheet.rows if r.final.grade == "U"}
    assert failed == {"student@example.org", "nora.falk@example.org", "ivar.sjoberg@example.org"}
    assert all(r.attendance.percent < 80 for r in sheet.rows if r.final.grade == "U")
    assert all(r.eligibility.eligible for r in sheet.rows if r.final.grade != "U")
    # One visible disagreement, settled by the examiner with a reason.
    disagreeing = [r for r in sheet.rows if r.disagreement]
    assert {r.enrolment.student.full_name for r in disagreeing} == {
        "Florian Schäfer", "Mats Uddgård",
    }  # fmt: skip
    overrides = [r for r in sheet.rows if r.differs_from_proposal]
    assert overrides == disagreeing
    assert all("assessors disagreed" in r.final.reason for r in overrides)
    assert {r.final.grade for r in overrides} == {"4", "VG"}
    # The result mails went out in 2016; none waits in today's outbox.
    mails = OutgoingMail.objects.filter(offering=offering, kind="result")
    assert mails.count() == 22 and not mails.exclude(status="sent").exists()


def test_demo_ta_and_second_reviewer_assessed_with_the_rubric():
    load()
    offering = Offering.objects.get(slug="2016")
    assessments = ProjectAssessment.objects.filter(group__offering=offering)
    by = {}
    for a in assessments.select_related("assessor"):
        by.setdefault(a.assessor.email, []).append(a)
    assert len(by["mogren@example.org"]) == 10 and len(by["kageback@example.org"]) == 2
    criteria = offering.rubric.criteria.count()
    assert all(a.levels.count() == criteria for a in assessments)
    assert sorted(a.grade for a in by["mogren@example.org"]) == [3, 3, 3, 4, 4, 4, 4, 5, 5, 5]
    assert not User.objects.get(email="kageback@example.org").has_usable_password()
