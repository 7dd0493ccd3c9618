"""The reminders students and staff expect, sent by the nightly periodic job
(`manage.py run_periodic_jobs --nightly`, config/management/commands):

- a deadline reminder to the members of each group that has not submitted a deliverable,
  on the days before its deadline the offering lists (Offering.deadline_reminder_days,
  e.g. "3, 1"); a group with an extension is reminded before its own deadline;
- an attendance warning to a student whose projection (sessions/attendance.py, the one
  rule) falls to "you must attend every remaining session", and another when the
  threshold can no longer be reached (Offering.attendance_warnings);
- a weekly digest for the offering's staff on the weekday the offering says
  (Offering.staff_digest_weekday): applications waiting, mails held for review, presented
  projects without an assessment. None when there is nothing to do.

Each mail goes through the outbox (accounts.mailing.queue_mails), written in its
recipient's language. Nobody gets the same reminder twice: a SentReminder row is written
with the mail, in one transaction, and its unique constraint refuses a second one, also
when two runs of the job send at the same time (the second waits for the first's row and
gives up on that reminder).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from accounts.enums import EnrolmentStatus, MailKind
from accounts.mailing import MailDraft, absolute_url, in_language_of, queue_mails
from accounts.models import Enrolment, User
from accounts.selectors import waiting_work
from course.enums import OfferingStatus
from course.models import Offering
from course.validators import reminder_days
from projects.models import Deliverable, Extension, Membership, ProjectGroup, Submission

from .attendance import attendance_summaries
from .models import ReminderKind, SentReminder
from .selectors import groups_to_assess


@dataclass
class ReminderReport:
    sent: dict = field(default_factory=dict)  # kind -> how many mails

    def count(self, kind: str) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + 1

    def __str__(self):
        return ", ".join(f"{n} {kind}" for kind, n in self.sent.items()) or "none due"


def _send_once(offering, person: User, kind: str, key: str, subject, body) -> bool:
    """Mail `person` unless this reminder went to them before; True when it was queued.

    subject and body are functions called in the person's language."""
    if SentReminder.objects.filter(
        offering=offering, recipient=person, kind=kind, key=key
    ).exists():
        return False
    try:
        with transaction.atomic():
            SentReminder.objects.create(offering=offering, recipient=person, kind=kind, key=key)
            with in_language_of(person):
                draft = MailDraft(
                    to_email=person.email,
                    subject=str(subject()),
                    body=str(body()),
                    kind=MailKind.OTHER,
                    offering=offering,
                    recipient=person,
                )
            queue_mails([draft])
    except IntegrityError:  # another run sent it meanwhile
        return False
    return True


def _active(now: datetime):
    today = timezone.localdate(now)
    return (
        Offering.objects.exclude(status=OfferingStatus.ARCHIVED)
        .filter(end_date__gte=today - timedelta(days=14))
        .select_related("course")
    )


def _course(offering) -> str:
    return f"{offering.course.title} {offering.name}"


# Deadlines ----------------------------------------------------------------------------------


def deadline_reminders(now: datetime | None = None, report: ReminderReport | None = None):
    now = now or timezone.now()
    report = report or ReminderReport()
    for offering in _active(now).exclude(deadline_reminder_days=""):
        days = reminder_days(offering.deadline_reminder_days)
        if not days:
            continue
        horizon = now + timedelta(days=max(days))
        deliverables = list(
            Deliverable.objects.filter(offering=offering, due_at__gt=now - timedelta(days=60))
        )
        if not deliverables:
            continue
        extensions = {
            (e.group_id, e.deliverable_id): e
            for e in Extension.objects.filter(deliverable__in=deliverables)
        }
        submitted = set(
            Submission.objects.filter(deliverable__in=deliverables).values_list(
                "group_id", "deliverable_id"
            )
        )
        members: dict[int, list[User]] = {}
        for membership in Membership.objects.filter(
            group__offering=offering, enrolment__status=EnrolmentStatus.ACCEPTED
        ).select_related("enrolment__student"):
            members.setdefault(membership.group_id, []).append(membership.enrolment.student)
        for group in ProjectGroup.objects.filter(offering=offering, pk__in=members):
            for deliverable in deliverables:
                if (group.pk, deliverable.pk) in submitted:
                    continue
                due = deliverable.due_for(extensions.get((group.pk, deliverable.pk)))
                if not now < due <= horizon:
                    continue
                # The most urgent stage reached: at 20 hours before, "1 day" (not "3 days").
                stage = min(d for d in days if due - timedelta(days=d) <= now)
                key = f"deliverable:{deliverable.pk}:{due.isoformat()}:{stage}"
                for student in members[group.pk]:
                    if _send_once(
                        offering, student, ReminderKind.DEADLINE, key,
                        partial(deadline_subject, offering, deliverable, due),
                        partial(deadline_body, offering, deliverable, due, group),
                    ):  # fmt: skip
                        report.count("deadline")
    return report


def deadline_subject(offering, deliverable, due) -> str:
    return gettext("%(course)s: %(deliverable)s is due %(due)s") % {
        "course": _course(offering),
        "deliverable": deliverable.title,
        "due": formats.date_format(timezone.localtime(due), "DATETIME_FORMAT"),
    }


def deadline_body(offering, deliverable, due, group) -> str:
    kwargs = {"course_slug": offering.course.slug, "offering_slug": offering.slug}
    return gettext(
        "Hello,\n\n%(group)s has not submitted %(deliverable)s yet. It is due %(due)s.\n\n"
        "Upload it here: %(link)s\n\nThis is an automatic reminder of %(course)s; you get it "
        "once for each reminder day the course set."
    ) % {
        "group": group,
        "deliverable": deliverable.title,
        "due": formats.date_format(timezone.localtime(due), "DATETIME_FORMAT"),
        "link": absolute_url(
            reverse("projects:upload", kwargs={**kwargs, "slug": deliverable.slug})
        ),
        "course": _course(offering),
    }


# Attendance ---------------------------------------------------------------------------------


def attendance_warnings(now: datetime | None = None, report: ReminderReport | None = None):
    now = now or timezone.now()
    report = report or ReminderReport()
    today = timezone.localdate(now)
    for offering in _active(now).filter(
        attendance_warnings=True, start_date__lte=today, end_date__gte=today
    ):
        enrolments = list(
            Enrolment.objects.accepted().filter(offering=offering).select_related("student")
        )
        summaries = attendance_summaries(offering, enrolments, now=now)
        for enrolment in enrolments:
            summary = summaries[enrolment.pk]
            if summary.needed is None:
                stage = "unreachable"
            elif summary.remaining and summary.needed == summary.remaining:
                stage = "every-session"
            else:
                continue
            if _send_once(
                offering, enrolment.student, ReminderKind.ATTENDANCE, stage,
                partial(attendance_subject, offering),
                partial(attendance_body, offering, summary, stage),
            ):  # fmt: skip
                report.count("attendance")
    return report


def attendance_subject(offering) -> str:
    return gettext("%(course)s: your attendance") % {"course": _course(offering)}


def attendance_body(offering, summary, stage) -> str:
    kwargs = {"course_slug": offering.course.slug, "offering_slug": offering.slug}
    values = {
        "threshold": offering.attendance_threshold,
        "remaining": summary.remaining,
        "course": _course(offering),
        "link": absolute_url(reverse("student:attendance", kwargs=kwargs)),
    }
    if stage == "unreachable":
        text = gettext(
            "Hello,\n\nEven if you attend every remaining discussion session, your attendance "
            "can no longer reach the %(threshold)d%% that %(course)s requires. Please talk to "
            "the teachers about what you can do.\n\nYour attendance: %(link)s\n"
        )
    else:
        text = ngettext(
            "Hello,\n\nTo reach the %(threshold)d%% attendance that %(course)s requires, you "
            "must attend the remaining discussion session.\n\nYour attendance: %(link)s\n",
            "Hello,\n\nTo reach the %(threshold)d%% attendance that %(course)s requires, you "
            "must attend every one of the %(remaining)d remaining discussion sessions.\n\n"
            "Your attendance: %(link)s\n",
            summary.remaining,
        )
    return text % values


# The staff's weekly digest ------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    applications: int
    held_mails: int
    to_assess: int

    def __bool__(self):
        return bool(self.applications or self.held_mails or self.to_assess)


def digest_for(offering) -> Digest:
    """The same counts as the staff's "today" page, from the same rules."""
    waiting = waiting_work(offering)
    return Digest(
        applications=waiting["applications"],
        held_mails=waiting["mails_to_review"],
        to_assess=len(groups_to_assess(offering)),
    )


def staff_digests(now: datetime | None = None, report: ReminderReport | None = None):
    now = now or timezone.now()
    report = report or ReminderReport()
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    for offering in _active(now).filter(staff_digest_weekday=today.weekday()):
        digest = digest_for(offering)
        if not digest:
            continue
        people = User.objects.filter(
            pk__in=offering.staff.exclude(user=None).values("user_id"), is_active=True
        )
        for person in people:
            if _send_once(
                offering, person, ReminderKind.DIGEST, f"{year}-W{week:02d}",
                partial(digest_subject, offering),
                partial(digest_body, offering, digest),
            ):  # fmt: skip
                report.count("digest")
    return report


def digest_subject(offering) -> str:
    return gettext("%(course)s: this week's digest") % {"course": _course(offering)}


def digest_body(offering, digest: Digest) -> str:
    kwargs = {"course_slug": offering.course.slug, "offering_slug": offering.slug}
    lines = [gettext("Hello,"), "", gettext("Waiting for you in %(course)s:") % {
        "course": _course(offering)
    }, ""]  # fmt: skip
    if digest.applications:
        lines.append(
            "- "
            + ngettext(
                "%(count)d application waiting for a decision: %(link)s",
                "%(count)d applications waiting for a decision: %(link)s",
                digest.applications,
            )
            % {
                "count": digest.applications,
                "link": absolute_url(reverse("admin:accounts_enrolment_changelist"))
                + f"?offering__id__exact={offering.pk}&status__exact=applied",
            }
        )
    if digest.held_mails:
        lines.append(
            "- "
            + ngettext(
                "%(count)d mail held for review: %(link)s",
                "%(count)d mails held for review: %(link)s",
                digest.held_mails,
            )
            % {
                "count": digest.held_mails,
                "link": absolute_url(reverse("admin:accounts_outgoingmail_changelist"))
                + "?status__exact=review",
            }
        )
    if digest.to_assess:
        lines.append(
            "- "
            + ngettext(
                "%(count)d project still to assess: %(link)s",
                "%(count)d projects still to assess: %(link)s",
                digest.to_assess,
            )
            % {
                "count": digest.to_assess,
                "link": absolute_url(reverse("grading:grade_sheet", kwargs=kwargs)),
            }
        )
    lines += ["", gettext("This digest comes once a week; the course's settings say which day.")]
    return "\n".join(lines) + "\n"


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """Every reminder due now (the nightly job)."""
    report = ReminderReport()
    deadline_reminders(now, report)
    attendance_warnings(now, report)
    staff_digests(now, report)
    return report
