"""The public endpoints of projects: the accepted projects with their abstracts, and the
presentation programme, as the public pages show them (projects.selectors)."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from course.api import offering_of, offering_scopes
from course.api_base import Error, Page, PageQuery, paginate, public_answer

from . import selectors

router = Router(tags=["Projects"])


class ProjectOut(Schema):
    number: int
    title: str
    status: str
    abstract: str  # Markdown, as written
    description: str
    topics: list[str]
    members: list[str]

    @staticmethod
    def resolve_title(group) -> str:
        return group.proposal.title

    @staticmethod
    def resolve_status(group) -> str:
        return group.proposal.status

    @staticmethod
    def resolve_abstract(group) -> str:
        return group.proposal.abstract

    @staticmethod
    def resolve_description(group) -> str:
        return group.proposal.description

    @staticmethod
    def resolve_topics(group) -> list[str]:
        return [module.title for module in group.proposal.topics.all()]

    @staticmethod
    def resolve_members(group) -> list[str]:
        return [m.enrolment.student.full_name for m in group.memberships.all()]


class SlotOut(Schema):
    position: int
    starts_at: datetime
    ends_at: datetime
    project: int | None
    title: str
    presenters: list[str]

    @staticmethod
    def resolve_project(slot) -> int | None:
        return slot.group.number if slot.group else None

    @staticmethod
    def resolve_title(slot) -> str:
        return slot.group.proposal.title if slot.group else ""

    @staticmethod
    def resolve_presenters(slot) -> list[str]:
        if slot.group is None:
            return []
        return [m.enrolment.student.full_name for m in slot.group.memberships.all()]


class PresentationSessionOut(Schema):
    starts_at: datetime
    ends_at: datetime
    room: str
    slots: list[SlotOut]

    @staticmethod
    def resolve_slots(session) -> list:
        return list(session.slots.all())


@router.get(
    "/courses/{course_slug}/{offering_slug}/projects",
    response={200: Page[ProjectOut], 404: Error},
    url_name="projects",
)
def projects(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The accepted projects by number, with title, abstract, topics and members (and the
    submitted ones where the offering shows them, as its projects page does)."""
    cached = public_answer(request, response, offering_scopes(course_slug, offering_slug))
    if cached:
        return cached
    offering = offering_of(request, course_slug, offering_slug)
    return paginate(request, selectors.public_projects(offering), page)


@router.get(
    "/courses/{course_slug}/{offering_slug}/programme",
    response={200: Page[PresentationSessionOut], 404: Error},
    url_name="programme",
)
def programme(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The presentation programme: each presentation session with its published slots in
    order, the project and its presenters (the offering's staff also see unpublished ones,
    as on the page)."""
    cached = public_answer(request, response, offering_scopes(course_slug, offering_slug))
    if cached:
        return cached
    offering = offering_of(request, course_slug, offering_slug)
    staff = request.user.has_perm("course.see_offering_internals", offering)
    return paginate(request, selectors.programme(offering, include_unpublished=staff), page)
