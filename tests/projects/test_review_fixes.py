"""Edge cases found in review: allocation, the book's fetches, admin checks, CSV, access."""

import datetime as dt
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from accounts.enums import EnrolmentStatus as S
from accounts.services import enrolment_decide
from course.exports import csv_safe
from projects.book import book_pdf
from projects.models import Extension, Membership, PresentationSession, PresentationSlot
from projects.presentations import allocate, schedule_presentations, slots_retime
from projects.services import group_create, proposal_save, submission_upload
from tests.factories import DeliverableFactory, EnrolmentFactory, ProjectGroupFactory
from tests.projects.test_presentations import FakeGroup, FakeSession, accepted_groups

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def test_allocation_moves_earlier_groups_when_that_makes_room():
    # S1 (1 place), S2 (2), S3 (1); A cannot attend S3; B, C, D cannot attend S1.
    s1, s2, s3 = FakeSession(1, 1), FakeSession(2, 2), FakeSession(3, 1)
    a, b, c, d = (FakeGroup(pk) for pk in (1, 2, 3, 4))
    wishes = {(1, 3): "cannot", **{(g, 1): "cannot" for g in (2, 3, 4)}}
    placed = allocate([a, b, c, d], [s1, s2, s3], wishes)
    assert placed[a] is s1
    assert {placed[b], placed[c], placed[d]} == {s2, s3}
    assert sum(1 for s in placed.values() if s is s2) == 2


def test_preferences_do_not_stop_a_placement_that_exists():
    sessions = [FakeSession(pk, 1) for pk in (1, 2, 3)]
    groups = [FakeGroup(pk) for pk in (1, 2, 3)]
    wishes = {(1, 2): "prefer", (2, 1): "cannot", (2, 3): "cannot"}
    placed = allocate(groups, sessions, wishes)
    assert placed[groups[1]].pk == 2
    assert len(set(placed.values())) == 3


def test_the_book_fetches_nothing_from_the_network(offering, alice):
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (group,) = accepted_groups(offering, 1)
        proposal = group.proposal
        url = f"http://127.0.0.1:{server.server_port}/internal?leak=1"
        proposal_save(proposal=proposal, by=alice.student, version=proposal.version,
                      title=proposal.title, description="", topics=[],
                      abstract=f"![x]({url}) Text stays.")  # fmt: skip
        reader = PdfReader(io.BytesIO(book_pdf(offering)))
    finally:
        server.shutdown()
    assert requests == []
    assert "Text stays." in reader.pages[2].extract_text()


def test_admin_add_page_refuses_members_of_another_offering(client, offering, other_offering, ta):
    stranger = EnrolmentFactory(offering=other_offering, status=S.ACCEPTED)
    applicant = EnrolmentFactory(offering=offering, status=S.APPLIED)
    client.force_login(ta)
    for enrolment, message in ((stranger, "enrolled in another offering"),
                               (applicant, "Only accepted students")):  # fmt: skip
        response = client.post(
            "/admin/projects/projectgroup/add/",
            {"offering": offering.pk, "number": 5, "invite_code": "ABCDEFGH",
             "memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 0,
             "memberships-0-enrolment": enrolment.pk},
        )  # fmt: skip
        assert message in response.content.decode()
    assert not Membership.objects.exists()


def test_withdrawn_student_loses_the_group_and_its_files(client, offering, alice, make_pdf, ta):
    group = group_create(enrolment=alice, by=alice.student)
    submission = submission_upload(group=group, deliverable=DeliverableFactory(offering=offering),
                                   uploaded=make_pdf(1), by=alice.student)  # fmt: skip
    enrolment_decide(enrolment=alice, status=S.WITHDRAWN, by=ta)
    client.force_login(alice.student)
    assert client.get(f"/files/submissions/{submission.pk}/").status_code == 404
    response = client.post("/me/deep-learning/2016/group/",
                           {"title": "Hijack", "version": 1, "abstract": ""})  # fmt: skip
    assert response.status_code == 404
    group.proposal.refresh_from_db()
    assert group.proposal.title == ""


def test_csv_cells_never_start_a_formula():
    assert csv_safe('=HYPERLINK("http://evil/","x")') == '\'=HYPERLINK("http://evil/","x")'
    assert csv_safe("-1+1") == "'-1+1"
    assert csv_safe("Deep Learning") == "Deep Learning"
    assert csv_safe(3) == 3


def test_extension_must_be_later_and_in_the_same_offering(offering, other_offering):
    deliverable = DeliverableFactory(offering=offering)
    group = ProjectGroupFactory(offering=offering, number=1)
    earlier = Extension(deliverable=deliverable, group=group,
                        due_at=deliverable.due_at - dt.timedelta(days=1))  # fmt: skip
    with pytest.raises(ValidationError, match="must end after"):
        earlier.full_clean()
    theirs = ProjectGroupFactory(offering=other_offering, number=1)
    later = deliverable.due_at + dt.timedelta(days=1)
    elsewhere = Extension(deliverable=deliverable, group=theirs, due_at=later)
    with pytest.raises(ValidationError, match="different offerings"):
        elsewhere.full_clean()


def test_moving_a_session_moves_its_slots(offering):
    session = PresentationSession.objects.create(
        offering=offering, room="ML13", slot_minutes=20,
        starts_at=dt.datetime(2016, 5, 31, 13, 15, tzinfo=TZ),
        ends_at=dt.datetime(2016, 5, 31, 15, 0, tzinfo=TZ),
    )  # fmt: skip
    accepted_groups(offering, 2)
    schedule_presentations(offering=offering, publish=True)
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.slot_minutes = 30
    session.save()
    slots_retime(session=session)
    times = [
        (s.starts_at.astimezone(TZ).strftime("%H:%M"), s.ends_at.astimezone(TZ).strftime("%H:%M"))
        for s in PresentationSlot.objects.order_by("position")
    ]
    assert times == [("14:15", "14:45"), ("14:45", "15:15")]


def test_full_width_digits_are_a_wrong_code_not_an_error(offering, accepted_student):
    from django.utils import timezone

    from sessions.models import CheckInFailure
    from sessions.services import check_in
    from tests.factories import DiscussionSessionFactory

    start = timezone.now() - dt.timedelta(minutes=5)
    DiscussionSessionFactory(offering=offering, starts_at=start, self_check_in=True,
                             ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    with pytest.raises(ValidationError, match="Wrong or expired code"):
        check_in(offering=offering, user=accepted_student, code="１２３４５６")
    assert CheckInFailure.objects.count() == 1
