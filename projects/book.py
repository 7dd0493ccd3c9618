"""The book of abstracts: an HTML page and a PDF made from it with WeasyPrint, cached."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from course.models import Offering

from .enums import ProposalStatus
from .selectors import groups_with_proposals

logger = logging.getLogger(__name__)


def book_projects(offering: Offering):
    return list(groups_with_proposals(offering).filter(proposal__status=ProposalStatus.ACCEPTED))


def book_html(offering: Offering, *, for_pdf: bool) -> str:
    return render_to_string(
        "projects/book.html",
        {
            "offering": offering,
            "course": offering.course,
            "groups": book_projects(offering),
            "for_pdf": for_pdf,
            "year": offering.start_date.year,
        },
    )


def refuse_fetch(url, *args, **kwargs):
    """For WeasyPrint before 68: fetch data: URLs only."""
    from weasyprint.urls import default_url_fetcher  # WeasyPrint loads slowly: on use only

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"The book of abstracts does not fetch {url[:80]}")


def no_network_fetcher():
    """WeasyPrint may fetch nothing from the network: an image in an abstract must not make
    the server request an address of the author's choosing. Inline data: URLs are all it
    reads."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint takes a function
        return refuse_fetch
    return URLFetcher(allowed_protocols={"data"})


def book_pdf(offering: Offering) -> bytes:
    """The PDF for the current abstracts; built once per content and kept in storage.

    The file name carries a hash of the book's HTML, so any change to an abstract, title or
    author makes a new file, and an unchanged book is never rebuilt.
    """
    html = book_html(offering, for_pdf=True)
    digest = hashlib.sha256(html.encode()).hexdigest()[:16]
    path = f"books/{offering.pk}-{digest}.pdf"
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as cached:
            return cached.read()
    from weasyprint import HTML  # WeasyPrint loads slowly (Pango, fonts): on use only

    started = timezone.now()
    content = HTML(string=html, url_fetcher=no_network_fetcher()).write_pdf()
    default_storage.save(path, ContentFile(content))
    logger.info(
        "Built the book of abstracts of %s in %.1f s",
        offering,
        (timezone.now() - started).total_seconds(),
    )
    return content
