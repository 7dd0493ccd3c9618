"""The grading pages: who may see them, what they show, what their forms do, their queries."""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Enrolment, OutgoingMail
from projects.models import Membership, ProjectGroup
from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.grading.exports import write_records_csv
from sessions.models import (
    FinalGrade,
    GradeChange,
    ProjectAssessment,
    ResultsEvent,
)
from tests.conftest import offering_url
from tests.factories import EnrolmentFactory, StaffFactory, UserFactory
from tests.factories.classroom import build_class, levels_for
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db

SHEET = "staff/grades/"


@pytest.fixture
def responsible(offering):
    user = UserFactory(full_name="Rita Responsible")
    StaffFactory(offering=offering, user=user, name=user.full_name, role="responsible")
    return user


# Who may see what -------------------------------------------------------------------------

PAGES = [
    SHEET,
    SHEET + "?format=csv",
    SHEET + "?format=xlsx",
    SHEET + "students/{enrolment}/",
    SHEET + "projects/{group}/",
]
ACTIONS = ["setup/", "accept/", "sign-off/", "unlock/"]


@pytest.fixture
def graded_student(offering, ta):
    enrolment = build_class(offering, 1, ta=ta)[0]
    return enrolment


@pytest.fixture
def peer(offering, ta, graded_student):
    """A student of the same offering in another group."""
    return build_class(offering, 1, ta=ta)[0].student


def urls(offering, enrolment):
    group = enrolment.membership.group.number
    return [offering_url(offering, p.format(enrolment=enrolment.pk, group=group)) for p in PAGES]


def test_anonymous_visitors_are_sent_to_log_in(client, offering, graded_student):
    for url in urls(offering, graded_student):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["student", "other_student", "other_ta", "graded", "peer"])
def test_everyone_but_the_offering_staff_gets_404(client, offering, graded_student, who, request):
    user = graded_student.student if who == "graded" else request.getfixturevalue(who)
    client.force_login(user)
    for url in urls(offering, graded_student):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["ta", "superuser"])
def test_the_offering_staff_see_every_grading_page(client, offering, graded_student, who, request):
    client.force_login(request.getfixturevalue(who))
    name = graded_student.student.full_name
    for url in urls(offering, graded_student):
        response = client.get(url)
        assert response.status_code == 200, url
        if "xlsx" in url:
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert sheet["A2"].value == name
        else:
            assert name in response.content.decode("utf-8-sig"), url


@pytest.mark.parametrize(
    "who", ["anonymous", "student", "other_student", "other_ta", "graded", "peer"]
)
@pytest.mark.parametrize("action", ACTIONS)
def test_nobody_outside_the_staff_can_use_the_grading_forms(
    client, offering, graded_student, who, action, request
):
    if who == "graded":
        client.force_login(graded_student.student)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    enrolment, group = graded_student, graded_student.membership.group
    posts = [
        (offering_url(offering, SHEET + action), {"reason": "x"}),
        (offering_url(offering, f"{SHEET}students/{enrolment.pk}/"), {"grade": "5", "reason": "x"}),
        (offering_url(offering, f"{SHEET}projects/{group.number}/"), {"grade": "5"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if who == "anonymous" else 404), url
    assert not FinalGrade.objects.exists()
    assert not ResultsEvent.objects.exists()
    assert set(ProjectAssessment.objects.values_list("grade", flat=True)) == {4}
    assert ProjectAssessment.objects.filter(group=group).count() == 1


def test_a_student_of_another_offering_is_404_on_this_sheet(client, offering, other_offering, ta):
    """A TA cannot open another offering's student through this offering's address."""
    stranger = build_class(other_offering, 1, ta=ta)[0]
    build_class(offering, 1, ta=ta)
    client.force_login(ta)
    assert client.get(offering_url(offering, f"{SHEET}students/{stranger.pk}/")).status_code == 404


# The grade sheet ----------------------------------------------------------------------------


def test_sheet_shows_conditions_proposals_and_filters(client, offering, ta):
    build_class(offering, 3, ta=ta)
    late = build_class(offering, 1, ta=ta, attended=7)[0]  # 7 of 10 sessions: 70 %
    client.force_login(ta)
    page = client.get(offering_url(offering, SHEET)).content.decode()
    assert "4 students: 3 eligible, 0 graded." in page
    assert "Attendance: 70 %, needs 80 %" in page
    assert "Accept 4 proposed grades" in page
    missing = client.get(offering_url(offering, SHEET + "?filter=missing")).content.decode()
    assert late.student.full_name in missing
    assert "Student 0000" not in missing
    phd = client.get(offering_url(offering, SHEET + "?level=phd")).content.decode()
    assert "Student 0000" in phd and "Student 0001" not in phd


def test_sheet_offers_the_default_scales_and_rubric_until_they_exist(client, offering, ta):
    client.force_login(ta)
    page = client.get(offering_url(offering, SHEET)).content.decode()
    assert "no grading scales and no project rubric yet" in page
    assert "No student is enrolled yet." in page
    response = client.post(offering_url(offering, SHEET + "setup/"), follow=True)
    assert "Created 2 grading scales and the rubric" in response.content.decode()
    assert offering.grading_scales.count() == 2
    assert offering.rubric.criteria.count() == 4
    assert "no grading scales" not in response.content.decode()


def test_accepting_proposals_grades_everyone_with_one(client, offering, ta):
    enrolments = build_class(offering, 4, ta=ta)
    client.force_login(ta)
    response = client.post(offering_url(offering, SHEET + "accept/"), follow=True)
    assert "4 students got the proposed grade." in response.content.decode()
    grades = dict(FinalGrade.objects.values_list("enrolment__level", "grade").distinct())
    assert grades == {"msc": "4", "phd": "VG"}
    assert GradeChange.objects.filter(changed_by=ta).count() == len(enrolments)


def test_only_the_course_responsible_signs_off(client, offering, ta, responsible):
    enrolments = build_class(offering, 2, ta=ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    client.force_login(ta)
    page = client.get(offering_url(offering, SHEET)).content.decode()
    assert "Sign off the results" not in page
    assert client.post(offering_url(offering, SHEET + "sign-off/")).status_code == 403
    assert not ResultsEvent.objects.exists()

    client.force_login(responsible)
    response = client.post(offering_url(offering, SHEET + "sign-off/"), follow=True)
    assert "The results are signed off and locked; 2 result mails queued." in (
        response.content.decode()
    )
    assert OutgoingMail.objects.filter(kind="result").count() == len(enrolments)
    assert "Signed off" in response.content.decode()


def test_sign_off_with_ungraded_students_names_them_and_changes_nothing(
    client, offering, ta, responsible
):
    build_class(offering, 2, ta=ta)
    client.force_login(responsible)
    response = client.post(offering_url(offering, SHEET + "sign-off/"), follow=True)
    assert "2 students have no grade yet: Student 0000, Student 0001." in (
        response.content.decode()
    )
    assert not ResultsEvent.objects.exists()
    assert not OutgoingMail.objects.filter(kind="result").exists()


def test_unlock_needs_a_reason(client, offering, ta, responsible):
    build_class(offering, 1, ta=ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=responsible)
    client.force_login(responsible)
    response = client.post(offering_url(offering, SHEET + "unlock/"), {"reason": " "}, follow=True)
    assert "Say why the results are unlocked" in response.content.decode()
    assert grading_sheet.current_results_state(offering).locked
    response = client.post(
        offering_url(offering, SHEET + "unlock/"), {"reason": "Re-examination"}, follow=True
    )
    assert "The results are unlocked" in response.content.decode()
    assert "Unlocked" in response.content.decode() and "Re-examination" in response.content.decode()
    assert not grading_sheet.current_results_state(offering).locked


# Exports ------------------------------------------------------------------------------------


def signed_off_class(offering, ta, responsible):
    enrolments = build_class(offering, 3, ta=ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=responsible)
    return enrolments


def test_csv_export_has_the_records_columns(client, offering, ta, responsible):
    offering.course.code = "FDAT010"
    offering.course.save()
    signed_off_class(offering, ta, responsible)
    client.force_login(ta)
    response = client.get(offering_url(offering, SHEET + "?format=csv"))
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="results-FDAT010-{offering.slug}.csv"'
    )
    assert response.content.startswith("\ufeff".encode())  # Excel then reads Ågren right
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    today = timezone.localdate().isoformat()
    assert rows[0] == ["Student name", "Email", "Level", "Course code", "Grade", "Examination date"]
    assert rows[1] == [
        "Student 0000",
        f"s0-{offering.pk}@example.org",
        "PhD",
        "FDAT010",
        "VG",
        today,
    ]
    assert rows[2][2:] == ["MSc", "FDAT010", "4", today]
    assert len(rows) == 4


def test_xlsx_export_parses_back(client, offering, ta, responsible):
    signed_off_class(offering, ta, responsible)
    client.force_login(ta)
    response = client.get(offering_url(offering, SHEET + "?format=xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:5] == ("Student name", "Email", "Level", "Course code", "Grade")
    assert [v[4] for v in values[1:]] == ["VG", "4", "4"]
    assert values[1][5].date() == timezone.localdate()


def test_export_before_sign_off_is_marked_preliminary(client, offering, ta):
    build_class(offering, 1, ta=ta)
    client.force_login(ta)
    response = client.get(offering_url(offering, SHEET + "?format=csv"))
    assert "preliminary" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4:] == ["", ""]  # no grade, no examination date yet


def test_a_formula_in_a_name_stays_text_in_both_exports(client, offering, ta, responsible):
    enrolment = signed_off_class(offering, ta, responsible)[0]
    enrolment.student.full_name = "=HYPERLINK(1)"
    enrolment.student.save()
    client.force_login(ta)
    text = client.get(offering_url(offering, SHEET + "?format=csv")).content.decode()
    assert "'=HYPERLINK(1)" in text
    book = load_workbook(
        io.BytesIO(client.get(offering_url(offering, SHEET + "?format=xlsx")).content)
    )
    # Excel cells are typed: the name is a text cell, kept as written, not a formula.
    assert (book.active["A2"].value, book.active["A2"].data_type) == ("=HYPERLINK(1)", "s")


def test_grade_report_command(offering, ta, responsible, tmp_path):
    signed_off_class(offering, ta, responsible)
    out = io.StringIO()
    call_command("grade_report", f"{offering.course.slug}/{offering.slug}", stdout=out)
    table = out.getvalue()
    assert "3 students, results signed off" in table
    assert "Student 0000  PhD    VG        VG" in table
    out = io.StringIO()
    call_command("grade_report", f"{offering.course.slug}/{offering.slug}", "--csv", stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][4] == "VG"
    target = tmp_path / "results.xlsx"
    call_command(
        "grade_report", f"{offering.course.slug}/{offering.slug}", "--xlsx", "-o", str(target),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert [row[4] for row in load_workbook(target).active.values][1:] == ["VG", "4", "4"]


def test_grade_report_refuses_an_unknown_offering(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nope"):
        call_command("grade_report", "nope/2016")


# One student's grade ----------------------------------------------------------------------


def test_ta_sets_a_grade_and_the_history_shows_it(client, offering, ta):
    enrolment = build_class(offering, 1, ta=ta, phd_every=0)[0]
    url = offering_url(offering, f"{SHEET}students/{enrolment.pk}/")
    client.force_login(ta)
    page = client.get(url).content.decode()
    assert "Proposed: <strong>4</strong>" in page
    response = client.post(url, {"grade": "4", "reason": ""}, follow=True)
    assert "Student 0000&#x27;s grade is now 4." in response.content.decode()
    response = client.post(url, {"grade": "5", "reason": "Outstanding questions answered"})
    page = client.get(url).content.decode()
    assert "4 → 5" in page and "Outstanding questions answered" in page
    assert list(GradeChange.objects.values_list("old_grade", "new_grade")) == [
        ("", "4"),
        ("4", "5"),
    ]


@pytest.mark.parametrize(
    ("grade", "reason", "message"),
    [
        ("VG", "", "“VG” is not a grade of the MSc scale (U, 3, 4, 5)."),
        ("5", "", "The proposed grade for Student 0000 is 4; give a reason for 5."),
        ("", "", "“” is not a grade of the MSc scale"),
    ],
)
def test_bad_grades_are_refused_with_the_form_kept(client, offering, ta, grade, reason, message):
    enrolment = build_class(offering, 1, ta=ta, phd_every=0)[0]
    client.force_login(ta)
    response = client.post(
        offering_url(offering, f"{SHEET}students/{enrolment.pk}/"),
        {"grade": grade, "reason": reason},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FinalGrade.objects.exists()


def test_a_pass_for_an_ineligible_student_needs_a_reason(client, offering, ta):
    enrolment = build_class(offering, 1, ta=ta, attended=7, phd_every=0)[0]
    url = offering_url(offering, f"{SHEET}students/{enrolment.pk}/")
    client.force_login(ta)
    response = client.post(url, {"grade": "3", "reason": ""})
    assert response.status_code == 400
    assert (
        "is not eligible (Attendance: 70 %, needs 80 %). Give a reason" in response.content.decode()
    )
    assert not FinalGrade.objects.exists()
    client.post(url, {"grade": "3", "reason": "Illness, certificate on file"})
    grade = FinalGrade.objects.get()
    assert (grade.grade, grade.proposed, grade.reason) == ("3", "U", "Illness, certificate on file")


def test_after_sign_off_the_grade_form_is_gone_and_posts_are_refused(
    client, offering, ta, responsible
):
    enrolment = signed_off_class(offering, ta, responsible)[1]
    url = offering_url(offering, f"{SHEET}students/{enrolment.pk}/")
    client.force_login(ta)
    page = client.get(url).content.decode()
    assert "Save grade" not in page
    response = client.post(url, {"grade": "5", "reason": "late change"})
    assert response.status_code == 400
    assert "signed off" in response.content.decode()
    assert FinalGrade.objects.get(enrolment=enrolment).grade == "4"


# Project assessment -----------------------------------------------------------------------


def test_ta_assesses_a_project_with_the_rubric(client, offering, ta):
    grading_services.grading_setup_defaults(offering=offering)
    enrolment = EnrolmentFactory(offering=offering, status="accepted")
    group = ProjectGroup.objects.create(offering=offering, number=1)
    Membership.objects.create(group=group, enrolment=enrolment)
    url = offering_url(offering, f"{SHEET}projects/1/")
    client.force_login(ta)
    page = client.get(url).content.decode()
    assert "Topics covered" in page and "Save my assessment" in page
    data = {f"criterion-{c}": lv for c, lv in levels_for(offering, 2).items()}
    response = client.post(url, data, follow=True)
    assert "Your assessment of Group 1 is saved: project grade 4." in response.content.decode()
    assessment = ProjectAssessment.objects.get()
    assert (assessment.assessor, assessment.grade, assessment.suggested) == (ta, 4, 4)
    data["grade"] = "5"
    response = client.post(url, data, follow=True)
    assert "project grade 5 (the rubric suggests 4)." in response.content.decode()


def test_an_incomplete_rubric_is_refused_and_the_choices_kept(client, offering, ta):
    grading_services.grading_setup_defaults(offering=offering)
    ProjectGroup.objects.create(offering=offering, number=1)
    chosen = levels_for(offering, 3)
    first_criterion = min(chosen)
    del chosen[first_criterion]
    client.force_login(ta)
    response = client.post(
        offering_url(offering, f"{SHEET}projects/1/"),
        {f"criterion-{c}": lv for c, lv in chosen.items()},
    )
    assert response.status_code == 400
    assert "Choose a level for “Topics covered”." in response.content.decode()
    some_level = next(iter(chosen.values()))
    assert f'value="{some_level}" checked' in response.content.decode()
    assert not ProjectAssessment.objects.exists()


def test_a_second_assessor_sees_the_disagreement(client, offering, ta):
    build_class(offering, 4, ta=ta)
    second = UserFactory(full_name="Second Assessor")
    StaffFactory(offering=offering, user=second, name=second.full_name)
    client.force_login(second)
    url = offering_url(offering, f"{SHEET}projects/1/")
    client.post(url, {f"criterion-{c}": lv for c, lv in levels_for(offering, 1).items()})
    page = client.get(url).content.decode()
    assert "The assessors give different project grades" in page
    assert "assessors differ" in page
    sheet = client.get(offering_url(offering, SHEET)).content.decode()
    assert "assessors disagree (4 vs 3)" in sheet or "assessors disagree (3 vs 4)" in sheet


# The student's page -----------------------------------------------------------------------


def test_student_sees_conditions_before_and_the_grade_after_sign_off(
    client, offering, ta, responsible
):
    enrolment = build_class(offering, 1, ta=ta, phd_every=1)[0]
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    client.force_login(enrolment.student)
    page = client.get(f"/me/{offering.course.slug}/{offering.slug}/").content.decode()
    assert "Your grade shows here when the course responsible has signed off" in page
    assert "You meet every condition for a pass" in page
    assert "Your result" not in page and "Pass with distinction" not in page
    grading_services.results_sign_off(offering=offering, by=responsible)
    page = client.get(f"/me/{offering.course.slug}/{offering.slug}/").content.decode()
    assert "Your result, signed off" in page
    assert ">VG <span" in page and "Pass with distinction" in page


def test_student_sees_what_is_missing(client, offering, ta):
    enrolment = build_class(offering, 1, ta=ta, attended=5)[0]
    client.force_login(enrolment.student)
    page = client.get(f"/me/{offering.course.slug}/{offering.slug}/").content.decode()
    assert "A condition for passing is missing." in page
    assert "50 %, needs 80 %" in page


# Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("students", [20, 200])
def test_grade_sheet_page_query_count_is_fixed(
    client, django_assert_num_queries, offering, ta, responsible, students
):
    """Every kind of row: disagreeing assessors, an override with a reason, a student in no
    group, PhD and MSc, low attendance; before and after the sign-off."""
    enrolments = build_class(offering, students - 2, ta=ta)
    build_class(offering, 1, ta=ta, attended=5)  # below the threshold
    loner = EnrolmentFactory(offering=offering, status="accepted")  # in no group
    second = UserFactory(full_name="Second Assessor")
    StaffFactory(offering=offering, user=second, name=second.full_name)
    first_group = enrolments[0].membership.group
    grading_services.assessment_save(
        group=first_group, assessor=second, level_ids=levels_for(offering, 1), grade=None
    )
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    for member in first_group.memberships.all():
        grading_services.grade_set(
            enrolment=member.enrolment, grade="U", reason="Settled: U", by=ta
        )
    grading_services.grade_set(enrolment=enrolments[5], grade="U", reason="Plagiarism", by=ta)
    client.force_login(ta)
    # Log-in and offering (4), the grade sheet (12), the sign-off right and the rubric (2),
    # the recent exports (1), and how long to keep the page (tests/page_keeping.py) ...
    cache.clear()
    with django_assert_num_queries(21 + KEEPING):
        response = client.get(offering_url(offering, SHEET))
    page = response.content.decode()
    # ... and then the grade sheet and its table come from the cache (course/caching.py).
    with django_assert_num_queries(6):
        again = client.get(offering_url(offering, SHEET)).content.decode()
    assert again.count("/staff/grades/students/") == page.count("/staff/grades/students/")
    # Now that the browser has its CSRF cookie, the whole page is the teacher's own, kept:
    # the user only (accounts.pages.PersonalPageMixin).
    with django_assert_num_queries(1):
        kept = client.get(offering_url(offering, SHEET))
    assert kept["X-Page-Cache"] == "hit" and kept.content.decode() == again
    assert loner.student.full_name in again
    assert page.count("/staff/grades/students/") >= students
    assert "disagree" in page and "override" in page and "no group" in page
    assert loner.student.full_name in page
    assert "Not signed off" in again
    grading_services.results_sign_off(offering=offering, by=responsible)
    signed = client.get(offering_url(offering, SHEET)).content.decode()  # the cache follows
    assert "Not signed off" not in signed and "Signed off" in signed


@pytest.mark.parametrize("students", [20, 200])
def test_exports_query_count_is_fixed(client, django_assert_num_queries, offering, ta, students):
    build_class(offering, students, ta=ta)
    client.force_login(ta)
    # 16, and one to count the students (more than EXPORT_INLINE_MAX_STUDENTS: the worker).
    client.get(offering_url(offering, SHEET + "?format=csv"))  # fills the offering's cache
    with django_assert_num_queries(14):
        response = client.get(offering_url(offering, SHEET + "?format=csv"))
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == students + 1
    with django_assert_num_queries(14):
        response = client.get(offering_url(offering, SHEET + "?format=xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == students + 1


@pytest.mark.parametrize("students", [4, 40])
def test_student_and_project_pages_query_counts_are_fixed(
    client, django_assert_num_queries, offering, ta, students
):
    enrolment = build_class(offering, students, ta=ta)[0]
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    client.force_login(ta)
    client.get(offering_url(offering, f"{SHEET}students/{enrolment.pk}/"))  # fills the cache
    with django_assert_num_queries(15):
        page = client.get(offering_url(offering, f"{SHEET}students/{enrolment.pk}/"))
    assert "Current: <strong" in page.content.decode()  # the grade is shown
    with django_assert_num_queries(12):
        page = client.get(offering_url(offering, f"{SHEET}projects/1/")).content.decode()
    assert page.count("/staff/grades/students/") == 4  # the group's four members


@pytest.mark.parametrize("courses", [1, 10])
def test_my_courses_shows_signed_off_results_in_fixed_queries(
    client, django_assert_num_queries, ta, courses
):
    """A student's list of courses shows each signed-off result: two queries for all."""
    from tests.factories import OfferingFactory

    student = UserFactory(full_name="Many Courses")
    for i in range(courses):
        offering = OfferingFactory()
        StaffFactory(offering=offering, user=ta, role="responsible")
        enrolment = build_class(offering, 1, ta=ta, phd_every=0)[0]
        Enrolment.objects.filter(pk=enrolment.pk).update(student=student)
        grading_services.grades_accept_proposed(offering=offering, by=ta)
        if i % 2 == 0:
            grading_services.results_sign_off(offering=offering, by=ta)
    client.force_login(student)
    client.get("/me/")  # the first visit makes the calendar token
    with django_assert_num_queries(6):
        page = client.get("/me/").content.decode()
    assert page.count("Result: 4") == (courses + 1) // 2  # only the signed-off ones


def test_sheet_lists_projects_to_assess_and_the_assessment_page_steps_through_them(
    client, offering, ta
):
    build_class(offering, 8, ta=ta)  # groups 1 and 2, assessed by the TA
    build_class(offering, 4, ta=ta, assess=False)  # group 3, not assessed
    client.force_login(ta)
    page = " ".join(client.get(offering_url(offering, SHEET)).content.decode().split())
    assert "<strong>Projects:</strong> 2 of 3 assessed (2 by you)." in page
    assert (
        f'Not assessed yet: <a href="{offering_url(offering, SHEET)}projects/3/">Group 3</a>.'
        in (page)
    )
    middle = client.get(offering_url(offering, f"{SHEET}projects/2/")).content.decode()
    assert "← Group 1" in middle and "Group 3 →" in middle
    last = client.get(offering_url(offering, f"{SHEET}projects/3/")).content.decode()
    assert "← Group 2" in last and "→" not in last.split("Other projects")[1].split("</nav>")[0]


def test_a_large_grade_sheet_is_shown_a_page_of_students_at_a_time(client, offering, ta):
    from sessions.grading.views import GradeSheetView

    per_page = GradeSheetView.ROWS_PER_PAGE
    EnrolmentFactory.create_batch(per_page + 3, offering=offering, status="accepted")
    client.force_login(ta)
    first = client.get(offering_url(offering, SHEET)).content.decode()
    assert first.count('<th scope="row"') == per_page
    assert f"Students 1–{per_page} of {per_page + 3}" in first
    assert f"{per_page + 3} students:" in first  # the summary counts all
    second = client.get(offering_url(offering, SHEET) + "?filter=&level=&page=2").content.decode()
    assert second.count('<th scope="row"') == 3
    assert "Previous" in second and "Next" not in second
    # A page past the end shows the last one, not an error.
    assert client.get(offering_url(offering, SHEET) + "?page=99").status_code == 200


# Languages ----------------------------------------------------------------------------------


def test_the_kept_grade_sheet_is_kept_per_language(offering, ta):
    """The conditions and proposal notes are worded when the sheet is made: a sheet made for
    a Swedish page is not shown on an English one, nor the other way round."""
    build_class(offering, 2, ta=ta)
    with translation.override("en-gb"):
        grading_sheet.grade_sheet_shown(offering)  # made and kept
    with CaptureQueriesContext(connection) as kept, translation.override("en-gb"):
        grading_sheet.grade_sheet_shown(offering)
    with CaptureQueriesContext(connection) as made, translation.override("sv"):
        grading_sheet.grade_sheet_shown(offering)
    assert len(made) > len(kept)


def test_the_records_export_is_the_same_in_every_language(offering, ta, responsible):
    """A fixed format for the records office, made by a request or by the task worker."""
    signed_off_class(offering, ta, responsible)
    sheet = grading_sheet.grade_sheet(offering)
    files = {}
    for language in ("en-gb", "sv"):
        out = io.StringIO()
        with translation.override(language):
            write_records_csv(out, sheet)
        files[language] = out.getvalue()
    assert files["sv"] == files["en-gb"]
    assert files["sv"].startswith("Student name,Email,Level,Course code,Grade,Examination date")
