"""Check-in codes typed in other digits are a wrong code, not a server error."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions.models import CheckInFailure
from sessions.services import check_in
from tests.factories import DiscussionSessionFactory

pytestmark = pytest.mark.django_db


def test_full_width_digits_are_a_wrong_code_not_an_error(offering, accepted_student):
    start = timezone.now() - dt.timedelta(minutes=5)
    DiscussionSessionFactory(offering=offering, starts_at=start, self_check_in=True,
                             ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    with pytest.raises(ValidationError, match="Wrong or expired code"):
        check_in(offering=offering, user=accepted_student, code="１２３４５６")
    assert CheckInFailure.objects.count() == 1
