"""Checks of uploaded files: a real PDF, within the size and page limits."""

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

logger = logging.getLogger(__name__)
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class CheckedPdf:
    content: bytes
    pages: int
    sha256: str


def check_pdf(uploaded, *, max_size_mb: int, max_pages: int | None) -> CheckedPdf:
    """Read an uploaded file and make sure it is a PDF the course accepts.

    Looks at the content, never at the name: the first bytes must be "%PDF-" and pypdf must
    parse it and count its pages. Raises ValidationError saying what is wrong.
    """
    limit = max_size_mb * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            f"The file is {uploaded.size / 1024 / 1024:.1f} MB, the limit is {max_size_mb} MB.",
            code="too_large",
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:  # the size the client announced was not the truth
        raise ValidationError(f"The file is larger than {max_size_mb} MB.", code="too_large")
    if not content.startswith(PDF_MAGIC):
        raise ValidationError(
            "This is not a PDF file (whatever its name says). Export or print your document "
            "as PDF and upload that.",
            code="not_pdf",
        )
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        if reader.is_encrypted:
            raise ValidationError(
                "The PDF is password-protected: upload it without a password.", code="encrypted"
            )
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - touching every page finds broken page trees
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        logger.info("Refused an unreadable PDF: %s", error)
        raise ValidationError(
            "The PDF is damaged or incomplete and cannot be read. Export it again and upload "
            "the new file.",
            code="broken_pdf",
        ) from None
    if pages == 0:
        raise ValidationError("The PDF has no pages.", code="empty_pdf")
    if max_pages is not None and pages > max_pages:
        raise ValidationError(f"{pages} pages, the limit is {max_pages}.", code="too_many_pages")
    return CheckedPdf(content=content, pages=pages, sha256=hashlib.sha256(content).hexdigest())


def check_size_limit(max_size_mb: int | None) -> None:
    """A deliverable's size limit must fit in the largest request the site reads
    (MAX_UPLOAD_BYTES less a megabyte for the rest of the upload form): a larger file would
    be refused before `check_pdf` could name the deliverable's limit."""
    largest = settings.MAX_UPLOAD_BYTES // (1024 * 1024) - 1
    if max_size_mb is not None and max_size_mb > largest:
        raise ValidationError(
            {
                "max_size_mb": f"At most {largest} MB: the site accepts no larger uploads "
                "(its operator can raise MAX_UPLOAD_BYTES)."
            }
        )
