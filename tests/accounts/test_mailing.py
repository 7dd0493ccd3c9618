"""The outbox: templates, review, sending, failures and retries."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import (
    MAX_ATTEMPTS,
    announcement_mail_students,
    mail_approve,
    mail_discard,
    queue_mail,
    send_due_mail,
)
from accounts.models import MailTemplate, OutgoingMail
from accounts.services import enrolment_decide
from tests.factories import AnnouncementFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db
BROKEN = "tests.mail_backends.BrokenServerBackend"


def send(*args):
    out, err = StringIO(), StringIO()
    call_command("send_queued_mail", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_acceptance_mail_carries_key_and_instructions(offering, ta):
    offering.enrollment_key = "KEY-123"
    offering.platform_instructions = "Sign up with your university address."
    offering.video_platform_name = "Scalable Learning"
    offering.decisions_need_review = False
    offering.save()
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Ada Lovelace")
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    queued = OutgoingMail.objects.get()
    assert queued.status == "queued"
    assert "Dear Ada Lovelace" in queued.body
    assert "KEY-123" in queued.body
    assert "Sign up with your university address." in queued.body
    assert "http://testserver/me/deep-learning/2016/" in queued.body


def test_rejection_mail_never_carries_the_key(offering, ta):
    offering.enrollment_key = "KEY-123"
    offering.save()
    enrolment = EnrolmentFactory(offering=offering)
    enrolment_decide(enrolment=enrolment, status=S.REJECTED, by=ta)
    assert "KEY-123" not in OutgoingMail.objects.get().body


def test_offering_template_replaces_the_default(offering, ta):
    MailTemplate.objects.create(
        offering=offering,
        status=S.WAITLISTED,
        subject="Waiting: ${course}",
        body="Hi ${student_name}, you wait. Costs $$0.",
    )
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Bo")
    enrolment_decide(enrolment=enrolment, status=S.WAITLISTED, by=ta)
    queued = OutgoingMail.objects.get()
    assert queued.subject == "Waiting: Deep Learning"
    assert queued.body == "Hi Bo, you wait. Costs $0."


@pytest.mark.parametrize(
    ("status", "body", "field", "message"),
    [
        ("accepted", "Hi ${studnet_name}", "body", "Unknown placeholder ${studnet_name}"),
        ("rejected", "Key: ${enrollment_key}", "body",
         "${enrollment_key} can only be used in the mail to accepted students"),
        ("accepted", "Costs 5$", "body", "write $$ for a dollar sign"),
    ],
)  # fmt: skip
def test_bad_placeholders_are_reported_when_the_template_is_saved(
    offering, status, body, field, message
):
    template = MailTemplate(offering=offering, status=status, subject="Hello", body=body)
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert message in error.value.message_dict[field][0]


def test_held_mail_is_not_sent_until_approved(offering, ta):
    held = queue_mail(to_email="a@example.org", subject="S", body="B", kind="other", review=True)
    assert "0 sent" in send()
    assert mail.outbox == []
    assert mail_approve(mails=OutgoingMail.objects.filter(pk=held.pk), by=ta) == 1
    assert "1 sent" in send()
    assert mail.outbox[0].to == ["a@example.org"]
    held.refresh_from_db()
    assert (held.status, held.approved_by) == ("sent", ta)
    assert held.sent_at is not None


def test_discarded_mail_is_kept_but_never_sent(offering):
    queued = queue_mail(to_email="a@example.org", subject="S", body="B", kind="other")
    mail_discard(mails=OutgoingMail.objects.all())
    kept = queue_mail(to_email="b@example.org", subject="Still due", body="B", kind="other")
    assert "1 sent" in send()
    assert [m.to for m in mail.outbox] == [["b@example.org"]]  # the run sends, not the other
    queued.refresh_from_db()
    kept.refresh_from_db()
    assert (queued.status, kept.status) == ("discarded", "sent")


def test_dry_run_lists_and_sends_nothing(db):
    queue_mail(to_email="a@example.org", subject="Hello there", body="B", kind="other")
    output = send("--dry-run")
    assert "would send: Hello there → a@example.org" in output
    assert mail.outbox == []
    assert OutgoingMail.objects.get().status == "queued"


def test_failing_server_records_the_error_and_retries_later(db):
    queued = queue_mail(to_email="a@example.org", subject="S", body="B", kind="other")
    with override_settings(EMAIL_BACKEND=BROKEN):
        output = send()
    assert "failed (attempt 1" in output
    queued.refresh_from_db()
    assert queued.status == "queued"
    assert queued.attempts == 1
    assert "SMTPServerDisconnected" in queued.last_error
    assert queued.next_attempt_at > timezone.now()
    # Not due yet: the next run leaves it alone, and sends what is due.
    queue_mail(to_email="b@example.org", subject="Due", body="B", kind="other")
    assert "1 sent" in send()
    assert [m.to for m in mail.outbox] == [["b@example.org"]]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("queued", 1)
    # When it is due and the server is back, it goes out.
    report = send_due_mail(now=queued.next_attempt_at + dt.timedelta(seconds=1))
    assert [m.pk for m in report.sent] == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_error) == ("sent", 2, "")


def test_after_many_failures_the_mail_is_marked_failed_and_can_be_retried(db, ta):
    queued = queue_mail(to_email="a@example.org", subject="S", body="B", kind="other")
    now = timezone.now()
    with override_settings(EMAIL_BACKEND=BROKEN):
        for _ in range(MAX_ATTEMPTS):
            now += dt.timedelta(days=1)
            send_due_mail(now=now)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", MAX_ATTEMPTS)
    mail_approve(mails=OutgoingMail.objects.filter(pk=queued.pk), by=ta)
    send()
    queued.refresh_from_db()
    assert queued.status == "sent"


def test_decision_in_a_request_never_fails_because_of_the_mail_server(client, offering, ta):
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(ta)
    with override_settings(EMAIL_BACKEND=BROKEN):
        response = client.post(
            "/admin/accounts/enrolment/",
            {"action": "mark_accepted", "_selected_action": [enrolment.pk]},
            follow=True,
        )
    assert "1 application now accepted." in response.content.decode()
    assert OutgoingMail.objects.filter(recipient=enrolment.student).exists()


def test_announcement_is_mailed_once_to_accepted_students(offering, ta):
    accepted = EnrolmentFactory.create_batch(2, offering=offering, status=S.ACCEPTED)
    EnrolmentFactory(offering=offering, status=S.APPLIED)
    EnrolmentFactory(status=S.ACCEPTED)  # another offering
    announcement = AnnouncementFactory(offering=offering, title="Room change")
    assert announcement_mail_students(announcement=announcement, by=ta) == 2
    recipients = set(OutgoingMail.objects.values_list("to_email", flat=True))
    assert recipients == {e.student.email for e in accepted}
    assert OutgoingMail.objects.first().subject == "[Deep Learning 2016] Room change"
    with pytest.raises(ValidationError, match="was mailed already"):
        announcement_mail_students(announcement=announcement, by=ta)
    assert OutgoingMail.objects.count() == 2


def test_draft_announcement_is_not_mailed(offering, ta):
    draft = AnnouncementFactory(offering=offering, published_at=None)
    with pytest.raises(ValidationError, match="not published yet"):
        announcement_mail_students(announcement=draft, by=ta)
    assert not OutgoingMail.objects.exists()
