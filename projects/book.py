"""The book of abstracts: an HTML page, and a PDF made from it with WeasyPrint by the task
worker, stored once per content (AbstractBook) in the file storage every server shares."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from course.caching import bump_offering, offering_cached
from course.models import Offering

from .enums import BookStatus, ProposalStatus
from .models import AbstractBook, PresentationSlot, ProjectGroup
from .selectors import groups_with_proposals

logger = logging.getLogger(__name__)


def book_projects(offering: Offering):
    return list(groups_with_proposals(offering).filter(proposal__status=ProposalStatus.ACCEPTED))


@dataclass
class BookEntry:
    """One abstract: the project, its authors and its published presentation slot."""

    group: ProjectGroup
    authors: list[str]
    slot: PresentationSlot | None


@dataclass
class IndexEntry:
    author: str
    entries: list[BookEntry] = field(default_factory=list)


def book_context(offering: Offering) -> dict:
    """What the book shows besides the offering and its course, in five queries whatever
    its size: the accepted projects with their authors and topics (three), the
    presentation sessions and their published slots.

    The abstracts come in the order they are presented (session, then slot), those without
    a published slot after them by group number; the programme lists the published slots
    of each session; the author index lists every author with their abstracts.
    """
    groups = book_projects(offering)
    sessions = list(offering.presentation_sessions.order_by("starts_at"))
    slots = {
        slot.group_id: slot
        for slot in PresentationSlot.objects.filter(
            session__offering=offering, published=True, group__isnull=False
        ).order_by("starts_at", "position")
    }
    session_by_id = {session.pk: session for session in sessions}
    entries = []
    for group in groups:
        slot = slots.get(group.pk)
        if slot is not None:
            slot.session = session_by_id[slot.session_id]
        authors = [m.enrolment.student.full_name for m in group.memberships.all()]
        entries.append(BookEntry(group=group, authors=authors, slot=slot))
    entries.sort(key=lambda e: (e.slot is None, e.slot.starts_at if e.slot else 0, e.group.number))
    programme = [
        (session, [e for e in entries if e.slot and e.slot.session_id == session.pk])
        for session in sessions
    ]
    index: dict[str, IndexEntry] = {}
    for entry in entries:
        for author in entry.authors:
            index.setdefault(author, IndexEntry(author)).entries.append(entry)
    days = sorted({timezone.localdate(s.starts_at) for s in sessions})
    return {
        "university": settings.UNIVERSITY_NAME,
        "entries": entries,
        "programme": programme,
        "scheduled": any(slots_of for _, slots_of in programme),
        # As written: names cannot be split into given and family names reliably.
        "author_index": sorted(index.values(), key=lambda i: (i.author.casefold(), i.author)),
        "first_day": days[0] if days else offering.end_date,
        "last_day": days[-1] if days else offering.end_date,
    }


def book_html(offering: Offering, *, for_pdf: bool, context: dict | None = None) -> str:
    """The book's HTML for WeasyPrint, wholly in the offering's teaching language.

    The book is one document of the course: its abstracts, titles and preface are written
    in the teaching language, so its headings, dates and hyphenation are too, and the PDF
    says so (its /Lang). It is the same for every reader: one PDF is kept per content,
    named by the hash of this HTML, and the task worker that builds it must make the same
    HTML as the request that asked for it. The book's page on the site (book_page.html)
    shows the same book, in the same language, inside the site's pages in the reader's.
    `context` is book_context(offering) when the caller has read it already.
    """
    with translation.override(offering.teaching_language):
        return render_to_string(
            "projects/book.html",
            {
                **(book_context(offering) if context is None else context),
                "offering": offering,
                "course": offering.course,
                "for_pdf": for_pdf,
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


def book_digest(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


# A failed build is tried again when the book is next asked for, at most this often.
RETRY_FAILED_AFTER = timedelta(minutes=5)


def book_editions(
    offering: Offering, *, queue: bool = True, context: dict | None = None
) -> tuple[AbstractBook, AbstractBook | None]:
    """The edition of the book's current content, and the newest one that is built.

    Asking for the current edition requests it: the first app server to ask creates its row
    (unique per content, so two asking at once make one) and queues its build for the task
    worker; a failed build is queued again after RETRY_FAILED_AFTER. Until it is built,
    the newest built edition (an older content) is what can be served. With queue=False
    the caller builds it itself (book_pdf()). `context` is book_context(offering) when the
    caller has read it already (the book's page), so the content is not read twice.
    """
    # The digest of the current content, kept under the offering's content versions (every
    # change to a proposal, a group or its members bumps them): reading the PDF does not
    # render the book each time.
    digest = offering_cached(
        offering,
        "book-digest",
        lambda: book_digest(book_html(offering, for_pdf=True, context=context)),
    )
    with transaction.atomic():
        edition, created = AbstractBook.objects.get_or_create(offering=offering, digest=digest)
        retry = (
            edition.status == BookStatus.FAILED
            and edition.requested_at < timezone.now() - RETRY_FAILED_AFTER
        )
        if retry:
            AbstractBook.objects.filter(pk=edition.pk).update(
                status=BookStatus.BUILDING, requested_at=timezone.now(), error=""
            )
            edition.status = BookStatus.BUILDING
            bump_offering(offering.pk)
        if (created or retry) and queue:
            book_id = edition.pk
            transaction.on_commit(lambda: build_book.enqueue(book_id))
    if edition.status == BookStatus.READY:
        return edition, edition
    built = (
        AbstractBook.objects.filter(offering=offering, status=BookStatus.READY)
        .order_by("-built_at")
        .first()
    )
    return edition, built


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # WeasyPrint loads slowly (Pango, fonts): on use only

    # PDF/UA-1: a tagged PDF (headings, lists, tables and reading order for screen
    # readers), its language from <html lang> and its title from <title>, shown as such.
    return HTML(string=html, url_fetcher=no_network_fetcher()).write_pdf(pdf_variant="pdf/ua-1")


@task()
def build_book(book_id: int) -> str:
    """Build one edition of the book (the task worker runs it; build_abstracts and the demo
    call it directly). Returns what happened.

    The edition's row is locked while it is built, so a second worker given the same
    edition skips it. When the content changed since the edition was asked for, the row is
    dropped (the next request asks for the new content). Once built, the offering's older
    editions and their files are deleted.
    """
    with transaction.atomic():
        edition = (
            AbstractBook.objects.select_for_update(skip_locked=True)
            .select_related("offering__course")
            .filter(pk=book_id, status=BookStatus.BUILDING)
            .first()
        )
        if edition is None:
            return "nothing to build: built already, or being built by another worker"
        offering = edition.offering
        started = timezone.now()
        try:
            html = book_html(offering, for_pdf=True)
            if book_digest(html) != edition.digest:
                edition.delete()
                return "superseded before it was built"
            content = render_pdf(html)
        except Exception as error:  # a broken abstract must not leave the edition "building"
            logger.exception("Building the book of abstracts of %s failed", offering)
            AbstractBook.objects.filter(pk=edition.pk).update(
                status=BookStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
            )
            bump_offering(offering.pk)
            return "failed"
        edition.file = default_storage.save(
            f"books/{offering.pk}-{edition.digest[:16]}.pdf", ContentFile(content)
        )
        edition.status, edition.size, edition.built_at = BookStatus.READY, len(content), started
        edition.save(update_fields=["file", "status", "size", "built_at"])
        old = list(AbstractBook.objects.filter(offering=offering).exclude(pk=edition.pk))
        AbstractBook.objects.filter(pk__in=[b.pk for b in old]).delete()
        files = [b.file for b in old if b.file]
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    logger.info(
        "Built the book of abstracts of %s in %.1f s",
        offering,
        (timezone.now() - started).total_seconds(),
    )
    return "built"


def book_pdf(offering: Offering) -> bytes:
    """The PDF of the current content, built now if it is not yet (for build_abstracts and
    the demo, which run outside requests)."""
    edition, _ = book_editions(offering, queue=False)
    if edition.status != BookStatus.READY:
        AbstractBook.objects.filter(pk=edition.pk).update(status=BookStatus.BUILDING)
        build_book.call(edition.pk)
        edition.refresh_from_db()
    if edition.status != BookStatus.READY:
        raise RuntimeError(f"The book of abstracts could not be built: {edition.error}")
    with default_storage.open(edition.file, "rb") as stored:
        return stored.read()
