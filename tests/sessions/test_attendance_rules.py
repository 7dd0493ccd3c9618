"""The attendance rate and the projection to the threshold (sessions/attendance.py)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sessions.attendance import AttendanceSummary, summarize
from sessions.models import DiscussionSession

NOW = timezone.now()


def summary(present=0, excused=0, absent=0, remaining=0, threshold=80, rule="removed"):
    return AttendanceSummary(
        threshold=threshold, rule=rule, present=present, excused=excused, absent=absent,
        remaining=remaining,
    )  # fmt: skip


def test_rate_counts_present_over_held():
    s = summary(present=8, absent=2)
    assert s.percent == 80.0
    assert s.meets_threshold


def test_excused_absence_left_out_of_the_total():
    s = summary(present=7, excused=1, absent=2, rule="removed")
    assert (s.attended, s.total) == (7, 9)


def test_excused_absence_counted_as_attended():
    s = summary(present=7, excused=1, absent=2, rule="attended")
    assert (s.attended, s.total) == (8, 10)


def test_projection_says_how_many_remaining_sessions_are_needed():
    # 6 of 10 so far, 10 to come: 16 of 20 reaches exactly 80 %.
    s = summary(present=6, absent=4, remaining=10)
    assert s.needed == 10
    assert s.reachable
    s = summary(present=7, absent=3, remaining=10)
    assert s.needed == 9


def test_projection_knows_when_the_threshold_is_out_of_reach():
    s = summary(present=2, absent=8, remaining=10)
    assert s.needed is None
    assert not s.reachable
    assert s.best_percent == 60.0
    assert s.at_risk


def test_safe_student_needs_nothing_more():
    s = summary(present=19, absent=0, remaining=1)
    assert s.needed == 0
    assert not s.at_risk


def test_nothing_held_yet():
    s = summary(remaining=19)
    assert s.rate is None
    assert s.meets_threshold
    assert s.needed == 16  # ceil(0.8 * 19)


@given(
    present=st.integers(0, 40),
    excused=st.integers(0, 10),
    absent=st.integers(0, 40),
    remaining=st.integers(0, 40),
    threshold=st.integers(0, 100),
    rule=st.sampled_from(["removed", "attended"]),
)
def test_needed_is_the_least_that_reaches_the_threshold(
    present, excused, absent, remaining, threshold, rule
):
    s = summary(present, excused, absent, remaining, threshold, rule)
    final_total = s.total + remaining

    def reaches(k):
        return final_total == 0 or (s.attended + k) * 100 >= threshold * final_total

    if s.needed is None:
        assert not reaches(remaining)
    else:
        assert 0 <= s.needed <= remaining
        assert reaches(s.needed)
        assert s.needed == 0 or not reaches(s.needed - 1)


def session(pk, days_ago, cancelled=False):
    start = NOW - dt.timedelta(days=days_ago)
    return DiscussionSession(
        pk=pk, starts_at=start, ends_at=start + dt.timedelta(hours=2), is_cancelled=cancelled
    )


def test_summarize_skips_cancelled_and_pre_enrolment_sessions_and_counts_missing_as_absent():
    sessions = [
        session(1, 20),  # before the enrolment date
        session(2, 10, cancelled=True),
        session(3, 8),  # present
        session(4, 6),  # no record: absent
        session(5, 4),  # excused
        session(6, -2),  # to come
        session(7, -4, cancelled=True),
    ]
    result = summarize(
        sessions=sessions,
        statuses={1: "present", 3: "present", 5: "excused"},
        enrolled_on=(NOW - dt.timedelta(days=15)).date(),
        threshold=80,
        rule="removed",
        now=NOW,
    )
    assert (result.present, result.excused, result.absent, result.remaining) == (1, 1, 1, 1)
    assert result.total == 2


@pytest.mark.parametrize(("present", "expected"), [(14, False), (15, False), (16, True)])
def test_seed_rule_eighty_percent_of_nineteen(present, expected):
    # 2016 had 19 sessions: 16 of them is 84 %, 15 is 79 %.
    assert summary(present=present, absent=19 - present).meets_threshold is expected


@pytest.mark.django_db
@pytest.mark.parametrize("enrolment_days", [3, 45])  # few dates listed; many compared in SQL
def test_database_counts_agree_with_summarize(offering, enrolment_days):
    """attendance_summaries() counts in the database; per student it must give exactly what
    summarize() gives from the records, whatever the enrolment dates (late enrolments, a
    session just after midnight local time, cancelled and future sessions)."""
    from random import Random

    from accounts.models import Enrolment
    from sessions.attendance import attendance_summaries
    from sessions.models import Attendance
    from tests.factories import EnrolmentFactory

    rng = Random(enrolment_days)
    start = timezone.localtime(NOW).replace(hour=0, minute=30, second=0, microsecond=0)
    sessions = [
        DiscussionSession.objects.create(
            offering=offering,
            starts_at=start - dt.timedelta(days=60 - day),
            ends_at=start - dt.timedelta(days=60 - day, hours=-2),
            room="ML13",
            is_cancelled=day % 11 == 0,
        )
        for day in range(0, 70, 1)  # the last ten are still to come
    ]
    today = timezone.localdate(NOW)
    enrolments = [
        EnrolmentFactory(
            offering=offering,
            status="accepted",
            enrolled_on=None if i == 0 else today - dt.timedelta(days=60 - i % enrolment_days),
        )
        for i in range(enrolment_days + 5)
    ]
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=e, status=rng.choice(["present", "excused", "absent"]))
        for e in enrolments
        for s in sessions
        if rng.random() < 0.8
    )
    summaries = attendance_summaries(offering, Enrolment.objects.filter(offering=offering), now=NOW)
    for enrolment in enrolments:
        statuses = dict(
            Attendance.objects.filter(enrolment=enrolment).values_list("session_id", "status")
        )
        assert summaries[enrolment.pk] == summarize(
            sessions=sessions,
            statuses=statuses,
            enrolled_on=enrolment.enrolled_on,
            threshold=offering.attendance_threshold,
            rule=offering.excused_absences,
            now=NOW,
        )
