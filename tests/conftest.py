"""Fixtures for the people every permission test is about.

`offering` is taught by `ta`; `other_offering` (another course) by `other_ta`. `student` has
no rights anywhere; `accepted_student` is enrolled in `offering`, `other_student` in
`other_offering`. Later issues add groups to these.
"""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import EnrolmentStatus
from tests.factories import EnrolmentFactory, OfferingFactory, StaffFactory, UserFactory
from tests.factories.accounts import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """Django caches content types per process; clearing it keeps query counts independent
    of which test ran first."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page or a content version kept by an earlier
    test (whose database rows are gone) must not be served in this one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def offering(db):
    return OfferingFactory(course__title="Deep Learning", course__slug="deep-learning", slug="2016")


@pytest.fixture
def other_offering(db):
    return OfferingFactory(course__title="Other Course", course__slug="other", slug="2016")


@pytest.fixture
def ta(offering):
    user = UserFactory(full_name="Tess Assistant")
    StaffFactory(offering=offering, user=user, name=user.full_name)
    return user


@pytest.fixture
def other_ta(other_offering):
    user = UserFactory(full_name="Otto Other")
    StaffFactory(offering=other_offering, user=user, name=user.full_name)
    return user


@pytest.fixture
def student(db):
    return UserFactory(full_name="Stu Dent")


@pytest.fixture
def superuser(db):
    return UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def open_offering(offering):
    """`offering` with its registration window open now."""
    now = timezone.now()
    offering.start_date = (now + dt.timedelta(days=30)).date()
    offering.end_date = (now + dt.timedelta(days=100)).date()
    offering.registration_opens = now - dt.timedelta(days=1)
    offering.registration_closes = now + dt.timedelta(days=20)
    offering.status = "registration"
    offering.enrollment_key = "KEY-SECRET-77"
    offering.video_platform_name = "Scalable Learning"
    offering.save()
    return offering


@pytest.fixture
def accepted_student(offering):
    """A student accepted in `offering`."""
    return EnrolmentFactory(
        offering=offering, status=EnrolmentStatus.ACCEPTED, student__full_name="Acc Epted"
    ).student


@pytest.fixture
def other_student(other_offering):
    """A student accepted in another offering: no rights in `offering`."""
    return EnrolmentFactory(
        offering=other_offering, status=EnrolmentStatus.ACCEPTED, student__full_name="Oth Er"
    ).student


def offering_url(offering, suffix=""):
    return f"/courses/{offering.course.slug}/{offering.slug}/{suffix}"


# The OpenID Connect provider on loopback for the single sign-on tests (tests/oidc_provider/).
from tests.oidc_provider.fixture import oidc_provider, sso_settings  # noqa: E402, F401
