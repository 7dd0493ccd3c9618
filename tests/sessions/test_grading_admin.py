"""Scales and rubrics are edited in the admin by the offering's own staff; grades, assessments
and sign-offs are shown there read-only (they are written on the grading pages)."""

import pytest
from django.urls import reverse

from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.models import FinalGrade, GradingScale, RubricCriterion
from tests.factories.classroom import build_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(offering, other_offering, ta, other_ta):
    build_class(offering, 2, ta=ta)
    build_class(other_offering, 2, ta=other_ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.grades_accept_proposed(offering=other_offering, by=other_ta)


def change_url(obj):
    return reverse(f"admin:discussions_{obj._meta.model_name}_change", args=[obj.pk])


def test_ta_edits_the_scale_of_their_offering_only(client, offering, other_offering, ta, graded):
    mine = GradingScale.objects.get(offering=offering, level="phd")
    theirs = GradingScale.objects.get(offering=other_offering, level="phd")
    client.force_login(ta)
    listing = client.get(reverse("admin:discussions_gradingscale_changelist")).content.decode()
    assert listing.count('class="field-level"') == 2  # MSc and PhD of this offering only
    page = client.get(change_url(mine))
    assert page.status_code == 200 and 'name="grades-0-code"' in page.content.decode()
    assert client.get(change_url(theirs)).status_code == 302  # the admin's "no such object"


def test_ta_changes_the_phd_scale_and_the_mapping_follows(client, offering, ta, graded):
    scale = GradingScale.objects.get(offering=offering, level="phd")
    grades = list(scale.grades.order_by("equivalent"))
    data = {
        "offering": offering.pk,
        "level": "phd",
        "name": "U, G, VG",
        "grades-TOTAL_FORMS": "3",
        "grades-INITIAL_FORMS": "3",
        "grades-MIN_NUM_FORMS": "0",
        "grades-MAX_NUM_FORMS": "1000",
    }
    for i, (grade, equivalent) in enumerate(zip(grades, [0, 3, 5], strict=True)):
        data |= {
            f"grades-{i}-id": grade.pk,
            f"grades-{i}-scale": scale.pk,
            f"grades-{i}-code": grade.code,
            f"grades-{i}-label": grade.label,
            f"grades-{i}-equivalent": equivalent,
        }
        if grade.passing:
            data[f"grades-{i}-passing"] = "on"
    client.force_login(ta)
    response = client.post(change_url(scale), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    phd_row = next(
        r for r in grading_sheet.grade_sheet(offering).rows if r.enrolment.level == "phd"
    )
    assert phd_row.proposed.code == "G"  # a project graded 4 is no longer VG


def test_rubric_levels_are_edited_per_criterion(client, offering, ta, other_ta, graded):
    criterion = RubricCriterion.objects.filter(rubric__offering=offering).first()
    client.force_login(ta)
    page = client.get(change_url(criterion)).content.decode()
    assert "Fewer than two topics" in page
    client.force_login(other_ta)
    assert client.get(change_url(criterion)).status_code == 302


def test_final_grades_are_read_only_in_the_admin(client, offering, ta, graded):
    grade = FinalGrade.objects.filter(enrolment__offering=offering).first()
    client.force_login(ta)
    listing = client.get(reverse("admin:discussions_finalgrade_changelist")).content.decode()
    assert listing.count('class="field-student"') == 2  # this offering's two, not the other's
    page = client.get(change_url(grade)).content.decode()
    assert 'name="grade"' not in page
    response = client.post(change_url(grade), {"grade": "5"})
    assert response.status_code == 403
    grade.refresh_from_db()
    assert grade.grade != "5"
