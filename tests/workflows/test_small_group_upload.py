"""A group below the offering's group size is told, before its first upload, that the upload
closes it to new members, and must confirm; staff see such groups (issue 19)."""

import pytest
from django.core.cache import cache

from projects.models import Submission
from projects.services import group_create, group_join, submission_upload

pytestmark = pytest.mark.django_db
GROUP = "/me/deep-learning/2016/group/"
UPLOAD = "/me/deep-learning/2016/group/deliverables/project-report/"


@pytest.fixture
def alone(offering, alice, report):
    offering.group_size = 2
    offering.save()
    return group_create(enrolment=alice, by=alice.student)


def test_one_person_group_is_warned_before_its_first_upload(client, alone, alice):
    client.force_login(alice.student)
    page = client.get(GROUP).content.decode()
    assert "Your group has 1 member; groups have 2." in page
    assert 'name="close_group"' in page and "required" in page


def test_unconfirmed_upload_is_refused_and_group_stays_open(client, alone, alice, bob, make_pdf):
    client.force_login(alice.student)
    response = client.post(UPLOAD, {"file": make_pdf(1)}, follow=True)
    page = response.content.decode()
    assert "not uploaded" in page
    assert "Uploading closes it to new members: tick the box to confirm" in page
    assert not Submission.objects.exists()
    assert alone.invite_code in page  # still offered to the partner
    # Bob can still join.
    assert group_join(enrolment=bob, code=alone.invite_code, by=bob.student) == alone


def test_confirmed_upload_closes_the_group(client, alone, alice, bob, make_pdf):
    client.force_login(alice.student)
    response = client.post(UPLOAD, {"file": make_pdf(1), "close_group": "on"}, follow=True)
    assert "version 1 uploaded" in response.content.decode()
    assert Submission.objects.count() == 1
    page = client.get(GROUP).content.decode()
    assert alone.invite_code not in page
    assert 'name="close_group"' not in page


def test_full_group_uploads_without_the_question(client, alone, alice, bob, make_pdf):
    group_join(enrolment=bob, code=alone.invite_code, by=bob.student)
    client.force_login(alice.student)
    assert 'name="close_group"' not in client.get(GROUP).content.decode()
    client.post(UPLOAD, {"file": make_pdf(1)})
    assert Submission.objects.count() == 1


def test_service_refuses_unconfirmed_upload(alone, alice, report, make_pdf):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        submission_upload(
            group=alone, deliverable=report, uploaded=make_pdf(1), by=alice.student,
            closing_confirmed=False,
        )  # fmt: skip
    assert refused.value.error_list[0].code == "confirm_closing"
    assert not Submission.objects.exists()


def test_staff_overview_lists_groups_below_the_size(client, alone, ta):
    cache.clear()
    client.force_login(ta)
    page = client.get("/courses/deep-learning/2016/staff/projects/").content.decode()
    assert "1 group has fewer than 2 members:" in page
    assert "1 of 2" in page
