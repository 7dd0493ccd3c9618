"""Issue 16, item 8: the admin's choice fields and error messages show teaching staff only
the offerings they teach. Every add and change form with a choice field is tried with the
id of another course's row: the answer is the generic "Select a valid choice", and neither
the other course nor its people are named on the page."""

import pytest
from django.contrib import admin
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from course.admin_base import TeachingAdminMixin
from course.models import Course, Module, Offering
from course.quiz_models import Quiz
from projects.models import Deliverable, Membership, ProjectGroup
from sessions.models import Rubric, RubricLevel, SessionSeries
from tests.factories import (
    DeliverableFactory,
    EnrolmentFactory,
    MembershipFactory,
    ModuleFactory,
    OfferingFactory,
    ProjectGroupFactory,
    SessionSeriesFactory,
)
from tests.factories.grading import PresentationSlotFactory

pytestmark = pytest.mark.django_db

NAMES = ("Zanzibar", "Victoria", "OtherCourse")


@pytest.fixture
def elsewhere(db):
    """One row of each model a choice field offers, in a course the TA does not teach."""
    offering = OfferingFactory(course__title="Zanzibar Studies", name="Spring 2027")
    enrolment = EnrolmentFactory(
        offering=offering, status="accepted", student__full_name="Victoria OtherCourse"
    )
    module = ModuleFactory(offering=offering, title="Zanzibar module")
    offering_open = timezone.now()
    rubric = Rubric.objects.create(offering=offering)
    criterion = rubric.criteria.create(name="Zanzibar criterion")
    return {
        Offering: offering,
        Course: offering.course,
        Module: module,
        Quiz: Quiz.objects.create(
            module=module, title="Zanzibar quiz", opens_at=offering_open, closes_at=offering_open
        ),
        "Enrolment": enrolment,
        User: enrolment.student,
        ProjectGroup: ProjectGroupFactory(offering=offering),
        Deliverable: DeliverableFactory(offering=offering, title="Zanzibar report"),
        Rubric: rubric,
        RubricLevel: criterion.levels.create(points=1, label="Zanzibar level"),
        SessionSeries: SessionSeriesFactory(offering=offering, room="Zanzibar hall"),
    }


def other_row(elsewhere, model):
    row = elsewhere.get(model) or elsewhere.get(model.__name__)
    assert row is not None, f"the test has no row of {model.__name__} in another course"
    return row


def choice_fields(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, ModelChoiceField)
    }


def forms_of(model_admin, request, obj):
    """(prefix, form class) of the form and the inline formsets the TA submits on the page."""
    forms = [("", model_admin.get_form(request, obj))]
    for inline in model_admin.get_inline_instances(request, obj):
        formset = inline.get_formset(request, obj)
        if inline.has_add_permission(request, obj) or inline.has_change_permission(request, obj):
            forms.append((formset.get_default_prefix(), formset.form))
    return forms


def pages(ta, offering):
    """Every add page the TA may use, and the change pages of the rows they may edit."""
    request = RequestFactory().get("/admin/")
    request.user = ta
    group = MembershipFactory(group__offering=offering).group
    slot = PresentationSlotFactory(session__offering=offering)
    own = {ProjectGroup: group, Membership: group.memberships.get(), type(slot): slot}
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, TeachingAdminMixin):
            continue  # administrators' own admins (accounts, data requests)
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            yield reverse(f"admin:{info}_add"), model, forms_of(model_admin, request, None)
        obj = own.get(model)
        if obj is not None and model_admin.has_change_permission(request, obj):
            url = reverse(f"admin:{info}_change", args=[obj.pk])
            yield url, model, forms_of(model_admin, request, obj)


def test_every_admin_choice_refuses_another_courses_row_without_naming_it(
    client, ta, offering, elsewhere
):
    client.force_login(ta)
    tried = []
    for url, model, forms in list(pages(ta, offering)):
        for prefix, form_class in forms:
            for name, field in choice_fields(form_class).items():
                row = other_row(elsewhere, field.queryset.model)
                key = f"{prefix}-0-{name}" if prefix else name
                data = {key: [row.pk] if isinstance(field, ModelMultipleChoiceField) else row.pk}
                if prefix:
                    data |= {f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-INITIAL_FORMS": 0}
                before = model.objects.count()
                response = client.post(url, data)
                page = response.content.decode()
                assert response.status_code == 200, (url, key)
                assert "Select a valid choice" in page, (url, key)
                assert not [n for n in NAMES if n in page], (url, key)
                assert model.objects.count() == before
                tried.append((url, key))
    assert len(tried) >= 20  # every app's forms were reached
    assert any(key.endswith("-enrolment") for _, key in tried)  # the group's members inline


def test_raw_id_label_names_only_taught_rows(client, ta, offering, elsewhere):
    """The issue's probe: a membership with another course's enrolment id."""
    client.force_login(ta)
    group = ProjectGroupFactory(offering=offering)
    response = client.post(
        reverse("admin:projects_membership_add"),
        {"enrolment": elsewhere["Enrolment"].pk, "group": group.pk},
    )
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "Victoria" not in page and "Zanzibar" not in page
    assert not Membership.objects.exists()


def test_raw_id_label_still_names_the_tas_own_student(client, ta, offering):
    client.force_login(ta)
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Own Student")
    other_group = ProjectGroupFactory(offering=OfferingFactory())
    page = client.post(
        reverse("admin:projects_membership_add"),
        {"enrolment": enrolment.pk, "group": other_group.pk},
    ).content.decode()
    assert "Own Student" in page  # the label beside the id box
