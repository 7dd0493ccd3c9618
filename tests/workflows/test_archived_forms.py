"""An archived offering shows its data read-only, with the reason, and offers no form that
would be refused on saving (issue 19)."""

import pytest
from django.core.cache import cache

from accounts.enums import EnrolmentStatus as S
from projects.models import ProjectGroup
from projects.services import group_create
from sessions.models import Attendance
from sessions.services import register_save
from tests.factories import DiscussionSessionFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def archive(offering):
    offering.status = "archived"
    offering.save()
    cache.clear()


def test_register_of_an_archive_is_read_only_with_the_reason(client, offering, ta):
    session = DiscussionSessionFactory(offering=offering, days_ago=1)
    ada, bo = EnrolmentFactory.create_batch(2, offering=offering, status=S.ACCEPTED)
    register_save(session=session, entries={ada.pk: ("present", True)}, by=ta)
    archive(offering)
    client.force_login(ta)
    url = f"/courses/deep-learning/2016/staff/sessions/{session.pk}/register/"
    page = client.get(url).content.decode()
    assert "This offering is archived: the register is shown as it was recorded" in page
    assert "<form" not in page.split('id="archived-note"')[1].split("</main>")[0]
    assert 'name="status-' not in page and "Save attendance" not in page
    assert "Present" in page and "not recorded" in page
    # A forged post changes nothing.
    client.post(url, {f"status-{bo.pk}": "present"})
    assert list(Attendance.objects.values_list("enrolment", "status")) == [(ada.pk, "present")]


def test_group_page_of_an_archive_offers_no_group_to_create(client, offering):
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    archive(offering)
    client.force_login(enrolment.student)
    page = client.get("/me/deep-learning/2016/group/").content.decode()
    assert "This course offering is archived" in page
    assert "Create a group" not in page and "Join a group" not in page
    assert "You were in no project group." in page
    client.post("/me/deep-learning/2016/group/create/")
    assert not ProjectGroup.objects.exists()


def test_group_page_of_an_archive_shows_the_project_without_forms(client, offering, report):
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    group = group_create(enrolment=enrolment, by=enrolment.student)
    group.proposal.title = "Old project"
    group.proposal.save()
    archive(offering)
    client.force_login(enrolment.student)
    page = client.get("/me/deep-learning/2016/group/").content.decode()
    assert "Old project" in page
    for form in ("Leave the group", "Upload", 'name="title"', "Save wishes", "Invite your partner"):
        assert form not in page


def test_staff_project_page_of_an_archive_has_no_forms(client, offering, ta, report):
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    group_create(enrolment=enrolment, by=enrolment.student)
    archive(offering)
    client.force_login(ta)
    page = client.get("/courses/deep-learning/2016/staff/projects/1/").content.decode()
    assert "its projects are shown as they were recorded" in page
    main = page.split("<main")[1].split("</main>")[0]
    assert 'method="post"' not in main
    assert "Grant an extension" not in main and "Save feedback" not in main
