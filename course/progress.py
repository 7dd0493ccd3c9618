"""Each student's progress through the modules: lectures watched, quiz, sessions attended.

The offering's rule: a module is complete when every lecture part is watched, the counted
quiz attempt reaches Offering.quiz_pass_percent, and the share of the module's held
sessions attended reaches the attendance threshold. Modules without lectures, quiz or
sessions need nothing of that kind.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from .enums import ModuleKind
from .models import Module, Quiz, QuizAttempt, VideoLecture, WatchedPart
from .quizzes import counted_attempt


@dataclass
class ModuleProgress:
    module: Module
    parts_total: int
    parts_watched: int
    quizzes: list  # (quiz, counted attempt or None)
    sessions_held: int
    sessions_attended: int
    complete: bool

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
    from sessions.models import Attendance

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
    sessions = list(
        offering.discussion_sessions.filter(is_cancelled=False, starts_at__lte=now).values_list(
            "pk", "module_id", "starts_at"
        )
    )
    present = set(
        Attendance.objects.filter(
            enrolment__in=ids, session__offering=offering, status__in=["present", "excused"]
        ).values_list("enrolment_id", "session_id")
    )
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
            held = [
                pk
                for pk, module_id, starts_at in sessions
                if module_id == module.pk
                and (
                    enrolment.enrolled_on is None
                    or timezone.localtime(starts_at).date() >= enrolment.enrolled_on
                )
            ]
            attended = sum(1 for pk in held if (enrolment.pk, pk) in present)
            quiz_ok = all(
                a is not None and a.percent >= offering.quiz_pass_percent for _, a in quizzes
            )
            sessions_ok = not held or 100 * attended >= offering.attendance_threshold * len(held)
            rows.append(
                ModuleProgress(
                    module=module,
                    parts_total=len(units),
                    parts_watched=seen,
                    quizzes=quizzes,
                    sessions_held=len(held),
                    sessions_attended=attended,
                    complete=seen == len(units) and quiz_ok and sessions_ok,
                )
            )
        result[enrolment.pk] = rows
    return result
