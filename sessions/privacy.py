"""Privacy: what the site holds about a person, and how long.

The top of the app order (docs/ARCHITECTURE.md), because it gathers from every app:

- `retention_purge()`: the nightly purge of what has served its purpose (run_periodic_jobs);
"""

from dataclasses import dataclass

from django.utils import timezone

from accounts.mailing import mail_bodies_purge
from accounts.services import rejected_answers_purge

from .services import check_in_failures_purge, superseded_files_purge


@dataclass(frozen=True)
class PurgeReport:
    mail_bodies: int
    check_in_failures: int
    rejected_answers: int
    superseded_files: int

    def __str__(self):
        return (
            f"{self.mail_bodies} mail text(s), {self.check_in_failures} check-in failure(s), "
            f"{self.rejected_answers} rejected application(s)' answers, "
            f"{self.superseded_files} superseded file(s) removed"
        )


def retention_purge(*, now=None) -> PurgeReport:
    """Purge everything whose retention period is over (README "Retention"; the periods are
    settings): sent mails' texts, wrong check-in codes, rejected applicants' free-text
    answers, superseded submission files of offerings whose results are final. Each purge
    is a transaction of its own and says what it removed."""
    now = now or timezone.now()
    return PurgeReport(
        mail_bodies=mail_bodies_purge(now=now),
        check_in_failures=check_in_failures_purge(now=now),
        rejected_answers=rejected_answers_purge(now=now),
        superseded_files=superseded_files_purge(now=now),
    )
