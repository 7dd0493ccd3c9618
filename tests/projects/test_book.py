"""The book of abstracts as a conference prints it: a title page, the preface, the programme,
several abstracts a page with their time, room and topics, running heads, an author index;
a tagged PDF (PDF/UA-1) in the offering's teaching language; the same book on the site."""

import io
import re
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from pypdf import PdfReader

from projects.book import book_html, book_pdf
from projects.models import AbstractBook, PresentationSlot
from projects.presentations import schedule_presentations
from projects.services import proposal_save
from tests.factories import ModuleFactory
from tests.page_keeping import KEEPING
from tests.projects.test_presentations import BASE, accepted_groups, session

pytestmark = pytest.mark.django_db

PREFACE = "Welcome to the **presentations** of the course."


def read(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def page_of(texts: list[str], needle: str) -> int:
    """The number (from 1) of the first page showing the text."""
    return next(number for number, text in enumerate(texts, 1) if needle in text)


@pytest.fixture
def book(offering):
    """Three projects presented on 31 May 2016 in ML13 (published), a preface, topics."""
    offering.book_preface = PREFACE
    offering.save()
    session(offering, 31)
    groups = accepted_groups(offering, 3)
    topic = ModuleFactory(offering=offering, title="Recurrent networks")
    groups[1].proposal.topics.add(topic)
    schedule_presentations(offering=offering, publish=True)
    return groups


@override_settings(UNIVERSITY_NAME="Chalmers University of Technology")
def test_the_book_reads_like_a_printed_book(book, offering):
    _reader, texts = read(book_pdf(offering))
    title_page = texts[0]
    assert "Chalmers University of Technology" in title_page
    assert "Deep Learning" in title_page and "Book of abstracts" in title_page
    assert "Tuesday 31 May 2016" in title_page  # the day of the presentations
    assert "2016, LP4 · 2016" not in title_page
    # Contents and preface, then the programme, the abstracts and the author index.
    preface = page_of(texts, "Welcome to the presentations")
    programme = page_of(texts, "Programme\n")
    abstracts = page_of(texts, "Abstracts\n")
    index = page_of(texts, "Author index\n")
    assert 1 < preface < programme < abstracts < index == len(texts)
    assert "Tuesday 31 May 2016, 13:15–15:00, ML13" in texts[programme - 1]
    assert texts[programme - 1].index("Project 1") < texts[programme - 1].index("Project 3")
    # The three abstracts share one page, each with its time, room and topics.
    page = texts[abstracts - 1]
    for number, time in ((1, "13:15"), (2, "13:35"), (3, "13:55")):
        assert f"Abstract of project {number}." in page
        assert f"Presented Tuesday 31 May 2016 at {time}, ML13" in page
        assert f"Student {number}" in page
    assert "Topics: Recurrent networks" in page
    # The index gives each author the page of their abstract; so does the programme.
    assert re.search(rf"Student 2 \.+ {abstracts}\b", texts[index - 1])
    programme_text = texts[programme - 1].replace("\n", " ")
    assert re.search(rf"13:35 Project 2 Student 2 {abstracts}\b", programme_text)


def test_abstracts_share_pages_the_demos_ten_projects_take_a_few(offering):
    session(offering, 31)
    session(offering, 26, room="ML1")
    accepted_groups(offering, 10)
    schedule_presentations(offering=offering, publish=True)
    _reader, texts = read(book_pdf(offering))
    assert len(texts) <= 6  # title, contents, programme, two pages of abstracts, index
    first = page_of(texts, "Abstract of project 1.")
    assert sum("Abstract of project" in text for text in texts) <= 3
    assert sum(f"Abstract of project {n}." in texts[first - 1] for n in range(1, 11)) >= 4


def test_the_pdf_is_tagged_with_its_language_and_title(book, offering):
    reader, _ = read(book_pdf(offering))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-gb"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Book of abstracts: Deep Learning 2016"
    # The tags carry the book's structure for screen readers.
    roles = set()

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "get") and "/S" in node:
            roles.add(node["/S"])
            if "/K" in node:
                walk(node["/K"])

    walk(catalog["/StructTreeRoot"]["/K"])
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/Caption", "/L", "/Link"} <= roles


def test_the_book_is_in_the_teaching_language_for_every_reader(book, offering, client):
    offering.teaching_language = "sv"
    offering.publish_book = True
    offering.save()
    reader, texts = read(book_pdf(offering))
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title.startswith("Abstractsamling: Deep Learning")
    assert "Abstractsamling" in texts[0] and "tisdag 31 maj 2016" in texts[0]
    assert "Ämnen: Recurrent networks" in "\n".join(texts)
    # One edition whoever asks: an English reader's request makes the same HTML.
    assert AbstractBook.objects.count() == 1
    page = client.get(f"{BASE}/projects/abstracts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<html lang="en', page)  # the site around the book: the reader's
    assert '<div class="book-page" lang="sv">' in page
    assert ">Abstractsamling</h2>" in page and "Ämnen:" in page
    assert "Download the PDF" in page
    assert AbstractBook.objects.count() == 1


def test_the_site_shows_the_same_book_in_the_same_order(book, offering, client):
    offering.publish_book = True
    offering.save()
    page = client.get(f"{BASE}/projects/abstracts/").content.decode()
    parts = ["Welcome to the <strong>presentations</strong>", 'id="book-programme"',
             'id="book-abstracts"', 'id="book-authors"']  # fmt: skip
    assert [page.index(part) for part in parts] == sorted(page.index(part) for part in parts)
    assert "Presented Tuesday 31 May 2016 at 13:35, ML13" in page
    assert '<a href="#project-2">Project 2</a>' in page  # the programme and index link it
    assert "style=" not in page.split('class="book-page"')[1]  # nothing inline (CSP)
    assert "/static/css/book.css" in page


def test_unpublished_slots_and_rejected_projects_stay_out(offering):
    session(offering, 31)
    groups = accepted_groups(offering, 2)
    schedule_presentations(offering=offering)  # not published
    rejected = groups[1].proposal
    rejected.status = "rejected"
    rejected.save()
    html = book_html(offering, for_pdf=True)
    assert "Project 1" in html and "Project 2" not in html
    assert "Presented" not in html and 'id="book-programme"' not in html
    PresentationSlot.objects.update(published=True)
    html = book_html(offering, for_pdf=True)
    assert "Presented Tuesday 31 May 2016 at 13:15, ML13" in html


def test_a_preface_cannot_bring_scripts_into_the_book(offering, client):
    offering.book_preface = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)>"
    offering.publish_book = True
    offering.save()
    accepted_groups(offering, 1)
    for html in (book_html(offering, for_pdf=True),
                 client.get(f"{BASE}/projects/abstracts/").content.decode()):  # fmt: skip
        assert "Hello" in html
        assert "<script>alert" not in html and "onerror" not in html


def test_staff_write_the_preface_in_the_offerings_admin(client, offering, superuser):
    client.force_login(superuser)
    page = client.get(f"/admin/course/offering/{offering.pk}/change/").content.decode()
    assert 'name="book_preface"' in page
    assert "Preface of the book of abstracts" in page


@pytest.mark.parametrize("scale", [1, 10])
def test_book_page_query_count_is_fixed(client, django_assert_num_queries, offering, scale):
    offering.publish_book = True
    offering.save()
    for day in range(scale):
        session(offering, 10 + day, room=f"R{day}")
    accepted_groups(offering, 3 * scale)
    schedule_presentations(offering=offering, publish=True)
    client.get(f"{BASE}/projects/abstracts/")  # asks for the edition (a row) once
    from course.caching import bump_offering

    bump_offering(offering.pk)
    # The projects, their members and topics; the sessions and their published slots (read
    # once for the page and the digest of its content); the edition of this content
    # (get_or_create: three) and, as no worker built it here, the last built one.
    with django_assert_num_queries(9 + KEEPING):
        client.get(f"{BASE}/projects/abstracts/")


# Moved from test_presentations, adjusted to several abstracts a page ------------------------


def test_book_lists_every_accepted_project_with_contents_page(offering):
    accepted_groups(offering, 3)
    _reader, texts = read(book_pdf(offering))
    text = "\n".join(texts)
    assert len(texts) == 4  # title, contents, the abstracts, the author index
    assert "Book of abstracts" in texts[0] and "Deep Learning" in texts[0]
    for number in (1, 2, 3):
        assert f"Project {number}" in texts[2]
        assert f"Student {number}" in text
    assert "Abstracts" in texts[1] and "Author index" in texts[1]  # the contents


def test_book_survives_unusual_text(offering, alice):
    (group,) = accepted_groups(offering, 1)
    proposal = group.proposal
    tricky = ("Räksmörgås åäö ÅÄÖ: ∀ε>0 ∃δ, ∑ᵢ xᵢ² ≤ ∫ f dx. "
              + "Donaudampfschifffahrtsgesellschaftskapitän" * 6)  # fmt: skip
    proposal_save(proposal=proposal, by=alice.student, version=proposal.version,
                  title=proposal.title, description="", topics=[], abstract=tricky)  # fmt: skip
    _reader, texts = read(book_pdf(offering))
    assert "Räksmörgås" in texts[2]


def test_book_is_rebuilt_only_when_an_abstract_changes(
    offering, alice, django_capture_on_commit_callbacks
):
    (group,) = accepted_groups(offering, 1)
    first = book_pdf(offering)
    edition = AbstractBook.objects.get()
    assert book_pdf(offering) == first
    assert AbstractBook.objects.get() == edition  # the same edition, not built again
    assert default_storage.exists(edition.file)
    proposal = group.proposal
    proposal_save(
        proposal=proposal, by=alice.student, version=proposal.version, title=proposal.title,
        description="", topics=[], abstract="New text.",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert book_pdf(offering) != first
    # The superseded edition and its file are gone; the new one is kept.
    (current,) = AbstractBook.objects.all()
    assert current != edition
    assert not default_storage.exists(edition.file)
    assert default_storage.exists(current.file)


def test_a_new_preface_makes_a_new_edition(offering):
    accepted_groups(offering, 1)
    first = book_pdf(offering)
    offering.book_preface = "A word before."
    offering.save()
    _, texts = read(book_pdf(offering))
    assert book_pdf(offering) != first
    assert "A word before." in texts[1]


def test_book_is_public_only_when_published(client, offering, ta):
    accepted_groups(offering, 1)
    book_pdf(offering)  # built, as the task worker would
    assert client.get(f"{BASE}/projects/abstracts.pdf").status_code == 404
    assert client.get(f"{BASE}/projects/abstracts/").status_code == 404
    client.force_login(ta)
    assert client.get(f"{BASE}/projects/abstracts.pdf").status_code == 200
    client.logout()
    offering.publish_book = True
    offering.save()
    response = client.get(f"{BASE}/projects/abstracts.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF-")
    assert "Abstract of project 1." in client.get(f"{BASE}/projects/abstracts/").content.decode()


def test_build_abstracts_command_writes_the_file(offering, tmp_path):
    accepted_groups(offering, 2)
    target = tmp_path / "book.pdf"
    out = StringIO()
    call_command("build_abstracts", "deep-learning/2016", "-o", str(target), stdout=out)
    assert len(PdfReader(target).pages) == 4  # title, contents, abstracts, index
    assert "2 projects" in out.getvalue()
