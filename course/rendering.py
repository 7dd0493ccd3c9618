"""Markdown to safe HTML: every rich text on the site goes through render_markdown().

Texts kept in models are rendered once, when saved (MarkdownModel): pages show the stored
HTML (`{{ object|html:"field" }}`) instead of parsing Markdown on every request.
"""

import hashlib
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
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


def render_markdown(
    text: str, placeholders: bool = False, *, line_breaks: bool = False
) -> SafeString:
    """Render Markdown written by staff or students to HTML with anything executable removed.

    With `placeholders`, the known placeholders are kept as markers for fill_placeholders().
    With `line_breaks`, a line break in a paragraph stays one (a mail's lines, written as
    plain text, keep their shape)."""
    if placeholders:
        text = _mark(text)
    if not text:
        return mark_safe("")
    extensions = ["extra", "sane_lists", *(["nl2br"] if line_breaks else [])]
    rendered = markdown.markdown(text, extensions=extensions, output_format="html")
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_site_images_only,
    )
    # nh3 writes every attribute as name="escaped value": the alt text is safe as it is.
    return mark_safe(IMAGE_WITHOUT_SOURCE.sub(_alt_text, cleaned))


# Placeholders: staff write `{deliverable:report}`, `{presentations}`, `{threshold}`... in an
# offering's texts and readers see the offering's current data, in their language's date
# format. The Markdown is rendered when the row is saved, with each placeholder kept as a
# marker (two private-use characters around its name, which no text keeps: they are taken
# out of what staff write); the markers are filled in when the HTML is shown. Filling in at
# display time rather than re-rendering on writes: the value depends on the reader's
# language (a stored date would be in one language), and the dates live in other rows
# (deliverables, presentation sessions, the offering) whose every writer would otherwise
# have to re-render every text that might name them. A text without placeholders costs
# nothing more; one with placeholders reads the offering's data through the cache.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(r"(?<!\\)\{([a-z][a-z_]*)(?::([A-Za-z0-9_-]+))?\}")
MARKED = re.compile("\ue000([a-z_]+)(?::([A-Za-z0-9_-]+))?\ue001")
# Code (``` blocks and `spans`) is shown as written: no placeholders there.
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    """`{name}` or `{name:argument}` in a text of an offering.

    value(offering, argument) is the text shown, in the active language; arguments(offering)
    lists the arguments it takes (None: it takes none).
    """

    name: str
    help: str
    value: Callable[..., str]
    arguments: Callable[..., Iterable[str]] | None = None


#: name -> Placeholder. Each app registers its own from its AppConfig.ready() (course: the
#: offering's dates and threshold; projects: deliverables and presentations).
PLACEHOLDERS: dict[str, Placeholder] = {}


def register_placeholder(placeholder: Placeholder) -> None:
    PLACEHOLDERS[placeholder.name] = placeholder


def _outside_code(text: str, replace: Callable[[str], str]) -> str:
    parts = CODE.split(text)
    return "".join(part if i % 2 else replace(part) for i, part in enumerate(parts))


def placeholder_errors(text: str, offering=None) -> list[str]:
    """What is wrong with the placeholders of `text` (unknown names, a deliverable the
    offering does not have...), as sentences for the person who wrote it."""
    errors: list[str] = []
    found: list[re.Match] = []
    _outside_code(text or "", lambda part: found.extend(PLACEHOLDER.finditer(part)) or part)
    known = ", ".join(
        "{%s}" % (p.name + (":…" if p.arguments else "")) for p in PLACEHOLDERS.values()
    )
    for match in found:
        name, argument = match.group(1), match.group(2)
        placeholder = PLACEHOLDERS.get(name)
        if placeholder is None:
            errors.append(
                gettext(
                    "%(placeholder)s is not a placeholder this site knows (known: %(known)s). "
                    "Write \\{ for a brace shown as it is."
                )
                % {"placeholder": match.group(0), "known": known}
            )
        elif placeholder.arguments is None and argument is not None:
            errors.append(
                gettext("%(placeholder)s takes nothing after the colon: write {%(name)s}.")
                % {"placeholder": match.group(0), "name": name}
            )
        elif placeholder.arguments is not None:
            choices = list(placeholder.arguments(offering)) if offering is not None else None
            if argument is None or (choices is not None and argument not in choices):
                errors.append(
                    gettext("%(placeholder)s: say which one, one of %(choices)s.")
                    % {
                        "placeholder": match.group(0),
                        "choices": ", ".join(f"{{{name}:{c}}}" for c in choices or [])
                        or gettext("(none yet)"),
                    }
                )
    return list(dict.fromkeys(errors))


def _mark(text: str) -> str:
    """The known placeholders of a text as markers (unknown ones are left as written)."""
    text = (text or "").replace(MARK_OPEN, "").replace(MARK_CLOSE, "")

    def mark(match: re.Match) -> str:
        if match.group(1) not in PLACEHOLDERS:
            return match.group(0)
        return MARK_OPEN + match.group(0)[1:-1] + MARK_CLOSE

    return _outside_code(text, lambda part: PLACEHOLDER.sub(mark, part))


def fill_placeholders(html: str, offering) -> SafeString:
    """The stored HTML with its markers replaced by the offering's current data."""
    if MARK_OPEN not in html:
        return mark_safe(html)

    def fill(match: re.Match) -> str:
        placeholder = PLACEHOLDERS.get(match.group(1))
        if placeholder is None or offering is None:
            return escape("{" + match.group(0)[1:-1] + "}")
        return escape(placeholder.value(offering, match.group(2)))

    return mark_safe(MARKED.sub(fill, html))


def fill_placeholders_text(text: str, offering) -> str:
    """A Markdown text with its placeholders replaced by the offering's data, in the active
    language: for mails, which carry the text itself rather than the stored HTML."""

    def fill(match: re.Match) -> str:
        placeholder = PLACEHOLDERS.get(match.group(1))
        return placeholder.value(offering, match.group(2)) if placeholder else match.group(0)

    return _outside_code(text or "", lambda part: PLACEHOLDER.sub(fill, part))


BARE_ADDRESS = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")
TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def _link_bare_addresses(rendered: str) -> str:
    """Make the addresses written as plain text (outside links) into links."""
    parts, in_link = [], False
    for part in TAG_OR_TEXT.split(rendered):
        if part.startswith("<"):
            in_link = (in_link or part.startswith("<a ")) and not part.startswith("</a")
            parts.append(part)
        elif in_link:
            parts.append(part)
        else:
            parts.append(
                BARE_ADDRESS.sub(
                    lambda m: f'<a href="{m[0]}" rel="noopener noreferrer nofollow">{m[0]}</a>',
                    part,
                )
            )
    return "".join(parts)


def mail_html(text: str) -> SafeString:
    """A mail's Markdown body as the HTML part of the mail: its lines kept, addresses linked."""
    return mark_safe(_link_bare_addresses(render_markdown(text, line_breaks=True)))


LIST_MARKER_ENDS = re.compile(r"(^|\n) *(-|\d+\.) +$")


class _PlainText(HTMLParser):
    """Rendered HTML back to plain text: paragraphs, line breaks, list items, and links as
    "text (address)"; no Markdown markers."""

    BLOCKS = {"p", "div", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[list[int]] = []  # per open list: [is ordered, items so far]
        self.pre = False

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or (tag in ("ul", "ol") and not self.lists):
            self._blank_line()
        if tag == "pre":
            self.pre = True
        if tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li" and self.lists:
            ordered = self.lists[-1]
            ordered[1] += 1
            indent = "  " * (len(self.lists) - 1)
            self._line_start()
            self.out.append(f"{indent}{ordered[1]}. " if ordered[0] else f"{indent}- ")
        elif tag == "tr":
            self._line_start()
        elif tag in ("td", "th"):
            self.out.append("  ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.out.append("\x00")  # where the link's text starts
        elif tag == "img":
            self.out.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            text = "".join(self.out)
            start = text.rfind("\x00")
            label = text[start + 1 :]
            if href and href != label and not href.startswith("mailto:"):
                label = f"{label} ({href})"
            self.out = [text[:start], label]
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._blank_line()
        elif tag in self.BLOCKS:
            self.pre = self.pre and tag != "pre"
            self._blank_line()

    def handle_data(self, data):
        if not self.pre:
            # Line breaks in HTML text are spaces; a line starts with no space.
            data = re.sub(r"\s*\n\s*", " ", data)
            before = "".join(self.out[-2:])
            if not before or before.endswith("\n") or LIST_MARKER_ENDS.search(before):
                data = data.lstrip()
        self.out.append(data)

    def _line_start(self):
        text = "".join(self.out)
        if text and not text.endswith("\n"):
            self.out.append("\n")

    def _blank_line(self):
        text = "".join(self.out)
        if LIST_MARKER_ENDS.search(text):
            return  # a paragraph that starts a list item stays on the marker's line
        text = text.rstrip(" ")
        self.out = [text]
        if text and not text.endswith("\n\n"):
            self.out.append("\n" if text.endswith("\n") else "\n\n")

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.out).replace("\x00", "").split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def markdown_to_text(text: str) -> str:
    """A mail's Markdown body as plain text: what the reader sees, without ** or _ markers."""
    if not text:
        return ""
    parser = _PlainText()
    parser.feed(str(render_markdown(text, line_breaks=True)))
    parser.close()
    return html.unescape(parser.text())


def _fingerprint(text: str) -> str:
    return hashlib.sha1((text or "").encode(), usedforsecurity=False).hexdigest()[:16]


class MarkdownModel(models.Model):
    """A model whose `markdown_fields` are Markdown: their HTML is rendered when the row is
    saved and stored in `rendered` ({field: [fingerprint of the text, html]})."""

    markdown_fields: tuple[str, ...] = ()
    #: The texts of a model whose rows belong to an offering may hold placeholders.
    has_placeholders = False
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
            name: [
                _fingerprint(getattr(self, name)),
                str(render_markdown(getattr(self, name), self.has_placeholders)),
            ]
            for name in self.markdown_fields
        }

    def placeholder_offering(self):
        """The offering whose data the placeholders show (None: not known yet)."""
        return getattr(self, "offering", None) if getattr(self, "offering_id", None) else None

    def clean_fields(self, exclude=None):
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.has_placeholders:
            offering = self.placeholder_offering()
            for name in self.markdown_fields:
                if (exclude and name in exclude) or name in errors:
                    continue
                problems = placeholder_errors(getattr(self, name), offering)
                if problems:
                    errors[name] = problems
        if errors:
            raise ValidationError(errors)

    def html(self, name: str) -> SafeString:
        """The field as HTML: stored when saved, rendered now when the text changed since
        (a QuerySet.update(), or a row made by bulk_create())."""
        text = getattr(self, name)
        stored = self.rendered.get(name) if self.rendered else None
        if stored and stored[0] == _fingerprint(text):
            html = stored[1]
        else:
            html = render_markdown(text, self.has_placeholders)
        if self.has_placeholders and MARK_OPEN in html:
            return fill_placeholders(html, self.placeholder_offering())
        return mark_safe(html)


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
