"""What must not move under signed-off or given grades: who signs off, the scales and rubric,
enrolments, and grades whose conditions changed since they were set."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import OutgoingMail
from accounts.services import enrolment_decide, enrolment_withdraw
from course.models import Staff
from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.models import FinalGrade, GradingScale, ResultsEvent, RubricLevel
from tests.factories import EnrolmentFactory, StaffFactory, UserFactory
from tests.factories.classroom import build_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def responsible(offering):
    user = UserFactory(full_name="Rita Responsible")
    StaffFactory(offering=offering, user=user, name=user.full_name, role="responsible")
    return user


@pytest.fixture
def signed_off(offering, ta, responsible):
    enrolments = build_class(offering, 4, ta=ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=responsible)
    return enrolments


def offering_form(offering, staff_rows):
    data = {
        "course": offering.course_id, "name": offering.name, "slug": offering.slug,
        "status": offering.status, "start_date": offering.start_date,
        "end_date": offering.end_date, "attendance_threshold": 80, "group_size": 2,
        "excused_absences": "removed", "quiz_pass_percent": 50,
        "programme_question": "required", "motivation_question": "optional",
        "teaching_language": "en-gb",
        "staff-TOTAL_FORMS": len(staff_rows), "staff-INITIAL_FORMS": len(staff_rows),
        "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0,
    }  # fmt: skip
    for i, (staff, role) in enumerate(staff_rows):
        data |= {
            f"staff-{i}-id": staff.pk, f"staff-{i}-offering": offering.pk,
            f"staff-{i}-order": staff.order, f"staff-{i}-name": staff.name,
            f"staff-{i}-role": role, f"staff-{i}-email": staff.email,
        }  # fmt: skip
    return data


# Who signs off -----------------------------------------------------------------------------


def test_a_ta_cannot_make_themselves_course_responsible_in_the_offering_form(client, offering, ta):
    own = Staff.objects.get(user=ta)
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_offering_change", args=[offering.pk]),
        offering_form(offering, [(own, "responsible")]),
    )
    assert response.status_code == 200
    assert "only administrators change their role" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "ta"
    assert not ta.has_perm("discussions.sign_off_results", offering)


def test_a_ta_cannot_change_their_role_on_the_staff_page(client, offering, ta):
    own = Staff.objects.get(user=ta)
    client.force_login(ta)
    url = reverse("admin:course_staff_change", args=[own.pk])
    assert 'name="role"' not in client.get(url).content.decode()
    client.post(url, {"name": own.name, "role": "responsible", "order": 0, "email": own.email})
    own.refresh_from_db()
    assert own.role == "ta"


def test_an_administrator_may_change_a_role(client, offering, ta, superuser):
    own = Staff.objects.get(user=ta)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:course_offering_change", args=[offering.pk]),
        offering_form(offering, [(own, "responsible")]) | {"staff-0-user": ta.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ta.has_perm("discussions.sign_off_results", offering)


# Scales and rubric -----------------------------------------------------------------------


def scale_form(scale, changes=None, delete=None):
    grades = list(scale.grades.order_by("equivalent"))
    data = {
        "offering": scale.offering_id, "level": scale.level, "name": scale.name,
        "grades-TOTAL_FORMS": len(grades), "grades-INITIAL_FORMS": len(grades),
        "grades-MIN_NUM_FORMS": 0, "grades-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, grade in enumerate(grades):
        data |= {
            f"grades-{i}-id": grade.pk, f"grades-{i}-scale": scale.pk,
            f"grades-{i}-code": (changes or {}).get(grade.code, grade.code),
            f"grades-{i}-label": grade.label, f"grades-{i}-equivalent": grade.equivalent,
        }  # fmt: skip
        if grade.passing:
            data[f"grades-{i}-passing"] = "on"
        if grade.code == delete:
            data[f"grades-{i}-DELETE"] = "on"
    return data


def test_scales_and_rubric_are_read_only_once_signed_off(client, offering, ta, signed_off):
    scale = GradingScale.objects.get(offering=offering, level="phd")
    level = RubricLevel.objects.filter(criterion__rubric__offering=offering).first()
    client.force_login(ta)
    url = reverse("admin:discussions_gradingscale_change", args=[scale.pk])
    assert 'name="grades-0-code"' not in client.get(url).content.decode()
    assert client.post(url, scale_form(scale, {"VG": "VG+"})).status_code == 403
    criterion_url = reverse("admin:discussions_rubriccriterion_change", args=[level.criterion_id])
    page = client.get(criterion_url).content.decode()
    assert level.criterion.name in page and 'name="levels-0-label"' not in page
    levels = list(level.criterion.levels.order_by("points"))
    data = {
        "rubric": level.criterion.rubric_id, "order": 0, "name": level.criterion.name,
        "levels-TOTAL_FORMS": len(levels), "levels-INITIAL_FORMS": len(levels),
        "levels-MIN_NUM_FORMS": 0, "levels-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, lv in enumerate(levels):
        data |= {f"levels-{i}-id": lv.pk, f"levels-{i}-criterion": lv.criterion_id,
                 f"levels-{i}-points": lv.points, f"levels-{i}-label": "Changed"}  # fmt: skip
    assert client.post(criterion_url, data).status_code == 403
    assert not RubricLevel.objects.filter(label="Changed").exists()
    assert sorted(scale.grades.values_list("code", flat=True)) == ["G", "U", "VG"]
    assert grading_sheet.grade_sheet(offering).ungraded == []


def test_a_grade_students_have_cannot_be_renamed_or_removed(client, offering, ta):
    build_class(offering, 1, ta=ta, phd_every=1)  # one PhD student, graded VG
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    scale = GradingScale.objects.get(offering=offering, level="phd")
    url = reverse("admin:discussions_gradingscale_change", args=[scale.pk])
    client.force_login(ta)
    for data in (scale_form(scale, {"VG": "VG+"}), scale_form(scale, delete="VG")):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Students have the grade “VG”" in response.content.decode()
    assert sorted(scale.grades.values_list("code", flat=True)) == ["G", "U", "VG"]
    # An unused grade may be renamed.
    assert client.post(url, scale_form(scale, {"G": "P"})).status_code == 302
    assert sorted(scale.grades.values_list("code", flat=True)) == ["P", "U", "VG"]


# Enrolments ------------------------------------------------------------------------------


def test_a_graded_student_cannot_withdraw_after_sign_off(client, offering, signed_off):
    enrolment = signed_off[1]
    with pytest.raises(ValidationError, match="signed off, so enrolments no longer change"):
        enrolment_withdraw(enrolment=enrolment, by=enrolment.student)
    client.force_login(enrolment.student)
    mails = OutgoingMail.objects.count()
    response = client.post(f"/me/{offering.course.slug}/{offering.slug}/withdraw/", follow=True)
    assert "signed off, so enrolments no longer change" in response.content.decode()
    assert OutgoingMail.objects.count() == mails
    page = client.get(f"/me/{offering.course.slug}/{offering.slug}/").content.decode()
    assert "Withdraw my enrolment" not in page
    assert "Your result, signed off" in page
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"


def test_nobody_is_accepted_into_signed_off_results(offering, ta, signed_off):
    waiting = EnrolmentFactory(offering=offering, status="waitlisted")
    with pytest.raises(ValidationError, match="signed off"):
        enrolment_decide(enrolment=waiting, status="accepted", by=ta)
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert grading_sheet.grade_sheet(offering).ungraded == []


# Grades whose conditions changed -------------------------------------------------------------


def test_sign_off_refuses_a_pass_that_the_conditions_no_longer_support(offering, ta, responsible):
    enrolments = build_class(offering, 4, ta=ta, phd_every=0)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    group = enrolments[0].membership.group
    group.presented = False  # recorded after the grades were accepted
    group.save()
    with pytest.raises(ValidationError) as excinfo:
        grading_services.results_sign_off(offering=offering, by=responsible)
    message = " ".join(excinfo.value.messages)
    assert message.startswith("4 grades no longer match the conditions")
    assert "Student 0000 has 4, proposed now U" in message
    assert not ResultsEvent.objects.exists()
    assert not OutgoingMail.objects.filter(kind="result").exists()
    # A reason settles it: the examiner decides the group's absence was excused.
    for enrolment in enrolments:
        grading_services.grade_set(enrolment=enrolment, grade="4", reason="Presented later", by=ta)
    assert grading_services.results_sign_off(offering=offering, by=responsible) == 4


def test_accepting_again_after_an_unlock_keeps_what_was_mailed(offering, ta, responsible):
    enrolment = build_class(offering, 1, ta=ta, phd_every=1)[0]
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=responsible)
    grading_services.results_unlock(offering=offering, by=responsible, reason="Scale corrected")
    # The VG grade is given up for a new code; the student's row must be graded again.
    scale = GradingScale.objects.get(offering=offering, level="phd")
    scale.grades.filter(code="VG").update(code="VG2")
    assert grading_services.grades_accept_proposed(offering=offering, by=ta) == 1
    final = FinalGrade.objects.get(enrolment=enrolment)
    assert (final.grade, final.notified_grade) == ("VG2", "VG")
    assert grading_services.results_sign_off(offering=offering, by=responsible) == 1
    mails = OutgoingMail.objects.filter(kind="result").order_by("pk")
    assert [m.subject.split("] ")[1] for m in mails] == [
        "Your result: VG",
        "Your result has changed: VG2",
    ]
