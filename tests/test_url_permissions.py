"""Every URL that changes a student's data, against everyone who must not use it.

Anonymous visitors are sent to log in; a student of another offering, a TA of this one and
a TA of another offering have no enrolment here and get 404. Nothing changes.
"""

import pytest

from accounts.models import Enrolment, OutgoingMail
from course.models import WatchedPart
from projects.models import PresentationWish, ProjectGroup
from tests.factories import VideoLectureFactory

pytestmark = pytest.mark.django_db
ME = "/me/deep-learning/2016"

POSTS = [
    f"{ME}/withdraw/",
    f"{ME}/group/",
    f"{ME}/group/create/",
    f"{ME}/group/join/",
    f"{ME}/group/leave/",
    f"{ME}/group/deliverables/project-report/",
    f"{ME}/group/presentations/",
    f"{ME}/watched/",
]


@pytest.fixture
def lecture(offering):
    return VideoLectureFactory(module__offering=offering)


def snapshot():
    return (
        Enrolment.objects.filter(status="withdrawn").count(),
        ProjectGroup.objects.count(),
        WatchedPart.objects.count(),
        PresentationWish.objects.count(),
        OutgoingMail.objects.count(),
    )


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_visitors_are_sent_to_log_in(client, accepted_student, lecture, path):
    before = snapshot()
    response = client.post(path, {"lecture": lecture.pk, "watched": "1", "code": "X"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert snapshot() == before


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("who", ["other_student", "ta", "other_ta", "student"])
def test_people_without_an_enrolment_here_get_404(
    client, accepted_student, lecture, path, who, request
):
    before = snapshot()
    client.force_login(request.getfixturevalue(who))
    response = client.post(path, {"lecture": lecture.pk, "watched": "1", "code": "X"})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/calendar/reset/", "/accounts/verify/resend/"])
def test_account_posts_need_a_login(client, db, path):
    response = client.post(path)
    assert response["Location"].startswith("/accounts/login/")
