"""Issue 16, item 10: PDFs whose page tree would make the checker work without end are
refused with a clear message, quickly, and nothing is stored. Each is a few KB, built here:
shared page-tree nodes unfold into millions of pages."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Submission
from projects.validators import check_pdf
from tests.factories import DeliverableFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TOO_COMPLEX = "too complex to be checked within the"


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalogue) with a correct
    cross-reference table, so that a strict reader accepts its structure."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def page_tree(depth: int, kids: int, count: int | None = None, page_keys: int = 0) -> bytes:
    """kids**depth pages from `depth` page-tree nodes, each listing the next node `kids`
    times, the last listing one page (with `page_keys` more entries). Each node's /Count is
    the truth, or `count`."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        declared = kids ** (depth - level) if count is None else count
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        listed = b"%d 0 R " % (number + 1) * kids
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (listed, declared, parent))
    keys = b"".join(b" /K%d %d" % (n, n) for n in range(page_keys))
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]%s >>" % (depth + 1, keys)
    )
    return pdf_file(objects)


def upload(client, content: bytes):
    deliverable = DeliverableFactory(max_pages=10, max_size_mb=10)
    member = MembershipFactory(group__offering=deliverable.offering)
    client.force_login(member.enrolment.student)
    offering = deliverable.offering
    url = f"/me/{offering.course.slug}/{offering.slug}/group/deliverables/{deliverable.slug}/"
    started = time.monotonic()
    response = client.post(url, {"file": SimpleUploadedFile("report.pdf", content)}, follow=True)
    return response, time.monotonic() - started


def test_two_to_the_24_pages_in_two_kilobytes_are_refused_by_their_count(client):
    content = page_tree(depth=24, kids=2)
    assert len(content) < 3000
    response, seconds = upload(client, content)
    assert response.status_code == 200
    assert "16777216 pages, the limit is 10." in response.content.decode()
    assert seconds < 5
    assert not Submission.objects.exists()


def test_a_tree_that_hides_its_pages_behind_a_small_count_is_refused(client):
    """The page tree says 1 page; pypdf's own limits stop it (LimitReachedError, which
    used to be a 500)."""
    response, seconds = upload(client, page_tree(depth=24, kids=2, count=1))
    assert response.status_code == 200
    assert TOO_COMPLEX in response.content.decode()
    assert seconds < 10
    assert not Submission.objects.exists()


def test_one_page_listed_thousands_of_times_counts_them_all(client):
    response, _ = upload(client, page_tree(depth=3, kids=20, count=1))
    assert "8000 pages, the limit is 10." in response.content.decode()
    assert not Submission.objects.exists()


def test_reading_the_pages_is_stopped_at_the_processor_time_limit(settings):
    """83,521 pages within pypdf's limits, each with 20 entries to copy, take it well over a
    second of processor time; half a second is allowed here."""
    settings.PDF_CHECK_SECONDS = 0.5
    started = time.monotonic()
    with pytest.raises(Exception, match=TOO_COMPLEX):
        check_pdf(
            SimpleUploadedFile("r.pdf", page_tree(depth=4, kids=17, count=1, page_keys=20)),
            max_size_mb=1, max_pages=None,
        )  # fmt: skip
    assert time.monotonic() - started < 30  # the clock's limit is twice the time, plus 5 s


def test_reading_the_pages_is_stopped_at_the_memory_limit(settings):
    settings.PDF_CHECK_MEMORY_MB = 64
    with pytest.raises(Exception, match=TOO_COMPLEX):
        check_pdf(
            SimpleUploadedFile("r.pdf", page_tree(depth=4, kids=17, count=1)),
            max_size_mb=1, max_pages=None,
        )  # fmt: skip


def test_an_honest_pdf_passes_within_the_same_limits(settings):
    settings.PDF_CHECK_MEMORY_MB = 64
    settings.PDF_CHECK_SECONDS = 1
    checked = check_pdf(
        SimpleUploadedFile("r.pdf", page_tree(depth=1, kids=3)), max_size_mb=1, max_pages=10
    )
    assert checked.pages == 3
