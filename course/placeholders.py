"""The placeholders course offers in an offering's texts: {start}, {end}, {threshold}.

(course/rendering.py keeps them as markers when a text is saved and fills them in when it is
shown; projects registers {deliverable:…} and {presentations}.)
"""

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .rendering import Placeholder, register_placeholder


def offering_date(offering, which: str) -> str:
    return formats.date_format(getattr(offering, which), "DATE_FORMAT")


def threshold(offering, argument=None) -> str:
    return gettext("%(percent)d%%") % {"percent": offering.attendance_threshold}


def register() -> None:
    register_placeholder(
        Placeholder(
            "start",
            _("the offering's first day"),
            lambda offering, argument=None: offering_date(offering, "start_date"),
        )
    )
    register_placeholder(
        Placeholder(
            "end",
            _("the offering's last day"),
            lambda offering, argument=None: offering_date(offering, "end_date"),
        )
    )
    register_placeholder(
        Placeholder("threshold", _("the attendance threshold, e.g. 80%"), threshold)
    )
