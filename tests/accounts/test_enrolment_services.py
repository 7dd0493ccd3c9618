"""Applications, decisions, capacity and the waiting list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment, EnrolmentDecision, OutgoingMail, User
from accounts.services import (
    enrolment_apply,
    enrolment_decide,
    enrolment_enrol_directly,
    enrolment_withdraw,
    offering_fill_free_seats,
)
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_apply_stores_the_application_and_logs_it(open_offering, student):
    enrolment = enrolment_apply(
        offering=open_offering, student=student, level="phd", programme=" CSE ", motivation="x"
    )
    assert (enrolment.status, enrolment.level, enrolment.programme) == ("applied", "phd", "CSE")
    assert list(enrolment.decisions.values_list("new_status", "decided_by")) == [
        ("applied", student.pk)
    ]


def test_apply_twice_is_refused_and_changes_nothing(open_offering, student):
    enrolment_apply(offering=open_offering, student=student, level="msc", programme="A")
    with pytest.raises(ValidationError, match=r"You have applied already \(status: applied\)"):
        enrolment_apply(offering=open_offering, student=student, level="phd", programme="B")
    assert Enrolment.objects.get().programme == "A"


def test_database_allows_one_application_per_student_and_offering(open_offering, student):
    EnrolmentFactory(offering=open_offering, student=student)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(offering=open_offering, student=student)


def test_apply_outside_the_window_is_refused(offering, student):
    now = timezone.now()
    offering.registration_opens = now + dt.timedelta(days=2)
    offering.save()
    with pytest.raises(ValidationError, match="Registration opens"):
        enrolment_apply(offering=offering, student=student, level="msc")
    offering.registration_opens = now - dt.timedelta(days=10)
    offering.registration_closes = now - dt.timedelta(days=1)
    offering.save()
    with pytest.raises(ValidationError, match="closed"):
        enrolment_apply(offering=offering, student=student, level="msc")
    assert not Enrolment.objects.exists()


def test_withdrawn_application_can_be_made_again(open_offering, student):
    enrolment = enrolment_apply(offering=open_offering, student=student, level="msc")
    enrolment_withdraw(enrolment=enrolment, by=student)
    again = enrolment_apply(offering=open_offering, student=student, level="phd")
    assert again.pk == enrolment.pk
    assert again.status == "applied"


def test_accept_records_who_when_and_queues_the_mail(offering, ta):
    enrolment = EnrolmentFactory(offering=offering)
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"
    assert enrolment.decided_by == ta
    assert enrolment.decided_at is not None
    assert enrolment.enrolled_on == timezone.localdate()
    decision = enrolment.decisions.get()
    assert (decision.old_status, decision.new_status, decision.decided_by) == (
        "applied", "accepted", ta,
    )  # fmt: skip
    mail = OutgoingMail.objects.get()
    assert mail.to_email == enrolment.student.email
    assert mail.status == "review"  # the offering reviews decision mails by default


def test_unverified_student_cannot_be_accepted(offering, ta):
    enrolment = EnrolmentFactory(offering=offering, student__email_verified_at=None)
    with pytest.raises(ValidationError, match="has not confirmed their email address"):
        enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"
    assert not OutgoingMail.objects.exists()


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.ACCEPTED, S.ACCEPTED), (S.WITHDRAWN, S.ACCEPTED), (S.WAITLISTED, S.APPLIED)],
)
def test_senseless_decisions_are_refused(offering, ta, start, target):
    enrolment = EnrolmentFactory(offering=offering, status=start)
    with pytest.raises(ValidationError):
        enrolment_decide(enrolment=enrolment, status=target, by=ta)
    enrolment.refresh_from_db()
    assert enrolment.status == start
    assert not EnrolmentDecision.objects.exists()


def test_full_offering_refuses_another_accept(offering, ta):
    offering.capacity = 1
    offering.save()
    EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    waiting = EnrolmentFactory(offering=offering)
    with pytest.raises(ValidationError) as error:
        enrolment_decide(enrolment=waiting, status=S.ACCEPTED, by=ta)
    assert "the offering is full (1 of 1 seats taken)" in error.value.messages[0]
    waiting.refresh_from_db()
    assert waiting.status == "applied"


def test_waiting_list_moves_up_in_application_order_when_someone_withdraws(offering, ta):
    offering.capacity = 1
    offering.save()
    seated = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    second = EnrolmentFactory(offering=offering, status=S.WAITLISTED)
    first = EnrolmentFactory(
        offering=offering, status=S.WAITLISTED, applied_at=second.applied_at - dt.timedelta(1)
    )
    enrolment_withdraw(enrolment=seated, by=seated.student)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("accepted", "waitlisted")
    assert first.decisions.get().note == "moved up from the waiting list"
    assert OutgoingMail.objects.filter(recipient=first.student).exists()


def test_raising_the_capacity_moves_the_waiting_list_up(offering, ta):
    offering.capacity = 1
    offering.save()
    EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    waiting = EnrolmentFactory.create_batch(3, offering=offering, status=S.WAITLISTED)
    offering.capacity = 3
    offering.save()
    promoted = offering_fill_free_seats(offering=offering, by=ta)
    assert [e.pk for e in promoted] == [waiting[0].pk, waiting[1].pk]
    assert Enrolment.objects.get(pk=waiting[2].pk).status == "waitlisted"


def test_ta_enrols_a_late_arrival_directly(offering, ta):
    enrolment = enrolment_enrol_directly(
        offering=offering,
        email="Late@Example.org",
        full_name="Late Arrival",
        level="phd",
        enrolled_on=dt.date(2016, 4, 11),
        by=ta,
    )
    assert enrolment.status == "accepted"
    assert enrolment.enrolled_on == dt.date(2016, 4, 11)
    student = User.objects.get(email="late@example.org")
    assert not student.has_usable_password()
    assert enrolment.decisions.last().note == "enrolled directly by staff"


def test_direct_enrolment_respects_the_capacity(offering, ta):
    offering.capacity = 1
    offering.save()
    EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    with pytest.raises(ValidationError, match="full"):
        enrolment_enrol_directly(
            offering=offering, email="late@example.org", full_name="Late", level="msc", by=ta
        )
    # Atomic: the account made for the enrolment is rolled back with it.
    assert not User.objects.filter(email="late@example.org").exists()


def test_direct_enrolment_of_an_enrolled_student_is_refused(offering, ta):
    enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    name = enrolment.student.full_name
    with pytest.raises(ValidationError, match="enrolled already"):
        enrolment_enrol_directly(
            offering=offering,
            email=enrolment.student.email,
            full_name="x",
            level="msc",
            by=ta,
        )
    enrolment.student.refresh_from_db()
    assert enrolment.student.full_name == name
    assert not enrolment.decisions.exists()
    assert not OutgoingMail.objects.exists()


def test_user_signup_with_a_taken_address_in_any_case_mails_its_owner(db):
    from accounts.services import user_signup

    owner = UserFactory(email="ada@example.org")
    made = user_signup(email="ADA@example.org", full_name="Ada", password="long-enough-pw-1")
    assert made is None
    assert User.objects.count() == 1
    assert OutgoingMail.objects.get().recipient == owner
