"""Checks of uploaded files: a real PDF, within the size and page limits."""

import hashlib
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

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
    parse it and count its pages, in a child process bounded in time and memory (a hostile
    page tree can make it work without end). Raises ValidationError saying what is wrong.
    """
    limit = max_size_mb * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            gettext("The file is %(size).1f MB, the limit is %(limit)s MB.")
            % {"size": uploaded.size / 1024 / 1024, "limit": max_size_mb},
            code="too_large",
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:  # the size the client announced was not the truth
        raise ValidationError(
            gettext("The file is larger than %(limit)s MB.") % {"limit": max_size_mb},
            code="too_large",
        )
    if not content.startswith(PDF_MAGIC):
        raise ValidationError(
            gettext(
                "This is not a PDF file (whatever its name says). Export or print your "
                "document as PDF and upload that."
            ),
            code="not_pdf",
        )
    pages = _count_pages(content, max_pages)
    if pages == 0:
        raise ValidationError(gettext("The PDF has no pages."), code="empty_pdf")
    if max_pages is not None and pages > max_pages:
        raise ValidationError(
            ngettext(
                "%(pages)s page, the limit is %(limit)s.",
                "%(pages)s pages, the limit is %(limit)s.",
                pages,
            )
            % {"pages": pages, "limit": max_pages},
            code="too_many_pages",
        )
    return CheckedPdf(content=content, pages=pages, sha256=hashlib.sha256(content).hexdigest())


REFUSALS = {
    "encrypted": _("The PDF is password-protected: upload it without a password."),
    "broken_pdf": _(
        "The PDF is damaged or incomplete and cannot be read. Export it again and upload the "
        "new file."
    ),
    "too_complex": _(
        "The PDF's page structure is too complex to be checked within the site's limits of "
        "time and memory. Export or print your document as PDF again and upload the new file."
    ),
}
CHECKER = Path(__file__).with_name("pdfcheck.py")


def _count_pages(content: bytes, max_pages: int | None) -> int:
    """The pages of the PDF, as projects/pdfcheck.py counts them in a child process with at
    most PDF_CHECK_MEMORY_MB of memory and PDF_CHECK_SECONDS of processor time (twice that,
    plus its start, on the clock). A file that declares more pages than `max_pages` is
    refused before its pages are read; a child killed at a limit means "too complex"."""
    seconds = float(settings.PDF_CHECK_SECONDS)
    command = [sys.executable, "-I", str(CHECKER), str(max_pages or 0),
               str(settings.PDF_CHECK_MEMORY_MB), repr(seconds)]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            input=content,
            capture_output=True,
            timeout=2 * seconds + 5,
            check=False,
            env={},  # nothing of the site's environment (its secrets) reaches the reader
        )
        result = json.loads(done.stdout.decode("ascii", "replace").strip() or "null")
    except (subprocess.TimeoutExpired, ValueError):
        result = None
    if not isinstance(result, dict):
        result = {"refused": "too_complex"}
    if "refused" not in result and isinstance(result.get("pages"), int):
        return result["pages"]
    reason = result.get("refused")
    reason = reason if reason in REFUSALS or reason == "too_many_pages" else "too_complex"
    logger.info("Refused a PDF: %s", reason)
    if reason == "too_many_pages" and isinstance(result.get("pages"), int):
        return result["pages"]  # as declared by the file: over the limit, said by check_pdf
    raise ValidationError(REFUSALS.get(reason, REFUSALS["too_complex"]), code=reason)


def check_size_limit(max_size_mb: int | None) -> None:
    """A deliverable's size limit must fit in the largest request the site reads
    (MAX_UPLOAD_BYTES less a megabyte for the rest of the upload form): a larger file would
    be refused before `check_pdf` could name the deliverable's limit."""
    largest = settings.MAX_UPLOAD_BYTES // (1024 * 1024) - 1
    if max_size_mb is not None and max_size_mb > largest:
        message = gettext(
            "At most %(largest)s MB: the site accepts no larger uploads (its operator can "
            "raise MAX_UPLOAD_BYTES)."
        )
        raise ValidationError({"max_size_mb": message % {"largest": largest}})
