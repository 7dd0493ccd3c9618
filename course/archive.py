"""Archived offerings are read-only for everyone, staff and administrators included.

Every service that changes an offering's data calls ensure_writable() first; the admin asks
is_archived() for each object. Staff un-archive an offering by changing its status in the
admin, the one change an archived offering takes.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .enums import OfferingStatus


def is_archived(offering) -> bool:
    return offering is not None and offering.status == OfferingStatus.ARCHIVED


def ensure_writable(offering) -> None:
    if is_archived(offering):
        raise ValidationError(
            _(
                "%(offering)s is archived and can no longer be changed. Staff can un-archive it "
                "in the administration."
            )
            % {"offering": offering}
        )
