"""Uploads: real PDF checks, limits, versions, lateness, extensions; who may download."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from projects.models import Submission
from projects.services import extension_grant, group_create, group_join, submission_upload
from tests.factories import DeliverableFactory, MembershipFactory
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def group(alice, bob):
    group = group_create(enrolment=alice, by=alice.student)
    group_join(enrolment=bob, code=group.invite_code, by=bob.student)
    return group


def upload(group, deliverable, uploaded, by, now=None):
    return submission_upload(
        group=group, deliverable=deliverable, uploaded=uploaded, by=by, now=now
    )


def test_valid_four_page_pdf_is_stored_with_its_page_count(group, report, make_pdf, alice):
    submission = upload(group, report, make_pdf(4, "../../etc/passwd.pdf"), alice.student)
    assert (submission.version, submission.pages, submission.late_by) == (1, 4, None)
    assert submission.original_name == "passwd.pdf"  # Django strips the directories
    # The stored path is the app's own, never the uploaded name.
    assert "passwd" not in submission.file.name
    assert submission.file.name.startswith(f"submissions/{report.offering_id}/")
    assert len(PdfReader(submission.file.open("rb")).pages) == 4


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (pdf_bytes(5), "report.pdf", "5 pages, the limit is 4."),
        (PNG, "report.pdf", "This is not a PDF file"),
        (pdf_bytes(2)[:-200], "report.pdf", "The PDF is damaged or incomplete"),
        (b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "big.pdf", "the limit is 1 MB"),
    ],
    ids=["five-pages", "png-renamed", "truncated", "oversized"],
)
def test_bad_uploads_are_refused_and_store_nothing(group, report, alice, content, name, message):
    with pytest.raises(ValidationError) as error:
        upload(group, report, SimpleUploadedFile(name, content, "application/pdf"), alice.student)
    assert message in error.value.messages[0]
    assert not Submission.objects.exists()


def test_every_upload_is_kept_as_a_new_version(group, report, make_pdf, alice, bob):
    first = upload(group, report, make_pdf(3), alice.student)
    second = upload(group, report, make_pdf(4), bob.student)
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert len(PdfReader(first.file.open("rb")).pages) == 3


def test_late_upload_is_kept_with_how_late_it_came(group, report, make_pdf, alice):
    late = report.due_at + dt.timedelta(hours=26)
    submission = upload(group, report, make_pdf(2), alice.student, now=late)
    assert submission.late_by == dt.timedelta(hours=26)


def test_deliverable_without_late_submissions_refuses_them(offering, group, make_pdf, alice):
    slides = DeliverableFactory(offering=offering, title="Slides", accepts_late=False,
                                due_at=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    with pytest.raises(ValidationError, match="takes no late submissions"):
        upload(group, slides, make_pdf(2), alice.student)
    assert not Submission.objects.exists()


def test_extension_applies_to_every_member(offering, group, make_pdf, alice, bob, ta):
    report = DeliverableFactory(offering=offering, accepts_late=False,
                                due_at=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    extension_grant(deliverable=report, group=group, due_at=timezone.now() + dt.timedelta(days=1),
                    reason="Illness", by=ta)  # fmt: skip
    submission = upload(group, report, make_pdf(2), bob.student)
    assert submission.late_by is None


def test_extension_must_end_after_the_deadline(group, report, ta):
    with pytest.raises(ValidationError, match="must end after"):
        extension_grant(deliverable=report, group=group, due_at=report.due_at, reason="", by=ta)


def test_deliverable_of_another_offering_is_refused(group, other_offering, make_pdf, alice):
    theirs = DeliverableFactory(offering=other_offering)
    with pytest.raises(ValidationError, match="belongs to another course"):
        upload(group, theirs, make_pdf(1), alice.student)


# Through the browser's eyes --------------------------------------------------------------

UPLOAD = "/me/deep-learning/2016/group/deliverables/project-report/"


def test_upload_page_reports_the_page_limit(client, group, report, make_pdf, alice):
    client.force_login(alice.student)
    response = client.post(UPLOAD, {"file": make_pdf(5)}, follow=True)
    assert "Project report: not uploaded. 5 pages, the limit is 4." in response.content.decode()
    response = client.post(UPLOAD, {"file": make_pdf(4)}, follow=True)
    assert "Project report: version 1 uploaded (4 pages)." in response.content.decode()


def download_url(submission):
    return f"/files/submissions/{submission.pk}/"


@pytest.fixture
def submission(group, report, make_pdf, alice):
    return upload(group, report, make_pdf(2), alice.student)


@pytest.mark.parametrize("who", ["alice", "bob", "ta", "superuser"])
def test_members_and_staff_download_the_file_as_an_attachment(client, submission, who, request):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "student", user))
    response = client.get(download_url(submission))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "deep-learning-2016-group1-project-report-v1.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["carol", "other_ta", "student", "accepted_student"])
def test_others_get_404_for_the_file(client, offering, submission, who, request):
    user = request.getfixturevalue(who)
    if who == "carol":
        MembershipFactory(enrolment=user, group__offering=offering, group__number=2)
    client.force_login(getattr(user, "student", user))
    assert client.get(download_url(submission)).status_code == 404


def test_anonymous_download_goes_to_log_in(client, submission):
    response = client.get(download_url(submission))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_files_are_not_under_a_public_url(client, submission):
    assert client.get(f"/media/{submission.file.name}").status_code == 404
    assert io.BytesIO(submission.file.open("rb").read()).read(5) == b"%PDF-"
