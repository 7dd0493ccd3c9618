"""The rules of an offering keep their history (django-simple-history): who changed them in
the admin, when, the old and the new value, shown to the offering's staff."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from projects.models import Deliverable
from sessions.grading import services as grading_services
from sessions.models import GradingScale, RubricCriterion
from tests.factories import DeliverableFactory

pytestmark = pytest.mark.django_db


def offering_form(offering, **changes):
    """The admin's change form of the offering as it is, with `changes`."""
    fields = ["name", "slug", "study_period", "status", "start_date", "end_date",
              "attendance_threshold", "group_size", "excused_absences", "quiz_pass_percent",
              "programme_question", "motivation_question", "teaching_language"]  # fmt: skip
    data = {name: getattr(offering, name) for name in fields}
    data |= {"course": offering.course_id, "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
             "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0}  # fmt: skip
    for flag in ("is_published", "decisions_need_review"):
        if getattr(offering, flag):
            data[flag] = "on"
    return data | changes


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def text_of(response) -> str:
    """The page's text without tags and with single spaces, as a reader sees it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_ta_changes_the_threshold_and_the_history_shows_who_when_old_and_new(client, offering, ta):
    offering.history.all().delete()  # as if the offering predates its history...
    offering.save()  # ...and was saved once since: the record a change is compared with
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_offering_change", args=[offering.pk]),
        offering_form(offering, attendance_threshold=75),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    offering.refresh_from_db()
    assert offering.attendance_threshold == 75

    latest = offering.history.latest()
    assert latest.history_user == ta
    assert latest.history_type == "~"
    change = next(c for c in latest.diff_against(latest.prev_record).changes)
    assert (change.field, change.old, change.new) == ("attendance_threshold", 80, 75)

    page = client.get(history_url(offering))
    assert page.status_code == 200
    text = text_of(page)
    when = formats.date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT")
    assert f"{when} Changed Tess Assistant" in text
    assert "Attendance threshold: 80 → 75" in text
    assert "Study period" not in text  # nothing else changed


def test_only_the_offerings_staff_see_its_history(client, offering, ta, other_ta, superuser):
    offering.save()
    for user, status in ((other_ta, 403), (ta, 200), (superuser, 200)):
        client.force_login(user)
        response = client.get(history_url(offering))
        assert response.status_code in ((status,) if status == 200 else (302, 403, 404))


def test_the_history_cannot_be_used_to_revert(client, offering, ta):
    offering.save()
    record = offering.history.latest()
    client.force_login(ta)
    url = reverse("admin:course_offering_simple_history", args=[offering.pk, record.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, offering_form(offering, attendance_threshold=10))
    assert response.status_code == 403
    offering.refresh_from_db()
    assert offering.attendance_threshold == 80


def test_a_deliverables_page_limit_keeps_its_old_value(client, offering, ta):
    report = DeliverableFactory(offering=offering, title="Project report", slug="report",
                                max_pages=4)  # fmt: skip
    client.force_login(ta)
    data = {
        "offering": offering.pk, "order": 0, "title": "Project report", "slug": "report",
        "due_at_0": "2016-05-20", "due_at_1": "23:59", "max_pages": 6, "max_size_mb": 10,
        "max_versions": 10, "max_total_mb": 50, "accepts_late": "on", "required": "on",
    }  # fmt: skip
    response = client.post(reverse("admin:projects_deliverable_change", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Deliverable.objects.get(pk=report.pk).max_pages == 6
    text = text_of(client.get(history_url(report)))
    assert "Tess Assistant" in text and "Max pages: 4 → 6" in text


def test_a_scales_grades_and_the_rubrics_levels_keep_their_history(client, offering, ta):
    grading_services.grading_setup_defaults(offering=offering)  # with their first records
    scale = GradingScale.objects.get(offering=offering, level="phd")
    grades = list(scale.grades.order_by("equivalent"))
    data = {
        "offering": offering.pk, "level": "phd", "name": scale.name,
        "grades-TOTAL_FORMS": "3", "grades-INITIAL_FORMS": "3",
        "grades-MIN_NUM_FORMS": "0", "grades-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, grade in enumerate(grades):
        data |= {
            f"grades-{i}-id": grade.pk, f"grades-{i}-scale": scale.pk,
            f"grades-{i}-code": grade.code, f"grades-{i}-label": grade.label,
            f"grades-{i}-equivalent": 5 if grade.code == "VG" else grade.equivalent,
        }  # fmt: skip
        if grade.passing:
            data[f"grades-{i}-passing"] = "on"
    client.force_login(ta)
    response = client.post(reverse("admin:discussions_gradingscale_change", args=[scale.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    text = text_of(client.get(history_url(scale)))
    assert "Scale grades" in text
    assert "VG" in text and "Tess Assistant" in text
    assert "Equivalent: 4 → 5" in text

    criterion = RubricCriterion.objects.filter(rubric__offering=offering).first()
    level = criterion.levels.order_by("points").first()
    old_label, level.label = level.label, "Hardly any topic"
    level.save()  # as the inline would, outside a request: no user is known
    text = text_of(client.get(history_url(criterion)))
    assert "Rubric levels" in text
    assert f"Label: {old_label} → Hardly any topic" in text
