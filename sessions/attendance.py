"""The attendance rate and the projection to the threshold: the one place that computes them.

The student's attendance page, the staff overview, `attendance_report` and grading all call
summarize() (pure) or attendance_summaries() (which loads what summarize() needs).

Rules:
- Only sessions that are not cancelled and that start on or after the student's enrolment
  date count for that student.
- A held session (it has started) without a record counts as an absence.
- An excused absence either counts as attended or is left out of the total, as the
  offering says (Offering.excused_absences).
- The projection assumes every remaining session is held: it says how many of them the
  student must still attend so that the final rate reaches the threshold, or that even
  attending all of them is not enough.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from course.enums import ExcusedRule

from .enums import AttendanceStatus
from .models import Attendance, DiscussionSession


@dataclass(frozen=True)
class AttendanceSummary:
    threshold: int  # percent
    rule: str  # ExcusedRule
    present: int
    excused: int
    absent: int
    remaining: int  # sessions still to come that count for this student

    @property
    def held(self) -> int:
        return self.present + self.excused + self.absent

    @property
    def attended(self) -> int:
        if self.rule == ExcusedRule.COUNTS_AS_ATTENDED:
            return self.present + self.excused
        return self.present

    @property
    def total(self) -> int:
        """Held sessions in the denominator of the rate."""
        if self.rule == ExcusedRule.REMOVED_FROM_TOTAL:
            return self.present + self.absent
        return self.held

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.attended, self.total) if self.total else None

    @property
    def percent(self) -> float | None:
        return float(self.rate * 100) if self.rate is not None else None

    @property
    def meets_threshold(self) -> bool:
        """At or above the threshold now (nothing held yet counts as meeting it)."""
        return self.rate is None or self.rate * 100 >= self.threshold

    @property
    def needed(self) -> int | None:
        """How many of the remaining sessions must still be attended; None if unreachable."""
        final_total = self.total + self.remaining
        if final_total == 0:
            return 0
        # Smallest k with (attended + k) / final_total >= threshold / 100, in integers.
        needed = max(-(-(self.threshold * final_total) // 100) - self.attended, 0)
        return needed if needed <= self.remaining else None

    @property
    def reachable(self) -> bool:
        return self.needed is not None

    @property
    def best_percent(self) -> float | None:
        """The final rate when every remaining session is attended."""
        final_total = self.total + self.remaining
        if final_total == 0:
            return None
        return 100 * (self.attended + self.remaining) / final_total

    @property
    def at_risk(self) -> bool:
        """Below the threshold now, or unable to reach it any more."""
        return not self.reachable or not self.meets_threshold


def counts_for(session: DiscussionSession, enrolled_on: date | None) -> bool:
    if session.is_cancelled:
        return False
    return enrolled_on is None or session.local_date >= enrolled_on


def summarize(
    *,
    sessions: Iterable[DiscussionSession],
    statuses: dict[int, str],
    enrolled_on: date | None,
    threshold: int,
    rule: str,
    now=None,
) -> AttendanceSummary:
    """Summarize one student's attendance from the offering's sessions and their records.

    `statuses` maps session id to the recorded AttendanceStatus; held sessions without a
    record are absences.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {
        AttendanceStatus.PRESENT: 0,
        AttendanceStatus.EXCUSED: 0,
        AttendanceStatus.ABSENT: 0,
    }
    remaining = 0
    for session in sessions:
        if not counts_for(session, enrolled_on):
            continue
        if session.starts_at > now:
            remaining += 1
        else:
            counts[statuses.get(session.pk, AttendanceStatus.ABSENT)] += 1
    return AttendanceSummary(
        threshold=threshold,
        rule=rule,
        present=counts[AttendanceStatus.PRESENT],
        excused=counts[AttendanceStatus.EXCUSED],
        absent=counts[AttendanceStatus.ABSENT],
        remaining=remaining,
    )


# Up to this many distinct enrolment dates the held sessions that count are listed per date;
# beyond it the database compares each record's session date with the enrolment date.
DATES_LISTED = 40


def _counting_sessions(counted, enrolments, now) -> Q:
    """Records of held sessions that count for their student, as a filter.

    Students enrolled on the same day share the same counting sessions, and a course has few
    enrolment days: the filter lists, per day, the ids counts_for() accepts, so the database
    needs no date conversion per record and agrees with summarize() by construction.
    """
    held = [s for s in counted if s.starts_at <= now]
    dates = {e.enrolled_on for e in enrolments}
    if len(dates) > DATES_LISTED:
        return Q(session_id__in=[s.pk for s in held]) & (
            Q(enrolment__enrolled_on__isnull=True) | Q(day__gte=F("enrolment__enrolled_on"))
        )
    condition = Q(pk__in=[])
    for day in dates:
        ids = [s.pk for s in held if counts_for(s, day)]
        if ids:
            enrolled = (
                Q(enrolment__enrolled_on__isnull=True)
                if day is None
                else Q(enrolment__enrolled_on=day)
            )
            condition |= enrolled & Q(session_id__in=ids)
    return condition


def attendance_summaries(offering, enrolments, *, now=None, sessions=None):
    """{enrolment id: AttendanceSummary} for enrolments of one offering, in two queries.

    The database counts each student's present and excused records in the sessions that
    count for them (held, not cancelled, on or after their enrolment date); the absences are
    the rest of those sessions. So the work per student is constant, whatever the number of
    sessions, and the result is the one summarize() gives.
    """
    now = now or timezone.now()
    if sessions is None:
        sessions = list(offering.discussion_sessions.order_by("starts_at"))
    enrolments = list(enrolments)
    counted = [s for s in sessions if not s.is_cancelled]
    held_ids = [s.pk for s in counted if s.starts_at <= now]
    counts: dict[int, dict[str, int]] = {e.pk: {} for e in enrolments}
    if held_ids and enrolments:
        records = Attendance.objects.filter(
            status__in=[AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED]
        )
        if len({e.enrolled_on for e in enrolments}) > DATES_LISTED:
            # The filter compares each record's session date (a join to the sessions): only
            # with many enrolment dates, since naming the date joins even when unused.
            records = records.alias(day=TruncDate("session__starts_at"))
        records = records.filter(_counting_sessions(counted, enrolments, now))
        if len(enrolments) <= 50:
            records = records.filter(enrolment__in=[e.pk for e in enrolments])
        else:
            records = records.filter(enrolment__offering=offering)
        per_status = (
            records.values_list("enrolment_id", "status").annotate(n=Count("pk")).order_by()
        )
        for enrolment_id, status, n in per_status:
            if enrolment_id in counts:
                counts[enrolment_id][status] = n

    @cache
    def sessions_since(enrolled_on):
        """(held, remaining) sessions that count for a student enrolled on that date."""
        held = remaining = 0
        for session in counted:
            if counts_for(session, enrolled_on):
                if session.starts_at <= now:
                    held += 1
                else:
                    remaining += 1
        return held, remaining

    summaries = {}
    for e in enrolments:
        held, remaining = sessions_since(e.enrolled_on)
        present = counts[e.pk].get(AttendanceStatus.PRESENT, 0)
        excused = counts[e.pk].get(AttendanceStatus.EXCUSED, 0)
        summaries[e.pk] = AttendanceSummary(
            threshold=offering.attendance_threshold,
            rule=offering.excused_absences,
            present=present,
            excused=excused,
            absent=max(held - present - excused, 0),
            remaining=remaining,
        )
    return summaries
