"""Load the 2016 Deep Learning course as demo data and print the demo logins.

manage.py load_demo            # safe to run again: nothing is duplicated
manage.py load_demo --force    # also against a production database
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.demo import deep_learning as demo


class Command(BaseCommand):
    help = "Load the 2016 Deep Learning offering (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the settings say this is a production database.",
        )

    def handle(self, *args, force=False, **options):
        if settings.COURSESITE_ENVIRONMENT == "production" and not force:
            raise CommandError(
                "This is a production database (COURSESITE_ENVIRONMENT=production): demo "
                "accounts with published passwords would be created. Use --force if you mean it."
            )
        offering, logins = demo.load()
        self.stdout.write(self.style.SUCCESS(f"Loaded {offering} at {offering.get_absolute_url()}"))
        self.stdout.write("Demo logins (passwords are reset on every run):")
        width = max(len(login.role) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.email}  /  {login.password}")
