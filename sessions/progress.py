"""Each student's progress through the modules: lectures watched, quiz, sessions attended.

The offering's rule: a module is complete when every lecture part is watched, the counted
quiz attempt reaches Offering.quiz_pass_percent, and the module's held sessions meet the
attendance threshold as the one attendance rule counts them (sessions/attendance.py: the
sessions that count for the student, and the offering's rule for excused absences).
Modules without lectures, quiz or sessions need nothing of that kind.

It lives in sessions, the top of the app order, because it reads course (lectures,
quizzes) and attendance.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from course.enums import ModuleKind
from course.models import Module, Quiz, QuizAttempt, VideoLecture, WatchedPart
from course.quizzes import counted_attempt

from .attendance import AttendanceSummary, summarize
from .enums import AttendanceStatus
from .models import Attendance, DiscussionSession


@dataclass
class ModuleProgress:
    module: Module
    parts_total: int
    parts_watched: int
    quizzes: list  # (quiz, counted attempt or None)
    sessions: AttendanceSummary  # the module's sessions only
    complete: bool

    @property
    def sessions_held(self) -> int:
        """Held sessions that count, as the offering's rule for excused absences says."""
        return self.sessions.total

    @property
    def sessions_attended(self) -> int:
        return self.sessions.attended

    @property
    def quiz_percent(self):
        scores = [a.percent for _, a in self.quizzes if a]
        return sum(scores) / len(scores) if scores else None


def modules_for_progress(offering):
    return list(
        offering.modules.filter(kind=ModuleKind.REGULAR)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("lectures", queryset=VideoLecture.objects.prefetch_related("parts")),
            Prefetch("quizzes", queryset=Quiz.objects.order_by("opens_at", "pk")),
        )
    )


def _units(lecture) -> list:
    """What can be ticked: each part, or the lecture itself when it has none."""
    parts = list(lecture.parts.all())
    return [("part", p.pk) for p in parts] or [("lecture", lecture.pk)]


def progress_for(offering, enrolments, *, now=None) -> dict:
    """{enrolment id: [ModuleProgress]} for the given enrolments, in a fixed number of queries."""
    now = now or timezone.now()
    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    modules = modules_for_progress(offering)
    watched: dict[int, set] = {pk: set() for pk in ids}
    for enrolment_id, lecture_id, part_id in WatchedPart.objects.filter(
        enrolment__in=ids
    ).values_list("enrolment_id", "lecture_id", "part_id"):
        watched[enrolment_id].add(("part", part_id) if part_id else ("lecture", lecture_id))
    attempts: dict[tuple[int, int], list] = {}
    for attempt in QuizAttempt.objects.filter(
        enrolment__in=ids, quiz__module__offering=offering
    ).order_by("number"):
        attempts.setdefault((attempt.enrolment_id, attempt.quiz_id), []).append(attempt)
    held: dict[int | None, list[DiscussionSession]] = {}
    for session in DiscussionSession.objects.filter(offering=offering, starts_at__lte=now).only(
        "pk", "module_id", "starts_at", "is_cancelled"
    ):
        held.setdefault(session.module_id, []).append(session)
    statuses: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    for enrolment_id, session_id, status in Attendance.objects.filter(
        enrolment__in=ids,
        session__offering=offering,
        status__in=[AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED],
    ).values_list("enrolment_id", "session_id", "status"):
        statuses[enrolment_id][session_id] = status
    result = {}
    for enrolment in enrolments:
        rows = []
        for module in modules:
            units = [u for lecture in module.lectures.all() for u in _units(lecture)]
            seen = sum(1 for u in units if u in watched[enrolment.pk])
            quizzes = [
                (quiz, counted_attempt(quiz, attempts.get((enrolment.pk, quiz.pk), [])))
                for quiz in module.quizzes.all()
            ]
            sessions = summarize(
                sessions=held.get(module.pk, []),
                statuses=statuses[enrolment.pk],
                enrolled_on=enrolment.enrolled_on,
                threshold=offering.attendance_threshold,
                rule=offering.excused_absences,
                now=now,
            )
            quiz_ok = all(
                a is not None and a.percent >= offering.quiz_pass_percent for _, a in quizzes
            )
            rows.append(
                ModuleProgress(
                    module=module,
                    parts_total=len(units),
                    parts_watched=seen,
                    quizzes=quizzes,
                    sessions=sessions,
                    complete=seen == len(units) and quiz_ok and sessions.meets_threshold,
                )
            )
        result[enrolment.pk] = rows
    return result
