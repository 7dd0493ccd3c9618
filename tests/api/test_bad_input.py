"""Ids and numbers out of every range, as a program might send them: a clear JSON answer,
never a 500, and nothing changed."""

import pytest

from tests.api.conftest import API
from tests.api.test_staff import STAFF, snapshot
from tests.factories import DiscussionSessionFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db
HUGE = 10**30


@pytest.fixture
def session(offering):
    return DiscussionSessionFactory(offering=offering, days_ago=0, room="ML13")


@pytest.fixture
def ann(offering):
    return EnrolmentFactory(offering=offering, status="accepted", student__full_name="Ann Own")


@pytest.mark.parametrize(
    "path",
    [
        f"{STAFF}/sessions/{HUGE}/attendance",
        f"{STAFF}/sessions/99999999/attendance",
        f"{API}/courses/no-such-course/2016/modules",
        f"{API}/me/courses/deep-learning/no-such/attendance",
    ],
)
def test_unknown_or_huge_ids_are_404_in_json(client, ta, token_for, path):
    answer = client.get(path, headers=token_for(ta))
    assert answer.status_code in {404, 422}, answer.content
    assert answer.json()["detail"]


@pytest.mark.parametrize("query", ["limit=0", "limit=100000", f"offset={HUGE}", "offset=-1"])
def test_a_page_out_of_range_is_refused_in_json(client, query):
    answer = client.get(f"{API}/courses?{query}")
    detail = answer.json()["detail"]
    assert answer.status_code == 422 and query.split("=")[0] in detail, detail


@pytest.mark.parametrize("enrolment", [HUGE, 99999999, -1])
def test_recording_an_unknown_or_huge_enrolment_changes_nothing(
    client, ta, ann, session, token_for, enrolment
):
    before = snapshot()
    answer = client.put(
        f"{STAFF}/sessions/{session.pk}/attendance/{enrolment}",
        {"status": "present"},
        content_type="application/json",
        headers=token_for(ta),
    )
    assert answer.status_code in {400, 404, 422}, answer.content
    assert answer.json()["detail"]
    assert snapshot() == before


def test_a_register_naming_a_huge_enrolment_changes_nothing(client, ta, ann, session, token_for):
    before = snapshot()
    answer = client.post(
        f"{STAFF}/sessions/{session.pk}/attendance",
        {
            "entries": [
                {"enrolment": ann.pk, "status": "present"},
                {"enrolment": HUGE, "status": "present"},
            ]
        },
        content_type="application/json",
        headers=token_for(ta),
    )
    assert answer.status_code in {400, 422}, answer.content
    assert answer.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("token_id", [HUGE, 99999999])
def test_revoking_an_unknown_or_huge_token_id_is_404(client, student, token_for, token_id):
    token_for(student)
    client.force_login(student)
    answer = client.post(f"/accounts/tokens/{token_id}/revoke/")
    assert answer.status_code == 404
    assert student.access_tokens.get().revoked_at is None
