"""The outbox's rules: an unreachable server, templates for statuses without mail, one-line
subjects."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import queue_mail
from accounts.models import MailTemplate, OutgoingMail
from accounts.services import (
    enrolment_decide,
)
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_unreachable_server_stops_the_run_and_leaves_the_rest_untouched(db):
    first = queue_mail(to_email="a@example.org", subject="1", body="B", kind="other")
    second = queue_mail(to_email="b@example.org", subject="2", body="B", kind="other")
    with override_settings(EMAIL_BACKEND="tests.mail_backends.BrokenServerBackend"):
        out = StringIO()
        call_command("send_queued_mail", stdout=out, stderr=out)
    assert "the rest waits for the next run" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (1, 0)
    assert second.status == "queued"


def test_template_for_a_status_without_mail_is_refused(offering):
    template = MailTemplate(offering=offering, status=S.APPLIED, subject="S", body="B")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "No mail is sent for this status" in error.value.message_dict["status"][0]


def test_decision_subject_stays_on_one_line(offering, ta):
    MailTemplate.objects.create(
        offering=offering, status=S.REJECTED, subject="About ${student_name}", body="B"
    )
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Evil\nBcc: x@example.org")
    enrolment_decide(enrolment=enrolment, status=S.REJECTED, by=ta)
    assert OutgoingMail.objects.get().subject == "About Evil Bcc: x@example.org"
