"""Reads that encode visibility: who sees which course, offering and announcement."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from .models import Announcement, Course, Module, Offering, Quiz, VideoLecture, WatchedPart
from .rules import taught_offering_ids


def visible_offerings(user) -> QuerySet[Offering]:
    """Published offerings, plus unpublished ones the user teaches (or all, for superusers)."""
    offerings = Offering.objects.select_related("course")
    if user.is_superuser:
        return offerings
    return offerings.filter(is_published=True) | offerings.filter(pk__in=taught_offering_ids(user))


CATALOGUE_PAGE_SIZE = 24


@dataclass(frozen=True)
class CatalogueEntry:
    course: Course
    offering: Offering  # its latest visible offering
    offering_count: int


def catalogue_courses(user, *, query: str = "") -> QuerySet[Course]:
    """Courses with an offering the user may see, by title; `query` narrows them by title,
    code or summary. Each carries the id of its latest visible offering and how many it
    has (annotations, so a page of the catalogue costs the same whatever its length)."""
    visible = visible_offerings(user).filter(course=OuterRef("pk"))
    courses = Course.objects.filter(Exists(visible)).annotate(
        latest_offering_id=Subquery(visible.order_by("-start_date", "-pk").values("pk")[:1]),
        visible_offerings=Subquery(
            visible.order_by().values("course").annotate(n=Count("pk")).values("n")
        ),
    )
    words = query.split()
    for word in words[:8]:
        courses = courses.filter(
            Q(title__icontains=word) | Q(code__icontains=word) | Q(summary__icontains=word)
        )
    return courses.order_by("title", "pk")


def catalogue_entries(courses: list[Any]) -> list[CatalogueEntry]:
    """One page of catalogue_courses() with their latest offerings: one query more."""
    offerings = Offering.objects.in_bulk([c.latest_offering_id for c in courses])
    return [
        CatalogueEntry(c, offerings[c.latest_offering_id], c.visible_offerings or 1)
        for c in courses
        if c.latest_offering_id in offerings
    ]


def course_offerings(*, user, course_slug: str) -> list[Offering]:
    """The course's visible offerings, latest first; 404 when there are none."""
    offerings = list(
        visible_offerings(user).filter(course__slug=course_slug).order_by("-start_date", "-pk")
    )
    if not offerings:
        raise Http404("No such course.")
    return offerings


def offering_for_page(*, user, course_slug: str, offering_slug: str) -> Offering:
    """The offering a public page is about; 404 if it does not exist or is not visible."""
    try:
        return visible_offerings(user).get(course__slug=course_slug, slug=offering_slug)
    except Offering.DoesNotExist:
        raise Http404("No such offering.") from None


def offering_modules(offering: Offering) -> QuerySet[Module]:
    return offering.modules.order_by("order", "pk")


def lectures_prefetch() -> Prefetch:
    return Prefetch(
        "lectures",
        queryset=VideoLecture.objects.order_by("order", "pk").prefetch_related("parts"),
    )


def offering_modules_with_lectures(offering: Offering) -> QuerySet[Module]:
    return offering_modules(offering).prefetch_related(lectures_prefetch())


def published_announcements(offering: Offering) -> QuerySet[Announcement]:
    return offering.announcements.published().select_related("author", "offering__course")


def offering_by_path(path: str) -> Offering:
    """The offering named "course-slug/offering-slug", as commands take it.

    Raises Offering.DoesNotExist with a message that lists the offerings there are.
    """
    course_slug, _, offering_slug = path.strip("/").partition("/")
    offering = (
        Offering.objects.select_related("course")
        .filter(course__slug=course_slug, slug=offering_slug)
        .first()
    )
    if offering is None:
        known = ", ".join(
            f"{c}/{o}"
            for c, o in Offering.objects.order_by("course__slug", "slug").values_list(
                "course__slug", "slug"
            )
        )
        raise Offering.DoesNotExist(
            f"No offering “{path}”: give it as course/offering, one of: {known or 'none yet'}."
        )
    return offering


def watched_units(enrolment) -> set:
    """{("part", id)} and {("lecture", id)} the student (an accounts.Enrolment) has ticked."""
    return {
        ("part", part_id) if part_id else ("lecture", lecture_id)
        for lecture_id, part_id in WatchedPart.objects.filter(enrolment=enrolment).values_list(
            "lecture_id", "part_id"
        )
    }


def taught_offerings(user) -> list[Offering]:
    """The offerings the user is listed as staff of, latest first."""
    return list(
        Offering.objects.filter(staff__user=user)
        .select_related("course")
        .order_by("-start_date")
        .distinct()
    )


def next_clock_edge(offering_ids: list[int], now) -> Any:
    """The next moment the offerings' pages change by the clock alone (course.caching):
    registration opening or closing, the preferences and abstracts deadlines, an
    announcement's publication, a quiz opening or closing."""
    later = [
        *Offering.objects.filter(pk__in=offering_ids)
        .aggregate(
            **{
                field: Min(field, filter=Q(**{f"{field}__gt": now}))
                for field in (
                    "registration_opens",
                    "registration_closes",
                    "preferences_deadline",
                    "abstracts_deadline",
                )
            }
        )
        .values(),
        Announcement.objects.filter(offering_id__in=offering_ids, published_at__gt=now)
        .aggregate(Min("published_at"))
        .popitem()[1],
        *Quiz.objects.filter(module__offering_id__in=offering_ids)
        .aggregate(
            opens=Min("opens_at", filter=Q(opens_at__gt=now)),
            closes=Min("closes_at", filter=Q(closes_at__gt=now)),
        )
        .values(),
    ]
    return min((moment for moment in later if moment is not None), default=None)


def announcements_since(offering: Offering, since, *, limit: int = 5) -> list[Announcement]:
    """The offering's published announcements newer than `since` (all when None), newest
    first, at most `limit`: one query."""
    announcements = offering.announcements.published()
    if since is not None:
        announcements = announcements.filter(published_at__gt=since)
    return list(announcements.order_by("-published_at", "-pk")[:limit])
