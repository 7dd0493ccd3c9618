"""Retention: the nightly purge removes what has served its purpose, after the periods the
settings give (README "Retention"), and nothing before; password-reset links are never
stored in the outbox."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.enums import EnrolmentStatus, MailStatus
from accounts.mailing import password_reset_mail, queue_mail
from accounts.models import Enrolment, OutgoingMail
from sessions.enums import ResultsAction
from sessions.models import CheckInFailure, ResultsEvent
from sessions.privacy import retention_purge
from tests.factories import DeliverableFactory, EnrolmentFactory, OfferingFactory, UserFactory
from tests.factories.grading import SubmissionFactory
from tests.factories.projects import ProjectGroupFactory
from tests.factories.sessions import DiscussionSessionFactory
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
PERIODS = {
    "RETENTION_MAIL_BODY_DAYS": 30,
    "RETENTION_CHECK_IN_FAILURE_DAYS": 7,
    "RETENTION_REJECTED_ANSWERS_DAYS": 90,
    "RETENTION_SUPERSEDED_FILES_DAYS": 30,
}


@pytest.fixture(autouse=True)
def _periods(settings):
    for name, days in PERIODS.items():
        setattr(settings, name, days)


def a_mail(status, *, age, subject):
    sent = timezone.now() - age
    return OutgoingMail.objects.create(
        to_email="ann@example.org", subject=subject, body=f"Key KEY-77 for {subject}",
        kind="decision", status=status, created_at=sent,
        sent_at=sent if status == MailStatus.SENT else None,
    )  # fmt: skip


def test_sent_mails_lose_their_text_after_the_period_and_not_before():
    old_sent = a_mail(MailStatus.SENT, age=31 * DAY, subject="old sent")
    old_discarded = a_mail(MailStatus.DISCARDED, age=31 * DAY, subject="old discarded")
    keep = [
        a_mail(MailStatus.SENT, age=29 * DAY, subject="recent sent"),
        a_mail(MailStatus.DISCARDED, age=29 * DAY, subject="recent discarded"),
        a_mail(MailStatus.REVIEW, age=60 * DAY, subject="still held"),
        a_mail(MailStatus.QUEUED, age=60 * DAY, subject="still queued"),
        a_mail(MailStatus.FAILED, age=60 * DAY, subject="failed: staff may release it"),
    ]
    assert retention_purge().mail_bodies == 2
    for gone in (old_sent, old_discarded):
        gone.refresh_from_db()
        assert gone.body == "" and gone.body_removed_at is not None
        assert gone.subject and gone.to_email == "ann@example.org"  # the record stays
    for kept in keep:
        kept.refresh_from_db()
        assert kept.body.startswith("Key KEY-77") and kept.body_removed_at is None
    assert retention_purge().mail_bodies == 0  # nothing twice


def test_check_in_failures_go_after_the_period(offering, student):
    session = DiscussionSessionFactory(offering=offering)
    now = timezone.now()
    old = CheckInFailure.objects.create(session=session, user=student, at=now - 8 * DAY)
    recent = CheckInFailure.objects.create(session=session, user=student, at=now - 6 * DAY)
    assert retention_purge().check_in_failures == 1
    assert list(CheckInFailure.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not CheckInFailure.objects.filter(pk=old.pk).exists()


def test_rejected_applicants_answers_go_after_the_period(offering):
    now = timezone.now()

    def application(status, age):
        return EnrolmentFactory(
            offering=offering, status=status, decided_at=now - age,
            programme="Physics", motivation="I love neural networks.",
        )  # fmt: skip

    old_rejected = application(EnrolmentStatus.REJECTED, 91 * DAY)
    keep = [
        application(EnrolmentStatus.REJECTED, 89 * DAY),
        application(EnrolmentStatus.ACCEPTED, 400 * DAY),
        application(EnrolmentStatus.WITHDRAWN, 400 * DAY),
        application(EnrolmentStatus.WAITLISTED, 400 * DAY),
    ]
    assert retention_purge().rejected_answers == 1
    old_rejected.refresh_from_db()
    assert (old_rejected.programme, old_rejected.motivation) == ("", "")
    assert old_rejected.status == EnrolmentStatus.REJECTED  # the decision stays
    for enrolment in keep:
        enrolment.refresh_from_db()
        assert enrolment.motivation == "I love neural networks."
    assert Enrolment.objects.count() == 5


def signed_off(offering, age, *, then_unlocked=False):
    at = timezone.now() - age
    ResultsEvent.objects.create(offering=offering, action=ResultsAction.SIGNED_OFF, at=at)
    if then_unlocked:
        ResultsEvent.objects.create(offering=offering, action=ResultsAction.UNLOCKED,
                                    at=at + DAY, reason="A grade was wrong.")  # fmt: skip


def versions(offering, count, *, slug="report"):
    """`count` uploads of one group's deliverable, a day apart, oldest first."""
    deliverable = DeliverableFactory(offering=offering, slug=slug, title=slug)
    group = ProjectGroupFactory(offering=offering)
    start = timezone.now() - 100 * DAY
    return [
        SubmissionFactory(deliverable=deliverable, group=group, version=n + 1,
                          uploaded_at=start + n * DAY)
        for n in range(count)
    ]  # fmt: skip


def test_superseded_files_go_once_the_results_are_final_for_the_period(
    django_capture_on_commit_callbacks,
):
    final = OfferingFactory()
    signed_off(final, 31 * DAY)
    v1, v2, v3 = versions(final, 3)
    (only,) = versions(final, 1, slug="slides")
    recent = OfferingFactory()
    signed_off(recent, 29 * DAY)
    recent_versions = versions(recent, 2)
    unlocked = OfferingFactory()
    signed_off(unlocked, 60 * DAY, then_unlocked=True)
    unlocked_versions = versions(unlocked, 2)
    running = OfferingFactory()
    running_versions = versions(running, 2)
    names = {s.pk: s.file.name for s in [v1, v2, v3, only]}

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        retention_purge()
        raise RuntimeError("rolled back: the rows point at the files still")
    assert all(default_storage.exists(name) for name in names.values())

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_purge().superseded_files == 2
    for gone in (v1, v2):
        gone.refresh_from_db()
        assert not gone.file and not default_storage.exists(names[gone.pk])
        assert gone.uploaded_at and gone.sha256  # the record of the hand-in stays
    for kept in (v3, only, *recent_versions, *unlocked_versions, *running_versions):
        kept.refresh_from_db()
        assert kept.file and default_storage.exists(kept.file.name)
    assert retention_purge().superseded_files == 0


def test_a_removed_version_is_no_longer_offered_for_download(client):
    offering = OfferingFactory()
    signed_off(offering, 31 * DAY)
    v1, v2 = versions(offering, 2)
    retention_purge()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(f"/files/submissions/{v1.pk}/").status_code == 404
    assert client.get(f"/files/submissions/{v2.pk}/").status_code == 200


def test_the_nightly_jobs_run_the_purge(student):
    a_mail(MailStatus.SENT, age=31 * DAY, subject="old")
    out = StringIO()
    call_command("run_periodic_jobs", "--nightly", stdout=out)
    assert "retention purge: 1 mail text(s), 0 check-in failure(s)" in out.getvalue()


# Password-reset links ---------------------------------------------------------------------


@override_settings(SITE_URL="https://course.example.org")
def test_the_outbox_holds_no_usable_reset_link_and_the_sent_mail_does(client, student):
    client.post("/accounts/password/reset/", {"email": student.email})
    run_queued(password_reset_mail)  # the worker's part
    stored = OutgoingMail.objects.get(kind="password_reset")
    assert "/accounts/password/reset/" not in stored.body
    assert "[password reset link " in stored.body
    # No word of the stored text is a token that resets the password.
    words = re.findall(r"[\w:-]+", stored.body)
    assert not any(default_token_generator.check_token(student, word) for word in words)

    call_command("send_queued_mail", stdout=StringIO())
    (sent,) = mail.outbox
    link = re.search(r"https://course\.example\.org(/accounts/password/reset/\S+/\S+/)", sent.body)
    assert link, sent.body
    assert "[password reset link" not in sent.body
    stored.refresh_from_db()
    assert stored.status == "sent" and "/accounts/password/reset/" not in stored.body
    response = client.get(link.group(1), follow=True)
    assert 'name="new_password1"' in response.content.decode()


def test_a_reset_reference_for_a_changed_address_makes_no_link(client, student):
    client.post("/accounts/password/reset/", {"email": student.email})
    run_queued(password_reset_mail)  # the worker's part
    student.email = "moved@example.org"
    student.save()
    call_command("send_queued_mail", stdout=StringIO())
    (sent,) = mail.outbox
    assert "/accounts/password/reset/" not in sent.body
    assert "no longer valid" in sent.body


def test_a_forged_reference_makes_no_link(student):
    forged = queue_mail(
        to_email=student.email, subject="Reset", kind="password_reset", recipient=student,
        body=f"[password reset link {student.pk}:{student.email}:forged]",
    )  # fmt: skip
    call_command("send_queued_mail", stdout=StringIO())
    forged.refresh_from_db()
    (sent,) = mail.outbox
    assert "/accounts/password/reset/" not in sent.body
