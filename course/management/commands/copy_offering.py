"""Create next year's offering from an earlier one, every date shifted by whole weeks.

    manage.py copy_offering deep-learning 2016 2017 --start 2017-03-20 [--dry-run]

Students, groups, submissions, attendance and grades are not copied. The new offering is
planned and unpublished until staff publish it.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.forms import DateField
from django.utils import timezone

from course.copying import offering_copy
from course.models import Offering


class Command(BaseCommand):
    help = "Copy an offering to a new slug, shifting every date to start on --start."

    def add_arguments(self, parser):
        parser.add_argument("course", help="course slug, e.g. deep-learning")
        parser.add_argument("source", help="offering slug to copy, e.g. 2016")
        parser.add_argument("new_slug", help="slug of the new offering, e.g. 2017")
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="show; create nothing")

    def handle(self, *args, **options):
        try:
            start = DateField().clean(options["start"])
        except ValidationError:
            raise CommandError(f"“{options['start']}” is not a date (YYYY-MM-DD).") from None
        source = (
            Offering.objects.filter(course__slug=options["course"], slug=options["source"])
            .select_related("course")
            .first()
        )
        if source is None:
            raise CommandError(f"No offering {options['course']}/{options['source']}.")
        try:
            plan = offering_copy(
                source=source, slug=options["new_slug"], start=start, dry_run=options["dry_run"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for what, old, new in plan.dates:
            old_text = "" if old is None else f"{fmt(old)} → "
            self.stdout.write(f"  {what}: {old_text}{fmt(new)}")
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        made = ", ".join(f"{n} {what}" for what, n in plan.created.items())
        verb = "would be created" if options["dry_run"] else "created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{source.course} {options['new_slug']} {verb} "
                f"(+{plan.shift.days} days, {plan.shift.days // 7} weeks): {made}."
            )
        )


def fmt(value):
    if hasattr(value, "hour"):
        return f"{timezone.localtime(value):%a %Y-%m-%d %H:%M}"
    return f"{value:%a %Y-%m-%d}"
