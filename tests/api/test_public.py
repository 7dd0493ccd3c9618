"""The public endpoints: what the public pages show, to anyone, cacheable (ETag, 304),
paginated, rate-limited per client address, in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Proposal
from tests.api.conftest import API, BASE
from tests.factories import (
    DiscussionSessionFactory,
    LecturePartFactory,
    MembershipFactory,
    ModuleFactory,
    OfferingFactory,
    ProjectGroupFactory,
    VideoLectureFactory,
)
from tests.factories.accounts import EnrolmentFactory
from tests.factories.grading import PresentationSessionFactory, PresentationSlotFactory

pytestmark = pytest.mark.django_db


def add_modules(offering, count):
    for i in range(count):
        module = ModuleFactory(offering=offering, title=f"Module {i}", order=i)
        lecture = VideoLectureFactory(module=module, title=f"Lecture {i}")
        LecturePartFactory(lecture=lecture, name=f"Lec{i}")


def add_projects(offering, count, *, first=1):
    for number in range(first, first + count):
        group = ProjectGroupFactory(offering=offering, number=number)
        Proposal.objects.filter(group=group).update(
            status="accepted", title=f"Project {number}", abstract=f"Abstract {number}."
        )
        MembershipFactory(
            group=group, enrolment=EnrolmentFactory(offering=offering, status="accepted")
        )


def test_courses_list_the_visible_offerings(client, offering):
    OfferingFactory(course=offering.course, slug="2099", is_published=False)
    response = client.get(f"{API}/courses")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None
    course = body["items"][0]
    assert course["title"] == "Deep Learning"
    assert [o["slug"] for o in course["offerings"]] == ["2016"]  # not the unpublished one


def test_unpublished_offerings_are_404_except_to_their_staff(
    client, offering, ta, other_ta, token_for
):
    offering.is_published = False
    offering.save()
    for path in ["", "/modules", "/sessions", "/projects", "/programme"]:
        response = client.get(f"{API}{BASE}{path}")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No such offering."}
        assert client.get(f"{API}{BASE}{path}", headers=token_for(other_ta)).status_code == 404
        assert client.get(f"{API}{BASE}{path}", headers=token_for(ta)).status_code == 200, path

    def titles(**headers):
        return [c["title"] for c in client.get(f"{API}/courses", **headers).json()["items"]]

    assert titles() == ["Other Course"]  # other_ta's
    assert client.get(f"{API}/courses/deep-learning").status_code == 404
    assert titles(headers=token_for(ta)) == ["Deep Learning", "Other Course"]


def test_an_offering_and_its_course(client, offering):
    body = client.get(f"{API}{BASE}").json()
    assert body["course"] == "deep-learning" and body["slug"] == "2016"
    assert body["url"] == f"http://testserver{BASE}/"
    assert "enrollment_key" not in body
    assert client.get(f"{API}/courses/deep-learning").json()["offerings"][0]["slug"] == "2016"
    assert client.get(f"{API}/courses/nothing").json() == {"detail": "No such course."}


def test_modules_with_lectures_and_parts(client, offering):
    add_modules(offering, 1)
    body = client.get(f"{API}{BASE}/modules").json()
    module = body["items"][0]
    assert module["title"] == "Module 0"
    assert module["lectures"][0]["title"] == "Lecture 0"
    assert module["lectures"][0]["parts"][0]["name"] == "Lec0"


def test_the_schedule(client, offering):
    module = ModuleFactory(offering=offering, title="Convolutions")
    VideoLectureFactory(module=module, title="Pooling")
    DiscussionSessionFactory(offering=offering, module=module, days_ago=-3, room="ML13")
    DiscussionSessionFactory(offering=offering, days_ago=3, is_cancelled=True, cancel_reason="Ill")
    items = client.get(f"{API}{BASE}/sessions").json()["items"]
    assert [s["is_cancelled"] for s in items] == [True, False]
    assert items[0]["cancel_reason"] == "Ill"
    assert items[1]["module"] == "Convolutions"
    assert items[1]["lectures_to_watch"][0]["title"] == "Pooling"


def test_accepted_projects_with_abstracts(client, offering):
    add_projects(offering, 1)
    draft = ProjectGroupFactory(offering=offering, number=9)
    Proposal.objects.filter(group=draft).update(status="draft", title="Secret draft")
    items = client.get(f"{API}{BASE}/projects").json()["items"]
    assert [p["title"] for p in items] == ["Project 1"]
    assert items[0]["abstract"] == "Abstract 1." and len(items[0]["members"]) == 1


def test_the_programme_shows_published_slots_only(client, offering, ta, token_for):
    add_projects(offering, 2)
    session = PresentationSessionFactory(offering=offering, room="Room A")
    groups = list(offering.project_groups.order_by("number"))
    PresentationSlotFactory(session=session, group=groups[0], position=0)
    PresentationSlotFactory(session=session, group=groups[1], position=1, published=False)
    slots = client.get(f"{API}{BASE}/programme").json()["items"][0]["slots"]
    assert [s["title"] for s in slots] == ["Project 1"]
    staff = client.get(f"{API}{BASE}/programme", headers=token_for(ta)).json()
    assert len(staff["items"][0]["slots"]) == 2  # the staff see the draft, as on the page


def test_pages_of_a_list(client, offering):
    add_modules(offering, 3)
    first = client.get(f"{API}{BASE}/modules?limit=2").json()
    assert first["count"] == 3 and len(first["items"]) == 2 and first["previous"] is None
    assert first["next"] == f"http://testserver{API}{BASE}/modules?limit=2&offset=2"
    second = client.get(first["next"]).json()
    assert [m["title"] for m in second["items"]] == ["Module 2"] and second["next"] is None
    assert second["previous"] == f"http://testserver{API}{BASE}/modules?limit=2&offset=0"


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=many"])
def test_a_bad_page_is_422_with_a_clear_message(client, offering, query):
    response = client.get(f"{API}{BASE}/modules?{query}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("The request is not valid (") and query.split("=")[0] in detail


def test_public_answers_are_cacheable_and_304_until_something_changes(client, offering):
    add_modules(offering, 1)
    url = f"{API}{BASE}/modules"
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    module = offering.modules.get()
    module.title = "Renamed"
    module.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["items"][0]["title"] == "Renamed"


def test_a_304_reads_nothing_from_the_database(client, offering, django_assert_num_queries):
    etag = client.get(f"{API}{BASE}/sessions")["ETag"]
    with django_assert_num_queries(0):
        assert (
            client.get(f"{API}{BASE}/sessions", headers={"If-None-Match": etag}).status_code == 304
        )


def test_answers_to_a_token_are_private(client, offering, student, token_for):
    response = client.get(f"{API}{BASE}", headers=token_for(student))
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_requests_without_a_token_are_limited_per_address(client, offering, settings):
    settings.API_REQUESTS_PER_ADDRESS = 3
    for _ in range(3):
        assert client.get(f"{API}/courses").status_code == 200
    refused = client.get(f"{API}/courses")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests: try again in ")
    assert 0 < int(refused["Retry-After"]) <= 600
    assert client.get(f"{API}/courses", REMOTE_ADDR="192.0.2.7").status_code == 200


# Query counts: the same at 1 and at 10 items (a page of a list: a count and the page, and
# one query per prefetched relation).
LISTS = {
    "courses": ("/courses", 3),
    "modules": (f"{BASE}/modules", 5),
    "sessions": (f"{BASE}/sessions", 5),
    "projects": (f"{BASE}/projects", 5),
    "programme": (f"{BASE}/programme", 4),
}


def grow(offering, name, n):
    if name == "courses":
        for _ in range(n):
            OfferingFactory()
    elif name == "modules":
        add_modules(offering, n)
    elif name == "sessions":
        module = ModuleFactory(offering=offering)
        VideoLectureFactory(module=module)
        for i in range(n):
            DiscussionSessionFactory(offering=offering, module=module, days_ago=i)
    elif name == "projects":
        add_projects(offering, n, first=offering.project_groups.count() + 1)
    else:
        start = offering.project_groups.count() + 1
        add_projects(offering, n, first=start)
        later = timezone.now() + dt.timedelta(days=start)
        session = PresentationSessionFactory(offering=offering, starts_at=later)
        for i, group in enumerate(offering.project_groups.filter(number__gte=start)):
            PresentationSlotFactory(session=session, group=group, position=i)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_queries_do_not_grow(client, offering, name, django_assert_num_queries):
    path, queries = LISTS[name]
    for n in (1, 9):  # 1, then 10
        grow(offering, name, n)
        with django_assert_num_queries(queries):
            response = client.get(f"{API}{path}?limit=200")
        assert response.status_code == 200
        items = response.json()["items"]
        shown = sum(len(s["slots"]) for s in items) if name == "programme" else len(items)
        assert shown >= n
