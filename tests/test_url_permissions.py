"""Every URL that changes a student's data, against everyone who must not use it.

The student's world is complete and every POST carries data the view would accept from
the student (a real invite code, the proposal's current version, a PDF, a wish, a quiz
answer), so a refusal comes from the permission check and not from bad data. Anonymous
visitors are sent to log in; a student of another offering, a TA of this one and a TA of
another offering have no enrolment here and get 404. Nothing changes.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Enrolment, OutgoingMail
from course.models import Quiz, QuizAttempt, QuizQuestion, WatchedPart
from projects.models import (
    Membership,
    PresentationSession,
    PresentationWish,
    ProjectGroup,
    Proposal,
    Submission,
)
from tests.factories import (
    EnrolmentFactory,
    LecturePartFactory,
    ProjectGroupFactory,
    VideoLectureFactory,
)
from tests.factories.projects import DeliverableFactory
from tests.projects.conftest import pdf_bytes

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
    f"{ME}/quizzes/{{quiz}}/",
]


@pytest.fixture
def world(offering, accepted_student):
    """The accepted student in group 1 (with its proposal), group 2 with a free place, a
    deliverable, a presentation session open for wishes, a lecture part and an open quiz."""
    now = timezone.now()
    offering.preferences_deadline = now + dt.timedelta(days=5)
    offering.group_size = 3
    offering.save()
    enrolment = Enrolment.objects.get(student=accepted_student, offering=offering)
    own = ProjectGroupFactory(offering=offering, number=1)
    Membership.objects.create(group=own, enrolment=enrolment)
    other = ProjectGroupFactory(offering=offering, number=2)
    Membership.objects.create(
        group=other, enrolment=EnrolmentFactory(offering=offering, status="accepted")
    )
    DeliverableFactory(offering=offering, title="Project report", slug="project-report")
    session = PresentationSession.objects.create(
        offering=offering, starts_at=now + dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=10, hours=2), room="HA2",
    )  # fmt: skip
    lecture = VideoLectureFactory(module__offering=offering)
    part = LecturePartFactory(lecture=lecture)
    quiz = Quiz.objects.create(
        module=lecture.module, title="Quiz", opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    question = QuizQuestion.objects.create(
        quiz=quiz, kind="numeric", text="2 + 2?", numeric_answer=4
    )
    data = {
        "lecture": lecture.pk, "part": part.pk, "watched": "1", "code": other.invite_code,
        "title": "Taken over", "description": "Not theirs", "version": own.proposal.version,
        f"wish-{session.pk}": "prefer", f"q-{question.pk}": "4", "attempt": "1",
    }  # fmt: skip
    return {"quiz": quiz.pk}, data


def snapshot():
    return (
        Enrolment.objects.filter(status="withdrawn").count(),
        ProjectGroup.objects.count(),
        Membership.objects.count(),
        list(Proposal.objects.values_list("title", "version")),
        Submission.objects.count(),
        WatchedPart.objects.count(),
        PresentationWish.objects.count(),
        QuizAttempt.objects.count(),
        OutgoingMail.objects.count(),
    )


def post(client, path, world):
    ids, data = world
    pdf = SimpleUploadedFile("report.pdf", pdf_bytes(1), content_type="application/pdf")
    return client.post(path.format(**ids), data | {"file": pdf, "close_group": "on"})


def test_the_student_themself_can_use_every_form(client, accepted_student, world):
    """The data is good: posted by the student, each form changes something."""
    client.force_login(accepted_student)
    # An order in which each is allowed: uploads lock a group, withdrawing ends it all.
    order = [1, 6, 7, 8, 4, 2, 4, 3, 5, 0]
    assert sorted(set(order)) == list(range(len(POSTS)))
    for path in (POSTS[i] for i in order):
        before = snapshot()
        response = post(client, path, world)
        assert response.status_code in (200, 302), path
        assert snapshot() != before, path


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    before = snapshot()
    response = post(client, path, world)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert snapshot() == before


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("who", ["other_student", "ta", "other_ta", "student"])
def test_people_without_an_enrolment_here_get_404(client, world, path, who, request):
    before = snapshot()
    client.force_login(request.getfixturevalue(who))
    response = post(client, path, world)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/calendar/reset/", "/accounts/verify/resend/"])
def test_account_posts_need_a_login(client, db, path):
    response = client.post(path)
    assert response["Location"].startswith("/accounts/login/")
