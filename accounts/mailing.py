"""The outbox: mail is queued by requests and sent by the task worker (deliver_mail, one task
a mail), with `manage.py send_queued_mail` sweeping up whatever a task could not send.

Decision mails are written from per-offering templates (MailTemplate) or the defaults below,
with ${placeholders}. Nothing here sends mail during a request, so a broken mail server
cannot break a page; failed attempts are recorded on the mail and retried with a back-off.
"""

import logging
import re
import smtplib
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from course.archive import ensure_writable
from course.models import Announcement, Offering
from course.rendering import fill_placeholders_text

from .enums import EnrolmentStatus, MailKind, MailStatus
from .mail_templates import (
    DEFAULT_TEMPLATES,
    INVITATION_MAIL,
    SIGNUP_ATTEMPT_MAIL,
    render_account_mail,
)
from .models import Enrolment, MailTemplate, OutgoingMail, User

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def decision_context(enrolment: Enrolment) -> dict[str, str]:
    offering = enrolment.offering
    kwargs = {"course_slug": offering.course.slug, "offering_slug": offering.slug}
    context = {
        "student_name": enrolment.student.full_name,
        "student_email": enrolment.student.email,
        "course": offering.course.title,
        "offering": offering.name,
        "status": enrolment.get_status_display(),
        "my_page_url": absolute_url(reverse("student:offering", kwargs=kwargs)),
        "offering_url": absolute_url(offering.get_absolute_url()),
    }
    if enrolment.status == EnrolmentStatus.ACCEPTED:
        context.update(
            platform_name=offering.video_platform_name,
            platform_url=offering.video_platform_url,
            enrollment_key=offering.enrollment_key,
            # Placeholders ({start}, {deliverable:...}) as the pages show them.
            instructions=fill_placeholders_text(offering.platform_instructions, offering),
        )
    return context


def language_of(person: User | None) -> str:
    """The language a person reads the site and their mails in."""
    return (person.language if person is not None else "") or settings.LANGUAGE_CODE


def in_language_of(person: User | None):
    """`with in_language_of(person):` what is written inside is in the person's language."""
    return translation.override(language_of(person))


def render_decision_mail(enrolment: Enrolment) -> tuple[str, str]:
    """The decision mail in the student's language: the offering's own wording in that
    language, else its wording in the other one, else the default text (translated)."""
    language = language_of(enrolment.student)
    templates = MailTemplate.objects.filter(offering=enrolment.offering_id, status=enrolment.status)
    template = min(templates, key=lambda t: t.language != language, default=None)
    with translation.override(language):
        if template:
            subject, body = template.subject, template.body
        else:
            subject, body = (str(text) for text in DEFAULT_TEMPLATES[enrolment.status])
        context = decision_context(enrolment)
    # safe_substitute: a template saved before a placeholder was retired must still send.
    # A subject is one line whatever the placeholders hold (a line break would make the
    # mail unsendable).
    return (
        " ".join(string.Template(subject).safe_substitute(context).split()),
        string.Template(body).safe_substitute(context),
    )


# Password-reset links are never stored. The outbox keeps, where the link goes, a signed
# reference to the account (it cannot be used on the site); the link itself, with a token
# valid for PASSWORD_RESET_TIMEOUT, is made when the mail is sent (mail_text()). So neither
# the outbox, nor its admin pages, nor a backup or a copy of the database holds a link that
# opens an account. Made at send time, the token also lives its full time from the sending.
RESET_LINK_SALT = "accounts.mailing.password-reset-link"
RESET_REFERENCE = re.compile(r"\[password reset link ([A-Za-z0-9_:-]+)\]")


def password_reset_reference(user: User) -> str:
    """What a password-reset mail stores in the outbox in place of its link."""
    reference = signing.dumps({"user": user.pk, "email": user.email}, salt=RESET_LINK_SALT)
    return f"[password reset link {reference}]"


def _reset_link(reference: str, to_email: str) -> str:
    """The link a reference stands for, made now; a notice when it no longer applies (the
    reference is older than a reset link lives, or the account or its address changed)."""
    try:
        data = signing.loads(
            reference, salt=RESET_LINK_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
    except signing.BadSignature:
        data = {}
    user = User.objects.filter(pk=data.get("user"), email=data.get("email"), is_active=True).first()
    if user is None or user.email != User.objects.canonical_email(to_email):
        return _("(This link is no longer valid: ask for a new one on the log-in page.)")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    )


def mail_text(mail: OutgoingMail) -> str:
    """The body as it is sent: in a password-reset mail, the reference replaced by the link."""
    if mail.kind != MailKind.PASSWORD_RESET:
        return mail.body
    return RESET_REFERENCE.sub(lambda match: _reset_link(match[1], mail.to_email), mail.body)


# Account mails -------------------------------------------------------------------------------

#: One account mail of a kind to a person in this time is enough: more would let anyone who
#: types their address into a form flood their inbox.
ACCOUNT_MAIL_INTERVAL = timedelta(minutes=2)
RESET_SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
RESET_BODY_TEMPLATE = "accounts/email/password_reset.txt"


def _mailed_recently(user: User, kind: str) -> bool:
    return OutgoingMail.objects.filter(
        recipient=user, kind=kind, created_at__gt=timezone.now() - ACCOUNT_MAIL_INTERVAL
    ).exists()


def _account_context(user: User) -> dict[str, str]:
    return {
        "name": user.full_name,
        "email": user.email,
        "login_url": absolute_url(reverse("accounts:login")),
        "reset_url": absolute_url(reverse("accounts:password_reset")),
    }


def queue_signup_attempt_mail(user: User) -> OutgoingMail | None:
    """Tell the owner of an address that someone tried to sign up with it (the sign-up page
    answers as for a new address, so that it tells nobody else). At most one such mail every
    ACCOUNT_MAIL_INTERVAL; returns None when one was sent a moment ago."""
    if _mailed_recently(user, MailKind.SIGNUP_ATTEMPT):
        return None
    with in_language_of(user):
        subject, body = render_account_mail(SIGNUP_ATTEMPT_MAIL, _account_context(user))
    return queue_mail(
        to_email=user.email,
        subject=subject,
        body=body,
        kind=MailKind.SIGNUP_ATTEMPT,
        recipient=user,
    )


def queue_invitation_mail(user: User, offering: Offering) -> OutgoingMail:
    """Invite a person whose account staff made (direct enrolment) to choose its password:
    a password-reset mail (its link is made when it is sent, see mail_text())."""
    context = {
        **_account_context(user),
        "course": offering.course.title,
        "offering": offering.name,
        "reset_link": password_reset_reference(user),
    }
    with in_language_of(user):
        subject, body = render_account_mail(INVITATION_MAIL, context)
    return queue_mail(
        to_email=user.email,
        subject=subject,
        body=body,
        kind=MailKind.PASSWORD_RESET,
        offering=offering,
        recipient=user,
    )


@task()
def password_reset_mail(email: str) -> str:
    """Mail a password-reset link to the active account with this address, if there is one.

    The reset page queues this task for every address it is given, known or not, and answers
    at once: the page does the same work either way, so neither its answer nor its time
    tells whether an address has an account. Includes accounts made by staff without a
    password (direct enrolment): "forgot password" is how those people set one. At most one
    link every ACCOUNT_MAIL_INTERVAL.
    """
    user = User.objects.filter(email=User.objects.canonical_email(email), is_active=True).first()
    if user is None:
        return "no account"
    if _mailed_recently(user, MailKind.PASSWORD_RESET):
        return "mailed a moment ago"
    context = {"user": user, "email": user.email}
    with in_language_of(user):
        subject = "".join(loader.render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
        # The outbox stores a reference, never the link: the link is made at sending.
        body = loader.render_to_string(
            RESET_BODY_TEMPLATE, {**context, "reset_link": password_reset_reference(user)}
        )
    queue_mail(
        to_email=user.email,
        subject=subject,
        body=body,
        kind=MailKind.PASSWORD_RESET,
        recipient=user,
    )
    return "mailed"


@dataclass(frozen=True)
class MailDraft:
    """A mail to put in the outbox; see queue_mails()."""

    to_email: str
    subject: str
    body: str
    kind: str  # MailKind
    offering: Offering | None = None
    recipient: User | None = None
    enrolment: Enrolment | None = None
    review: bool = False  # held for staff to review instead of queued
    approved_by: User | None = None


def queue_mails(drafts: Iterable[MailDraft]) -> list[OutgoingMail]:
    """Put mails in the outbox, held for review or queued for the next send run.

    The one way any app sends mail: pages never talk to the mail server. One query for
    any number of mails. A subject is one line (a line break would make it unsendable).
    """
    mails = OutgoingMail.objects.bulk_create(
        OutgoingMail(
            offering=draft.offering,
            recipient=draft.recipient,
            enrolment=draft.enrolment,
            to_email=draft.to_email,
            subject=" ".join(draft.subject.split())[:250],
            body=draft.body,
            kind=draft.kind,
            status=MailStatus.REVIEW if draft.review else MailStatus.QUEUED,
            approved_by=draft.approved_by,
        )
        for draft in drafts
    )
    deliver_on_commit([m.pk for m in mails if m.status == MailStatus.QUEUED])
    return mails


def queue_mail(**fields) -> OutgoingMail:
    """One mail: the fields of MailDraft."""
    return queue_mails([MailDraft(**fields)])[0]


def queue_decision_mail(enrolment: Enrolment) -> OutgoingMail | None:
    """Queue the mail for the enrolment's current status, discarding its unsent predecessors.

    A decision supersedes the ones before it: an acceptance mail (with the enrollment key)
    that was still waiting for review must never reach a student who was withdrawn since.
    """
    OutgoingMail.objects.filter(enrolment=enrolment, kind=MailKind.DECISION).exclude(
        status__in=[MailStatus.SENT, MailStatus.DISCARDED]
    ).update(status=MailStatus.DISCARDED)
    if enrolment.status not in DEFAULT_TEMPLATES:
        return None
    subject, body = render_decision_mail(enrolment)
    return queue_mail(
        to_email=enrolment.student.email,
        subject=subject,
        body=body,
        kind=MailKind.DECISION,
        offering=enrolment.offering,
        recipient=enrolment.student,
        enrolment=enrolment,
        review=enrolment.offering.decisions_need_review,
    )


MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


@dataclass
class SendReport:
    sent: list[OutgoingMail] = field(default_factory=list)
    failed: list[OutgoingMail] = field(default_factory=list)
    gave_up: list[OutgoingMail] = field(default_factory=list)
    stopped_early: bool = False


def send_due_mail(*, now=None, limit: int = 200, dry_run: bool = False) -> SendReport:
    """Send the queued mails that are due (the sweep: `manage.py send_queued_mail`).

    Every queued mail also has a task of its own (deliver_mail), so the sweep only finds
    what a task could not send: a task lost with a worker, or a queue emptied by hand.
    With dry_run nothing is sent or changed; the report lists what would be sent.
    """
    now = now or timezone.now()
    report = SendReport()
    due = OutgoingMail.objects.due(now)[:limit]
    if dry_run:
        report.sent = list(due)
        return report
    connection = get_connection(fail_silently=False)
    for mail_id in list(due.values_list("pk", flat=True)):
        if _send_one(mail_id, now=now, connection=connection, report=report):
            # The server is unreachable: every other mail would wait for the same time-out.
            # They stay due, untouched, for the next run.
            report.stopped_early = True
            break
    return report


def _send_one(mail_id: int, *, now, connection, report: SendReport) -> bool:
    """Send one due mail, locked while it is sent (skip_locked: two workers never send a
    mail twice). A failure increments `attempts`, records the error and schedules a retry
    with back-off; after MAX_ATTEMPTS the mail is marked failed and staff can release it
    again from the admin. Returns whether the server seemed unreachable."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .due(now)
            .filter(pk=mail_id)
            .first()
        )
        if mail is None:
            return False  # sent, discarded or not due yet, or another worker has it
        message = EmailMessage(
            subject=mail.subject, body=mail_text(mail), to=[mail.to_email], connection=connection
        )
        try:
            message.send()
        except Exception as error:  # any failure is recorded and retried
            server_down = isinstance(error, OSError | smtplib.SMTPServerDisconnected)
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = MailStatus.FAILED
                report.gave_up.append(mail)
            else:
                mail.next_attempt_at = now + retry_delay(mail.attempts)
                report.failed.append(mail)
            logger.warning("Mail %s to %s failed: %s", mail.pk, mail.to_email, error)
        else:
            server_down = False
            mail.attempts += 1
            mail.status = MailStatus.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            report.sent.append(mail)
        mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "sent_at"])
    return server_down


@task()
def deliver_mail(mail_id: int) -> str:
    """Send one mail of the outbox (the task worker runs it when the mail is queued or
    released). A failed attempt queues the next one for when the back-off says."""
    report = SendReport()
    _send_one(mail_id, now=timezone.now(), connection=get_connection(), report=report)
    for mail in report.failed:
        deliver_mail.using(run_after=mail.next_attempt_at).enqueue(mail.pk)
    if report.sent:
        return "sent"
    if report.failed:
        return "failed, retried later"
    return "gave up" if report.gave_up else "nothing to send"


def deliver_on_commit(mail_ids: list[int]) -> None:
    """Queue a delivery task per mail once the transaction that queued them commits (a task
    must not run before the mail it sends exists)."""
    if mail_ids:
        transaction.on_commit(lambda: [deliver_mail.enqueue(pk) for pk in mail_ids])


def mail_approve(*, mails, by) -> int:
    """Release held (or given-up) mails for sending now. Returns how many were released.

    Superseded decision mails are discarded when the next decision is taken
    (queue_decision_mail), so they are no longer held and cannot be released here.
    """
    released = list(
        mails.filter(status__in=[MailStatus.REVIEW, MailStatus.FAILED]).values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=released).update(
        status=MailStatus.QUEUED, approved_by=by, next_attempt_at=timezone.now(), attempts=0
    )
    deliver_on_commit(released)
    return len(released)


def mail_discard(*, mails) -> int:
    """Discard mails not sent yet; they stay in the outbox, marked discarded."""
    return mails.exclude(status=MailStatus.SENT).update(status=MailStatus.DISCARDED)


@transaction.atomic
def announcement_mail_students(*, announcement, by) -> int:
    """Queue the announcement to every accepted student of its offering, once.

    Raises ValidationError for a draft or an announcement mailed already. Returns the number
    of mails queued. Side effects: OutgoingMail rows; announcement.mailed_at set.
    """
    ensure_writable(announcement.offering)
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.published_at is None or announcement.published_at > timezone.now():
        raise ValidationError(
            _("“%(title)s” is not published yet: publish it first.") % {"title": announcement.title}
        )
    if announcement.mailed_at:
        raise ValidationError(
            _("“%(title)s” was mailed already on %(when)s.")
            % {
                "title": announcement.title,
                "when": formats.date_format(
                    timezone.localtime(announcement.mailed_at), "SHORT_DATETIME_FORMAT"
                ),
            }
        )
    offering = announcement.offering
    students = [e.student for e in offering.enrolments.accepted().select_related("student")]
    link = absolute_url(
        reverse(
            "course:announcement_list",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )
    )
    subject = f"[{offering.course.title} {offering.name}] {announcement.title}"
    # Placeholders filled in the course's language, the language the announcement is in.
    with translation.override(offering.teaching_language):
        text = fill_placeholders_text(announcement.body, offering)
    body = f"{text}\n\n--\n{offering.course.title} {offering.name}: {link}\n"
    queue_mails(
        MailDraft(
            to_email=student.email,
            subject=subject,
            body=body,
            kind=MailKind.ANNOUNCEMENT,
            offering=offering,
            recipient=student,
            approved_by=by,
        )
        for student in students
    )
    announcement.mailed_at = timezone.now()
    announcement.save(update_fields=["mailed_at"])
    return len(students)


@transaction.atomic
def mail_bodies_purge(*, now=None) -> int:
    """Remove the text of mails sent (or discarded) more than RETENTION_MAIL_BODY_DAYS ago:
    it held enrollment keys, grades and links, and has served its purpose once delivered.
    Who the mail went to, its subject, kind and dates stay as the record that it was sent.

    Returns how many mails lost their text. Side effects: OutgoingMail.body emptied and
    body_removed_at set. Mails still to be sent or reviewed keep theirs.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_MAIL_BODY_DAYS)
    sent = OutgoingMail.objects.filter(status=MailStatus.SENT, sent_at__lt=cutoff)
    discarded = OutgoingMail.objects.filter(status=MailStatus.DISCARDED, created_at__lt=cutoff)
    return (
        (sent | discarded).filter(body_removed_at__isnull=True).update(body="", body_removed_at=now)
    )
