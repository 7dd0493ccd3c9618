"""Issue 16, item 9: a burst of wrong check-in codes sent at once gets no more tries than
the limit (the failures are counted under a row lock; PostgreSQL, real threads)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from sessions.models import Attendance, CheckInFailure
from sessions.services import MAX_FAILURES, check_in, check_in_code
from tests.concurrency import postgresql_only
from tests.factories import DiscussionSessionFactory, EnrolmentFactory, OfferingFactory

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_forty_wrong_codes_at_once_get_only_the_allowed_tries():
    offering = OfferingFactory()
    student = EnrolmentFactory(offering=offering, status=S.ACCEPTED).student
    start = timezone.now() - dt.timedelta(minutes=10)
    session = DiscussionSessionFactory(
        offering=offering, starts_at=start, ends_at=start + dt.timedelta(minutes=105),
        self_check_in=True,
    )  # fmt: skip
    right = check_in_code(session)
    wrong = "000000" if right != "000000" else "111111"
    burst = 40
    barrier = threading.Barrier(burst)
    answers: list[str] = []

    def guess():
        try:
            barrier.wait(10)
            check_in(offering=offering, user=student, code=wrong)
        except ValidationError as error:
            answers.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(burst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == burst
    assert sum("Wrong or expired code" in a for a in answers) == MAX_FAILURES
    assert sum("Too many wrong codes" in a for a in answers) == burst - MAX_FAILURES
    assert CheckInFailure.objects.filter(user=student).count() == MAX_FAILURES
    # Even the right code now waits.
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        check_in(offering=offering, user=student, code=right)
    assert not Attendance.objects.exists()
