"""Eligibility: whether a student meets each condition for a grade, and why not.

One `Condition` each for attendance (as sessions/attendance.py counts it), every required
deliverable (extensions honoured, judged by the first upload) and the presentation. Each
is met, pending while the course can still change it, or missing. Pure functions of what
the grade sheet loaded.

The labels and values are worded in the active language when the sheet is made (a sheet kept
in the cache is kept per language: sheet.grade_sheet_shown()).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

from ..attendance import AttendanceSummary
from ..enums import ConditionState
from .rules import percent_text


def _(message: str) -> str:
    """gettext, remembered per language: a sheet words the same few messages for thousands of
    rows, and each gettext walks the catalogues (in English, all of them, to find nothing)."""
    return _translated(message, get_language())


@lru_cache(maxsize=512)
def _translated(message: str, language: str | None) -> str:
    return gettext(message)


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
        return "; ".join(str(c) for c in self.unmet) or _("all conditions met")


def attendance_condition(summary: AttendanceSummary) -> Condition:
    return _attendance_condition(summary, get_language())


@lru_cache(maxsize=2048)
def _attendance_condition(summary: AttendanceSummary, language: str | None) -> Condition:
    # Worded once per distinct summary and language: a sheet of thousands of students has a
    # few dozen distinct ones (the summary is a frozen value; the arguments are the whole key).
    label, threshold = _("Attendance"), summary.threshold
    if summary.percent is None and summary.held:
        # Excused from every held session, and excused absences are left out of the total:
        # there is no participation to judge. No proposal then: a TA decides, with a reason.
        value = ngettext(
            "excused from all %(count)s held session, needs %(threshold)s %%; a teacher decides",
            "excused from all %(count)s held sessions, needs %(threshold)s %%; a teacher decides",
            summary.held,
        ) % {"count": summary.held, "threshold": threshold}
        return Condition("attendance", label, value, ConditionState.PENDING)
    if summary.percent is None:
        if summary.remaining:
            value = _("no session yet, needs %(threshold)s %%") % {"threshold": threshold}
            return Condition("attendance", label, value, ConditionState.PENDING)
        return Condition("attendance", label, _("no session since enrolment"), ConditionState.MET)
    percent = percent_text(summary.percent)
    if summary.remaining:
        if not summary.reachable:
            best_percent = summary.best_percent
            assert best_percent is not None  # sessions remain, so the final total is not 0
            value = _("%(percent)s, needs %(threshold)s %%; at most %(best)s is still possible") % {
                "percent": percent,
                "threshold": threshold,
                "best": percent_text(best_percent),
            }
            return Condition("attendance", label, value, ConditionState.MISSING)
        value = ngettext(
            "%(percent)s so far, needs %(threshold)s %%; %(count)s session to go",
            "%(percent)s so far, needs %(threshold)s %%; %(count)s sessions to go",
            summary.remaining,
        ) % {"percent": percent, "threshold": threshold, "count": summary.remaining}
        return Condition("attendance", label, value, ConditionState.PENDING)
    state = ConditionState.MET if summary.meets_threshold else ConditionState.MISSING
    value = _("%(percent)s, needs %(threshold)s %%") % {"percent": percent, "threshold": threshold}
    return Condition("attendance", label, value, state)


def _local(moment: datetime, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    return _local_in(moment, format_name, get_language(), timezone.get_current_timezone_name())


@lru_cache(maxsize=512)
def _local_in(moment: datetime, format_name: str, language: str | None, zone: str) -> str:
    # A sheet words the same few deadlines and presentation days for thousands of rows: each
    # is formatted once per language and time zone (the arguments are the whole key).
    return formats.date_format(timezone.localtime(moment), format_name)


def forget_wording() -> None:
    """Empties this process's memory of worded conditions and dates (benchmarks measure a
    fresh worker with it)."""
    _attendance_condition.cache_clear()
    _local_in.cache_clear()
    _translated.cache_clear()


def deliverable_condition(
    deliverable, *, group, first_upload, due, extended, now, course_running=False
) -> Condition:
    # The deliverable's title is the course's own text, shown as it is.
    key, label = f"deliverable:{deliverable.slug}", deliverable.title

    def due_text() -> str:  # worded only for a row that shows it
        date = _local(due)
        return _("%(date)s (extended)") % {"date": date} if extended else date

    if group is None:
        state = ConditionState.PENDING if due > now else ConditionState.MISSING
        value = _("not in a project group, due %(date)s") % {"date": due_text()}
        return Condition(key, label, value, state)
    if first_upload is not None:
        if first_upload > due:
            days = (first_upload - due).days
            if days:
                value = ngettext(
                    "submitted %(count)s day late", "submitted %(count)s days late", days
                ) % {"count": days}
            else:
                value = _("submitted less than a day late")
            return Condition(key, label, value, ConditionState.MET)
        return Condition(key, label, _("submitted"), ConditionState.MET)
    if due > now:
        value = _("not submitted yet, due %(date)s") % {"date": due_text()}
        return Condition(key, label, value, ConditionState.PENDING)
    if deliverable.accepts_late and course_running:
        value = _("not submitted, was due %(date)s; a late upload is still accepted") % {
            "date": due_text()
        }
        return Condition(key, label, value, ConditionState.PENDING)
    value = _("not submitted, was due %(date)s") % {"date": due_text()}
    return Condition(key, label, value, ConditionState.MISSING)


def presented_condition(*, group, slot, offering, now) -> Condition:
    key, label = "presented", _("Project presented")
    if group is None:
        in_time = offering.end_date >= timezone.localdate(now)
        state = ConditionState.PENDING if in_time else ConditionState.MISSING
        return Condition(key, label, _("not in a project group"), state)
    if group.presented:
        if slot is None:
            return Condition(key, label, _("presented"), ConditionState.MET)
        day = _local(slot.starts_at, "SHORT_DATE_FORMAT")
        return Condition(key, label, _("presented on %(date)s") % {"date": day}, ConditionState.MET)
    if group.presented is False:
        return Condition(key, label, _("did not present"), ConditionState.MISSING)
    if slot is not None and slot.ends_at > now:
        value = _("scheduled %(date)s") % {"date": _local(slot.starts_at)}
        return Condition(key, label, value, ConditionState.PENDING)
    if offering.end_date >= timezone.localdate(now):
        # The TA may not have recorded the presentation day yet: not a fail before the end.
        value = _("not scheduled yet") if slot is None else _("not recorded yet")
        return Condition(key, label, value, ConditionState.PENDING)
    return Condition(key, label, _("not recorded as presented"), ConditionState.MISSING)
