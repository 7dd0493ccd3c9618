"""The base of the management commands that work on one offering, named `course/offering`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from .models import Offering
from .selectors import offering_by_path


class OfferingCommand(BaseCommand):
    """Takes the offering as its first argument and hands it to `handle_offering()`.

    An unknown offering, or a ValidationError raised by a service, ends the command with
    the message and a non-zero exit code instead of a traceback.
    """

    def add_arguments(self, parser):
        parser.add_argument("offering", help="course/offering, e.g. deep-learning/2016")

    def handle(self, *args, **options):
        try:
            offering = offering_by_path(options.pop("offering"))
        except Offering.DoesNotExist as error:
            raise CommandError(str(error)) from None
        try:
            return self.handle_offering(offering, **options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def handle_offering(self, offering: Offering, **options):
        raise NotImplementedError
