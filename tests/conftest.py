"""Fixtures for the people every permission test is about.

`offering` is taught by `ta`; `other_offering` (another course) by `other_ta`. `student` has
no rights anywhere. Later issues add enrolments and groups to these.
"""

import pytest

from tests.factories import OfferingFactory, StaffFactory, UserFactory
from tests.factories.accounts import PASSWORD


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


def offering_url(offering, suffix=""):
    return f"/courses/{offering.course.slug}/{offering.slug}/{suffix}"
