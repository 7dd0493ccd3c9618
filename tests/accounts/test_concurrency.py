"""Concurrent accepts near the capacity, on PostgreSQL (SQLite has no row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment
from accounts.services import enrolment_decide
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import EnrolmentFactory, OfferingFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def test_second_accept_waits_for_the_first_and_then_finds_the_offering_full():
    offering = OfferingFactory(capacity=1)
    ta = UserFactory()
    first, second = EnrolmentFactory.create_batch(2, offering=offering)
    holding = threading.Event()
    release = threading.Event()
    results = {}

    def accept_first_and_hold():
        with transaction.atomic():
            enrolment_decide(enrolment=first, status=S.ACCEPTED, by=ta)
            holding.set()
            release.wait(10)

    one = run_in_thread(accept_first_and_hold, results, "first")
    assert holding.wait(10)
    two = run_in_thread(
        lambda: enrolment_decide(enrolment=second, status=S.ACCEPTED, by=ta), results, "second"
    )
    two.join(0.5)
    assert two.is_alive(), "the second accept must wait for the lock on the offering"
    release.set()
    one.join(10)
    two.join(10)
    assert isinstance(results["second"], ValidationError)
    assert "full" in results["second"].messages[0]
    assert Enrolment.objects.filter(status=S.ACCEPTED).count() == 1


def test_many_simultaneous_accepts_never_exceed_the_capacity():
    offering = OfferingFactory(capacity=3)
    ta = UserFactory()
    applications = EnrolmentFactory.create_batch(8, offering=offering)
    start = threading.Barrier(len(applications))
    results = {}

    def accept(enrolment):
        def run():
            start.wait(10)
            return enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)

        return run

    threads = [run_in_thread(accept(e), results, e.pk) for e in applications]
    for thread in threads:
        thread.join(20)
    refused = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(refused) == 5
    assert Enrolment.objects.filter(status=S.ACCEPTED).count() == 3
