"""Sign-up, email verification, applications and enrolment decisions.

Every status change of an Enrolment goes through enrolment_decide(), which holds the rules:
which changes are allowed, the capacity (counted under a row lock on the offering), the
waiting list moving up, the decision log and the decision mail.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from course.archive import ensure_writable
from course.caching import bump_offering, bump_person, bump_records
from course.models import Offering
from course.services import offering_lock

from .enums import EnrolmentStatus, Level, MailKind, TokenScope
from .mailing import (
    absolute_url,
    held_decision_mails,
    in_language_of,
    mail_approve,
    queue_decision_mail,
    queue_invitation_mail,
    queue_mail,
    queue_signup_attempt_mail,
)
from .models import AccessToken, Enrolment, EnrolmentDecision, User

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 60 * 60 * 24 * 7  # a week

S = EnrolmentStatus
# Which decisions staff may take from each status. Withdrawn applications are re-opened by
# the student applying again (enrolment_apply) or by staff enrolling them directly
# (enrolment_enrol_directly), never by a bulk accept that would jump the waiting list.
# Rejecting an accepted student revokes a mistaken acceptance; the seat goes on.
TRANSITIONS: dict[str, set[str]] = {
    S.APPLIED: {S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.WAITLISTED: {S.ACCEPTED, S.REJECTED, S.WITHDRAWN},
    S.ACCEPTED: {S.WITHDRAWN, S.REJECTED},
    S.REJECTED: {S.ACCEPTED, S.WAITLISTED},
    S.WITHDRAWN: set(),
}


# Accounts and verification ------------------------------------------------------------------


def email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)


def queue_verification_mail(user: User) -> None:
    link = absolute_url(
        reverse("accounts:verify_email", kwargs={"token": email_verification_token(user)})
    )
    with in_language_of(user):
        subject = _("Confirm your email address for coursesite")
        body = _(
            "Hello %(name)s,\n\n"
            "please confirm that this is your address by opening this link:\n\n"
            "%(link)s\n\n"
            "Applications to courses count once your address is confirmed. The link works "
            "for a week. If you did not sign up, ignore this message.\n"
        ) % {"name": user.full_name, "link": link}
    queue_mail(
        to_email=user.email, subject=subject, body=body, kind=MailKind.VERIFICATION, recipient=user
    )


@transaction.atomic
def user_signup(
    *, email: str, full_name: str, password: str, language: str = settings.LANGUAGE_CODE
) -> User | None:
    """Create a student account and queue the mail with its verification link.

    When the address has an account already (in any letter case), nothing is created and
    its owner is mailed instead ("someone tried to sign up with your address"). The caller
    must answer the same either way, and both ways do the same work (the password is
    hashed, one mail queued), so neither the page nor its time tells whether an address
    has an account. Returns the new account, or None when the address was taken.
    """
    email = User.objects.canonical_email(email)
    owner = User.objects.filter(email=email).first()
    if owner is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, password, full_name=full_name.strip(), language=language
                )
        except IntegrityError:  # the same form sent twice at once: the other one made it
            owner = User.objects.filter(email=email).first()
        else:
            queue_verification_mail(user)
            return user
    else:
        make_password(password)  # the work a new account's password costs
    if owner is not None:
        queue_signup_attempt_mail(owner)
    return None


def user_verify_email(*, token: str) -> User:
    """Mark the address in the token as verified. Raises ValidationError for a bad token."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired: ask for a new one."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            _("This link is not valid: ask for a new one."), code="invalid"
        ) from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise ValidationError(
            _("This link belongs to an address that is no longer in use."), code="stale"
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


# Applications ---------------------------------------------------------------------------------


def _log(enrolment: Enrolment, old: str, by: User | None, note: str = "", at=None) -> None:
    EnrolmentDecision.objects.create(
        enrolment=enrolment,
        old_status=old,
        new_status=enrolment.status,
        decided_by=by,
        decided_at=at or timezone.now(),
        note=note,
    )


@transaction.atomic
def enrolment_apply(
    *,
    offering: Offering,
    student: User,
    level: str,
    programme: str = "",
    motivation: str = "",
    now=None,
) -> Enrolment:
    """Register a student's application, or re-open their withdrawn one.

    Refused (ValidationError, nothing stored) outside the registration window and when the
    student has an application already. Side effects: an EnrolmentDecision row.
    """
    ensure_writable(offering)
    now = now or timezone.now()
    state, when = offering.registration_state(now)
    if state != "open":
        if state == "not_yet":
            opens = date_format(timezone.localtime(when), "DATETIME_FORMAT")
            raise ValidationError(
                _("Registration opens %(when)s.") % {"when": opens}, code="not_yet"
            )
        raise ValidationError(_("Registration for this offering is closed."), code="closed")
    if level not in Level.values:
        raise ValidationError({"level": _("Choose MSc or PhD.")})
    existing = Enrolment.objects.select_for_update(of=("self",)).filter(
        offering=offering, student=student
    )
    enrolment = existing.order_by("pk").first()
    if enrolment and enrolment.status != S.WITHDRAWN:
        raise ValidationError(
            _("You have applied already (status: %(status)s).")
            % {"status": enrolment.get_status_display().lower()},
            code="applied",
        )
    fields = {
        "level": level,
        "programme": programme.strip(),
        "motivation": motivation.strip(),
        "status": S.APPLIED,
        "applied_at": now,
        "decided_at": None,
        "decided_by": None,
        "enrolled_on": None,
    }
    old = ""
    if enrolment:
        old = enrolment.status
        for name, value in fields.items():
            setattr(enrolment, name, value)
        enrolment.save()
    else:
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(offering=offering, student=student, **fields)
        except IntegrityError:  # the same student, twice at once
            raise ValidationError(_("You have applied already."), code="applied") from None
    _log(enrolment, old, student, "application", at=now)
    return enrolment


def seats_left(offering: Offering) -> int | None:
    if offering.capacity is None:
        return None
    return max(offering.capacity - offering.enrolments.accepted().count(), 0)


#: What can freeze an offering's enrolments, each function(offering) -> why, or "" when it
#: does not. Registered from above: sessions adds "the results are signed off" (then who is
#: enrolled is part of the examination record). accounts itself knows nothing of grading.
ENROLMENT_FREEZES: list[Callable[[Offering], str]] = []


def enrolments_frozen(offering: Offering) -> str:
    """Why the offering's enrolments no longer change, or "" when they may."""
    for freeze in ENROLMENT_FREEZES:
        reason = freeze(offering)
        if reason:
            return reason
    return ""


def _ensure_enrolments_open(offering: Offering, name: str = "") -> None:
    reason = enrolments_frozen(offering)
    if reason:
        who = f"{name}: " if name else ""
        raise ValidationError(f"{who}{reason}")


def enrolment_decide(
    *,
    enrolment: Enrolment,
    status: str,
    by: User | None,
    note: str = "",
    enrolled_on: date | None = None,
) -> Enrolment:
    """Move an application to a new status: accept, waitlist, reject or withdraw it.

    Holds a row lock on the offering while it counts accepted students, so two staff (or
    two workers) accepting at once never exceed the capacity. Refused with ValidationError,
    changing nothing, when the change is not allowed, the student has not verified their
    address (for accept and waitlist), or no seat is free. Side effects: the decision log,
    a decision mail in the outbox, and, when a seat is freed, the waiting list moving up.
    """
    ensure_writable(enrolment.offering)
    with transaction.atomic():
        offering = offering_lock(enrolment.offering)
        # of=("self",): lock the enrolment row only; the offering row is locked above.
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("student", "offering__course")
            .get(pk=enrolment.pk)
        )
        old = enrolment.status
        name = enrolment.student.full_name
        if status == old:
            raise ValidationError(
                _("%(name)s is already %(status)s.")
                % {"name": name, "status": enrolment.get_status_display().lower()}
            )
        if status not in TRANSITIONS.get(old, set()):
            raise ValidationError(
                _("%(name)s: an application that is %(old)s cannot become %(new)s.")
                % {
                    "name": name,
                    "old": enrolment.get_status_display().lower(),
                    "new": S(status).label.lower(),
                }
            )
        if S.ACCEPTED in {old, status}:
            _ensure_enrolments_open(offering, name)
        if status in {S.ACCEPTED, S.WAITLISTED} and not enrolment.student.email_verified:
            raise ValidationError(
                _(
                    "%(name)s has not confirmed their email address yet: the application does "
                    "not count until they do."
                )
                % {"name": name}
            )
        if status == S.ACCEPTED and offering.capacity is not None:
            taken = offering.enrolments.accepted().count()
            if taken >= offering.capacity:
                raise ValidationError(
                    _(
                        "Cannot accept %(name)s: the offering is full (%(taken)d of "
                        "%(capacity)d seats taken). Waitlist the application or add a seat."
                    )
                    % {"name": name, "taken": taken, "capacity": offering.capacity}
                )
        enrolment.status = status
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = by
        if status == S.ACCEPTED:
            enrolment.enrolled_on = enrolled_on or enrolment.enrolled_on or timezone.localdate()
        enrolment.save()
        _log(enrolment, old, by, note, at=enrolment.decided_at)
        queue_decision_mail(enrolment)
        if old == S.ACCEPTED:
            _fill_free_seats(offering, by)
    return enrolment


def enrolment_decide_and_send(*, enrolment: Enrolment, status: str, by: User) -> Enrolment:
    """Decide an application and approve its decision mail in one step: staff read the
    mail on the application's page before choosing this. Refused as enrolment_decide()
    refuses, changing nothing (one transaction)."""
    with transaction.atomic():
        enrolment = enrolment_decide(enrolment=enrolment, status=status, by=by)
        mail_approve(mails=held_decision_mails(enrolment), by=by)
    return enrolment


def validate_capacity(offering: Offering, capacity: int | None) -> None:
    """A capacity below the students accepted already is refused: seats are not taken
    away by lowering a number (withdraw enrolments instead)."""
    if offering.pk and capacity is not None:
        accepted = offering.enrolments.accepted().count()
        if capacity < accepted:
            raise ValidationError(
                ngettext(
                    "%(count)d student is accepted already: the capacity cannot be lower. "
                    "Withdraw enrolments first if seats must go.",
                    "%(count)d students are accepted already: the capacity cannot be lower. "
                    "Withdraw enrolments first if seats must go.",
                    accepted,
                )
                % {"count": accepted}
            )


def _fill_free_seats(offering: Offering, by: User | None) -> list[Enrolment]:
    """Accept waitlisted students in application order while seats are free (lock held)."""
    if enrolments_frozen(offering):
        return []
    if offering.capacity is None:
        waiting = list(offering.enrolments.waiting_list().select_related("student"))
    else:
        free = offering.capacity - offering.enrolments.accepted().count()
        if free <= 0:
            return []
        waiting = list(offering.enrolments.waiting_list().select_related("student")[:free])
    promoted = []
    for enrolment in waiting:
        enrolment.status = S.ACCEPTED
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = by
        enrolment.enrolled_on = timezone.localdate()
        enrolment.offering = offering
        enrolment.save()
        _log(enrolment, S.WAITLISTED, by, "moved up from the waiting list", at=enrolment.decided_at)
        queue_decision_mail(enrolment)
        promoted.append(enrolment)
    return promoted


@transaction.atomic
def offering_fill_free_seats(*, offering: Offering, by: User | None) -> list[Enrolment]:
    """Move the waiting list up into free seats, e.g. after the capacity was raised."""
    return _fill_free_seats(offering_lock(offering), by)


def enrolment_withdraw(*, enrolment: Enrolment, by: User) -> Enrolment:
    """The student (or staff) withdraws the application; a freed seat goes to the waiting list."""
    return enrolment_decide(enrolment=enrolment, status=S.WITHDRAWN, by=by)


@transaction.atomic
def enrolment_enrol_directly(
    *,
    offering: Offering,
    email: str,
    full_name: str,
    level: str,
    programme: str = "",
    enrolled_on: date | None = None,
    by: User,
) -> Enrolment:
    """Staff enrol a student who arrives late, without an application of their own.

    Creates the account when there is none, with a confirmed address and no password, and
    mails the invitation to choose one. An existing account is enrolled as it is: its
    password, name and address stay untouched (the acceptance mail tells its owner), and one
    whose address is not confirmed is refused (ValidationError, nothing changed). Counts
    against the capacity like any acceptance. Side effects: the decision log, an acceptance
    mail and, for a new account, the invitation in the outbox.
    """
    ensure_writable(offering)
    offering = offering_lock(offering)  # first, as enrolment_decide does: no deadlock
    _ensure_enrolments_open(offering)
    email = User.objects.canonical_email(email)
    student = User.objects.filter(email=email).first()
    invite = student is None
    if student is None:
        # Staff vouch for the address, and nobody else holds this new account: its owner
        # chooses the password through the invitation mailed to the address.
        # Their language is not known yet: the one the offering is taught in (they can
        # switch at once).
        student = User.objects.create_user(
            email,
            None,
            full_name=full_name.strip(),
            email_verified_at=timezone.now(),
            language=offering.teaching_language,
        )
    elif not student.email_verified:
        # An existing account's credentials are never touched here: whoever signed up with
        # the address may not own it, and resetting their password would let anybody with
        # the admin lock any account out. The owner confirms the address first.
        raise ValidationError(
            _(
                "%(email)s has an account whose address is not confirmed yet. Ask them to "
                "follow the link mailed to them at sign-up (their page has a button to send "
                "it again), or, if they did not sign up themselves, to choose a password "
                'with "Forgot your password?" on the log-in page; then enrol them again.'
            )
            % {"email": email}
        )
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(offering=offering, student=student)
        .first()
    )
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            offering=offering,
            student=student,
            level=level,
            programme=programme,
            status=S.APPLIED,
            applied_at=timezone.now(),
        )
        _log(enrolment, "", by, "enrolled directly by staff")
    elif enrolment.status == S.ACCEPTED:
        raise ValidationError(
            _("%(name)s (%(email)s) is enrolled already.")
            % {"name": full_name.strip(), "email": email}
        )
    else:
        old = enrolment.status
        enrolment.level = level
        enrolment.programme = programme or enrolment.programme
        if old == S.WITHDRAWN:
            enrolment.status = S.APPLIED
            enrolment.enrolled_on = None
        enrolment.save(update_fields=["level", "programme", "status", "enrolled_on"])
        if old == S.WITHDRAWN:
            _log(enrolment, old, by, "re-opened by staff for direct enrolment")
    enrolment = enrolment_decide(
        enrolment=enrolment,
        status=S.ACCEPTED,
        by=by,
        note="enrolled directly by staff",
        enrolled_on=enrolled_on,
    )
    if invite:
        queue_invitation_mail(student, offering)
    return enrolment


def choose_language(user: User, language: str) -> None:
    """Store the language a person chose with the language switch: their pages and the
    mails they get are in it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the site's languages."))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        bump_person(user.pk)  # what is kept of their pages and calendar feed


def user_renamed(user: User) -> None:
    """After staff changed a person's name: the public pages that show it (their groups'
    project pages, the programme, the book of abstracts) are made again."""
    for offering_id in set(
        Enrolment.objects.filter(student=user).values_list("offering_id", flat=True)
    ):
        bump_offering(offering_id)


# Retention ----------------------------------------------------------------------------------


@transaction.atomic
def rejected_answers_purge(*, now=None) -> int:
    """Clear the free-text answers (programme, motivation) of applications rejected more than
    RETENTION_REJECTED_ANSWERS_DAYS ago: they were asked to decide the application, and it
    is decided. The application itself (who, when, the decision log) stays.

    Returns how many applications were cleared. Side effects: Enrolment.programme and
    .motivation emptied; the offerings' records versions bumped (course/caching.py).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_REJECTED_ANSWERS_DAYS)
    rejected = Enrolment.objects.filter(status=S.REJECTED, decided_at__lt=cutoff).exclude(
        programme="", motivation=""
    )
    offering_ids = set(rejected.values_list("offering_id", flat=True))
    cleared = rejected.update(programme="", motivation="")
    for offering_id in offering_ids:
        bump_records(offering_id)  # update() sends no signal
    return cleared


# Personal access tokens of the API ------------------------------------------------------------

TOKEN_PREFIX = "cs_"  # tells a leaked token for what it is (secret scanners match on it)
TOKEN_SHOWN_PREFIX = 10  # characters of the token kept to tell tokens apart on the page
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write a minute per token


class TokenRefused(Exception):
    """The token of a request is unknown, expired or revoked: the message says which."""


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # the token itself: shown once, never stored


def token_hash(secret: str) -> str:
    """The SHA-256 of a token, as stored: the token is 32 random bytes, so a fast hash is
    enough (nothing to guess from a leaked table)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str, expires_at: datetime | None = None, now=None
) -> NewToken:
    """A new personal access token of `user`. Refused with ValidationError (nothing made)
    for an empty name, an unknown scope, or an expiry in the past or beyond
    API_TOKEN_MAX_DAYS; without `expires_at` it lasts API_TOKEN_DEFAULT_DAYS.

    Returns the row and the token, which exists nowhere else: only its hash is stored.
    """
    now = now or timezone.now()
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the token a name, so you know later what uses it."))
    if scope not in TokenScope.values:
        raise ValidationError(_("Choose whether the token may only read or also write."))
    if expires_at is None:
        expires_at = now + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    if expires_at <= now:
        raise ValidationError(_("The expiry date must be in the future."))
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS, hours=24):
        raise ValidationError(
            _("A token lasts at most %(days)d days; choose an earlier expiry date.")
            % {"days": settings.API_TOKEN_MAX_DAYS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:TOKEN_SHOWN_PREFIX],
        secret_hash=token_hash(secret),
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, user: User, token_id: int, now=None) -> AccessToken:
    """Revoke one of `user`'s own tokens: it stops working at once. Someone else's token,
    or none, is refused with AccessToken.DoesNotExist (the page answers 404). Revoking a
    revoked token changes nothing."""
    token = AccessToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(secret: str, *, now=None) -> AccessToken:
    """The token of an API request, with its owner; TokenRefused says why not (unknown,
    revoked, expired, or its owner's account is closed). Records when it was last used, at
    most once a minute (one query for most requests)."""
    now = now or timezone.now()
    token = (
        AccessToken.objects.select_related("user")
        .filter(secret_hash=token_hash(secret.strip()))
        .first()
    )
    if token is None or not token.user.is_active:
        raise TokenRefused(_("This access token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This access token was revoked; make a new one on your account page."))
    if token.expires_at <= now:
        raise TokenRefused(_("This access token has expired; make a new one on your account page."))
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
