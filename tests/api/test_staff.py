"""The offering's staff with their token: the enrolment list, the attendance grid, the grade
sheet, the results export, a session's register, and writing attendance through the
register's service (logged, `via` "api"); bad input changes nothing."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Enrolment
from sessions.models import Attendance, AttendanceChange
from tests.api.conftest import API, BASE
from tests.factories import DiscussionSessionFactory, EnrolmentFactory
from tests.factories.classroom import build_class

pytestmark = pytest.mark.django_db
STAFF = f"{API}{BASE}/staff"


@pytest.fixture
def session(offering):
    return DiscussionSessionFactory(offering=offering, days_ago=0, room="ML13")


@pytest.fixture
def ann(offering):
    return EnrolmentFactory(offering=offering, status="accepted", student__full_name="Ann Own")


def snapshot():
    return (
        list(Attendance.objects.order_by("pk").values_list("enrolment_id", "status", "active")),
        AttendanceChange.objects.count(),
    )


def test_the_enrolment_list_by_status(client, offering, ta, ann, token_for):
    EnrolmentFactory(offering=offering, status="applied", student__full_name="Bo Applicant")
    header = token_for(ta, "read")
    body = client.get(f"{STAFF}/enrolments", headers=header).json()
    assert [(e["student"], e["status"]) for e in body["items"]] == [
        ("Ann Own", "accepted"),
        ("Bo Applicant", "applied"),
    ]
    applied = client.get(f"{STAFF}/enrolments?status=applied", headers=header).json()
    assert [e["student"] for e in applied["items"]] == ["Bo Applicant"]
    bad = client.get(f"{STAFF}/enrolments?status=maybe", headers=header)
    assert bad.status_code == 422 and "status" in bad.json()["detail"]


def test_the_attendance_grid(client, offering, ta, ann, token_for):
    held = DiscussionSessionFactory(offering=offering, days_ago=2, room="ML13")
    Attendance.objects.create(session=held, enrolment=ann, status="excused")
    body = client.get(f"{STAFF}/attendance", headers=token_for(ta)).json()
    assert [s["room"] for s in body["sessions"]] == ["ML13"]
    row = body["items"][0]
    assert row["student"] == "Ann Own" and row["cells"] == ["excused"]
    assert row["summary"]["excused"] == 1


def test_the_grade_sheet_and_the_results(client, offering, ta, token_for):
    build_class(offering, 2, ta=ta)
    header = token_for(ta)
    sheet = client.get(f"{STAFF}/grades", headers=header).json()
    assert sheet["count"] == 2 and sheet["signed_off_at"] is None
    row = sheet["items"][0]
    assert row["student"] == "Student 0000" and row["eligible"] is True
    assert row["project_grades"] == [4] and row["proposed"] and row["final"] is None
    results = client.get(f"{STAFF}/results", headers=header).json()
    assert results["preliminary"] is True
    assert results["items"][0]["student_name"] == "Student 0000"
    assert results["items"][0]["grade"] == "" and results["items"][0]["examination_date"] is None


def test_the_register_of_a_session(client, offering, ta, ann, session, token_for):
    body = client.get(f"{STAFF}/sessions/{session.pk}/attendance", headers=token_for(ta)).json()
    assert body["open"] is True and body["closed_reason"] == ""
    assert body["students"] == [
        {
            "enrolment": ann.pk,
            "student": "Ann Own",
            "email": ann.student.email,
            "status": None,
            "active": False,
        }
    ]
    other = DiscussionSessionFactory(days_ago=0)  # another offering's session
    response = client.get(f"{STAFF}/sessions/{other.pk}/attendance", headers=token_for(ta))
    assert response.status_code == 404


def test_writing_one_students_attendance_goes_through_the_register(
    client, ta, ann, session, token_for
):
    url = f"{STAFF}/sessions/{session.pk}/attendance/{ann.pk}"
    header = token_for(ta)
    response = client.put(
        url, {"status": "present", "active": True}, content_type="application/json", headers=header
    )
    assert response.status_code == 200
    assert response.json() == {"created": 1, "changed": 0, "unchanged": 0}
    record = Attendance.objects.get()
    assert (record.status, record.active, record.updated_by) == ("present", True, ta)
    change = AttendanceChange.objects.get()
    assert (change.via, change.changed_by, change.new_status) == ("api", ta, "present")
    again = client.put(
        url, {"status": "absent", "active": True}, content_type="application/json", headers=header
    ).json()
    assert again == {"created": 0, "changed": 1, "unchanged": 0}
    assert Attendance.objects.get().active is False  # active only for the present
    assert AttendanceChange.objects.count() == 2


def test_writing_several_at_once(client, offering, ta, ann, session, token_for):
    bo = EnrolmentFactory(offering=offering, status="accepted")
    entries = [
        {"enrolment": ann.pk, "status": "present"},
        {"enrolment": bo.pk, "status": "excused"},
    ]
    response = client.post(
        f"{STAFF}/sessions/{session.pk}/attendance",
        {"entries": entries},
        content_type="application/json",
        headers=token_for(ta),
    )
    assert response.json() == {"created": 2, "changed": 0, "unchanged": 0}
    assert sorted(Attendance.objects.values_list("status", flat=True)) == ["excused", "present"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"status": "late"}, 422, "status: Input should be 'present', 'absent' or 'excused'"),
        ({}, 422, "status: Field required"),
        ("not json", 400, "The request's body is not JSON: send a JSON object."),
    ],
)
def test_bad_input_changes_nothing(client, ta, ann, session, token_for, body, status, message):
    before = snapshot()
    response = client.put(
        f"{STAFF}/sessions/{session.pk}/attendance/{ann.pk}",
        body,
        content_type="application/json",
        headers=token_for(ta),
    )
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert snapshot() == before


def test_a_student_not_in_the_register_is_refused(client, offering, ta, ann, session, token_for):
    applicant = EnrolmentFactory(offering=offering, status="applied")
    before = snapshot()
    url = f"{STAFF}/sessions/{session.pk}/attendance"
    entries = [
        {"enrolment": ann.pk, "status": "present"},
        {"enrolment": applicant.pk, "status": "present"},
    ]
    response = client.post(
        url, {"entries": entries}, content_type="application/json", headers=token_for(ta)
    )
    assert response.status_code == 400
    assert response.json()["detail"].endswith("Nothing was saved.")
    assert "not enrolled in this offering" in response.json()["detail"]
    twice = client.post(
        url,
        {"entries": [entries[0], entries[0]]},
        content_type="application/json",
        headers=token_for(ta),
    )
    assert twice.status_code == 400 and "named twice" in twice.json()["detail"]
    empty = client.post(
        url, {"entries": []}, content_type="application/json", headers=token_for(ta)
    )
    assert empty.status_code == 422
    assert snapshot() == before


def test_a_future_session_takes_no_attendance(client, offering, ta, ann, token_for):
    later = DiscussionSessionFactory(offering=offering, days_ago=-3)
    response = client.put(
        f"{STAFF}/sessions/{later.pk}/attendance/{ann.pk}",
        {"status": "present"},
        content_type="application/json",
        headers=token_for(ta),
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "This session has not started yet: take attendance when it does. Nothing was saved."
    )
    assert snapshot() == ([], 0)


def test_a_read_only_token_cannot_write(client, ta, ann, session, token_for):
    response = client.put(
        f"{STAFF}/sessions/{session.pk}/attendance/{ann.pk}",
        {"status": "present"},
        content_type="application/json",
        headers=token_for(ta, "read"),
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This token may only read; make a token that may read and write."
    )
    assert snapshot() == ([], 0)


# Query counts: the same for 1 and 10 students ------------------------------------------------

STAFF_LISTS = {
    "enrolments": ("/enrolments", 5),
    "attendance": ("/attendance", 7),
    "grades": ("/grades", 17),
    "results": ("/results", 17),
}


@pytest.mark.parametrize("name", sorted(STAFF_LISTS))
def test_staff_list_queries_do_not_grow(
    client, offering, ta, token_for, name, django_assert_num_queries
):
    path, queries = STAFF_LISTS[name]
    header = token_for(ta)
    client.get(f"{API}/me", headers=header)  # its last use is now: not written again
    for n in (1, 9):
        build_class(offering, n, ta=ta)
        cache.clear()  # the sheet is made anew, not read from the cache
        with django_assert_num_queries(queries):
            response = client.get(f"{STAFF}{path}?limit=200", headers=header)
        assert response.json()["count"] == Enrolment.objects.filter(offering=offering).count()


def test_writes_need_no_csrf_token(ta, ann, session, token_for):
    """A program sends its token, not a browser's cookie: Django's CSRF check is not asked."""
    strict = Client(enforce_csrf_checks=True)
    response = strict.put(
        f"{STAFF}/sessions/{session.pk}/attendance/{ann.pk}",
        {"status": "present"},
        content_type="application/json",
        headers=token_for(ta),
    )
    assert response.status_code == 200
    assert Attendance.objects.get().status == "present"
