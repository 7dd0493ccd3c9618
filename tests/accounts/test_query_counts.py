"""The student's pages run a fixed number of queries, whatever the amount of data."""

import pytest

from accounts.enums import EnrolmentStatus as S
from tests.factories import AnnouncementFactory, EnrolmentFactory, OfferingFactory, StaffFactory
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db


def grow(offering, student, scale):
    """More offerings the student applied to, more classmates, more announcements."""
    for index in range(3 * scale):
        other = OfferingFactory(course=offering.course, slug=f"run{index}")
        EnrolmentFactory(offering=other, student=student)
        StaffFactory(offering=other)
    EnrolmentFactory.create_batch(5 * scale, offering=offering, status=S.WAITLISTED)
    AnnouncementFactory.create_batch(2 * scale, offering=offering)


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/me/", 4 + KEEPING),
        ("/me/deep-learning/2016/", 5 + KEEPING),
        ("/courses/deep-learning/2016/register/", 4),
    ],
)
def test_student_page_query_count_is_fixed(
    client, django_assert_num_queries, open_offering, student, scale, path, queries
):
    EnrolmentFactory(offering=open_offering, student=student, status=S.WAITLISTED)
    grow(open_offering, student, scale)
    client.force_login(student)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
