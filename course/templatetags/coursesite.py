from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from course.caching import offering_cached
from course.enums import OfferingStatus
from course.models import Offering
from course.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Markdown that is not kept in a model (rendered on each use)."""
    return render_markdown(text)


@register.filter(name="html")
def html_filter(obj, field: str):
    """A Markdown field of a model as the HTML stored when it was saved."""
    return obj.html(field) if obj is not None else ""


@register.simple_tag
def obfuscated_email(address):
    """An address that scrapers do not read as one; static/js/contact.js turns it into a link.

    Without JavaScript, people read "name [at] example.org"; with it, they get a mailto link.
    The address is split and reversed in data attributes so no "user@host" string is in the HTML.
    """
    if not address or "@" not in address:
        return ""
    user, _, domain = address.partition("@")
    return format_html(
        '<span class="js-contact" data-u="{}" data-d="{}">{} [{}] {}</span>',
        user[::-1],
        domain[::-1],
        user,
        pgettext("the @ of an email address, spelt out", "at"),
        domain.replace(
            ".", " [{}] ".format(pgettext("the . of an email address, spelt out", "dot"))
        ),
    )


@register.filter
def timedelta_text(delta):
    """“2 days 3 hours”, “45 minutes”: how late a submission came."""
    if not delta:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts[:2]) or _("less than a minute")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def has_unit(watched, part):
    return ("part", part.pk) in watched


@register.filter
def has_lecture(watched, lecture):
    return ("lecture", lecture.pk) in watched


@register.filter
def plain_number(value):
    """0.170000 → 0.17, 5050.000000 → 5050: a number as a person writes it."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


@register.simple_tag
def current_offering(offering):
    """The course's latest published offering that is not over, for an archive's banner."""
    if not offering.is_archive:
        return None
    return offering_cached(
        offering,
        "current-offering",
        lambda: (
            Offering.objects.published()
            .filter(course=offering.course_id)
            .exclude(status__in=[OfferingStatus.FINISHED, OfferingStatus.ARCHIVED])
            .select_related("course")
            .order_by("-start_date")
            .first()
        ),
    )
