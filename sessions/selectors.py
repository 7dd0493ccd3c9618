"""Reads for the schedule, the register and the attendance pages."""

from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Enrolment
from course.models import Offering, VideoLecture
from projects.models import ProjectGroup

from .attendance import AttendanceSummary, attendance_summaries, counts_for, summarize
from .models import Attendance, DiscussionSession


def schedule_sessions(offering: Offering) -> QuerySet[DiscussionSession]:
    """The offering's sessions with their module and the lectures to watch before them."""
    return (
        offering.discussion_sessions.select_related("module")
        .prefetch_related(
            Prefetch(
                "module__lectures",
                queryset=VideoLecture.objects.order_by("order", "pk").prefetch_related("parts"),
            )
        )
        .order_by("starts_at", "pk")
    )


@dataclass
class Week:
    year: int
    number: int
    sessions: list


def sessions_by_week(sessions) -> list[Week]:
    weeks: OrderedDict[tuple[int, int], Week] = OrderedDict()
    for session in sessions:
        year, number, _ = timezone.localtime(session.starts_at).isocalendar()
        weeks.setdefault((year, number), Week(year, number, [])).sessions.append(session)
    return list(weeks.values())


def accepted_enrolments(offering: Offering) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.accepted()
        .filter(offering=offering)
        .select_related("student")
        .order_by("student__full_name", "pk")
    )


@dataclass
class OverviewRow:
    enrolment: Enrolment
    summary: object
    cells: list  # status per session, "" where the session does not count for the student


def attendance_overview(offering: Offering, *, now=None) -> tuple[list, list[OverviewRow]]:
    """Students by sessions, with each student's summary: four queries in all."""
    now = now or timezone.now()
    sessions = list(offering.discussion_sessions.select_related("module").order_by("starts_at"))
    enrolments = list(accepted_enrolments(offering))
    summaries = attendance_summaries(offering, enrolments, now=now, sessions=sessions)
    records = {
        (enrolment_id, session_id): status
        for enrolment_id, session_id, status in Attendance.objects.filter(
            session__offering=offering
        ).values_list("enrolment_id", "session_id", "status")
    }
    held = [s for s in sessions if not s.is_cancelled and s.starts_at <= now]
    rows = []
    for enrolment in enrolments:
        cells = []
        for session in held:
            if enrolment.enrolled_on and session.local_date < enrolment.enrolled_on:
                cells.append("")
            else:
                cells.append(records.get((enrolment.pk, session.pk), "absent"))
        rows.append(OverviewRow(enrolment, summaries[enrolment.pk], cells))
    return held, rows


def calendar_offerings(user) -> list[tuple[str, str]]:
    """(course slug, offering slug) of every offering the user's personal feed shows: those
    they are accepted in."""
    return list(
        Enrolment.objects.accepted()
        .filter(student=user)
        .values_list("offering__course__slug", "offering__slug")
        .order_by("offering_id")
    )


def next_session(sessions, now) -> DiscussionSession | None:
    """Of an offering's sessions in order, the one going on or coming next (not cancelled)."""
    return next((s for s in sessions if not s.is_cancelled and s.ends_at > now), None)


def groups_to_assess(offering: Offering) -> list[ProjectGroup]:
    """Groups that handed something in or presented and that no one has assessed yet:
    one query."""
    return list(
        ProjectGroup.objects.filter(offering=offering, assessments__isnull=True)
        .filter(Q(submissions__isnull=False) | Q(presented=True))
        .distinct()
        .order_by("number")
    )


def own_attendance(enrolment: Enrolment, *, now=None) -> tuple[AttendanceSummary, list]:
    """A student's attendance in their offering: the summary against the threshold, and
    each session held so far with its state (a status, "cancelled", "before_enrolment" or
    "not_recorded"). Two queries. The student's attendance page and the API show it."""
    offering = enrolment.offering
    now = now or timezone.now()
    sessions = list(offering.discussion_sessions.select_related("module").order_by("starts_at"))
    statuses = dict(
        Attendance.objects.filter(enrolment=enrolment).values_list("session_id", "status")
    )
    summary = summarize(
        sessions=sessions,
        statuses=statuses,
        enrolled_on=enrolment.enrolled_on,
        threshold=offering.attendance_threshold,
        rule=offering.excused_absences,
        now=now,
    )
    rows = []
    for session in sessions:
        if session.starts_at > now:
            continue
        if session.is_cancelled:
            state = "cancelled"
        elif not counts_for(session, enrolment.enrolled_on):
            state = "before_enrolment"
        else:
            state = statuses.get(session.pk, "not_recorded")
        rows.append((session, state))
    return summary, rows
