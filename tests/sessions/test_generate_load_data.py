"""manage.py generate_load_data at a small scale: the sizes asked for, the demo kept, the
site's pages answering on the generated data, one run only, the same data for one seed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import override_settings

from accounts.enums import EnrolmentStatus
from accounts.models import Enrolment, EnrolmentDecision, OutgoingMail, User
from course.enums import OfferingStatus
from course.models import Course, Offering, QuizAttempt, WatchedPart
from projects.models import Membership, ProjectGroup, Submission
from sessions.demo import load_data
from sessions.grading import sheet as grading_sheet
from sessions.models import Attendance, DiscussionSession, FinalGrade

pytestmark = pytest.mark.django_db

SMALL = ["--courses", "4", "--offerings-per-course", "3", "--students", "150", "--sessions", "6"]


def generate(*args):
    out = StringIO()
    call_command("generate_load_data", *SMALL, *args, stdout=out)
    return out.getvalue()


def generated_offerings():
    return Offering.objects.filter(course__code__startswith=load_data.CODE_PREFIX)


def test_generate_load_data_makes_the_sizes_asked_for():
    output = generate()
    assert Course.objects.filter(code__startswith="LOAD-").count() == 4
    offerings = generated_offerings()
    assert sorted(offerings.values_list("status", flat=True)) == sorted(
        [OfferingStatus.ARCHIVED, OfferingStatus.RUNNING, OfferingStatus.REGISTRATION] * 4
    )
    assert load_data.generated_students().count() == 150
    assert all(o.discussion_sessions.count() == 6 for o in offerings)
    accepted = Enrolment.objects.accepted().filter(offering__in=offerings)
    per_student = {}
    for student_id in accepted.values_list("student_id", flat=True):
        per_student[student_id] = per_student.get(student_id, 0) + 1
    assert set(per_student.values()) == {1, 2, 3, 4}
    assert len(per_student) >= 130  # 5 % of the students only have applications
    other_states = set(
        Enrolment.objects.filter(offering__in=offerings).values_list("status", flat=True)
    )
    assert other_states >= {EnrolmentStatus.ACCEPTED, EnrolmentStatus.APPLIED}
    for model in (Attendance, QuizAttempt, WatchedPart, ProjectGroup, Submission,
                  EnrolmentDecision, OutgoingMail):  # fmt: skip
        assert model.objects.exists(), model
    assert "Generated" in output and load_data.PASSWORD in output


def test_generated_data_keeps_the_services_rules():
    generate()
    offerings = generated_offerings()
    # Attendance only for accepted students, in sessions that have started.
    attendance = Attendance.objects.filter(session__offering__in=offerings)
    assert not attendance.exclude(enrolment__status=EnrolmentStatus.ACCEPTED).exists()
    held = DiscussionSession.objects.held()
    assert not attendance.exclude(session__in=held).exists()
    # Groups hold accepted students of their own offering, at most the group size.
    for group in ProjectGroup.objects.filter(offering__in=offerings).select_related("offering"):
        members = Membership.objects.filter(group=group).select_related("enrolment")
        assert 1 <= len(members) <= group.offering.group_size
        assert all(m.enrolment.offering_id == group.offering_id for m in members)
        assert all(m.enrolment.status == EnrolmentStatus.ACCEPTED for m in members)
    # Nothing is running in the offerings open for registration.
    upcoming = offerings.filter(status=OfferingStatus.REGISTRATION)
    assert not Attendance.objects.filter(session__offering__in=upcoming).exists()
    assert all(o.registration_state()[0] == "open" for o in upcoming)
    # The archived offerings are graded and signed off: everyone accepted has a grade.
    for offering in offerings.filter(status=OfferingStatus.ARCHIVED):
        sheet = grading_sheet.grade_sheet(offering)
        assert sheet.state.locked
        assert sheet.rows and not sheet.ungraded
        assert FinalGrade.objects.filter(enrolment__offering=offering).count() == len(sheet.rows)


def test_generated_offerings_pages_answer(client):
    generate()
    running = generated_offerings().filter(status=OfferingStatus.RUNNING).first()
    archived = generated_offerings().get(course=running.course, status=OfferingStatus.ARCHIVED)
    catalogue = client.get("/").content.decode()
    for course in Course.objects.filter(code__startswith="LOAD-"):
        assert course.title in catalogue
    for offering in (running, archived):
        base = offering.get_absolute_url()
        group = offering.project_groups.filter(proposal__status="accepted").first()
        for path in ["", "modules/", "modules/module-1/", "lectures/", "schedule/",
                     "schedule.ics", "announcements/", "announcements/feed/", "examination/",
                     "projects/", "presentations/", f"projects/{group.number}/"]:  # fmt: skip
            response = client.get(base + path)
            assert response.status_code == 200, base + path
        assert group.proposal.title in client.get(base + "projects/").content.decode()
    assert client.get(archived.get_absolute_url() + "projects/abstracts/").status_code == 200

    membership = Membership.objects.filter(group__offering=running).select_related(
        "enrolment__student"
    )[0]
    client.force_login(membership.enrolment.student)
    me = f"/me/{running.course.slug}/{running.slug}/"
    assert running.course.title in client.get("/me/").content.decode()
    for path in [me, me + "progress/", me + "attendance/", me + "group/"]:
        assert client.get(path).status_code == 200, path

    ta = running.staff.filter(role="ta", user__isnull=False).first().user
    client.force_login(ta)
    staff = running.get_absolute_url() + "staff/"
    name = membership.enrolment.student.full_name
    for path in ["attendance/", "projects/", "grades/", "progress/"]:
        response = client.get(staff + path)
        assert response.status_code == 200, path
        assert name in response.content.decode(), path
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/enrolment/").status_code == 200


def test_generate_load_data_keeps_the_demo(client):
    call_command("load_demo", stdout=StringIO())
    demo = Offering.objects.filter(course__slug="deep-learning")

    def demo_rows():
        return {
            "offerings": list(demo.order_by("pk").values()),
            "enrolments": list(Enrolment.objects.filter(offering__in=demo).order_by("pk").values()),
            "attendance": Attendance.objects.filter(session__offering__in=demo).count(),
            "grades": list(FinalGrade.objects.filter(enrolment__offering__in=demo).values()),
            "mails": OutgoingMail.objects.filter(offering__in=demo).count(),
        }

    before = demo_rows()
    generate()
    assert demo_rows() == before
    assert Course.objects.count() == 5
    # Log-ins are throttled per client (django-axes): authenticate() needs a request.
    assert client.login(
        request=HttpRequest(), username="student@example.org", password="demo-student-2016"
    )
    for path in ["/courses/deep-learning/2016/", "/me/", "/me/deep-learning/2016/"]:
        assert client.get(path).status_code == 200


def test_generate_load_data_refuses_to_run_twice():
    generate()
    counts = load_data.generated_counts()
    with pytest.raises(CommandError, match="generated data already"):
        generate()
    assert load_data.generated_counts() == counts


@override_settings(COURSESITE_ENVIRONMENT="production")
def test_generate_load_data_refuses_a_production_database_without_force():
    with pytest.raises(CommandError, match="production database"):
        generate()
    assert not Course.objects.exists()
    generate("--force")
    assert Course.objects.count() == 4


def test_generate_load_data_gives_the_same_data_for_the_same_seed():
    def fingerprint(seed):
        with transaction.atomic():
            generate("--seed", str(seed))
            rows = (
                list(Course.objects.order_by("code").values_list("code", "title")),
                list(
                    Enrolment.objects.order_by(
                        "student__email", "offering__course__code", "offering__slug"
                    ).values_list("student__email", "offering__course__code", "status", "level")
                ),
                Attendance.objects.filter(status="present").count(),
                sorted(FinalGrade.objects.values_list("enrolment__student__email", "grade")),
            )
            transaction.set_rollback(True)
        return rows

    first = fingerprint(7)
    assert User.objects.count() == 0  # rolled back
    assert fingerprint(7) == first
    assert fingerprint(8) != first


def test_database_check_compares_with_the_sizes_asked():
    generate()
    attendance = Attendance.objects.count()
    output = generate("--database-check")  # the data is there: only checked
    assert "has the sizes asked for" in output
    assert Attendance.objects.count() == attendance
    with pytest.raises(CommandError, match="4 generated courses, asked for 5"):
        call_command(
            "generate_load_data", *SMALL[2:], "--courses", "5", "--database-check",
            stdout=StringIO(),
        )  # fmt: skip
