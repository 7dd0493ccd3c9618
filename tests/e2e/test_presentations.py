"""A visitor opens the presentation programme of the demo and downloads the book of abstracts."""

from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())


def test_visitor_reads_the_programme_and_downloads_the_book(
    page, live_server, demo, screenshot_dir
):
    page.goto(f"{live_server.url}/courses/deep-learning/2016/")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Presentations", exact=True).click()
    page.wait_for_url("**/presentations/")
    expect(page.get_by_role("heading", name="Project presentations")).to_be_visible()
    tuesday = page.locator("section", has=page.get_by_role("heading", name="Tuesday 31 May 2016"))
    expect(tuesday.locator("li")).to_have_count(5)
    expect(tuesday.locator("li").first).to_contain_text("13:15")
    expect(tuesday.locator("li").first).to_contain_text("Sentiment classification")
    expect(tuesday.locator("li").first).to_contain_text("Raphael Konstantinou, Sebastian Eriksson")
    page.screenshot(path=screenshot_dir / "presentations-programme.png", full_page=True)

    with page.expect_download() as download_info:
        # The PDF opens inline in a browser; ask for it as a download to keep the bytes.
        page.evaluate(
            """() => {
                const link = [...document.querySelectorAll('a')]
                    .find(a => a.textContent.includes('Book of abstracts'));
                const a = document.createElement('a');
                a.href = link.href; a.download = 'book.pdf';
                document.body.appendChild(a); a.click();
            }"""
        )
    download = download_info.value
    content = Path(download.path()).read_bytes()
    reader = PdfReader(BytesIO(content))
    # Title; contents and preface; programme; ten abstracts on two pages; author index.
    assert len(reader.pages) == 6
    assert "Book of abstracts" in reader.pages[0].extract_text()
    text = "\n".join(p.extract_text() for p in reader.pages)
    for title in (
        "Image captioning",
        "Multi-word expression detection",
        "Sentiment classification",
    ):
        assert title in text

    page.get_by_role("link", name="Image captioning").click()
    expect(page.get_by_role("heading", name="Abstract")).to_be_visible()
    expect(page.locator("article")).to_contain_text("an LSTM writes its caption")
