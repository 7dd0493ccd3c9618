"""The periodic jobs of the site, for cron or the systemd timers in deploy/.

    manage.py run_periodic_jobs --frequent   # every 5 minutes
    manage.py run_periodic_jobs --nightly    # once a night

Frequent: the outbox sweep (mails whose delivery task was lost are sent; see
accounts/mailing.py), and the reminders due (sessions/reminders.py: deadline reminders,
attendance warnings, the staff's weekly digest; each sent once, whatever runs at the same
time). Nightly: expired log-in sessions removed, finished task results older
than TASK_RESULTS_KEPT_DAYS removed, records exports older than a week removed (they hold
grades), a link check queued for every offering that is running (its lecture links are
checked on the task worker), and the retention purge (sessions/privacy.py: sent mails'
texts, old check-in failures, rejected applicants' answers, superseded files).

Each job runs even when one before it failed; the command then exits with an error.
"""

import logging

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.mailing import send_due_mail
from course.enums import OfferingStatus
from course.links import check_offering_links
from course.models import Offering
from sessions.grading.exports import results_exports_prune
from sessions.privacy import retention_purge
from sessions.reminders import send_reminders

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the frequent (every 5 minutes) or the nightly jobs."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--frequent", action="store_true", help="the 5-minute jobs")
        which.add_argument("--nightly", action="store_true", help="the nightly jobs")

    def handle(self, *args, frequent=False, nightly=False, **options):
        jobs = (
            [("reminders", lambda: str(send_reminders())), ("outbox sweep", self.outbox_sweep)]
            if frequent
            else [
                ("expired sessions", lambda: call_command("clearsessions")),
                ("old task results", self.prune_task_results),
                ("old exports", lambda: f"{results_exports_prune()} removed"),
                ("link checks", self.queue_link_checks),
                ("retention purge", lambda: str(retention_purge())),
            ]
        )
        failed = []
        for name, job in jobs:
            try:
                outcome = job()
            except Exception as error:  # the next job still runs; the exit code tells
                logger.exception("Periodic job %s failed", name)
                failed.append(f"{name}: {type(error).__name__}: {error}")
            else:
                self.stdout.write(f"{name}: {outcome or 'done'}")
        if failed:
            raise CommandError("; ".join(failed))

    def outbox_sweep(self) -> str:
        report = send_due_mail()
        return (
            f"{len(report.sent)} sent, {len(report.failed)} failed, {len(report.gave_up)} given up"
        )

    def prune_task_results(self) -> str:
        if settings.TASKS_BACKEND != "database":
            return "no task queue in the database to prune"
        days = settings.TASK_RESULTS_KEPT_DAYS
        call_command("prune_db_task_results", "--min-age-days", str(days), stdout=self.stdout)
        return f"finished tasks older than {days} days removed"

    def queue_link_checks(self) -> str:
        today = timezone.localdate()
        running = Offering.objects.exclude(status=OfferingStatus.ARCHIVED).filter(
            start_date__lte=today, end_date__gte=today
        )
        ids = list(running.values_list("pk", flat=True))
        for offering_id in ids:
            check_offering_links.enqueue(offering_id)
        return f"{len(ids)} offering(s) queued"
