"""Issue 16, item 13: Markdown may show images from this site only. An image from another
address would make every reader's browser fetch it (telling that site who reads what); it is
replaced by its alt text, in new texts and, through a data migration, in stored ones."""

import importlib

import pytest
from django.apps import apps

from course.rendering import _fingerprint, render_markdown
from projects.models import Proposal
from tests.factories import ProposalFactory


@pytest.mark.parametrize(
    "source",
    [
        '![tracking pixel](http://evil.example/p.png "t")',
        "![tracking pixel](https://evil.example/p.png)",
        '<img src="//evil.example/p.png" alt="tracking pixel">',
        '<img src="/\\evil.example/p.png" alt="tracking pixel">',
        '<img src="/&#9;/evil.example/p.png" alt="tracking pixel">',
        '<IMG SRC="HTTP://evil.example/p.png" ALT="tracking pixel">',
    ],
)
def test_images_from_other_sites_become_their_alt_text(source):
    html = render_markdown(f"Our results: {source}")
    assert "<img" not in html
    assert "evil.example" not in html
    assert "tracking pixel" in html


def test_images_from_the_site_itself_stay():
    html = render_markdown("![diagram](/static/img/diagram.png)")
    assert '<img alt="diagram" src="/static/img/diagram.png">' in html


def test_links_to_other_sites_stay():
    assert 'href="https://example.org/paper"' in render_markdown(
        "[paper](https://example.org/paper)"
    )


@pytest.mark.django_db
def test_stored_html_with_another_sites_image_is_rendered_again_by_the_migration(client):
    proposal = ProposalFactory(abstract="See ![chart](http://evil.example/c.png)")
    old_html = '<p>See <img alt="chart" src="http://evil.example/c.png"></p>'
    # As stored before this change: the fingerprint of the text and the HTML of the time.
    Proposal.objects.filter(pk=proposal.pk).update(
        rendered={
            "abstract": [_fingerprint(proposal.abstract), old_html],
            "description": [_fingerprint(""), ""],
        }
    )
    proposal.refresh_from_db()
    assert "evil.example" in proposal.html("abstract")  # what pages showed until now

    migration = importlib.import_module("projects.migrations.0007_markdown_site_images_only")
    migration.Migration.operations[0].code(apps, None)

    proposal.refresh_from_db()
    assert "evil.example" not in proposal.html("abstract")
    assert "chart" in proposal.html("abstract")
