"""The endpoints of sessions, attendance, progress and grading (docs/ARCHITECTURE.md "The
API"): the public discussion schedule; with a personal access token a student's own
enrolments, attendance, progress and result; for the offering's staff the enrolment list,
the attendance grid, the grade sheet, the results export, a session's register and writing
attendance (through services.register_save, so AttendanceChange logs it, `via` "api").

The same selectors and rules as the pages decide what each token sees: a student's own
endpoints resolve their own enrolment (404 for anyone else's), the staff's ask the named
permission with the offering (accounts.api.staff_offering: 403 for the offering's staff
without it, 404 for everyone else)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from accounts import selectors as accounts_selectors
from accounts.api import staff_offering, token_user
from accounts.enums import EnrolmentStatus
from course.api import offering_of, offering_scopes
from course.api_base import Error, Page, PageQuery, paginate, private_answer, public_answer

from . import selectors, services
from .enums import AttendanceStatus
from .grading import sheet as sheets
from .grading.exports import records_rows
from .progress import progress_for

router = Router()

PUBLIC = {404: Error}
PERSONAL = {401: Error, 404: Error}
STAFF = {401: Error, 403: Error, 404: Error}
OFFERING = "/courses/{course_slug}/{offering_slug}"
ME = "/me/courses/{course_slug}/{offering_slug}"


# The schedule (public) ----------------------------------------------------------------------


class LectureRef(Schema):
    id: int
    title: str


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    room: str
    topic: str
    module: str
    lectures_to_watch: list[LectureRef]
    is_cancelled: bool
    cancel_reason: str

    @staticmethod
    def resolve_module(session) -> str:
        return session.module.title if session.module else ""

    @staticmethod
    def resolve_lectures_to_watch(session) -> list:
        return list(session.module.lectures.all()) if session.module else []


@router.get(
    f"{OFFERING}/sessions",
    response={200: Page[SessionOut], **PUBLIC},
    url_name="sessions",
    tags=["Sessions"],
)
def schedule(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The discussion schedule: every session in time order, with its module and the
    lectures to watch before it."""
    cached = public_answer(request, response, offering_scopes(course_slug, offering_slug))
    if cached:
        return cached
    offering = offering_of(request, course_slug, offering_slug)
    return paginate(request, selectors.schedule_sessions(offering), page)


# A student's own ----------------------------------------------------------------------------


class EnrolmentOut(Schema):
    course: str
    offering: str
    offering_name: str
    status: str
    level: str
    applied_at: datetime
    enrolled_on: date | None
    result: str | None = Field(
        None, description="The final grade, once the results are signed off; else null."
    )

    @staticmethod
    def resolve_course(enrolment) -> str:
        return enrolment.offering.course.slug

    @staticmethod
    def resolve_offering(enrolment) -> str:
        return enrolment.offering.slug

    @staticmethod
    def resolve_offering_name(enrolment) -> str:
        return str(enrolment.offering)


@router.get(
    "/me/enrolments",
    response={200: Page[EnrolmentOut], 401: Error},
    url_name="my_enrolments",
    tags=["You"],
)
def my_enrolments(request: HttpRequest, response: HttpResponse, page: Query[PageQuery]):
    """Your applications and enrolments, latest offering first, each with its status and,
    once the results are signed off, your grade."""
    user = token_user(request)
    private_answer(response)
    answer = paginate(request, accounts_selectors.student_enrolments(user), page)
    results = sheets.signed_off_grades(e for e in answer["items"] if e.is_accepted)
    for enrolment in answer["items"]:
        enrolment.result = results.get(enrolment.pk)
    return answer


def own_enrolment(request: HttpRequest, course_slug: str, offering_slug: str, *, accepted=False):
    """The token owner's enrolment in the offering (as the student's pages resolve it)."""
    enrolment = accounts_selectors.own_enrolment(
        user=token_user(request), course_slug=course_slug, offering_slug=offering_slug
    )
    if accepted and not enrolment.is_accepted:
        raise Http404(_("Only enrolled students have this page."))
    return enrolment


class SummaryOut(Schema):
    threshold: int
    present: int
    excused: int
    absent: int
    remaining: int
    percent: float | None
    meets_threshold: bool
    needed: int | None = Field(
        description="Sessions still to attend to reach the threshold; null when unreachable."
    )
    at_risk: bool


class OwnSessionOut(Schema):
    session: int
    starts_at: datetime
    room: str
    state: str = Field(
        description="present, absent, excused, not_recorded (an absence), cancelled or "
        "before_enrolment"
    )


class MyAttendanceOut(Schema):
    summary: SummaryOut
    sessions: list[OwnSessionOut]


@router.get(
    f"{ME}/attendance",
    response={200: MyAttendanceOut, **PERSONAL},
    url_name="my_attendance",
    tags=["You"],
)
def my_attendance(request: HttpRequest, response: HttpResponse, course_slug: str,
                  offering_slug: str):  # fmt: skip
    """Your attendance in the offering: the summary against its threshold and each session
    held so far."""
    enrolment = own_enrolment(request, course_slug, offering_slug)
    private_answer(response)
    summary, rows = selectors.own_attendance(enrolment)
    return {
        "summary": summary,
        "sessions": [
            {"session": s.pk, "starts_at": s.starts_at, "room": s.room, "state": state}
            for s, state in rows
        ],
    }


class ModuleProgressOut(Schema):
    module: str
    parts_total: int
    parts_watched: int
    quiz_percent: float | None
    sessions_held: int
    sessions_attended: int
    complete: bool

    @staticmethod
    def resolve_module(row) -> str:
        return row.module.title


@router.get(
    f"{ME}/progress",
    response={200: list[ModuleProgressOut], **PERSONAL},
    url_name="my_progress",
    tags=["You"],
)
def my_progress(request: HttpRequest, response: HttpResponse, course_slug: str,
                offering_slug: str):  # fmt: skip
    """Your progress through the modules: lectures watched, quiz score, sessions attended,
    and whether each module is complete."""
    enrolment = own_enrolment(request, course_slug, offering_slug, accepted=True)
    private_answer(response)
    return progress_for(enrolment.offering, [enrolment])[enrolment.pk]


class ConditionOut(Schema):
    key: str
    label: str
    value: str
    state: str


class MyResultOut(Schema):
    eligible: bool
    conditions: list[ConditionOut]
    signed_off: bool
    result: str | None = Field(description="Your grade once the results are signed off.")


@router.get(
    f"{ME}/result",
    response={200: MyResultOut, **PERSONAL},
    url_name="my_result",
    tags=["You"],
)
def my_result(request: HttpRequest, response: HttpResponse, course_slug: str,
              offering_slug: str):  # fmt: skip
    """Your examination: each condition met or not, and your grade once the course
    responsible has signed the results off (before that, null)."""
    enrolment = own_enrolment(request, course_slug, offering_slug, accepted=True)
    private_answer(response)
    sheet = sheets.grade_sheet(enrolment.offering, enrolments=[enrolment])
    row = sheet.rows[0]
    result = sheet.published_result(row)
    return {
        "eligible": row.eligibility.eligible,
        "conditions": row.eligibility.conditions,
        "signed_off": sheet.state.locked,
        "result": result.code if result else None,
    }


# The offering's staff -----------------------------------------------------------------------


class StaffEnrolmentOut(Schema):
    id: int
    student: str
    email: str
    level: str
    status: str
    programme: str
    applied_at: datetime
    enrolled_on: date | None
    decided_at: datetime | None

    @staticmethod
    def resolve_student(enrolment) -> str:
        return enrolment.student.full_name

    @staticmethod
    def resolve_email(enrolment) -> str:
        return enrolment.student.email


@router.get(
    f"{OFFERING}/staff/enrolments",
    response={200: Page[StaffEnrolmentOut], **STAFF},
    url_name="staff_enrolments",
    tags=["Staff"],
)
def staff_enrolments(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
    status: EnrolmentStatus | None = None,
):
    """The offering's applications and enrolments by name, optionally of one status."""
    offering = staff_offering(request, course_slug, offering_slug, "accounts.view_enrolment")
    private_answer(response)
    return paginate(request, accounts_selectors.offering_enrolments(offering, status), page)


class GridSessionOut(Schema):
    id: int
    starts_at: datetime
    room: str


class GridRowOut(Schema):
    enrolment: int
    student: str
    cells: list[str | None] = Field(
        description="The status at each session of `sessions`; null where it does not count "
        "for the student (before they enrolled)."
    )
    summary: SummaryOut


class GridOut(Page[GridRowOut]):
    sessions: list[GridSessionOut]


@router.get(
    f"{OFFERING}/staff/attendance",
    response={200: GridOut, **STAFF},
    url_name="staff_attendance",
    tags=["Staff"],
)
def staff_attendance(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The attendance grid: the sessions held so far, and each student (by name) with their
    status at each and their summary."""
    offering = staff_offering(
        request, course_slug, offering_slug, "discussions.view_attendance_grid"
    )
    private_answer(response)
    held, rows = selectors.attendance_overview(offering)
    answer = paginate(request, rows, page)
    answer["items"] = [
        {
            "enrolment": row.enrolment.pk,
            "student": row.enrolment.student.full_name,
            "cells": [cell or None for cell in row.cells],
            "summary": row.summary,
        }
        for row in answer["items"]
    ]
    return {**answer, "sessions": held}


class SheetRowOut(Schema):
    enrolment: int
    student: str
    level: str
    group: int | None
    attendance_percent: float | None
    eligible: bool
    conditions: list[ConditionOut]
    project_grades: list[int]
    proposed: str | None
    final: str | None


class SheetOut(Page[SheetRowOut]):
    signed_off_at: datetime | None


@router.get(
    f"{OFFERING}/staff/grades",
    response={200: SheetOut, **STAFF},
    url_name="staff_grades",
    tags=["Staff"],
)
def staff_grades(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The grade sheet: each student with their conditions, the assessors' project grades,
    the proposed and the final grade; when the results were signed off."""
    offering = staff_offering(request, course_slug, offering_slug, "discussions.view_grade_sheet")
    private_answer(response)
    sheet = sheets.grade_sheet_shown(offering)
    answer = paginate(request, sheet.rows, page)
    answer["items"] = [
        {
            "enrolment": row.enrolment.pk,
            "student": row.enrolment.student.full_name,
            "level": row.enrolment.level,
            "group": row.group.number if row.group else None,
            "attendance_percent": row.attendance.percent,
            "eligible": row.eligibility.eligible,
            "conditions": row.eligibility.conditions,
            "project_grades": row.project_grades,
            "proposed": row.proposed.code if row.proposed else None,
            "final": row.final.grade if row.graded and row.final else None,
        }
        for row in answer["items"]
    ]
    return {**answer, "signed_off_at": sheet.state.signed_off_at}


class ResultOut(Schema):
    student_name: str
    email: str
    level: str
    course_code: str
    grade: str
    examination_date: date | None


class ResultsOut(Page[ResultOut]):
    preliminary: bool = Field(description="True until the results are signed off.")


@router.get(
    f"{OFFERING}/staff/results",
    response={200: ResultsOut, **STAFF},
    url_name="staff_results",
    tags=["Staff"],
)
def staff_results(
    request: HttpRequest,
    response: HttpResponse,
    course_slug: str,
    offering_slug: str,
    page: Query[PageQuery],
):
    """The results for the records system, as the grade sheet's export has them: one row
    per graded student; preliminary (no grade date) until the results are signed off."""
    offering = staff_offering(request, course_slug, offering_slug, "discussions.view_grade_sheet")
    private_answer(response)
    sheet = sheets.grade_sheet_shown(offering)
    columns = ["student_name", "email", "level", "course_code", "grade", "examination_date"]
    rows = [dict(zip(columns, values, strict=True)) for values in records_rows(sheet)]
    return {**paginate(request, rows, page), "preliminary": not sheet.state.locked}


# A session's register ------------------------------------------------------------------------


class RegisterRowOut(Schema):
    enrolment: int
    student: str
    email: str
    status: str | None = Field(description="present, absent or excused; null: not recorded.")
    active: bool


class RegisterOut(Schema):
    session: int
    starts_at: datetime
    room: str
    open: bool
    closed_reason: str
    students: list[RegisterRowOut]


def register_of(session, *, now=None) -> dict:
    students = services.register_students(session)
    records = {
        record.enrolment_id: record
        for record in session.attendances.filter(enrolment__in=[e.pk for e in students])
    }
    reason = ""
    try:
        services.check_session_open_for_attendance(session, now)
    except ValidationError as problem:
        reason = problem.messages[0]
    return {
        "session": session.pk,
        "starts_at": session.starts_at,
        "room": session.room,
        "open": not reason,
        "closed_reason": reason,
        "students": [
            {
                "enrolment": e.pk,
                "student": e.student.full_name,
                "email": e.student.email,
                "status": records[e.pk].status if e.pk in records else None,
                "active": records[e.pk].active if e.pk in records else False,
            }
            for e in students
        ],
    }


def staff_session(request, course_slug, offering_slug, session_id: int):
    offering = staff_offering(request, course_slug, offering_slug, "discussions.take_register")
    return get_object_or_404(offering.discussion_sessions.select_related("offering"), pk=session_id)


@router.get(
    f"{OFFERING}/staff/sessions/{{session_id}}/attendance",
    response={200: RegisterOut, **STAFF},
    url_name="staff_register",
    tags=["Staff"],
)
def staff_register(request: HttpRequest, response: HttpResponse, course_slug: str,
                   offering_slug: str, session_id: int):  # fmt: skip
    """A session's register: the students it counts for, by name, with what is recorded."""
    session = staff_session(request, course_slug, offering_slug, session_id)
    private_answer(response)
    return register_of(session)


class AttendanceIn(Schema):
    status: AttendanceStatus
    active: bool = Field(False, description="Took an active part (kept for present only).")


class AttendanceEntryIn(AttendanceIn):
    enrolment: int


class RegisterIn(Schema):
    entries: list[AttendanceEntryIn] = Field(min_length=1, max_length=2000)


class SavedOut(Schema):
    created: int
    changed: int
    unchanged: int


WRITE = {200: SavedOut, 400: Error, **STAFF}


def save(request, session, entries: dict[int, tuple[str, bool]]):
    """Through the register's own service, which checks, saves and logs (via "api");
    a refusal changes nothing and answers 400 with its reason."""
    user = token_user(request, write=True)
    try:
        return services.register_save(session=session, entries=entries, by=user, via="api")
    except ValidationError as error:
        raise HttpError(400, _("%(problem)s Nothing was saved.") % {
            "problem": " ".join(error.messages)}) from None  # fmt: skip


def entry(status: str, active: bool) -> tuple[str, bool]:
    return status, active and status == AttendanceStatus.PRESENT


@router.put(
    f"{OFFERING}/staff/sessions/{{session_id}}/attendance/{{enrolment_id}}",
    response=WRITE,
    url_name="staff_attendance_write",
    tags=["Staff"],
)
def staff_attendance_write(request: HttpRequest, response: HttpResponse, course_slug: str,
                           offering_slug: str, session_id: int, enrolment_id: int,
                           body: AttendanceIn):  # fmt: skip
    """Record one student's attendance at a session (a card reader at the door): needs a
    token that may read and write. Logged like a change in the register."""
    session = staff_session(request, course_slug, offering_slug, session_id)
    private_answer(response)
    return save(request, session, {enrolment_id: entry(body.status, body.active)})


@router.post(
    f"{OFFERING}/staff/sessions/{{session_id}}/attendance",
    response=WRITE,
    url_name="staff_register_write",
    tags=["Staff"],
)
def staff_register_write(request: HttpRequest, response: HttpResponse, course_slug: str,
                         offering_slug: str, session_id: int, body: RegisterIn):  # fmt: skip
    """Record the attendance of several students at once: all of them, or (on any problem)
    none. Students not named are left as they are."""
    session = staff_session(request, course_slug, offering_slug, session_id)
    private_answer(response)
    entries = {e.enrolment: entry(e.status, e.active) for e in body.entries}
    if len(entries) != len(body.entries):
        raise HttpError(400, _("A student is named twice; name each once. Nothing was saved."))
    return save(request, session, entries)
