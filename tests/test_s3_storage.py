"""Files that every machine sees: uploads and the book of abstracts in an S3 bucket.

The bucket is served by moto's S3 server (moto[server]), an emulator of the S3 API, started
here on loopback: the only S3 server installable on this machine. boto3 talks to it over
HTTP exactly as to AWS S3, MinIO or Ceph. The filesystem path is tested by the rest of the
suite (the default storage when S3_BUCKET is not set).
"""

import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto.server import ThreadedMotoServer

from accounts.enums import EnrolmentStatus as S
from projects.book import book_pdf
from projects.models import AbstractBook, Submission
from projects.services import group_create
from tests.factories import DeliverableFactory, EnrolmentFactory
from tests.projects.conftest import pdf_bytes
from tests.projects.test_presentations import accepted_groups

pytestmark = pytest.mark.django_db
BUCKET = "coursesite-test"
KEYS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, **KEYS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    """The site's default storage is the bucket, as with S3_BUCKET set in production."""
    options = {
        "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "access_key": "test",
        "secret_key": "test", "region_name": "us-east-1", "signature_version": "s3v4",
        "addressing_style": "path", "default_acl": None, "querystring_auth": True,
        "file_overwrite": False,
    }  # fmt: skip
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield boto3.client("s3", endpoint_url=s3_endpoint, **KEYS)


def keys(client, prefix: str = "") -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"] for o in listing.get("Contents", [])}


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read(), answer.headers


def test_an_upload_lands_in_the_bucket_and_is_handed_out_by_a_presigned_address(
    client, offering, ta, other_student, s3
):
    alice = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    group_create(enrolment=alice, by=alice.student)
    DeliverableFactory(offering=offering, title="Project report", slug="project-report")
    report = pdf_bytes(2)
    client.force_login(alice.student)
    client.post(
        "/me/deep-learning/2016/group/deliverables/project-report/",
        {
            "file": SimpleUploadedFile("mine.pdf", report, content_type="application/pdf"),
            "close_group": "on",
        },
    )
    submission = Submission.objects.get()
    assert submission.file.name in keys(s3)  # in the bucket, under the generated name
    for who in (alice.student, ta):
        client.force_login(who)
        response = client.get(f"/files/submissions/{submission.pk}/")
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        url = response["Location"]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["120"]  # valid for two minutes only
        body, headers = fetch(url)
        assert body == report
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment;")
        assert "group1-project-report-v1.pdf" in headers["Content-Disposition"]
    # Someone else gets no address at all.
    client.force_login(other_student)
    assert client.get(f"/files/submissions/{submission.pk}/").status_code == 404
    # The object itself is private: without the signature the bucket refuses.
    bare = url.split("?")[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(bare)
    assert refused.value.code == 403


def test_the_book_is_stored_once_in_the_bucket_and_superseded_ones_are_deleted(
    client, offering, s3, django_capture_on_commit_callbacks
):
    offering.publish_book = True
    offering.save()
    (group, _) = accepted_groups(offering, 2)
    first = book_pdf(offering)
    edition = AbstractBook.objects.get()
    assert keys(s3, "books/") == {edition.file}
    response = client.get("/courses/deep-learning/2016/projects/abstracts.pdf")
    assert response.status_code == 302
    body, headers = fetch(response["Location"])
    assert body == first
    assert headers["Content-Disposition"].startswith("inline;")
    group.proposal.abstract = "Changed."
    group.proposal.save()
    with django_capture_on_commit_callbacks(execute=True):
        book_pdf(offering)
    current = AbstractBook.objects.get()
    assert keys(s3, "books/") == {current.file}  # the old edition's object is gone


def test_readiness_fails_when_the_bucket_cannot_be_reached(client, s3):
    assert client.get("/readyz").status_code == 200
    options = {
        "bucket_name": BUCKET, "endpoint_url": "http://127.0.0.1:9", "access_key": "test",
        "secret_key": "test", "region_name": "us-east-1",
    }  # fmt: skip
    down = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=down):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "storage: unavailable" in response.content.decode()
