"""A logged-in student's own pages come from the shared cache while nothing they could show
has changed, only ever to the same person in the same browser; any change to the person,
their offering's content or its records shows on the very next request; a page is never
kept past the moment the clock changes it (a session's check-in opening, a deadline)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from course.caching import seconds_to_keep
from projects.services import group_create
from sessions.services import EARLY, register_save
from tests.factories import (
    DeliverableFactory,
    DiscussionSessionFactory,
    EnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ME = "/me/deep-learning/2016"
PAGES = ["/me/", f"{ME}/", f"{ME}/progress/", f"{ME}/attendance/", f"{ME}/group/"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # the CSRF cookie, as a browser has it after its first page
    return client


@pytest.mark.parametrize("path", PAGES)
def test_a_students_second_visit_comes_from_the_cache_with_one_query(
    path, offering, accepted_student, django_assert_num_queries
):
    DiscussionSessionFactory(offering=offering, days_ago=3)
    client = logged_in(accepted_student)
    first = client.get(path)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the user (the session is in the cache)
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.parametrize("path", PAGES)
def test_another_student_never_gets_the_cached_page(path, offering, accepted_student):
    bob = EnrolmentFactory(
        offering=offering, status=S.ACCEPTED, student__full_name="Bob Other"
    ).student
    ann = logged_in(accepted_student)
    ann.get(path)
    assert ann.get(path)["X-Page-Cache"] == "hit"
    bobs = logged_in(bob).get(path)
    assert bobs["X-Page-Cache"] == "miss"
    assert "Bob Other" in bobs.content.decode()
    assert "Acc Epted" not in bobs.content.decode()


def test_the_same_student_in_another_browser_gets_a_page_with_its_own_csrf_token(
    offering, accepted_student
):
    laptop = logged_in(accepted_student)
    laptop.get(f"{ME}/group/")
    phone = logged_in(accepted_student)
    page = phone.get(f"{ME}/group/")
    assert page["X-Page-Cache"] == "miss"
    # The phone's token is good with the phone's cookie: creating a group works.
    phone.enforce_csrf_checks = True
    token = page.context["csrf_token"]
    created = phone.post(f"{ME}/group/create/", {"csrfmiddlewaretoken": token})
    assert created.status_code == 302


def test_attendance_recorded_by_the_ta_shows_on_the_students_next_visit(
    offering, accepted_student, ta
):
    session = DiscussionSessionFactory(offering=offering, days_ago=2)
    client = logged_in(accepted_student)
    client.get(f"{ME}/attendance/")
    assert client.get(f"{ME}/attendance/")["X-Page-Cache"] == "hit"
    enrolment = accepted_student.enrolments.get()
    register_save(session=session, entries={enrolment.pk: ("present", True)}, by=ta)
    page = client.get(f"{ME}/attendance/")
    assert page["X-Page-Cache"] == "miss"
    assert "Present" in page.content.decode()


def test_a_new_deliverable_and_a_new_name_show_on_the_next_visit(offering, accepted_student):
    client = logged_in(accepted_student)
    enrolment = accepted_student.enrolments.get()
    group_create(enrolment=enrolment, by=accepted_student)
    client.get(f"{ME}/group/")
    DeliverableFactory(offering=offering, title="Planning report")
    assert "Planning report" in client.get(f"{ME}/group/").content.decode()
    client.get("/me/")
    accepted_student.full_name = "Acc Renamed"
    accepted_student.save()
    assert "Acc Renamed" in client.get("/me/").content.decode()


def test_a_page_with_a_message_is_made_for_it_and_not_kept(offering, accepted_student):
    client = logged_in(accepted_student)
    client.get(f"{ME}/group/")
    assert client.get(f"{ME}/group/")["X-Page-Cache"] == "hit"
    # A wrong invite code changes nothing but brings a message back to the group page.
    response = client.post(f"{ME}/group/join/", {"code": ""}, follow=True)
    assert response.redirect_chain
    assert "Type the invite code your partner gave you." in response.content.decode()
    again = client.get(f"{ME}/group/")
    assert again["X-Page-Cache"] == "hit"  # the page kept before, without the message
    assert "Type the invite code" not in again.content.decode()


def test_an_enrolment_in_a_new_offering_shows_on_me(offering, other_offering, accepted_student):
    client = logged_in(accepted_student)
    assert "Other Course" not in client.get("/me/").content.decode()
    EnrolmentFactory(offering=other_offering, student=accepted_student, status=S.ACCEPTED)
    assert "Other Course" in client.get("/me/").content.decode()


def test_becoming_a_teaching_assistant_shows_in_the_navigation(offering, other_offering):
    from tests.factories import StaffFactory

    user = UserFactory(full_name="Soon Ta")
    EnrolmentFactory(offering=offering, student=user, status=S.ACCEPTED)
    client = logged_in(user)
    before = client.get("/me/").content.decode()
    StaffFactory(offering=other_offering, user=user, name=user.full_name)
    after = client.get("/me/").content.decode()
    assert "/admin/" not in before and "/admin/" in after


def test_no_page_is_kept_past_the_next_session_or_deadline(offering, other_offering):
    ids = [offering.pk]
    now = timezone.now()
    assert seconds_to_keep(ids) == 60  # nothing coming: the usual minute
    DiscussionSessionFactory(
        offering=offering, starts_at=now + EARLY + dt.timedelta(seconds=20)
    )  # check-in opens in 20 s
    assert 15 <= seconds_to_keep(ids) <= 20
    DeliverableFactory(offering=offering, due_at=now + dt.timedelta(seconds=8))
    assert 4 <= seconds_to_keep(ids) <= 8
    # Another offering's moments do not shorten this one's pages.
    DiscussionSessionFactory(offering=other_offering, starts_at=now + dt.timedelta(seconds=2))
    assert seconds_to_keep(ids) >= 4
    offering.registration_opens = now + dt.timedelta(seconds=3)
    offering.save()
    assert 0 <= seconds_to_keep(ids) <= 3
