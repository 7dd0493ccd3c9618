"""Reminders: deadlines (extensions honoured), attendance warnings, the staff's weekly digest.
Each goes through the outbox in its recipient's language, once per person, also when two
runs of the job send at the same time."""

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.enums import EnrolmentStatus, MailStatus
from accounts.mailing import queue_mail
from accounts.models import OutgoingMail
from sessions.enums import AttendanceStatus
from sessions.models import SentReminder
from sessions.reminders import (
    attendance_warnings,
    deadline_reminders,
    send_reminders,
    staff_digests,
)
from tests.factories import (
    DeliverableFactory,
    DiscussionSessionFactory,
    EnrolmentFactory,
    MembershipFactory,
    ProjectGroupFactory,
)
from tests.factories.grading import AttendanceFactory, ExtensionFactory, SubmissionFactory

TZ = ZoneInfo("Europe/Stockholm")
DUE = dt.datetime(2016, 4, 14, 23, 59, tzinfo=TZ)


def mails(**filters):
    return list(OutgoingMail.objects.filter(**filters).order_by("pk"))


@pytest.fixture
def groups(offering):
    report = DeliverableFactory(offering=offering, title="Planning report",
                                slug="planning-report", due_at=DUE)  # fmt: skip
    late = MembershipFactory(group__offering=offering, enrolment__student__full_name="Ada")
    swede = MembershipFactory(group=late.group, enrolment__student__language="sv")
    done = MembershipFactory(group__offering=offering)
    SubmissionFactory(deliverable=report, group=done.group)
    extended = MembershipFactory(group__offering=offering)
    ExtensionFactory(deliverable=report, group=extended.group,
                     due_at=DUE + dt.timedelta(days=3))  # fmt: skip
    return late, swede, done, extended


@pytest.mark.django_db
def test_groups_without_a_submission_are_reminded_3_days_and_1_day_before(groups):
    late, swede, done, extended = groups
    deadline_reminders(DUE - dt.timedelta(days=2, hours=12))
    sent = mails()
    assert [m.recipient for m in sent] == [late.enrolment.student, swede.enrolment.student]
    assert (
        sent[0].subject
        == "Deep Learning 2016: Planning report is due Thursday 14 April 2016, 23:59"
    )
    assert "has not submitted Planning report yet" in sent[0].body
    assert "/me/deep-learning/2016/group/deliverables/planning-report/" in sent[0].body
    assert sent[1].subject.startswith("Deep Learning 2016: sista dag för Planning report")
    assert "torsdag 14 april 2016" in sent[1].subject  # in the recipient's language
    assert all(m.status == MailStatus.QUEUED for m in sent)
    # The same stage again, later that day: nothing new.
    deadline_reminders(DUE - dt.timedelta(days=2))
    assert len(mails()) == 2
    # One day before: the second reminder.
    deadline_reminders(DUE - dt.timedelta(hours=12))
    assert len(mails()) == 4
    # The group with an extension is reminded before its own deadline, once.
    deadline_reminders(DUE + dt.timedelta(days=2, hours=12))
    deadline_reminders(DUE + dt.timedelta(days=2, hours=13))
    extended_mails = mails(recipient=extended.enrolment.student)
    assert len(extended_mails) == 1
    assert "Sunday 17 April 2016, 23:59" in extended_mails[0].subject
    assert not mails(recipient=done.enrolment.student)
    # After the deadline, nothing more.
    deadline_reminders(DUE + dt.timedelta(days=4))
    assert OutgoingMail.objects.count() == 5


@pytest.mark.django_db
def test_no_reminders_when_the_offering_turns_them_off(groups, offering):
    offering.deadline_reminder_days = ""
    offering.save()
    deadline_reminders(DUE - dt.timedelta(hours=12))
    assert not mails()


@pytest.mark.django_db
def test_bad_reminder_days_are_refused_and_nothing_changes(offering):
    offering.deadline_reminder_days = "3, soon"
    with pytest.raises(ValidationError) as refused:
        offering.full_clean()
    assert "“soon” is not a number of days from 1 to 60" in str(refused.value)
    offering.refresh_from_db()
    assert offering.deadline_reminder_days == "3, 1"


@pytest.fixture
def sessions(offering):
    start = dt.datetime(2016, 3, 22, 13, 15, tzinfo=TZ)
    return [
        DiscussionSessionFactory(offering=offering, starts_at=start + dt.timedelta(days=7 * i),
                                 ends_at=start + dt.timedelta(days=7 * i, hours=2))
        for i in range(10)
    ]  # fmt: skip


@pytest.mark.django_db
def test_attendance_warnings_once_per_stage(offering, sessions):
    def student(absent):
        enrolment = EnrolmentFactory(offering=offering, status=EnrolmentStatus.ACCEPTED)
        for index, session in enumerate(sessions[:5]):
            status = AttendanceStatus.ABSENT if index < absent else AttendanceStatus.PRESENT
            AttendanceFactory(session=session, enrolment=enrolment, status=status)
        return enrolment.student

    fine, tight, lost = student(0), student(2), student(3)
    after_five = sessions[4].starts_at + dt.timedelta(hours=3)
    attendance_warnings(after_five)
    attendance_warnings(after_five + dt.timedelta(hours=1))
    assert mails(recipient=fine) == []
    (to_tight,) = mails(recipient=tight)
    assert "you must attend every one of the 5 remaining discussion sessions" in to_tight.body
    assert "/me/deep-learning/2016/attendance/" in to_tight.body
    (to_lost,) = mails(recipient=lost)
    assert "can no longer reach the 80%" in to_lost.body
    # The tight one misses one more: now it cannot be reached, and that is said once.
    enrolment = tight.enrolments.get()
    AttendanceFactory(session=sessions[5], enrolment=enrolment, status=AttendanceStatus.ABSENT)
    attendance_warnings(sessions[5].starts_at + dt.timedelta(hours=3))
    attendance_warnings(sessions[6].starts_at + dt.timedelta(hours=3))
    assert len(mails(recipient=tight)) == 2
    assert len(mails(recipient=lost)) == 1


@pytest.mark.django_db
def test_the_weekly_digest_goes_to_the_staff_on_their_day_once_a_week(offering, ta):
    monday = dt.datetime(2016, 4, 4, 8, 0, tzinfo=TZ)
    staff_digests(monday)
    assert not mails()  # nothing waiting: no digest
    EnrolmentFactory(offering=offering, status=EnrolmentStatus.APPLIED)
    queue_mail(to_email="a@example.org", subject="Decision", body="...", kind="decision",
               offering=offering, review=True)  # fmt: skip
    ProjectGroupFactory(offering=offering, presented=True)
    staff_digests(monday + dt.timedelta(days=1))  # a Tuesday: not the day
    assert not mails(recipient=ta)
    staff_digests(monday)
    staff_digests(monday + dt.timedelta(hours=5))
    (digest,) = mails(recipient=ta)
    assert digest.subject == "Deep Learning 2016: this week's digest"
    assert "1 application waiting for a decision" in digest.body
    assert "1 mail held for review" in digest.body
    assert "1 project still to assess" in digest.body
    assert "/courses/deep-learning/2016/staff/grades/" in digest.body
    staff_digests(monday + dt.timedelta(days=7))
    assert len(mails(recipient=ta)) == 2


@pytest.mark.django_db
def test_the_periodic_job_sends_the_reminders(groups):
    out = StringIO()
    call_command("run_periodic_jobs", "--frequent", stdout=out)
    assert "reminders:" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(groups):
    now = DUE - dt.timedelta(hours=12)
    start = threading.Barrier(2)
    errors = []

    def run():
        from django.db import connection

        try:
            start.wait()
            send_reminders(now)
        except Exception as error:  # kept, so the test shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert OutgoingMail.objects.count() == 2
    assert SentReminder.objects.count() == 2


@pytest.mark.django_db
def test_the_digest_counts_what_the_staff_today_page_shows(client, offering, ta):
    """A group that handed in a report but has not presented yet waits for an assessment in
    both places: one rule (sessions.selectors.groups_to_assess)."""
    report = DeliverableFactory(offering=offering, slug="report")
    SubmissionFactory(deliverable=report, group=ProjectGroupFactory(offering=offering))
    staff_digests(dt.datetime(2016, 4, 4, 8, 0, tzinfo=TZ))  # a Monday
    (digest,) = mails(recipient=ta)
    assert "1 project still to assess" in digest.body
    client.force_login(ta)
    today = client.get("/courses/deep-learning/2016/staff/today/").content.decode()
    assert "/staff/grades/projects/" in today
