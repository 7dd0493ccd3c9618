"""The placeholders projects offers in an offering's texts (course/rendering.py):
{deliverable:<slug>} (its due date and time) and {presentations} (the presentation days)."""

from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from course.caching import offering_cached
from course.rendering import Placeholder, register_placeholder

from .models import Deliverable, PresentationSession


def _deliverables(offering) -> dict:
    return offering_cached(
        offering,
        "placeholder-deliverables",
        lambda: dict(Deliverable.objects.filter(offering=offering).values_list("slug", "due_at")),
    )


def _presentation_days(offering) -> list:
    return offering_cached(
        offering,
        "placeholder-presentations",
        lambda: sorted(
            {
                timezone.localtime(starts).date()
                for starts in PresentationSession.objects.filter(offering=offering).values_list(
                    "starts_at", flat=True
                )
            }
        ),
    )


def deliverable_due(offering, slug) -> str:
    due = _deliverables(offering).get(slug)
    if due is None:
        return "{deliverable:" + slug + "}"
    return formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")


def presentation_days(offering, argument=None) -> str:
    days = [formats.date_format(day, "DATE_FORMAT") for day in _presentation_days(offering)]
    return str(get_text_list(days, gettext("and"))) if days else gettext("(not yet planned)")


def register() -> None:
    register_placeholder(
        Placeholder(
            "deliverable",
            _("a deliverable's due date and time, by its slug"),
            deliverable_due,
            arguments=lambda offering: _deliverables(offering).keys(),
        )
    )
    register_placeholder(
        Placeholder("presentations", _("the days of the project presentations"), presentation_days)
    )
