"""Markdown to safe HTML: every rich text on the site goes through render_markdown().

Texts kept in models are rendered once, when saved (MarkdownModel): pages show the stored
HTML (`{{ object|html:"field" }}`) instead of parsing Markdown on every request.
"""

import hashlib
import re

import markdown
import nh3
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
}
# javascript:, data: and every other scheme are dropped with the attribute.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# An image from another site would make every reader's browser fetch from an address of
# the author's choosing (and tell it who reads what): images come from this site only
# (a path such as /static/...), others are replaced by their alt text. The Content
# Security Policy (img-src 'self') says the same to the browser.
IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)([^>]*)>")
ALT_TEXT = re.compile(r'\salt="([^"]*)"')


def _site_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_site_path(value):
        return None
    return value


def is_site_path(url: str) -> bool:
    """A path on this site: "/..." but not "//host/..." (another host, any scheme) nor
    "/\\host" (which browsers read as "//host")."""
    url = re.sub(r"[\t\n\r]", "", url)  # browsers ignore these inside an address
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _alt_text(match: re.Match) -> str:
    alt = ALT_TEXT.search(match.group(1))
    return alt.group(1) if alt else ""


def render_markdown(text: str) -> SafeString:
    """Render Markdown written by staff or students to HTML with anything executable removed."""
    if not text:
        return mark_safe("")
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_site_images_only,
    )
    # nh3 writes every attribute as name="escaped value": the alt text is safe as it is.
    return mark_safe(IMAGE_WITHOUT_SOURCE.sub(_alt_text, cleaned))


def _fingerprint(text: str) -> str:
    return hashlib.sha1((text or "").encode(), usedforsecurity=False).hexdigest()[:16]


class MarkdownModel(models.Model):
    """A model whose `markdown_fields` are Markdown: their HTML is rendered when the row is
    saved and stored in `rendered` ({field: [fingerprint of the text, html]})."""

    markdown_fields: tuple[str, ...] = ()
    rendered = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The Markdown texts as HTML."),
        verbose_name=_("rendered"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_markdown_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.markdown_fields):
            kwargs["update_fields"] = {*update_fields, "rendered"}
        super().save(*args, **kwargs)

    def render_markdown_fields(self) -> None:
        self.rendered = {
            name: [_fingerprint(getattr(self, name)), str(render_markdown(getattr(self, name)))]
            for name in self.markdown_fields
        }

    def html(self, name: str) -> SafeString:
        """The field as HTML: stored when saved, rendered now when the text changed since
        (a QuerySet.update(), or a row made by bulk_create())."""
        text = getattr(self, name)
        stored = self.rendered.get(name) if self.rendered else None
        if stored and stored[0] == _fingerprint(text):
            return mark_safe(stored[1])
        return render_markdown(text)


def render_existing_rows(app_label: str, fields: dict[str, tuple[str, ...]]):
    """A migration step: store the HTML of rows saved before their model kept it.
    `fields` maps a model name to its Markdown fields."""

    def forwards(apps, schema_editor):
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            rows = list(model.objects.only("pk", *names))
            for row in rows:
                row.rendered = {
                    name: [
                        _fingerprint(getattr(row, name)),
                        str(render_markdown(getattr(row, name))),
                    ]
                    for name in names
                }
            model.objects.bulk_update(rows, ["rendered"], batch_size=500)

    return forwards
