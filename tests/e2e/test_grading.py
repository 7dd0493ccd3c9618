"""Grading in Chromium: a TA assesses a project and grades, the responsible signs off, the
student sees the result only afterwards."""

import pytest
from playwright.sync_api import expect

from sessions.models import FinalGrade, ProjectAssessment
from tests.e2e.helpers import PHONE
from tests.factories import OfferingFactory, StaffFactory, UserFactory
from tests.factories.classroom import build_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = "/courses/deep-learning/2016/staff/grades/"
MY_PAGE = "/me/deep-learning/2016/"


@pytest.fixture
def course(transactional_db):
    offering = OfferingFactory(
        course__title="Deep Learning", course__slug="deep-learning", slug="2016"
    )
    ta = UserFactory(full_name="Olof Mogren")
    StaffFactory(offering=offering, user=ta, name=ta.full_name)
    responsible = UserFactory(full_name="Rita Responsible")
    StaffFactory(
        offering=offering, user=responsible, name=responsible.full_name, role="responsible"
    )
    # Four students in one group, not assessed yet; the first is a PhD student.
    students = build_class(offering, 4, ta=ta, assess=False)
    return offering, ta, responsible, students


def test_ta_grades_and_the_student_sees_the_result_after_sign_off(login, course, screenshot_dir):
    _, ta, responsible, students = course
    phd, msc = students[0], students[1]

    # The student sees the conditions, and no grade, before sign-off.
    student = login(msc.student, MY_PAGE, viewport=PHONE)
    expect(student.get_by_text("Your grade shows here when the course responsible")).to_be_visible()
    expect(student.get_by_text("You meet every condition for a pass")).to_be_visible()

    # The TA assesses group 1 with the rubric: two points on every criterion suggest a 4.
    page = login(ta, SHEET)
    expect(page.get_by_text("4 students: 4 eligible, 0 graded.")).to_be_visible()
    page.get_by_role("link", name="Group 1").first.click()
    expect(page.get_by_role("heading", name="Group 1")).to_be_visible()
    for label in [
        "2 – Three topics, combined",
        "2 – Choices motivated and results analysed",
        "2 – Well written with good figures",
        "2 – Clear and well timed",
    ]:
        page.get_by_label(label).check()
    page.get_by_label("Comment for the staff").fill("Solid work on three modules.")
    page.screenshot(path=screenshot_dir / "grading-assessment.png", full_page=True)
    page.get_by_role("button", name="Save my assessment").click()
    expect(
        page.get_by_text("Your assessment of Group 1 is saved: project grade 4.")
    ).to_be_visible()
    assert ProjectAssessment.objects.get().grade == 4

    # Back on the sheet the proposals are 4 (MSc) and VG (PhD); the TA accepts them.
    page.get_by_role("link", name="Grades").first.click()
    page.get_by_role("button", name="Accept 4 proposed grades").click()
    expect(page.get_by_text("4 students got the proposed grade.")).to_be_visible()
    assert FinalGrade.objects.get(enrolment=phd).grade == "VG"

    # One grade is overridden with a reason on the student's page.
    page.get_by_role("link", name=msc.student.full_name).click()
    page.get_by_label("Grade").select_option("5")
    page.get_by_label("Reason").fill("Exceptional answers at the presentation")
    page.get_by_role("button", name="Save grade").click()
    expect(page.get_by_text(f"{msc.student.full_name}'s grade is now 5.")).to_be_visible()
    expect(page.get_by_text("4 → 5")).to_be_visible()
    # A TA cannot sign off.
    page.get_by_role("link", name="Grades").first.click()
    expect(page.get_by_text("4 students: 4 eligible, 4 graded.")).to_be_visible()
    expect(
        page.get_by_text("the course responsible signs the results off on this page")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign off the results")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "grading-sheet.png", full_page=True)

    # Still nothing for the student: the results are not signed off.
    student.reload()
    expect(student.get_by_text("Your result, signed off")).to_have_count(0)

    # The course responsible signs off.
    boss = login(responsible, SHEET)
    boss.get_by_role("button", name="Sign off the results").click()
    expect(
        boss.get_by_text("The results are signed off and locked; 4 result mails queued.")
    ).to_be_visible()
    expect(boss.get_by_role("button", name="Unlock")).to_be_visible()

    # Now the student sees the grade.
    student.reload()
    expect(student.get_by_text("Your result, signed off")).to_be_visible()
    expect(student.locator("#result .display-6")).to_contain_text("5")
    student.locator("#result").scroll_into_view_if_needed()
    student.screenshot(path=screenshot_dir / "grading-student-result-phone.png", full_page=True)
