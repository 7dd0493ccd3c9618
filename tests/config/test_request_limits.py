"""Request bodies beyond the limit are refused before they are read (413 with a clear
page), never written to a temporary folder whole, and never a server error."""

import io
import os
import socket

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from pypdf import PdfWriter

from projects.models import Submission
from projects.services import group_create
from tests.factories import DeliverableFactory

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
UPLOAD = "/me/deep-learning/2016/group/deliverables/project-report/"


@pytest.fixture
def group(offering):
    from accounts.enums import EnrolmentStatus
    from tests.factories import EnrolmentFactory

    alice = EnrolmentFactory(offering=offering, status=EnrolmentStatus.ACCEPTED)
    DeliverableFactory(offering=offering, title="Project report", slug="project-report",
                       max_pages=None, max_size_mb=10)  # fmt: skip
    return group_create(enrolment=alice, by=alice.student)


def announcing(client, path, length, body=b"--x--\r\n"):
    """A POST whose Content-Length says `length`; only `body` is there to read."""
    return client.generic(
        "POST", path, body, content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
    )  # fmt: skip


def test_anonymous_500_mb_post_to_the_login_page_is_refused_unread(client):
    response = announcing(client, "/accounts/login/", 500 * MiB)
    assert response.status_code == 413
    text = response.content.decode()
    assert "Too large to send" in text
    assert "larger than the 2.5 MB a form may have without logging in" in text
    assert "_auth_user_id" not in client.session


def test_a_students_2_gib_report_is_refused_unread(client, group):
    client.force_login(group.memberships.get().enrolment.student)
    response = announcing(client, UPLOAD, 2 * 1024 * MiB)
    assert response.status_code == 413
    assert "The site accepts at most 51 MB in one request" in response.content.decode()
    assert not Submission.objects.exists()


def padded_pdf(size: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("data.bin", os.urandom(size))  # random: no compression shrinks it
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_logged_in_students_upload_files_larger_than_a_form(client, group):
    client.force_login(group.memberships.get().enrolment.student)
    report = SimpleUploadedFile("report.pdf", padded_pdf(3 * MiB), "application/pdf")
    response = client.post(UPLOAD, {"file": report, "close_group": "on"}, follow=True)
    assert "Project report: version 1 uploaded (1 page)." in response.content.decode()
    assert Submission.objects.get().size > 3 * MiB


def test_a_too_large_form_gets_the_same_page_not_a_server_error(client, group):
    """Django itself notices fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE while reading."""
    student = group.memberships.get().enrolment.student
    client.force_login(student)
    proposal = {"title": "T", "description": "x" * (3 * MiB), "version": 1}
    response = client.post("/me/deep-learning/2016/group/", proposal)
    assert response.status_code == 413
    assert "Too large to send" in response.content.decode()
    assert group.proposal.description == ""


def test_the_server_answers_413_without_waiting_for_the_body(live_server, transactional_db):
    """Over a real socket: only the headers are sent, and the answer comes at once."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 524288000\r\n\r\n--x\r\n"
        )
        answer = connection.recv(1024)
    assert answer.startswith(b"HTTP/1.1 413")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1 * MiB)
def test_the_upload_handler_stops_a_body_longer_than_announced(tmp_path):
    """A body that says it is short and goes on: the multipart parser reads what comes, so
    the handler counts and stops past the limit, leaving no file behind."""
    body = encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + os.urandom(8 * MiB))}
    )
    stream = io.BytesIO(body)
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "1000"}
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(tmp_path)):
        parser = MultiPartParser(meta, stream, request.upload_handlers)
        with pytest.raises(RequestDataTooBig):
            parser.parse()
        assert stream.tell() < 2 * MiB  # stopped near the 1 MiB limit, not at 8 MiB
        assert list(tmp_path.iterdir()) == []  # the partial temporary file is gone


def test_a_deliverable_size_limit_must_fit_in_what_the_site_accepts(offering):
    deliverable = DeliverableFactory.build(offering=offering, max_size_mb=50)
    deliverable.full_clean()  # 51 MB requests by default: 50 MB files
    deliverable.max_size_mb = 51
    with pytest.raises(ValidationError) as refused:
        deliverable.full_clean()
    assert refused.value.message_dict == {"max_size_mb": [
        "At most 50 MB: the site accepts no larger uploads (its operator can raise "
        "MAX_UPLOAD_BYTES)."
    ]}  # fmt: skip
    deliverable.max_total_mb = 100  # a group's storage holds at least one file
    with override_settings(MAX_UPLOAD_BYTES=101 * MiB):
        deliverable.full_clean()
