"""The progress page counts a module's sessions by the one attendance rule
(sessions/attendance.py): the offering's rule for excused absences included."""

import pytest

from accounts.enums import EnrolmentStatus as S
from sessions.attendance import summarize
from sessions.models import DiscussionSession
from sessions.progress import progress_for
from sessions.services import register_save
from tests.factories import DiscussionSessionFactory, EnrolmentFactory, ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(offering, ta):
    """A module with five held sessions: the student was present at three, excused from
    one and absent from one."""
    module = ModuleFactory(offering=offering, title="Convolutional networks")
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED, enrolled_on=None)
    sessions = [
        DiscussionSessionFactory(offering=offering, module=module, days_ago=days)
        for days in (9, 8, 7, 6, 5)
    ]
    for session, status in zip(sessions, ["present"] * 3 + ["excused", "absent"], strict=True):
        register_save(session=session, entries={enrolment.pk: (status, False)}, by=ta)
    return module, enrolment


@pytest.mark.parametrize(
    ("rule", "complete", "shown", "percent"),
    [
        # Left out of the total (the default): 3 of 4, 75 %, below the 80 % threshold.
        ("removed", False, "3 of 4", 75),
        # Counted as attended: 4 of 5, 80 %, the threshold is met.
        ("attended", True, "4 of 5", 80),
    ],
)
def test_a_module_is_complete_only_as_the_attendance_rule_counts_its_sessions(
    client, offering, week, rule, complete, shown, percent
):
    module, enrolment = week
    offering.excused_absences = rule
    offering.save()
    [row] = progress_for(offering, [enrolment])[enrolment.pk]
    assert row.complete is complete
    assert f"{row.sessions_attended} of {row.sessions_held}" == shown
    # The same numbers as the attendance rule itself gives for these sessions.
    summary = summarize(
        sessions=DiscussionSession.objects.filter(module=module),
        statuses=dict(enrolment.attendances.values_list("session_id", "status")),
        enrolled_on=None,
        threshold=offering.attendance_threshold,
        rule=rule,
    )
    assert summary.percent == percent
    assert summary.meets_threshold is complete

    client.force_login(enrolment.student)
    page = client.get("/me/deep-learning/2016/progress/").content.decode()
    assert shown in page
    assert ("Complete</span>" in page) is complete
    attendance = client.get("/me/deep-learning/2016/attendance/").content.decode()
    assert f"{percent} %" in attendance
