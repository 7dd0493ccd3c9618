"""Place every accepted project of an offering into a presentation slot.

    manage.py schedule_presentations deep-learning/2016 [--dry-run] [--publish] [--reschedule]

Published slots stay where they are unless --reschedule. The same input gives the same
programme. When the projects do not fit, it says why and changes nothing.
"""

from django.utils import timezone

from course.commands import OfferingCommand
from projects.presentations import schedule_presentations
from projects.selectors import programme


class Command(OfferingCommand):
    help = "Allocate presentation slots to the accepted projects of an offering."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="show the result, save nothing")
        parser.add_argument("--publish", action="store_true", help="publish the programme")
        parser.add_argument("--reschedule", action="store_true", help="move published slots too")

    def handle_offering(self, offering, **options):
        schedule = schedule_presentations(
            offering=offering,
            reschedule=options["reschedule"],
            publish=options["publish"],
            dry_run=options["dry_run"],
        )
        if options["dry_run"]:
            for group, session in sorted(schedule.placed.items(), key=lambda i: i[0].number):
                self.stdout.write(f"  {group} → {session}")
            self.stdout.write(f"{len(schedule.placed)} project(s) would be placed (dry run).")
            return
        for session in programme(offering, include_unpublished=True):
            self.stdout.write(f"{session}")
            for slot in session.slots.all():
                title = slot.group.proposal.title if slot.group else "free"
                state = "" if slot.published else " (not published)"
                self.stdout.write(
                    f"  {timezone.localtime(slot.starts_at):%H:%M}  {slot.group}: {title}{state}"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(schedule.placed)} project(s) placed, {len(schedule.kept)} published "
                "slot(s) kept."
            )
        )
