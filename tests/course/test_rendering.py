import pytest

from course.caching import bump_offering
from course.models import Announcement
from course.rendering import render_markdown
from tests.factories import AnnouncementFactory


def test_markdown_renders_formatting_and_links():
    html = render_markdown("Some **bold** and a [link](https://example.org/).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_drops_script_tags():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "Hello" in html


def test_markdown_drops_javascript_links():
    html = render_markdown("[click](javascript:alert(1)) and <a href='javascript:alert(2)'>x</a>")
    assert "javascript:" not in html
    assert "click" in html


def test_markdown_drops_event_handlers_and_data_urls():
    html = render_markdown(
        '<img src="x" onerror="alert(1)"> ![pic](data:text/html;base64,PHNjcmlwdD4=)'
    )
    assert "onerror" not in html
    assert "data:" not in html


def test_markdown_of_empty_text_is_empty():
    assert render_markdown("") == ""


@pytest.mark.django_db
def test_markdown_is_rendered_when_saved_and_pages_show_the_stored_html(client, offering):
    announcement = AnnouncementFactory(offering=offering, body="**Room change**: ML13.")
    stored = Announcement.objects.get(pk=announcement.pk).rendered["body"][1]
    assert "<strong>Room change</strong>" in stored
    # The page shows what was stored: it does not parse the Markdown again.
    rendered = dict(announcement.rendered)
    rendered["body"] = [rendered["body"][0], "<p>Stored HTML, shown as stored.</p>"]
    Announcement.objects.filter(pk=announcement.pk).update(rendered=rendered)
    page = client.get("/courses/deep-learning/2016/announcements/").content.decode()
    assert "Stored HTML, shown as stored." in page


@pytest.mark.django_db
def test_text_changed_without_a_save_is_rendered_from_the_new_text(client, offering):
    announcement = AnnouncementFactory(offering=offering, body="Old text.")
    Announcement.objects.filter(pk=announcement.pk).update(body="New <script>x</script>*text*.")
    bump_offering(offering.pk)  # as writes that bypass save() do
    page = client.get("/courses/deep-learning/2016/announcements/").content.decode()
    assert "<em>text</em>" in page and "Old text." not in page
    assert "<script>x" not in page
