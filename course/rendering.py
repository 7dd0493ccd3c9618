"""Markdown to safe HTML: every rich text on the site goes through render_markdown().

Texts kept in models are rendered once, when saved (MarkdownModel): pages show the stored
HTML (`{{ object|html:"field" }}`) instead of parsing Markdown on every request.
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


def render_markdown(text: str, placeholders: bool = False) -> SafeString:
    """Render Markdown written by staff or students to HTML with anything executable removed.

    With `placeholders`, the known placeholders are kept as markers for fill_placeholders()."""
    if placeholders:
        text = _mark(text)
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
