"""What the public pages show, to whom; permissions by role on every URL."""

import datetime as dt

import pytest
from django.utils import timezone

from course.selectors import CATALOGUE_PAGE_SIZE
from course.services import lecture_set_parts
from tests.conftest import offering_url
from tests.factories import (
    AnnouncementFactory,
    CourseFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db

SECTIONS = ["", "modules/", "lectures/", "examination/", "announcements/"]


@pytest.fixture
def filled_offering(offering):
    offering.notice = "Not given in 2016-2017. This page is an **archive**."
    offering.status = "archived"
    offering.practical_information = "Sessions on Tuesdays in ML13."
    offering.examination_rules = "Attend **80 %** of the sessions and present a project."
    offering.video_platform_name = "Scalable Learning"
    offering.video_platform_url = "https://platform.example.org/"
    offering.enrollment_key = "SECRET-KEY-42"
    offering.save()
    rnn = ModuleFactory(offering=offering, title="Recurrent Neural Networks", slug="rnn", order=2)
    ModuleFactory(offering=offering, title="Preliminaries", slug="preliminaries", order=1)
    lecture = VideoLectureFactory(module=rnn, speaker="Alex Graves", title="RNNs")
    lecture_set_parts(lecture=lecture, notation="Lec1, Lec2:1-2:11")
    StaffFactory(offering=offering, name="Olof Mogren", email="mogren@example.org")
    AnnouncementFactory(offering=offering, title="Registration is closed")
    return offering


def test_catalogue_lists_courses_with_their_latest_offering(client, filled_offering):
    OfferingFactory(
        course=filled_offering.course, slug="2015", name="2015", start_date=dt.date(2015, 3, 1)
    )
    response = client.get("/")
    html = response.content.decode()
    assert "Deep Learning" in html
    assert "Latest: 2016" in html
    assert "2 offerings" in html


def test_catalogue_without_courses_says_so(client, db):
    response = client.get("/")
    assert "No courses are published yet." in response.content.decode()


def test_course_page_shows_latest_offering_and_links_earlier(client, filled_offering):
    earlier = OfferingFactory(
        course=filled_offering.course, slug="2015", name="2015", start_date=dt.date(2015, 3, 1)
    )
    html = client.get("/courses/deep-learning/").content.decode()
    assert "Not given in 2016-2017" in html
    assert f'href="{earlier.get_absolute_url()}"' in html


def test_offering_home_shows_description_notice_practical_staff_and_news(client, filled_offering):
    html = client.get(offering_url(filled_offering)).content.decode()
    assert "About <strong>this</strong> course." in html
    assert "This page is an <strong>archive</strong>" in html
    assert ">Archive</span>" in html
    assert "Sessions on Tuesdays in ML13." in html
    assert "Olof Mogren" in html
    assert "Registration is closed" in html
    assert "Scalable Learning" in html


def test_offering_home_obfuscates_staff_email(client, filled_offering):
    html = client.get(offering_url(filled_offering)).content.decode()
    assert "mogren@example.org" not in html
    assert "mogren [at] example [dot] org" in html


def test_enrollment_key_is_shown_to_the_offerings_staff_only(
    client, filled_offering, ta, other_ta, student, password
):
    assert "SECRET-KEY-42" not in client.get(offering_url(filled_offering)).content.decode()
    for outsider in (student, other_ta):
        client.force_login(outsider)
        assert "SECRET-KEY-42" not in client.get(offering_url(filled_offering)).content.decode()
    client.force_login(ta)
    assert "SECRET-KEY-42" in client.get(offering_url(filled_offering)).content.decode()


def test_module_list_shows_outline_in_order(client, filled_offering):
    html = client.get(offering_url(filled_offering, "modules/")).content.decode()
    assert html.index("Preliminaries") < html.index("Recurrent Neural Networks")
    assert "1 lecture" in html


def test_module_page_shows_its_lectures_with_parts(client, filled_offering):
    html = client.get(offering_url(filled_offering, "modules/rnn/")).content.decode()
    assert "Alex Graves" in html
    assert ">Lec1</span>" in html
    assert ">Lec2:1-2:11</span>" in html
    assert "&larr; Preliminaries" in html


def test_lecture_list_groups_lectures_by_module(client, filled_offering):
    html = client.get(offering_url(filled_offering, "lectures/")).content.decode()
    assert "1 lecture selected" in html
    assert "Recurrent Neural Networks" in html
    assert "Alex Graves" in html
    assert "accessible through Scalable Learning" in html


def test_examination_page_renders_rules_and_threshold(client, filled_offering):
    html = client.get(offering_url(filled_offering, "examination/")).content.decode()
    assert "Attend <strong>80 %</strong> of the sessions" in html
    assert "at least <strong>80 %</strong>" in html
    assert "groups of <strong>2</strong>" in html


def test_announcements_hide_drafts_and_future_posts(client, filled_offering):
    AnnouncementFactory(offering=filled_offering, title="Draft post", published_at=None)
    AnnouncementFactory(
        offering=filled_offering,
        title="Future post",
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    html = client.get(offering_url(filled_offering, "announcements/")).content.decode()
    assert "Registration is closed" in html
    assert "Draft post" not in html
    assert "Future post" not in html


def test_announcement_feed_is_atom_with_published_posts(client, filled_offering, other_offering):
    AnnouncementFactory(offering=other_offering, title="Elsewhere")
    AnnouncementFactory(offering=filled_offering, title="Draft post", published_at=None)
    response = client.get(offering_url(filled_offering, "announcements/feed/"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Registration is closed</title>" in body
    assert "Elsewhere" not in body
    assert "Draft post" not in body


def test_empty_offering_pages_say_nothing_is_there_yet(client, offering):
    assert (
        "has not been published yet"
        in client.get(offering_url(offering, "modules/")).content.decode()
    )
    assert "No video lectures" in client.get(offering_url(offering, "lectures/")).content.decode()
    assert (
        "No announcements yet."
        in client.get(offering_url(offering, "announcements/")).content.decode()
    )
    assert "have not been announced" in client.get(offering_url(offering)).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/courses/nope/",
        "/courses/nope/2016/",
        "/courses/deep-learning/1999/",
        "/courses/deep-learning/2016/modules/nope/",
        "/courses/deep-learning/1999/announcements/feed/",
    ],
)
def test_unknown_slugs_give_the_sites_404_page(client, offering, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_module_of_another_offering_is_404(client, offering, other_offering):
    ModuleFactory(offering=other_offering, slug="theirs")
    assert client.get(offering_url(offering, "modules/theirs/")).status_code == 404


@pytest.mark.parametrize("section", [*SECTIONS, "announcements/feed/"])
def test_unpublished_offering_is_visible_to_its_staff_only(
    client, offering, ta, other_ta, student, superuser, section
):
    offering.is_published = False
    offering.save()
    url = offering_url(offering, section)
    assert client.get(url).status_code == 404
    for outsider in (student, other_ta):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for insider in (ta, superuser):
        client.force_login(insider)
        assert client.get(url).status_code == 200


def test_unpublished_offering_is_left_out_of_catalogue_and_course_page(client, offering):
    offering.is_published = False
    offering.save()
    assert "Deep Learning" not in client.get("/").content.decode()
    assert client.get("/courses/deep-learning/").status_code == 404


@pytest.mark.parametrize("section", SECTIONS)
def test_pages_navigation_lists_the_offerings_sections(client, offering, section):
    html = client.get(offering_url(offering, section)).content.decode()
    for target in ("modules/", "lectures/", "examination/", "announcements/"):
        assert f'href="{offering_url(offering, target)}"' in html


def test_offering_home_links_the_published_book_of_abstracts(client, offering):
    assert "book of abstracts" not in client.get(offering_url(offering)).content.decode()
    offering.publish_book = True
    offering.save()
    page = client.get(offering_url(offering)).content.decode()
    assert "Download the book of abstracts" in page
    assert 'href="/courses/deep-learning/2016/projects/abstracts.pdf"' in page


def test_examination_page_shows_the_grading_scales_and_the_rubric(client, filled_offering):
    from sessions.grading.services import grading_setup_defaults

    html = client.get(offering_url(filled_offering, "examination/")).content.decode()
    assert "How projects are assessed" not in html  # nothing to show before they exist
    filled_offering.status = "running"
    filled_offering.save()
    grading_setup_defaults(offering=filled_offering)
    html = client.get(offering_url(filled_offering, "examination/")).content.decode()
    compact = " ".join(html.split())
    label = '<td lang="en-gb">'  # the offering's own text, in its teaching language
    assert f"<td><strong>VG</strong></td>{label}Pass with distinction</td><td>4, 5</td>" in compact
    assert f"<td><strong>3</strong></td>{label}Pass</td><td>3</td>" in compact
    assert "Each project is assessed on 4 criteria." in html
    assert (
        '0 – <span lang="en-gb">Fewer than two topics</span> <span class="text-danger">(fails)'
        in html
    )


def test_catalogue_is_paginated_and_searchable(client, db):
    for number in range(CATALOGUE_PAGE_SIZE + 3):
        course = CourseFactory(title=f"Course {number:03}", code=f"C{number:03}")
        OfferingFactory(course=course, slug="2026")
    deep = CourseFactory(title="Deep Learning", code="DAT450", summary="Neural networks.")
    OfferingFactory(course=deep, slug="2016")
    OfferingFactory(course=deep, slug="2017")
    first = client.get("/").content.decode()
    assert first.count('class="card h-100"') == CATALOGUE_PAGE_SIZE
    assert "Page 1 of 2" in first
    second = client.get("/?page=2").content.decode()
    assert second.count('class="card h-100"') == 4
    for query in ("deep", "DAT450", "neural"):
        found = client.get(f"/?q={query}").content.decode()
        assert found.count('class="card h-100"') == 1, query
        assert "Deep Learning" in found and "2 offerings" in found
    none = client.get("/?q=astrology").content.decode()
    assert "No course matches “astrology”." in none
    assert client.get("/?page=99").status_code == 200  # the last page, not an error
