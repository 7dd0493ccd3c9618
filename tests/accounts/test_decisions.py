"""Decisions and the waiting list in their less common turns: withdrawn, rejected after
acceptance, enrolled directly, reapplying, equal application times."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import mail_approve, send_due_mail
from accounts.models import OutgoingMail
from accounts.selectors import waiting_position
from accounts.services import (
    enrolment_apply,
    enrolment_decide,
    enrolment_enrol_directly,
    enrolment_withdraw,
)
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_withdrawn_student_never_gets_the_held_acceptance_mail(offering, ta):
    offering.enrollment_key = "KEY-LEAK"
    offering.save()
    enrolment = EnrolmentFactory(offering=offering)
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment_decide(enrolment=enrolment, status=S.WITHDRAWN, by=ta)
    mail_approve(mails=OutgoingMail.objects.all(), by=ta)
    report = send_due_mail()
    assert [m.subject for m in report.sent] == ["Deep Learning 2016: your application is withdrawn"]
    assert all("KEY-LEAK" not in m.body for m in report.sent)
    statuses = sorted(OutgoingMail.objects.values_list("status", flat=True))
    assert statuses == ["discarded", "sent"]


def test_direct_enrolment_leaves_an_unconfirmed_account_alone(offering, ta, password):
    """Whoever signed up with the address may not own it; the owner confirms it first
    (tests/accounts/test_direct_enrolment.py has the rest)."""
    squatter = UserFactory(email="alice@example.org", email_verified_at=None)
    with pytest.raises(ValidationError, match="address is not confirmed yet"):
        enrolment_enrol_directly(
            offering=offering, email="alice@example.org", full_name="Alice", level="msc", by=ta
        )
    squatter.refresh_from_db()
    assert squatter.check_password(password)
    assert not squatter.email_verified
    assert not squatter.enrolments.exists()


def test_direct_enrolment_reopens_a_withdrawn_application(offering, ta):
    enrolment = EnrolmentFactory(offering=offering, status=S.WITHDRAWN)
    enrolment_enrol_directly(
        offering=offering, email=enrolment.student.email, full_name="X", level="phd", by=ta
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"
    assert list(enrolment.decisions.values_list("old_status", "new_status")) == [
        ("withdrawn", "applied"),
        ("applied", "accepted"),
    ]


def test_accepted_student_can_be_rejected_and_the_seat_moves_on(offering, ta):
    offering.capacity = 1
    offering.save()
    mistake = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    waiting = EnrolmentFactory(offering=offering, status=S.WAITLISTED)
    enrolment_decide(enrolment=mistake, status=S.REJECTED, by=ta)
    waiting.refresh_from_db()
    assert waiting.status == "accepted"


def test_reapplying_forgets_the_old_enrolment_date(open_offering, student, ta):
    enrolment = EnrolmentFactory(
        offering=open_offering, student=student, status=S.ACCEPTED, enrolled_on=dt.date(2020, 1, 1)
    )
    enrolment_withdraw(enrolment=enrolment, by=student)
    enrolment_apply(offering=open_offering, student=student, level="msc")
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment.refresh_from_db()
    assert enrolment.enrolled_on == timezone.localdate()


def test_waiting_positions_follow_the_promotion_order_on_equal_times(offering):
    at = timezone.now()
    waiting = EnrolmentFactory.create_batch(
        3, offering=offering, status=S.WAITLISTED, applied_at=at
    )
    assert [waiting_position(e) for e in waiting] == [1, 2, 3]
