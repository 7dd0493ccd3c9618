"""Public pages come from the shared cache for anonymous visitors, and a change shows on the
very next request, whichever way it was made: a service, the admin, a management command.
Logged-in visitors always get their own page. Pages and feeds answer 304 to a client that
has them already."""

import datetime as dt
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from sessions.services import session_set_cancelled
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    SessionSeriesFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/courses/deep-learning/2016"


def test_the_second_anonymous_visit_comes_from_the_cache_without_a_query(
    client, offering, django_assert_num_queries
):
    ModuleFactory(offering=offering, title="Convolutional networks")
    first = client.get(f"{BASE}/modules/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(f"{BASE}/modules/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Convolutional networks" in second.content.decode()


def test_a_change_through_a_service_shows_on_the_next_request(client, offering):
    session = DiscussionSessionFactory(offering=offering, days_ago=-3, room="ML13")
    assert "Cancelled" not in client.get(f"{BASE}/schedule/").content.decode()
    assert "CANCELLED" not in client.get(f"{BASE}/schedule.ics").content.decode()
    session_set_cancelled(session=session, cancelled=True)
    assert "Cancelled" in client.get(f"{BASE}/schedule/").content.decode()
    assert "STATUS:CANCELLED" in client.get(f"{BASE}/schedule.ics").content.decode()


def test_a_change_through_the_admin_shows_on_the_next_request(client, offering, ta):
    module = ModuleFactory(offering=offering, title="Old title", slug="old")
    assert "Old title" in client.get(f"{BASE}/modules/").content.decode()
    admin = client_for(ta)
    response = admin.post(
        f"/admin/course/module/{module.pk}/change/",
        {"offering": offering.pk, "order": 1, "title": "Recurrent networks", "slug": "old",
         "kind": module.kind, "description": "",
         "lectures-TOTAL_FORMS": 0, "lectures-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"{BASE}/modules/").content.decode()
    assert "Recurrent networks" in page and "Old title" not in page


def test_a_change_through_a_management_command_shows_on_the_next_request(client, offering):
    SessionSeriesFactory(offering=offering, weekday=1, room="ML13")
    none_yet = "No discussion sessions have been scheduled yet."
    assert none_yet in client.get(f"{BASE}/schedule/").content.decode()
    call_command("generate_sessions", "deep-learning/2016", stdout=StringIO())
    assert none_yet not in client.get(f"{BASE}/schedule/").content.decode()


def test_logged_in_visitors_get_their_own_page_never_the_cached_one(client, offering):
    module = ModuleFactory(offering=offering, title="Convolutional networks")
    lecture = VideoLectureFactory(module=module, title="Intro")
    anonymous = client.get(f"{BASE}/lectures/")
    assert client.get(f"{BASE}/lectures/")["X-Page-Cache"] == "hit"  # kept for the public
    ann = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    bob = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    client.force_login(ann.student)
    client.post("/me/deep-learning/2016/watched/", {"lecture": lecture.pk, "watched": "1"})
    ann_page = client.get(f"{BASE}/lectures/")
    assert not ann_page.has_header("X-Page-Cache")
    assert ann_page.content != anonymous.content
    assert 'value="0"' in ann_page.content.decode()  # her tick: the form now unticks
    bobs = client_for(bob.student).get(f"{BASE}/lectures/")
    assert not bobs.has_header("X-Page-Cache")
    assert 'value="0"' not in bobs.content.decode()  # not Ann's tick
    assert "csrfmiddlewaretoken" in bobs.content.decode()
    # The anonymous page is still the anonymous one, with no token or tick of anybody's.
    again = client_for(None).get(f"{BASE}/lectures/")
    assert again.content == anonymous.content
    assert "csrfmiddlewaretoken" not in again.content.decode()


def test_pages_and_feeds_answer_304_to_a_client_that_has_them(client, offering):
    DiscussionSessionFactory(offering=offering, days_ago=-3)
    for path in (f"{BASE}/", f"{BASE}/schedule.ics", f"{BASE}/announcements/feed/"):
        first = client.get(path)
        assert first.status_code == 200, path
        etag = first["ETag"]
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304, path
        assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200


def test_the_personal_feed_is_cached_until_the_persons_offering_changes(
    client, offering, django_assert_num_queries
):
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED).student
    session = DiscussionSessionFactory(offering=offering, days_ago=-3, room="ML13")
    client.force_login(student)
    client.post("/calendar/reset/")
    student.refresh_from_db()
    client.logout()  # calendar apps do not log in
    feed = f"/calendar/{student.calendar_token}.ics"
    first = client.get(feed)
    with django_assert_num_queries(0):
        assert client.get(feed)["X-Page-Cache"] == "hit"
    assert client.get(feed, headers={"if-none-match": first["ETag"]}).status_code == 304
    session.room = "Room 42"
    session.starts_at += dt.timedelta(hours=1)
    session.save()
    changed = client.get(feed).content.decode()
    assert "Room 42" in changed
    assert timezone.localtime(session.starts_at).strftime("%Y%m%dT%H%M") in changed


def test_a_kept_personal_feed_is_one_round_trip_to_the_cache(client, offering, monkeypatch):
    """Calendar apps poll every few minutes: a hit reads the feed and every version it
    depends on at once (tests/test_url_matrix's 0 queries, and here 1 cache read)."""
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED).student
    DiscussionSessionFactory(offering=offering, days_ago=-3)
    client_for(student).post("/calendar/reset/")
    student.refresh_from_db()
    feed = f"/calendar/{student.calendar_token}.ics"
    client.get(feed)
    backend = caches["default"]
    reads = []  # the outermost calls (the local-memory cache's get_many() calls its get())
    for name in ("get", "get_many", "has_key"):
        monkeypatch.setattr(backend, name, counted(getattr(backend, name), reads))
    assert client.get(feed)["X-Page-Cache"] == "hit"
    assert len(reads) == 1
    session = DiscussionSessionFactory(offering=offering, days_ago=-4, room="New room")
    assert session.room in client.get(feed).content.decode()


def test_a_new_calendar_address_ends_the_kept_feed_of_the_old_one(client, offering):
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED).student
    DiscussionSessionFactory(offering=offering, days_ago=-3)
    owner = client_for(student)
    owner.post("/calendar/reset/")
    student.refresh_from_db()
    old = f"/calendar/{student.calendar_token}.ics"
    assert client.get(old).status_code == 200
    assert client.get(old)["X-Page-Cache"] == "hit"
    owner.post("/calendar/reset/")
    assert client.get(old).status_code == 404


def counted(method, calls: list):
    """`method`, noting its calls in `calls` unless another counted method made them."""

    def call(*args, **kwargs):
        if calls and calls[-1] is INSIDE:
            return method(*args, **kwargs)
        calls.append(INSIDE)
        try:
            return method(*args, **kwargs)
        finally:
            calls[-1] = args

    return call


INSIDE = object()


def client_for(user):
    other = Client()
    if user is not None:
        other.force_login(user)
    return other


def test_a_name_changed_in_the_admin_shows_on_the_public_project_pages(client, offering, superuser):
    from projects.enums import ProposalStatus
    from tests.factories import MembershipFactory

    membership = MembershipFactory(
        group__offering=offering, enrolment__student__full_name="Ann Old"
    )
    membership.group.proposal.status = ProposalStatus.ACCEPTED
    membership.group.proposal.save()
    assert "Ann Old" in client.get(f"{BASE}/projects/").content.decode()
    student = membership.enrolment.student
    response = client_for(superuser).post(
        f"/admin/accounts/user/{student.pk}/change/",
        {"email": student.email, "full_name": "Ann New", "is_active": "on", "language": "sv",
         "last_login_0": "", "last_login_1": "",
         "date_joined_0": "2016-01-01", "date_joined_1": "10:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"{BASE}/projects/").content.decode()
    assert "Ann New" in page and "Ann Old" not in page


def test_the_book_pdf_comes_from_the_cache_and_a_new_edition_shows_at_once(
    client, offering, django_assert_num_queries
):
    from projects.book import book_pdf
    from projects.enums import ProposalStatus
    from tests.factories import MembershipFactory

    offering.publish_book = True
    offering.save()
    membership = MembershipFactory(group__offering=offering)
    proposal = membership.group.proposal
    proposal.status, proposal.abstract = ProposalStatus.ACCEPTED, "Old abstract."
    proposal.save()
    first_pdf = book_pdf(offering)  # built, as the task worker would
    url = f"{BASE}/projects/abstracts.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.content == first_pdf
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit" and again.content == first_pdf
    assert again["ETag"] == first["ETag"]

    proposal.abstract = "New abstract."
    proposal.save()
    new_pdf = book_pdf(offering)
    assert new_pdf != first_pdf
    assert client.get(url).content == new_pdf
