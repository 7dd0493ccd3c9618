"""Create the dated discussion sessions of an offering's weekly series.

    manage.py generate_sessions deep-learning/2016 --from 2016-03-22 --to 2016-05-26 \\
        --skip 2016-05-05 --per-module 4 [--dry-run]

Running it again creates nothing twice; sessions already there are left as they are.
"""

from django.core.management.base import CommandError
from django.forms import ValidationError as FormError
from django.utils import timezone

from course.commands import OfferingCommand
from sessions.forms import parse_dates
from sessions.services import generate_sessions


def one_date(text):
    try:
        return parse_dates(text)[0]
    except (FormError, IndexError):
        raise CommandError(f"“{text}” is not a date (YYYY-MM-DD).") from None


class Command(OfferingCommand):
    help = "Generate dated discussion sessions from an offering's weekly series."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--from", dest="start", help="first date (default: offering start)")
        parser.add_argument("--to", dest="end", help="last date (default: offering end)")
        parser.add_argument("--skip", default="", help="holidays, comma-separated dates")
        parser.add_argument("--per-module", type=int, default=2, help="sessions per module")
        parser.add_argument("--dry-run", action="store_true", help="show, create nothing")

    def handle_offering(self, offering, **options):
        try:
            skip = parse_dates(options["skip"])
        except FormError as error:
            raise CommandError(" ".join(error.messages)) from None
        start = one_date(options["start"]) if options["start"] else offering.start_date
        end = one_date(options["end"]) if options["end"] else offering.end_date
        result = generate_sessions(
            offering=offering,
            start=start,
            end=end,
            skip=skip,
            per_module=options["per_module"],
            dry_run=options["dry_run"],
        )
        for session in result.created:
            local = timezone.localtime(session.starts_at)
            module = session.module.title if session.module else "no module"
            self.stdout.write(f"  {local:%a %Y-%m-%d %H:%M}  {session.room:<8} {module}")
        verb = "would be created" if options["dry_run"] else "created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} session(s) {verb}, {result.existing} existed already, "
                f"{len(result.skipped_dates)} skipped as holidays."
            )
        )
