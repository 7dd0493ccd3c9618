"""Send the mails waiting in the outbox.

Run it from cron every minute:
    * * * * *  cd /srv/coursesite && venv/bin/python manage.py send_queued_mail
or as a long-running worker (systemd service) that checks every 30 seconds:
    manage.py send_queued_mail --loop 30

Mails held for review are not sent until staff approve them in the admin. A failed attempt
is recorded on the mail and retried later with a growing delay; nothing is lost.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from accounts.mailing import send_due_mail

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send queued mails from the outbox (retrying failed ones when they are due)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )
        parser.add_argument("--limit", type=int, default=200, help="At most this many a run.")
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            default=0,
            help="Keep running, checking the outbox every SECONDS (a worker instead of cron).",
        )

    def handle(self, *args, dry_run=False, limit=200, loop=0, **options):
        if not loop or dry_run:
            self.run_once(dry_run=dry_run, limit=limit, quiet=False)
            return
        while True:
            # A worker outlives database restarts: log the error and try again next time.
            close_old_connections()
            try:
                self.run_once(dry_run=False, limit=limit, quiet=True)
            except Exception:
                logger.exception("Sending queued mail failed; retrying in %s s", loop)
            time.sleep(loop)

    def run_once(self, *, dry_run, limit, quiet):
        report = send_due_mail(limit=limit, dry_run=dry_run)
        if dry_run:
            for mail in report.sent:
                self.stdout.write(f"would send: {mail.subject} → {mail.to_email}")
            self.stdout.write(f"{len(report.sent)} mail(s) would be sent (dry run).")
            return
        for mail in report.failed:
            self.stderr.write(
                f"failed (attempt {mail.attempts}, retry at "
                f"{timezone.localtime(mail.next_attempt_at):%H:%M}): "
                f"{mail.subject} → {mail.to_email}: {mail.last_error}"
            )
        for mail in report.gave_up:
            self.stderr.write(
                self.style.ERROR(f"gave up after {mail.attempts} attempts: {mail.to_email}")
            )
        if report.stopped_early:
            self.stderr.write("The mail server is unreachable: the rest waits for the next run.")
        if report.sent or report.failed or report.gave_up or not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(report.sent)} sent, {len(report.failed)} failed and will be "
                    f"retried, {len(report.gave_up)} given up."
                )
            )
