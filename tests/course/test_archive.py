"""An archived offering is read-only for everyone until it is un-archived."""

import pytest
from django.core.exceptions import ValidationError

from accounts.enums import EnrolmentStatus as S
from accounts.services import enrolment_withdraw
from course.models import Module
from projects.models import ProjectGroup
from projects.services import group_create
from tests.factories import EnrolmentFactory, ModuleFactory, OfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(offering):
    offering.status = "archived"
    offering.notice = "Not given in 2016-2017."
    offering.save()
    return offering


def test_students_can_change_nothing_in_an_archive(archived):
    enrolment = EnrolmentFactory(offering=archived, status=S.ACCEPTED)
    with pytest.raises(ValidationError, match="is archived and can no longer be changed"):
        group_create(enrolment=enrolment, by=enrolment.student)
    with pytest.raises(ValidationError, match="is archived and can no longer be changed"):
        enrolment_withdraw(enrolment=enrolment, by=enrolment.student)
    assert not ProjectGroup.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.status == S.ACCEPTED


@pytest.mark.parametrize("who", ["ta", "superuser"])
def test_admin_shows_an_archive_read_only(client, archived, who, request):
    module = ModuleFactory(offering=archived, title="Old title")
    client.force_login(request.getfixturevalue(who))
    page = client.get(f"/admin/course/module/{module.pk}/change/").content.decode()
    assert 'name="title"' not in page  # shown, not editable
    client.post(f"/admin/course/module/{module.pk}/change/",
                {"offering": archived.pk, "title": "New", "slug": module.slug, "order": 1,
                 "kind": "regular", "lectures-TOTAL_FORMS": 0,
                 "lectures-INITIAL_FORMS": 0})  # fmt: skip
    assert Module.objects.get(pk=module.pk).title == "Old title"


def test_un_archiving_is_the_one_change_an_archive_takes(client, archived, ta):
    client.force_login(ta)
    page = client.get(f"/admin/course/offering/{archived.pk}/change/").content.decode()
    assert 'name="status"' in page
    assert 'name="name"' not in page
    response = client.post(
        f"/admin/course/offering/{archived.pk}/change/",
        {"status": "finished", "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
         "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302
    archived.refresh_from_db()
    assert archived.status == "finished"


def test_archive_pages_show_the_notice_and_point_to_the_current_offering(client, archived):
    OfferingFactory(course=archived.course, slug="2027", name="2027", status="registration",
                    start_date=archived.start_date.replace(year=2027),
                    end_date=archived.end_date.replace(year=2027))  # fmt: skip
    for path in ("", "lectures/", "schedule/", "projects/"):
        page = client.get(f"/courses/deep-learning/2016/{path}").content.decode()
        assert "Not given in 2016-2017." in page
        assert 'href="/courses/deep-learning/2027/"' in page
