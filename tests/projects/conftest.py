import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from accounts.enums import EnrolmentStatus as S
from tests.factories import DeliverableFactory, EnrolmentFactory


def pdf_bytes(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def make_pdf():
    def make(pages=1, name="report.pdf"):
        return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")

    return make


@pytest.fixture
def alice(offering):
    return EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Alice A")


@pytest.fixture
def bob(offering):
    return EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Bob B")


@pytest.fixture
def carol(offering):
    return EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Carol C")


@pytest.fixture
def report(offering):
    return DeliverableFactory(offering=offering, title="Project report", slug="project-report")
