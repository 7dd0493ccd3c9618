"""Issue 16, item 11: a group may keep a limited number of versions and megabytes of each
deliverable; past the quota an upload is refused with a clear message and nothing is stored."""

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from projects.models import Deliverable, Submission
from projects.services import group_create, submission_upload
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import DeliverableFactory, EnrolmentFactory, OfferingFactory
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def padded_pdf(kilobytes: int) -> SimpleUploadedFile:
    """A valid one-page PDF of about this size (the padding is in its metadata)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Padding": "x" * (kilobytes * 1024)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("report.pdf", buffer.getvalue(), content_type="application/pdf")


@pytest.fixture
def group(alice):
    return group_create(enrolment=alice, by=alice.student)


def test_new_deliverables_have_a_quota():
    deliverable = Deliverable()
    assert (deliverable.max_versions, deliverable.max_total_mb) == (10, 50)


def test_versions_past_the_limit_are_refused(group, report, alice, make_pdf):
    report.max_versions = 2
    report.save()
    for _ in range(2):
        submission_upload(group=group, deliverable=report, uploaded=make_pdf(1), by=alice.student)
    with pytest.raises(
        ValidationError, match="uploaded 2 versions of “Project report”, the limit is 2"
    ):
        submission_upload(group=group, deliverable=report, uploaded=make_pdf(1), by=alice.student)
    assert Submission.objects.count() == 2


def test_megabytes_past_the_limit_are_refused(group, report, alice):
    report.max_size_mb, report.max_total_mb = 1, 1
    report.save()
    submission_upload(group=group, deliverable=report, uploaded=padded_pdf(600), by=alice.student)
    with pytest.raises(ValidationError, match="would pass the limit of 1 MB"):
        submission_upload(
            group=group, deliverable=report, uploaded=padded_pdf(600), by=alice.student
        )
    assert Submission.objects.count() == 1


def test_the_quota_is_per_group(group, report, bob, make_pdf):
    report.max_versions = 1
    report.save()
    other = group_create(enrolment=bob, by=bob.student)
    submission_upload(group=group, deliverable=report, uploaded=make_pdf(1), by=group.created_by)
    submission_upload(group=other, deliverable=report, uploaded=make_pdf(1), by=bob.student)
    assert Submission.objects.count() == 2


def test_the_upload_page_says_why_and_stores_nothing(client, group, report, alice, make_pdf):
    report.max_versions = 1
    report.save()
    submission_upload(group=group, deliverable=report, uploaded=make_pdf(1), by=alice.student)
    client.force_login(alice.student)
    url = reverse("projects:upload", args=["deep-learning", "2016", report.slug])
    page = client.post(url, {"file": make_pdf(1)}, follow=True).content.decode()
    assert "Project report: not uploaded." in page
    assert "the limit is 1. Ask a teaching assistant" in page
    assert Submission.objects.count() == 1


def test_staff_set_the_quota_in_the_admin(client, report, ta):
    client.force_login(ta)
    url = reverse("admin:projects_deliverable_change", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'name="max_versions"' in page and 'name="max_total_mb"' in page


def test_storage_below_one_files_size_is_refused(report):
    report.max_size_mb, report.max_total_mb = 10, 5
    with pytest.raises(ValidationError, match="At least the maximum size of one file"):
        report.full_clean()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_uploads_at_once_do_not_pass_the_quota():
    offering = OfferingFactory()
    enrolment = EnrolmentFactory(offering=offering, status="accepted")
    group = group_create(enrolment=enrolment, by=enrolment.student)
    deliverable = DeliverableFactory(offering=offering, max_versions=3)
    content = pdf_bytes(1)
    results: dict = {}
    barrier = threading.Barrier(6)

    def send():
        barrier.wait(10)
        return submission_upload(
            group=group, deliverable=deliverable, by=enrolment.student,
            uploaded=SimpleUploadedFile("r.pdf", content),
        )  # fmt: skip

    threads = [run_in_thread(send, results, n) for n in range(6)]
    for thread in threads:
        thread.join(60)
    refused = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(refused) == 3
    assert all("the limit is 3" in r.messages[0] for r in refused)
    assert sorted(Submission.objects.values_list("version", flat=True)) == [1, 2, 3]
