"""A student's own data with their token: enrolments, attendance, progress and result, as
their pages show them (the result only once the results are signed off)."""

import pytest

from accounts.models import Enrolment
from sessions.grading import services as grading_services
from sessions.models import Attendance
from tests.api.conftest import API, BASE
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
)
from tests.factories.classroom import build_class

pytestmark = pytest.mark.django_db
ME = f"{API}/me{BASE}"


@pytest.fixture
def responsible(offering):
    user = UserFactory(full_name="Rita Responsible")
    StaffFactory(offering=offering, user=user, name=user.full_name, role="responsible")
    return user


def test_enrolments_show_the_grade_only_once_signed_off(
    client, offering, ta, responsible, token_for
):
    enrolment = build_class(offering, 1, ta=ta)[0]
    EnrolmentFactory(
        student=enrolment.student, status="applied", offering=OfferingFactory(course__title="Later")
    )
    header = token_for(enrolment.student, "read")
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    items = client.get(f"{API}/me/enrolments", headers=header).json()["items"]
    assert {(e["course"], e["status"], e["result"]) for e in items} == {
        ("deep-learning", "accepted", None),
        (items[0]["course"], "applied", None),
    }
    result = client.get(f"{ME}/result", headers=header).json()
    assert result["result"] is None and result["signed_off"] is False
    assert result["eligible"] is True and result["conditions"][0]["state"] == "met"
    grading_services.results_sign_off(offering=offering, by=responsible)
    grade = Enrolment.objects.get(pk=enrolment.pk).final_grade.grade
    items = client.get(f"{API}/me/enrolments", headers=header).json()["items"]
    assert [e["result"] for e in items if e["course"] == "deep-learning"] == [grade]
    result = client.get(f"{ME}/result", headers=header).json()
    assert result["signed_off"] is True and result["result"] == grade


def test_own_attendance_with_each_session(client, offering, accepted_student, token_for):
    enrolment = Enrolment.objects.get(student=accepted_student)
    held = DiscussionSessionFactory(offering=offering, days_ago=2, room="ML13")
    DiscussionSessionFactory(offering=offering, days_ago=1, room="ML14")
    DiscussionSessionFactory(offering=offering, days_ago=-2)  # to come
    Attendance.objects.create(session=held, enrolment=enrolment, status="present")
    body = client.get(f"{ME}/attendance", headers=token_for(accepted_student)).json()
    assert [(s["room"], s["state"]) for s in body["sessions"]] == [
        ("ML13", "present"),
        ("ML14", "not_recorded"),
    ]
    summary = body["summary"]
    assert (summary["present"], summary["absent"], summary["remaining"]) == (1, 1, 1)
    assert summary["percent"] == 50.0 and summary["threshold"] == 80


def test_an_applicant_sees_their_attendance_but_has_no_progress_or_result(
    client, offering, token_for
):
    applicant = EnrolmentFactory(offering=offering, status="applied").student
    header = token_for(applicant)
    assert client.get(f"{ME}/attendance", headers=header).status_code == 200
    for path in ["progress", "result"]:
        response = client.get(f"{ME}/{path}", headers=header)
        assert response.status_code == 404
        assert response.json() == {"detail": "Only enrolled students have this page."}


def test_progress_per_module(client, offering, ta, token_for):
    enrolment = build_class(offering, 1, ta=ta)[0]
    ModuleFactory(offering=offering, title="Convolutions")
    rows = client.get(f"{ME}/progress", headers=token_for(enrolment.student)).json()
    assert rows[0]["module"] == "Convolutions"
    assert set(rows[0]) >= {"parts_total", "parts_watched", "quiz_percent", "complete"}


def test_someone_elses_offering_is_404(client, offering, other_student, token_for):
    response = client.get(f"{ME}/attendance", headers=token_for(other_student))
    assert response.status_code == 404
    assert response.json() == {"detail": "You have no application to this offering."}


def test_answers_are_private(client, accepted_student, token_for):
    response = client.get(f"{API}/me/enrolments", headers=token_for(accepted_student))
    assert response["Cache-Control"] == "private, no-store"


def test_enrolment_queries_do_not_grow(client, token_for, django_assert_num_queries):
    student = UserFactory()
    header = token_for(student)
    client.get(f"{API}/me", headers=header)  # its last use is now: not written again
    for n in (1, 9):
        for _ in range(n):
            EnrolmentFactory(student=student, status="accepted")
        # the token with its owner, the count, the page, the signed-off results
        with django_assert_num_queries(4):
            response = client.get(f"{API}/me/enrolments?limit=200", headers=header)
        assert response.json()["count"] == (1 if n == 1 else 10)
