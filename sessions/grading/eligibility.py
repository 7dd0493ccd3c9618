"""Eligibility: whether a student meets each condition for a grade, and why not.

One `Condition` each for attendance (as sessions/attendance.py counts it), every required
deliverable (extensions honoured, judged by the first upload) and the presentation. Each
is met, pending while the course can still change it, or missing. Pure functions of what
the grade sheet loaded.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..attendance import AttendanceSummary
from ..enums import ConditionState
from .rules import percent_text


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    value: str
    state: str  # ConditionState

    @property
    def met(self) -> bool:
        return self.state == ConditionState.MET

    @property
    def missing(self) -> bool:
        return self.state == ConditionState.MISSING

    def __str__(self):
        return f"{self.label}: {self.value}"


@dataclass(frozen=True)
class Eligibility:
    conditions: list[Condition]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def failed(self) -> bool:
        """A condition is not met and can no longer be met in time."""
        return any(c.missing for c in self.conditions)

    @property
    def pending(self) -> bool:
        return not self.eligible and not self.failed

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def explain(self) -> str:
        """e.g. "attendance 75 %, needs 80 %; Project report: not submitted"."""
        return "; ".join(str(c) for c in self.unmet) or "all conditions met"


def attendance_condition(summary: AttendanceSummary) -> Condition:
    needs = f"needs {summary.threshold} %"
    if summary.percent is None and summary.held:
        # Excused from every held session, and excused absences are left out of the total:
        # there is no participation to judge. No proposal then: a TA decides, with a reason.
        return Condition(
            "attendance",
            "Attendance",
            f"excused from all {summary.held} held session{'s' if summary.held != 1 else ''}, "
            f"{needs}; a teacher decides",
            ConditionState.PENDING,
        )
    if summary.percent is None:
        if summary.remaining:
            return Condition(
                "attendance", "Attendance", f"no session yet, {needs}", ConditionState.PENDING
            )
        return Condition(
            "attendance", "Attendance", "no session since enrolment", ConditionState.MET
        )
    now_text = f"{percent_text(summary.percent)}, {needs}"
    if summary.remaining:
        if not summary.reachable:
            best_percent = summary.best_percent
            assert best_percent is not None  # sessions remain, so the final total is not 0
            best = percent_text(best_percent)
            return Condition(
                "attendance",
                "Attendance",
                f"{now_text}; at most {best} is still possible",
                ConditionState.MISSING,
            )
        left = f"{summary.remaining} session{'s' if summary.remaining != 1 else ''} to go"
        return Condition(
            "attendance",
            "Attendance",
            f"{percent_text(summary.percent)} so far, {needs}; {left}",
            ConditionState.PENDING,
        )
    state = ConditionState.MET if summary.meets_threshold else ConditionState.MISSING
    return Condition("attendance", "Attendance", now_text, state)


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def deliverable_condition(
    deliverable, *, group, first_upload, due, extended, now, course_running=False
) -> Condition:
    key, label = f"deliverable:{deliverable.slug}", deliverable.title
    when = f"due {_local(due)}{' (extended)' if extended else ''}"
    if group is None:
        state = ConditionState.PENDING if due > now else ConditionState.MISSING
        return Condition(key, label, f"not in a project group, {when}", state)
    if first_upload is not None:
        if first_upload > due:
            days = (first_upload - due).days
            late = f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"
            return Condition(key, label, f"submitted {late} late", ConditionState.MET)
        return Condition(key, label, "submitted", ConditionState.MET)
    if due > now:
        return Condition(key, label, f"not submitted yet, {when}", ConditionState.PENDING)
    if deliverable.accepts_late and course_running:
        return Condition(
            key,
            label,
            f"not submitted, was {when}; a late upload is still accepted",
            ConditionState.PENDING,
        )
    return Condition(key, label, f"not submitted, was {when}", ConditionState.MISSING)


def presented_condition(*, group, slot, offering, now) -> Condition:
    key, label = "presented", "Project presented"
    if group is None:
        in_time = offering.end_date >= timezone.localdate(now)
        state = ConditionState.PENDING if in_time else ConditionState.MISSING
        return Condition(key, label, "not in a project group", state)
    if group.presented:
        when = f" on {timezone.localtime(slot.starts_at):%Y-%m-%d}" if slot else ""
        return Condition(key, label, f"presented{when}", ConditionState.MET)
    if group.presented is False:
        return Condition(key, label, "did not present", ConditionState.MISSING)
    if slot is not None and slot.ends_at > now:
        return Condition(key, label, f"scheduled {_local(slot.starts_at)}", ConditionState.PENDING)
    if offering.end_date >= timezone.localdate(now):
        # The TA may not have recorded the presentation day yet: not a fail before the end.
        value = "not scheduled yet" if slot is None else "not recorded yet"
        return Condition(key, label, value, ConditionState.PENDING)
    return Condition(key, label, "not recorded as presented", ConditionState.MISSING)
