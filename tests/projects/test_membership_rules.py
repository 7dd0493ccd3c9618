"""Who may be in a group and keep its files: members of the offering only, withdrawn
students lose access; extensions belong to the offering and come later."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.enums import EnrolmentStatus as S
from accounts.services import enrolment_decide
from projects.models import Extension, Membership
from projects.services import group_create, submission_upload
from tests.factories import DeliverableFactory, EnrolmentFactory, ProjectGroupFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def test_admin_add_page_refuses_members_of_another_offering(client, offering, other_offering, ta):
    stranger = EnrolmentFactory(offering=other_offering, status=S.ACCEPTED)
    applicant = EnrolmentFactory(offering=offering, status=S.APPLIED)
    client.force_login(ta)
    for enrolment, message in ((stranger, "Select a valid choice"),
                               (applicant, "Only accepted students")):  # fmt: skip
        response = client.post(
            "/admin/projects/projectgroup/add/",
            {"offering": offering.pk, "number": 5, "invite_code": "ABCDEFGH",
             "memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 0,
             "memberships-0-enrolment": enrolment.pk},
        )  # fmt: skip
        assert message in response.content.decode()
    assert not Membership.objects.exists()


def test_admin_tells_an_administrator_the_member_is_of_another_offering(
    client, offering, other_offering, superuser
):
    stranger = EnrolmentFactory(offering=other_offering, status=S.ACCEPTED)
    client.force_login(superuser)
    response = client.post(
        "/admin/projects/projectgroup/add/",
        {"offering": offering.pk, "number": 5, "invite_code": "ABCDEFGH",
         "memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 0,
         "memberships-0-enrolment": stranger.pk},
    )  # fmt: skip
    assert "enrolled in another offering" in response.content.decode()
    assert not Membership.objects.exists()


def test_withdrawn_student_loses_the_group_and_its_files(client, offering, alice, make_pdf, ta):
    group = group_create(enrolment=alice, by=alice.student)
    submission = submission_upload(group=group, deliverable=DeliverableFactory(offering=offering),
                                   uploaded=make_pdf(1), by=alice.student)  # fmt: skip
    enrolment_decide(enrolment=alice, status=S.WITHDRAWN, by=ta)
    client.force_login(alice.student)
    assert client.get(f"/files/submissions/{submission.pk}/").status_code == 404
    response = client.post("/me/deep-learning/2016/group/",
                           {"title": "Hijack", "version": 1, "abstract": ""})  # fmt: skip
    assert response.status_code == 404
    group.proposal.refresh_from_db()
    assert group.proposal.title == ""


def test_extension_must_be_later_and_in_the_same_offering(offering, other_offering):
    deliverable = DeliverableFactory(offering=offering)
    group = ProjectGroupFactory(offering=offering, number=1)
    earlier = Extension(deliverable=deliverable, group=group,
                        due_at=deliverable.due_at - dt.timedelta(days=1))  # fmt: skip
    with pytest.raises(ValidationError, match="must end after"):
        earlier.full_clean()
    theirs = ProjectGroupFactory(offering=other_offering, number=1)
    later = deliverable.due_at + dt.timedelta(days=1)
    elsewhere = Extension(deliverable=deliverable, group=theirs, due_at=later)
    with pytest.raises(ValidationError, match="different offerings"):
        elsewhere.full_clean()
