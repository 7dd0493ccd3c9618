"""Every page that is not public, opened by everyone who could try it.

The matrix below names, for each such URL, what each kind of visitor gets: anonymous
visitors are sent to log in; people with no business there get 404 (not even the
existence of a student's page leaks); the right people get the page, and the page shows
what it is about. `test_every_url_is_in_a_permission_list` fails when a new URL is added
without saying who may open it.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from course.models import Quiz
from projects.models import Membership, ProjectGroup
from projects.services import submission_upload
from sessions.grading import services as grading_services
from sessions.grading.exports import build_results_export, results_export_request
from sessions.models import DiscussionSession
from tests.factories import EnrolmentFactory, ModuleFactory
from tests.factories.projects import DeliverableFactory, ProjectGroupFactory
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "accepted", "peer", "other_student", "ta", "other_ta",
         "superuser"]  # fmt: skip
STAFF = {"ta": 200, "superuser": 200}
OWN = {"accepted": 200}
OWN_OR_PEER = {"accepted": 200, "peer": 200}
# Everyone logged in, each about themselves (a person's own data: sessions/privacy.py).
EVERYONE_OWN = dict.fromkeys(["student", "accepted", "peer", "other_student", "ta", "other_ta",
                              "superuser"], 200)  # fmt: skip


@pytest.fixture
def world(offering, ta, other_ta, other_student, student, superuser):
    """`accepted` in group 1 with an uploaded report; `peer` in group 2; a session, a quiz."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    accepted = EnrolmentFactory(offering=offering, status="accepted", student__full_name="Ann Own")
    peer = EnrolmentFactory(offering=offering, status="accepted", student__full_name="Per Peer")
    for number, enrolment in ((1, accepted), (2, peer)):
        group = ProjectGroupFactory(offering=offering, number=number)  # with its proposal
        Membership.objects.create(group=group, enrolment=enrolment)
    report = DeliverableFactory(offering=offering, title="Project report", slug="report")
    submission = submission_upload(
        group=accepted.membership.group,
        deliverable=report,
        uploaded=SimpleUploadedFile("ann.pdf", pdf_bytes(1), content_type="application/pdf"),
        by=accepted.student,
    )
    now = timezone.now()
    session = DiscussionSession.objects.create(
        offering=offering, starts_at=now - dt.timedelta(days=1),
        ends_at=now - dt.timedelta(days=1, hours=-2), room="ML13",
    )  # fmt: skip
    module = ModuleFactory(offering=offering, title="Convolutional networks")
    quiz = Quiz.objects.create(
        module=module, title="Quiz on convolutions", opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=2),
    )  # fmt: skip
    grading_services.grading_setup_defaults(offering=offering)
    users = {
        "student": student, "accepted": accepted.student, "peer": peer.student,
        "other_student": other_student, "ta": ta, "other_ta": other_ta, "superuser": superuser,
    }  # fmt: skip
    export = results_export_request(offering=offering, kind="csv", by=users["ta"])
    build_results_export.call(export.pk)  # as the task worker would
    ids = {"session": session.pk, "quiz": quiz.pk, "enrolment": accepted.pk,
           "submission": submission.pk, "export": export.pk}  # fmt: skip
    return users, ids


BASE = "/courses/deep-learning/2016"
ME = "/me/deep-learning/2016"
# url name: (path, who gets 200, a text the page shows them)
MATRIX = {
    "sessions:attendance_overview": (f"{BASE}/staff/attendance/", STAFF, "Ann Own"),
    "sessions:register": (f"{BASE}/staff/sessions/{{session}}/register/", STAFF, "Ann Own"),
    "sessions:check_in_code": (f"{BASE}/staff/sessions/{{session}}/code/", STAFF, "ML13"),
    "grading:grade_sheet": (f"{BASE}/staff/grades/", STAFF, "Ann Own"),
    "grading:student_grade": (f"{BASE}/staff/grades/students/{{enrolment}}/", STAFF, "Ann Own"),
    "grading:assessment": (f"{BASE}/staff/grades/projects/1/", STAFF, "Ann Own"),
    "projects:staff_status": (f"{BASE}/staff/projects/", STAFF, "Ann Own"),
    "projects:staff_project": (f"{BASE}/staff/projects/1/", STAFF, "Ann Own"),
    "sessions:staff_progress": (f"{BASE}/staff/progress/", STAFF, "Ann Own"),
    "student:staff_today": (f"{BASE}/staff/today/", STAFF, "still to assess"),
    "course:quiz_statistics": (f"{BASE}/staff/quizzes/{{quiz}}/", STAFF, "Quiz on convolutions"),
    "student:offering": (f"{ME}/", OWN_OR_PEER, "Your enrolment"),
    "student:attendance": (f"{ME}/attendance/", OWN_OR_PEER, "ML13"),
    "projects:my_group": (f"{ME}/group/", OWN_OR_PEER, "Project report"),
    "student:progress": (f"{ME}/progress/", OWN_OR_PEER, "Convolutional networks"),
    "student:quiz": (f"{ME}/quizzes/{{quiz}}/", OWN_OR_PEER, "Quiz on convolutions"),
    "projects:download": (
        "/files/submissions/{submission}/",
        {"accepted": 200, "ta": 200, "superuser": 200},
        b"%PDF",
    ),
    "grading:results_export": (
        f"{BASE}/staff/grades/exports/{{export}}/",
        STAFF,
        "\ufeffStudent name".encode(),
    ),
    # Their own data only: tests/sessions/test_privacy.py opens each person's copy.
    "student:my_data": ("/accounts/data/", EVERYONE_OWN, "Your data"),
    "student:my_data_download": ("/accounts/data/download/", EVERYONE_OWN, b"PK\x03\x04"),
    "accounts:account": ("/accounts/", EVERYONE_OWN, "Access tokens"),
}
# POST-only URLs: tests/test_url_permissions.py (students' forms), the grading forms in
# tests/sessions/test_grading_views.py, and these with their own tests (the language switch,
# open to everyone: tests/test_languages.py).
POST_ONLY = {
    "grading:grades_setup", "grading:grades_accept", "grading:grades_sign_off",
    "grading:grades_unlock", "sessions:calendar_reset", "accounts:verify_resend",
    "accounts:withdraw", "projects:group_create", "projects:group_join", "projects:group_leave",
    "projects:upload", "projects:wishes", "student:watched", "accounts:logout",
    "accounts:sso_link_mail",
    "student:erasure_request", "set_language", "accounts:token_revoke",
}  # fmt: skip
# Public pages, the log-in, sign-up and password pages, feeds behind secret tokens (their
# tests are in tests/accounts, tests/course, tests/projects and tests/sessions).
OPEN = {
    "healthz", "readyz", "accounts:login", "accounts:signup", "accounts:verify_email",
    "accounts:password_change", "accounts:password_change_done", "accounts:password_reset",
    "accounts:password_reset_done", "accounts:password_reset_confirm",
    "accounts:password_reset_complete", "student:courses", "accounts:register",
    "sessions:schedule", "sessions:schedule_ics", "sessions:check_in",
    "sessions:personal_ics", "projects:project_list", "projects:project_detail",
    "projects:book_page", "projects:book_pdf", "projects:programme", "course:catalogue",
    "course:course_detail", "course:offering_home", "course:module_list",
    "course:module_detail", "course:lecture_list", "grading:examination",
    "course:announcement_list", "course:announcement_feed",
    # Log in with the university (tests/accounts/test_sso.py): the way in, for everyone.
    "accounts:sso_login", "accounts:sso_callback", "accounts:sso_link",
    "accounts:sso_link_confirm",
}  # fmt: skip


# The API (/api/v1/, tests/api/): every endpoint that needs a personal access token, asked
# by each kind of visitor with a token of their own (anonymous: none). Anonymous callers get
# 401, people with no business there 404 (as on the pages), the right people 200 with JSON
# that shows what it is about.
API = "/api/v1"
API_MATRIX = {
    "api:me": (f"{API}/me", EVERYONE_OWN, "read_write"),
    "api:my_enrolments": (f"{API}/me/enrolments", EVERYONE_OWN, '"count"'),
    "api:my_attendance": (f"{API}/me{BASE}/attendance", OWN_OR_PEER, "ML13"),
    "api:my_progress": (f"{API}/me{BASE}/progress", OWN_OR_PEER, "Convolutional networks"),
    "api:my_result": (f"{API}/me{BASE}/result", OWN_OR_PEER, '"conditions"'),
    "api:staff_enrolments": (f"{API}{BASE}/staff/enrolments", STAFF, "Ann Own"),
    "api:staff_attendance": (f"{API}{BASE}/staff/attendance", STAFF, "Ann Own"),
    "api:staff_grades": (f"{API}{BASE}/staff/grades", STAFF, "Ann Own"),
    "api:staff_results": (f"{API}{BASE}/staff/results", STAFF, "Ann Own"),
    "api:staff_register": (f"{API}{BASE}/staff/sessions/{{session}}/attendance", STAFF,
                           "Ann Own"),
}  # fmt: skip
# The API's writes (test_api_writes_change_nothing_for_anyone_else below, tests/api/).
API_WRITES = {"api:staff_register_write", "api:staff_attendance_write"}
# The public endpoints, the schema and its docs page: tests/api/test_public.py.
API_OPEN = {
    "api:api-root", "api:openapi-json", "api:openapi-view", "api:courses", "api:course",
    "api:offering", "api:modules", "api:sessions", "api:projects", "api:programme",
}  # fmt: skip


def url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_a_permission_list():
    listed = set(MATRIX) | POST_ONLY | OPEN | set(API_MATRIX) | API_WRITES | API_OPEN
    assert set(url_names()) - listed == set()
    assert listed - set(url_names()) == set()  # no stale names either


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_what(client, world, name, role):
    users, ids = world
    path, allowed, text = MATRIX[name]
    url = path.format(**ids)
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif role in allowed:
        assert response.status_code == 200, url
        if isinstance(text, bytes):  # a file, handed out as an attachment
            assert response["Content-Disposition"].startswith("attachment")
            assert response.getvalue().startswith(text)
        else:
            assert text in response.content.decode(), url
        if role == "peer":  # their own page, not Ann's
            assert b"Ann Own" not in response.getvalue(), url
    else:
        assert response.status_code == 404, url
        someone_else = "Per Peer" if role == "accepted" else "Ann Own"
        assert someone_else.encode() not in response.content


# The staff pages that also take POSTs: nobody but the staff changes anything through them.
def staff_posts(ids, deliverable_id, submission_id):
    register = f"{BASE}/staff/sessions/{ids['session']}/register/"
    return [
        (register, {f"status-{ids['enrolment']}": "present"}),
        (f"{BASE}/staff/projects/", {}),
        (f"{BASE}/staff/projects/1/", {"action": "decide", "status": "accepted"}),
        (f"{BASE}/staff/projects/1/", {"action": "presented", "presented": "yes"}),
        (f"{BASE}/staff/projects/1/", {"action": "feedback", "submission": submission_id,
                                       "feedback": "Good"}),
        (f"{BASE}/staff/projects/1/", {"action": "extension", "deliverable": deliverable_id,
                                       "due_at": "2099-01-01 12:00", "reason": "Ill"}),
    ]  # fmt: skip


def staff_snapshot():
    from accounts.models import OutgoingMail
    from projects.models import Extension, Proposal, Submission
    from sessions.models import Attendance

    return (
        Attendance.objects.count(),
        OutgoingMail.objects.count(),
        list(Proposal.objects.values_list("status", flat=True)),
        list(ProjectGroup.objects.values_list("presented", flat=True)),
        list(Submission.objects.values_list("feedback", flat=True)),
        Extension.objects.count(),
    )


@pytest.fixture
def staff_world(world, offering):
    from projects.models import Deliverable, Proposal, Submission

    users, ids = world
    Proposal.objects.filter(group__offering=offering).update(status="submitted")
    EnrolmentFactory(offering=offering, status="accepted")  # without a group: a reminder
    return users, staff_posts(
        ids, Deliverable.objects.get().pk, Submission.objects.get(pk=ids["submission"]).pk
    )


@pytest.mark.parametrize("role", ["anonymous", "student", "accepted", "peer", "other_student",
                                  "other_ta"])  # fmt: skip
def test_staff_forms_change_nothing_for_anyone_else(client, staff_world, role):
    users, posts = staff_world
    if role != "anonymous":
        client.force_login(users[role])
    before = staff_snapshot()
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if role == "anonymous" else 404), (url, data)
    assert staff_snapshot() == before


def test_staff_forms_work_for_the_staff(client, staff_world):
    """The same posts by the TA each change something: the data above is good."""
    users, posts = staff_world
    client.force_login(users["ta"])
    for url, data in posts:
        before = staff_snapshot()
        client.post(url, data)
        assert staff_snapshot() != before, (url, data)


# The API ------------------------------------------------------------------------------------


@pytest.fixture
def tokens(world):
    """A read-and-write token of each kind of visitor (anonymous: none)."""
    from accounts.services import token_create

    users, _ids = world
    return {
        role: token_create(user=user, name="Matrix", scope="read_write").secret
        for role, user in users.items()
    }


def bearer(tokens, role) -> dict:
    return {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}


@pytest.mark.parametrize("name", sorted(API_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_the_api_what(client, world, tokens, name, role):
    _users, ids = world
    path, allowed, text = API_MATRIX[name]
    url = path.format(**ids)
    response = client.get(url, headers=bearer(tokens, role))
    assert response["Content-Type"] == "application/json; charset=utf-8", url
    body = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 401, url
        assert "personal access token" in response.json()["detail"]
    elif role in allowed:
        assert response.status_code == 200, url
        assert text in body, url
        if role == "peer":  # their own, not Ann's
            assert "Ann Own" not in body, url
    else:
        assert response.status_code == 404, url
        assert response.json()["detail"]
        someone_else = "Per Peer" if role == "accepted" else "Ann Own"
        assert someone_else not in body


def api_writes(ids) -> list[tuple[str, str, dict]]:
    session = f"{API}{BASE}/staff/sessions/{ids['session']}/attendance"
    return [
        ("put", f"{session}/{ids['enrolment']}", {"status": "present"}),
        ("post", session, {"entries": [{"enrolment": ids["enrolment"], "status": "excused"}]}),
    ]


def attendance_snapshot():
    from sessions.models import Attendance, AttendanceChange

    return list(
        Attendance.objects.values_list("status", "active")
    ), AttendanceChange.objects.count()


@pytest.mark.parametrize("role", ["anonymous", "student", "accepted", "peer", "other_student",
                                  "other_ta"])  # fmt: skip
def test_api_writes_change_nothing_for_anyone_else(client, world, tokens, role):
    _users, ids = world
    before = attendance_snapshot()
    for method, url, data in api_writes(ids):
        response = getattr(client, method)(
            url, data, content_type="application/json", headers=bearer(tokens, role)
        )
        assert response.status_code == (401 if role == "anonymous" else 404), url
    assert attendance_snapshot() == before


def test_api_writes_work_for_the_staff(client, world, tokens):
    _users, ids = world
    for method, url, data in api_writes(ids):
        before = attendance_snapshot()
        response = getattr(client, method)(
            url, data, content_type="application/json", headers=bearer(tokens, "ta")
        )
        assert response.status_code == 200, response.content
        assert attendance_snapshot() != before, url
