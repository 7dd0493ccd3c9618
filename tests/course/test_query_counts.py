"""Every public page runs a fixed number of queries, whatever the size of the offering."""

import pytest

from course.services import lecture_set_parts
from sessions.grading.services import grading_setup_defaults
from tests.conftest import offering_url
from tests.factories import (
    AnnouncementFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    VideoLectureFactory,
)
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db


def grow(offering, scale):
    """The 2016 shape (6 modules, 10 lectures, 4 staff, 2 announcements) times `scale`."""
    modules = [ModuleFactory(offering=offering, slug=f"m{i}") for i in range(6 * scale)]
    for i in range(10 * scale):
        lecture = VideoLectureFactory(module=modules[i % len(modules)])
        lecture_set_parts(lecture=lecture, notation="Lec1, Lec2:1-2:11")
    StaffFactory.create_batch(4 * scale, offering=offering)
    AnnouncementFactory.create_batch(2 * scale, offering=offering)
    for year in range(scale):
        OfferingFactory(course=offering.course, slug=f"old{year}")
    grading_setup_defaults(offering=offering)


# (path, queries for an anonymous visitor, queries for a logged-in teaching assistant).
# A logged-in request adds the user and the user's taught offerings (the session comes
# from the cache); the
# outline, module and lecture pages also look for the user's enrolment (progress, ticks).
# The anonymous visitor's next request comes from the cache: no query at all. Made anew,
# a page about a course also reads what decides how long to keep it (tests/page_keeping.py).
PAGES = [
    ("/", 3, 5),  # a page of courses, how many there are, their latest offerings
    ("/courses/deep-learning/", 4, 6),
    ("", 4, 6),
    ("modules/", 4, 7),
    ("modules/m0/", 5, 8),
    ("lectures/", 4, 7),
    ("examination/", 4, 6),  # grading scales (1) and rubric criteria with their levels (2)
    ("announcements/", 2, 4),
    ("announcements/feed/", 2, 4),
]


def url_for(offering, path):
    return path if path.startswith("/") else offering_url(offering, path)


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize(("path", "anonymous", "logged_in"), PAGES)
def test_public_page_query_count_is_fixed(
    client, django_assert_num_queries, offering, ta, scale, path, anonymous, logged_in
):
    grow(offering, scale)
    url = url_for(offering, path)
    with django_assert_num_queries(anonymous + (KEEPING if path != "/" else 0)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
    client.force_login(ta)
    with django_assert_num_queries(logged_in):
        assert client.get(url).status_code == 200
