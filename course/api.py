"""The public endpoints of course content: courses, offerings, modules with their lectures
and lecture parts. What the public pages show, to whoever asks (course.selectors decides
which offerings: published ones, and unpublished ones for their staff's tokens)."""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from . import caching, selectors
from .api_base import Error, Page, PageQuery, paginate, public_answer
from .models import Course, Offering

router = Router(tags=["Courses"])

NOT_FOUND = {404: Error}


class OfferingOut(Schema):
    course: str
    slug: str
    name: str
    study_period: str
    start_date: date
    end_date: date
    status: str
    teaching_language: str
    summary: str  # Markdown, as written
    attendance_threshold: int
    excused_absences: str
    group_size: int
    url: str

    @staticmethod
    def resolve_course(offering: Offering) -> str:
        return offering.course.slug

    @staticmethod
    def resolve_url(offering: Offering, context) -> str:
        return context["request"].build_absolute_uri(offering.get_absolute_url())


class CourseOut(Schema):
    slug: str
    code: str
    title: str
    summary: str
    credits: float | None
    credit_unit: str
    offerings: list[OfferingOut]

    @staticmethod
    def resolve_offerings(course: Course) -> list:
        return course.visible_offerings_list  # type: ignore[attr-defined]


class PartOut(Schema):
    name: str
    range_start: str
    range_end: str


class LectureOut(Schema):
    id: int
    title: str
    speaker: str
    url: str
    parts: list[PartOut]


class ModuleOut(Schema):
    id: int
    order: int
    slug: str
    title: str
    kind: str
    description: str  # Markdown, as written
    lectures: list[LectureOut]


def _courses(user):
    visible = selectors.visible_offerings(user)
    return (
        Course.objects.filter(Exists(visible.filter(course=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "offerings",
                queryset=visible.order_by("-start_date", "-pk"),
                to_attr="visible_offerings_list",
            )
        )
        .order_by("title", "pk")
    )


@router.get("/courses", response=Page[CourseOut], url_name="courses")
def courses(request: HttpRequest, response: HttpResponse, page: Query[PageQuery]):
    """Every course with an offering you may see, by title, each with those offerings."""
    return public_answer(request, response, []) or paginate(request, _courses(request.user), page)


@router.get("/courses/{course_slug}", response={200: CourseOut, **NOT_FOUND}, url_name="course")
def course(request: HttpRequest, response: HttpResponse, course_slug: str):
    """One course with its offerings you may see."""
    cached = public_answer(request, response, caching.scopes_of({"course_slug": course_slug}))
    if cached:
        return cached
    found = _courses(request.user).filter(slug=course_slug).first()
    if found is None:
        raise Http404(_("No such course."))
    return found


def offering_of(request: HttpRequest, course_slug: str, offering_slug: str) -> Offering:
    return selectors.offering_for_page(
        user=request.user, course_slug=course_slug, offering_slug=offering_slug
    )


def offering_scopes(course_slug: str, offering_slug: str) -> list[str]:
    return caching.scopes_of({"course_slug": course_slug, "offering_slug": offering_slug})


@router.get(
    "/courses/{course_slug}/{offering_slug}",
    response={200: OfferingOut, **NOT_FOUND},
    url_name="offering",
)
def offering(request: HttpRequest, response: HttpResponse, course_slug: str, offering_slug: str):
    """One offering: its dates, status, language and examination settings."""
    cached = public_answer(request, response, offering_scopes(course_slug, offering_slug))
    return cached or offering_of(request, course_slug, offering_slug)


@router.get(
    "/courses/{course_slug}/{offering_slug}/modules",
    response={200: Page[ModuleOut], **NOT_FOUND},
    url_name="modules",
)
def modules(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The offering's modules in order, each with its video lectures and their parts."""
    cached = public_answer(request, response, offering_scopes(course_slug, offering_slug))
    if cached:
        return cached
    found = offering_of(request, course_slug, offering_slug)
    return paginate(request, selectors.offering_modules_with_lectures(found), page)
