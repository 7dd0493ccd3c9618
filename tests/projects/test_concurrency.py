"""Many students try to join the last place of one group at once (PostgreSQL row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.enums import EnrolmentStatus as S
from projects.models import Membership
from projects.services import group_create, group_join
from tests.concurrency import postgresql_only
from tests.factories import EnrolmentFactory, OfferingFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def test_only_one_of_many_students_gets_the_last_place():
    offering = OfferingFactory(group_size=2)
    founder = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    group = group_create(enrolment=founder, by=founder.student)
    hopefuls = EnrolmentFactory.create_batch(8, offering=offering, status=S.ACCEPTED)
    start = threading.Barrier(len(hopefuls))
    results = {}

    def join(enrolment):
        try:
            start.wait(10)
            results[enrolment.pk] = group_join(
                enrolment=enrolment, code=group.invite_code, by=enrolment.student
            )
        except ValidationError as error:
            results[enrolment.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(e,)) for e in hopefuls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    joined = [r for r in results.values() if not isinstance(r, ValidationError)]
    refused = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(joined) == 1
    assert len(refused) == 7
    assert all("is full" in r.messages[0] for r in refused)
    assert Membership.objects.filter(group=group).count() == 2
