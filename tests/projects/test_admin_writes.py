"""The admin writes groups and proposals through the services, as the students' pages do:
a TA's outdated proposal page cannot overwrite a student's save, and moving a student
takes the group's lock."""

import re
import threading

import pytest
from django.db import connection, transaction

from accounts.enums import EnrolmentStatus as S
from projects.models import Membership, ProjectGroup, Proposal
from projects.services import group_create, proposal_save
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import EnrolmentFactory, OfferingFactory, StaffFactory, UserFactory


def admin_form(client, proposal):
    page = client.get(f"/admin/projects/proposal/{proposal.pk}/change/").content.decode()
    return int(re.search(r'name="loaded_version" value="(\d+)"', page).group(1))


def post(client, proposal, loaded_version, title):
    return client.post(
        f"/admin/projects/proposal/{proposal.pk}/change/",
        {
            "title": title,
            "description": "Method.",
            "abstract": "",
            "loaded_version": loaded_version,
        },
        follow=True,
    )


@pytest.mark.django_db
def test_a_tas_outdated_proposal_page_is_refused_and_shows_the_students_text(client, ta, alice):
    group = group_create(enrolment=alice, by=alice.student)
    proposal = group.proposal
    client.force_login(ta)
    opened_at = admin_form(client, proposal)  # the TA opens the page ...
    proposal_save(  # ... the student saves meanwhile ...
        proposal=proposal, by=alice.student, version=proposal.version,
        title="Attention for speech", description="Ours.", topics=[], abstract="",
    )  # fmt: skip
    page = post(client, proposal, opened_at, "Typo fixed by the TA").content.decode()
    proposal.refresh_from_db()
    assert proposal.title == "Attention for speech"  # nothing of the student's is lost
    assert "saved this proposal at" in page and "nothing was saved" in page
    assert "Attention for speech" in page  # their text, to combine with
    assert "Typo fixed by the TA" in page  # the TA's text is still in the form
    # The form now carries the current version: the combined text saves.
    again = int(re.search(r'name="loaded_version" value="(\d+)"', page).group(1))
    assert again == proposal.version
    post(client, proposal, again, "Attention for speech recognition")
    proposal.refresh_from_db()
    assert (proposal.title, proposal.updated_by) == ("Attention for speech recognition", ta)


@pytest.mark.django_db
def test_staff_may_correct_a_submitted_proposal_in_the_admin(client, ta, alice):
    group = group_create(enrolment=alice, by=alice.student)
    Proposal.objects.filter(pk=group.proposal.pk).update(status="accepted", title="Old")
    client.force_login(ta)
    proposal = Proposal.objects.get(pk=group.proposal.pk)
    post(client, proposal, admin_form(client, proposal), "Corrected title")
    proposal.refresh_from_db()
    assert proposal.title == "Corrected title"
    assert proposal.status == "accepted"


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_moving_a_student_in_the_admin_waits_for_the_groups_lock(client):
    """While a student joins a group (its row locked), a TA's move into that group waits,
    then sees the join: both end up in the group, neither write is lost."""
    offering = OfferingFactory(group_size=3)
    ta = UserFactory()
    StaffFactory(offering=offering, user=ta)
    founder = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    mover = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    target = group_create(enrolment=founder, by=founder.student)
    group_create(enrolment=mover, by=mover.student)
    membership = Membership.objects.get(enrolment=mover)
    client.force_login(ta)
    locked, release, results = threading.Event(), threading.Event(), {}

    def hold_the_group():
        with transaction.atomic():
            ProjectGroup.objects.select_for_update().get(pk=target.pk)
            locked.set()
            release.wait(10)
            joiner = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
            Membership.objects.create(group=target, enrolment=joiner)
        connection.close()

    holder = threading.Thread(target=hold_the_group)
    holder.start()
    assert locked.wait(10)
    move = run_in_thread(
        lambda: client.post(
            f"/admin/projects/membership/{membership.pk}/change/", {"group": target.pk}
        ),
        results,
        "move",
    )
    move.join(1)
    assert move.is_alive()  # waiting for the lock
    release.set()
    holder.join(10)
    move.join(10)
    assert results["move"].status_code == 302
    assert target.memberships.count() == 3
    membership.refresh_from_db()
    assert (membership.group, membership.added_by) == (target, ta)
