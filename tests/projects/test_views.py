"""Public project pages, the student's pages, staff pages, the command and feeds."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from icalendar import Calendar

from accounts.enums import EnrolmentStatus as S
from accounts.models import OutgoingMail
from projects.services import group_create, group_join, submission_upload
from tests.factories import (
    DeliverableFactory,
    EnrolmentFactory,
    MembershipFactory,
    ModuleFactory,
    ProjectGroupFactory,
)
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db
BASE = "/courses/deep-learning/2016"


def make_group(offering, number, title, status, names=("One", "Two")):
    group = ProjectGroupFactory(offering=offering, number=number, proposal=None)
    from projects.models import Proposal

    Proposal.objects.create(group=group, title=title, status=status, abstract=f"About {title}.")
    for name in names:
        MembershipFactory(group=group, enrolment__student__full_name=f"{name} {number}")
    return group


def test_public_list_shows_accepted_proposals_with_members(client, offering):
    make_group(offering, 1, "Image captioning", "accepted", ("Luca", "Sina"))
    make_group(offering, 2, "Secret draft", "draft")
    make_group(offering, 3, "Waiting one", "submitted")
    page = client.get(f"{BASE}/projects/").content.decode()
    assert "Image captioning" in page
    assert "Luca 1, Sina 1" in page
    assert "Secret draft" not in page
    assert "Waiting one" not in page


def test_offering_can_also_list_submitted_proposals(client, offering):
    offering.show_submitted_proposals = True
    offering.save()
    make_group(offering, 3, "Waiting one", "submitted")
    assert "Waiting one" in client.get(f"{BASE}/projects/").content.decode()


def test_project_page_shows_the_abstract_and_hides_non_public_ones(client, offering):
    make_group(offering, 1, "Image captioning", "accepted")
    make_group(offering, 2, "Secret draft", "draft")
    assert "About Image captioning." in client.get(f"{BASE}/projects/1/").content.decode()
    assert client.get(f"{BASE}/projects/2/").status_code == 404


def test_empty_project_list_says_so(client, offering):
    assert (
        "No project proposal has been accepted yet."
        in client.get(f"{BASE}/projects/").content.decode()
    )


def test_group_page_walks_a_student_through_forming_a_group(client, alice, bob):
    client.force_login(alice.student)
    page = client.get("/me/deep-learning/2016/group/").content.decode()
    assert "Create a group" in page
    response = client.post("/me/deep-learning/2016/group/create/", follow=True)
    page = response.content.decode()
    assert "Group 1 created." in page
    code = alice.membership.group.invite_code
    assert f"?code={code}" in page
    client.force_login(bob.student)
    assert (
        f'value="{code}"'
        in client.get(f"/me/deep-learning/2016/group/?code={code}").content.decode()
    )
    response = client.post("/me/deep-learning/2016/group/join/", {"code": code}, follow=True)
    assert "You joined Group 1." in response.content.decode()
    response = client.post("/me/deep-learning/2016/group/leave/", follow=True)
    assert "You left the group." in response.content.decode()


def test_wrong_code_is_explained(client, alice):
    client.force_login(alice.student)
    response = client.post("/me/deep-learning/2016/group/join/", {"code": "WRONG123"}, follow=True)
    assert "No group of this course has that code" in response.content.decode()


def test_applicant_is_told_groups_are_for_accepted_students(client, offering):
    applicant = EnrolmentFactory(offering=offering, status=S.APPLIED)
    client.force_login(applicant.student)
    page = client.get("/me/deep-learning/2016/group/").content.decode()
    assert "Project groups are for students accepted in the course" in page
    client.post("/me/deep-learning/2016/group/create/")
    assert not hasattr(applicant, "membership") or applicant.membership is None


def test_my_page_lists_group_proposal_and_deliverables(client, offering, alice, bob, make_pdf):
    report = DeliverableFactory(offering=offering, title="Project report", slug="project-report")
    group = group_create(enrolment=alice, by=alice.student)
    group_join(enrolment=bob, code=group.invite_code, by=bob.student)
    submission = submission_upload(group=group, deliverable=report, uploaded=make_pdf(2),
                                   by=alice.student)  # fmt: skip
    submission.feedback = "Nice figures."
    submission.save()
    client.force_login(bob.student)
    page = client.get("/me/deep-learning/2016/").content.decode()
    assert "Group 1: Alice A, Bob B." in page
    assert "<strong>draft</strong>" in page
    assert "Project report" in page
    assert "Submitted on time" in page
    assert "Nice figures." in page


def test_personal_calendar_carries_the_groups_deadlines(client, offering, alice):
    DeliverableFactory(offering=offering, title="Planning report")
    group_create(enrolment=alice, by=alice.student)
    client.force_login(alice.student)
    client.post("/calendar/reset/")  # "Get my calendar address"
    alice.student.refresh_from_db()
    client.logout()
    feed = client.get(f"/calendar/{alice.student.calendar_token}.ics")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert summaries == ["Deep Learning: Planning report due"]


# Staff pages ------------------------------------------------------------------------------


def test_staff_overview_lists_groups_and_students_without_one(client, offering, ta, alice, bob):
    group_create(enrolment=alice, by=alice.student)
    client.force_login(ta)
    page = client.get(f"{BASE}/staff/projects/").content.decode()
    assert "Group 1" in page
    assert "Alice A" in page
    assert "Students without a group" in page
    assert "Bob B" in page
    response = client.post(f"{BASE}/staff/projects/", follow=True)
    assert "Reminder queued to 1 student in the outbox." in response.content.decode()
    assert OutgoingMail.objects.get().to_email == bob.student.email


@pytest.mark.parametrize(
    "page", ["staff/projects/", "staff/projects/1/", "staff/projects/?format=csv"]
)
@pytest.mark.parametrize("who", ["student", "accepted_student", "other_ta", "alice"])
def test_staff_project_pages_are_404_for_others(client, offering, alice, page, who, request):
    group_create(enrolment=alice, by=alice.student)
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "student", user))
    assert client.get(f"{BASE}/{page}").status_code == 404


@pytest.mark.parametrize("who", ["student", "other_student", "ta", "other_ta"])
def test_someone_elses_group_page_is_404(client, offering, alice, who, request):
    group_create(enrolment=alice, by=alice.student)
    client.force_login(request.getfixturevalue(who))
    assert client.get("/me/deep-learning/2016/group/").status_code == 404


def test_project_status_command_prints_and_exports(offering, alice, bob, make_pdf):
    report = DeliverableFactory(offering=offering, title="Project report")
    group = group_create(enrolment=alice, by=alice.student)
    submission_upload(group=group, deliverable=report, uploaded=make_pdf(3), by=alice.student)
    out = StringIO()
    call_command("project_status", "deep-learning/2016", stdout=out)
    text = out.getvalue()
    assert "Group 1: (no title) [Draft]" in text
    assert "Project report: on_time (v1, 3 p.)" in text
    assert "Without a group: Bob B" in text
    out = StringIO()
    call_command("project_status", "deep-learning/2016", "--csv", stdout=out)
    assert out.getvalue().splitlines()[0] == "group,members,title,proposal,Project report"


# Query counts ---------------------------------------------------------------------------------


def grow(offering, scale):
    modules = ModuleFactory.create_batch(3, offering=offering)
    for number in range(1, 3 * scale + 1):
        group = make_group(offering, number, f"Project {number}", "accepted")
        group.proposal.topics.set(modules)
    DeliverableFactory.create_batch(2, offering=offering)


@pytest.mark.parametrize("scale", [1, 10])
def test_public_project_pages_query_counts_are_fixed(
    client, django_assert_num_queries, offering, scale
):
    grow(offering, scale)
    with django_assert_num_queries(4 + KEEPING):
        page = client.get(f"{BASE}/projects/").content.decode()
    assert all(f"Project {n}<" in page for n in range(1, 3 * scale + 1))
    # The same offering: how long to keep it is known already.
    with django_assert_num_queries(4):
        page = client.get(f"{BASE}/projects/2/").content.decode()
    assert "Project 2" in page


@pytest.mark.parametrize("scale", [1, 10])
def test_student_project_pages_query_counts_are_fixed(
    client, django_assert_num_queries, offering, alice, scale, make_pdf
):
    grow(offering, scale)
    group = group_create(enrolment=alice, by=alice.student)
    for deliverable in offering.deliverables.all():
        for _ in range(scale):
            submission_upload(group=group, deliverable=deliverable, uploaded=make_pdf(1),
                              by=alice.student)  # fmt: skip
    client.force_login(alice.student)
    # The first visit reads everything (the examination card is the grade sheet for one
    # student) and keeps it in the cache (course/caching.py) ...
    cache.clear()
    with django_assert_num_queries(22 + KEEPING):
        page = client.get("/me/deep-learning/2016/").content.decode()
    assert page.count("Submitted on time") == 2  # both deliverables, latest version each
    # ... so the next ones read the user, the enrolment and the admin link (the session is
    # in the cache).
    with django_assert_num_queries(3):
        again = client.get("/me/deep-learning/2016/").content.decode()
    assert again.count("Submitted on time") == 2
    # Presentation sessions, the group's wishes and its slot add three.
    with django_assert_num_queries(13):
        page = client.get("/me/deep-learning/2016/group/").content.decode()
    assert page.count("/files/submissions/") == 2 * scale  # every version listed
    first = client.get("/me/").content.decode()
    # The next visit is the person's own page from the cache: the user only.
    with django_assert_num_queries(1):
        page = client.get("/me/").content.decode()
    assert page == first
    assert "Deep Learning" in page


@pytest.mark.parametrize("scale", [1, 10])
def test_staff_projects_page_query_count_is_fixed(
    client, django_assert_num_queries, offering, ta, scale
):
    grow(offering, scale)
    client.force_login(ta)
    with django_assert_num_queries(10 + KEEPING):
        page = client.get(f"{BASE}/staff/projects/").content.decode()
    assert all(f"Project {n}" in page for n in range(1, 3 * scale + 1))
