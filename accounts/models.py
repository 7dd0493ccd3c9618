from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .enums import (
    DataRequestKind,
    DataRequestStatus,
    EnrolmentStatus,
    Level,
    MailKind,
    MailStatus,
    TokenScope,
)
from .mail_templates import DEFAULT_TEMPLATES, validate_template


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def canonical_email(cls, email: str | None) -> str:
        """Addresses are stored lower-cased: match them exactly in this form (an index
        serves `email = ...`; `email__iexact` compiles to UPPER() and cannot use it)."""
        return cls.normalize_email((email or "").strip()).lower()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.canonical_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        # Whoever runs createsuperuser vouches for the address: an unconfirmed one would be
        # treated as anybody's (docs/SECURITY.md, "Logging in").
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Log-ins are case-insensitive on the address: it is stored lower-cased.
        return self.get(**{self.model.USERNAME_FIELD: self.canonical_email(username)})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a student, a teaching assistant or an administrator.

    Whether someone studies at MSc or PhD level depends on the enrolment, not the person,
    so it is not stored here. Teaching rights come from a course.Staff entry linked to the
    account and are limited to that offering.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_(
            "Opens the admin with only the permissions given below; full rights need "
            "superuser status. Teaching assistants need neither: their staff entry on an "
            "offering gives them the admin for that offering."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(
        _("email verified at"),
        null=True,
        blank=True,
        help_text=_("When the person followed the link mailed to them."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the site and of the mails for this person: the one they signed "
            "up in, or chose with the language switch. Empty: the browser's preference, and "
            "mails in the site's default language."
        ),
    )
    calendar_token = models.CharField(
        _("calendar token"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Secret part of the personal calendar feed's address."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.canonical_email(self.email)

    def get_full_name(self):
        return self.full_name

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class EnrolmentQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=EnrolmentStatus.ACCEPTED)

    def waiting_list(self):
        """Waitlisted applications in the order they move up: first applied, first in."""
        return self.filter(status=EnrolmentStatus.WAITLISTED).order_by("applied_at", "pk")


class Enrolment(models.Model):
    """A student's application to an offering and, once decided, their enrolment in it.

    The level (MSc or PhD) belongs here, not to the person: it decides the grading scale.
    Status changes go through accounts.services (capacity, waiting list, decision mails).
    """

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("offering"),
    )
    student = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student")
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    programme = models.CharField(_("programme or department"), max_length=200, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.APPLIED,
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    enrolled_on = models.DateField(
        _("enrolled on"),
        null=True,
        blank=True,
        help_text=_(
            "First day the student takes part; sessions before it do not count against them."
        ),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["offering", "applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "student"], name="accounts_one_enrolment_per_offering"
            ),
        ]
        indexes = [
            models.Index(fields=["offering", "status", "applied_at"]),
            # The admin's list of every application, newest first, a page at a time.
            models.Index(fields=["-applied_at", "-id"], name="accounts_enrolment_newest"),
        ]

    def __str__(self):
        return gettext("%(student)s in %(offering)s") % {
            "student": self.student,
            "offering": self.offering_id and self.offering,
        }

    @property
    def is_accepted(self) -> bool:
        return self.status == EnrolmentStatus.ACCEPTED


class EnrolmentDecision(models.Model):
    """One change of an enrolment's status: who made it, when, from what to what."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("enrolment")
    )
    old_status = models.CharField(
        _("old status"), max_length=12, choices=EnrolmentStatus.choices, blank=True
    )
    new_status = models.CharField(_("new status"), max_length=12, choices=EnrolmentStatus.choices)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("enrolment decision")
        verbose_name_plural = _("enrolment decisions")
        ordering = ["enrolment", "decided_at", "pk"]

    def __str__(self):
        old = self.get_old_status_display() if self.old_status else pgettext("status", "new")
        return f"{old} → {self.get_new_status_display()}"


class MailTemplate(models.Model):
    """An offering's wording of the mail sent for one kind of decision.

    Placeholders are written ${name}; accounts.mailing lists those each kind may use and
    MailTemplate.clean() refuses any other.
    """

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="mail_templates",
        verbose_name=_("offering"),
    )
    status = models.CharField(_("decision"), max_length=12, choices=EnrolmentStatus.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "Students get the wording in their own language; when the offering has none in "
            "it, the wording in the other language, else the site's default text."
        ),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        ordering = ["offering", "status", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "status", "language"],
                name="accounts_one_template_per_decision_and_language",
            ),
        ]

    def __str__(self):
        return gettext("%(decision)s mail (%(language)s)") % {
            "decision": self.get_status_display(),
            "language": self.get_language_display(),
        }

    def clean(self):
        super().clean()
        if self.status not in DEFAULT_TEMPLATES:
            raise ValidationError(
                {"status": _("No mail is sent for this status: choose accepted, waiting list, "
                             "rejected or withdrawn.")}
            )  # fmt: skip
        validate_template(self.status, subject=self.subject, body=self.body)


class OutgoingMailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Queued mails whose next attempt has come, oldest first."""
        now = now or timezone.now()
        return self.filter(status=MailStatus.QUEUED, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )


class OutgoingMail(models.Model):
    """A mail in the outbox. Requests only queue mail; manage.py send_queued_mail sends it.

    A mail waiting for review is not sent until staff approve it; a failed attempt is
    recorded and retried later, so a broken mail server loses nothing.
    """

    offering = models.ForeignKey(
        "course.Offering",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing_mails",
        verbose_name=_("offering"),
    )
    recipient = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
        verbose_name=_("recipient"),
    )
    enrolment = models.ForeignKey(
        Enrolment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
        verbose_name=_("enrolment"),
        help_text=_("The enrolment a decision mail is about."),
    )
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=MailKind.choices, default=MailKind.OTHER
    )
    status = models.CharField(_("status"), max_length=10, choices=MailStatus.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    approved_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    body_removed_at = models.DateTimeField(
        _("body removed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the text was removed: mails keep it RETENTION_MAIL_BODY_DAYS days after "
            "sending (it held links, keys and grades); who, when and the subject stay."
        ),
    )

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The outbox list, newest first, a page at a time.
            models.Index(fields=["-created_at", "-id"], name="accounts_outbox_newest"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"

    @property
    def is_editable(self) -> bool:
        return self.status in {MailStatus.REVIEW, MailStatus.QUEUED, MailStatus.FAILED}


class DataRequest(models.Model):
    """A person's request under the GDPR: a copy of everything the site holds about them, or
    its erasure. Administrators see and carry out the requests in the admin; the row stays
    as the record of what was asked, by whom, when, and what was done (the person's account
    may be gone by then: `person_ref` names it). sessions/privacy.py does the work."""

    person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
        verbose_name=_("person"),
        help_text=_("Empty once the account is deleted."),
    )
    person_ref = models.CharField(
        _("account"),
        max_length=40,
        editable=False,
        help_text=_("Stays when the account is deleted."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DataRequestKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.OPEN,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The person, or the administrator who recorded a request made by letter."),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    outcome = models.TextField(
        _("outcome"), blank=True, help_text=_("What was done, or why it was refused.")
    )

    class Meta:
        verbose_name = _("data protection request")
        verbose_name_plural = _("data protection requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status=DataRequestStatus.OPEN),
                name="accounts_one_open_request_per_kind",
            ),
        ]

    def __str__(self):
        return gettext("%(kind)s of %(account)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "account": self.person_ref,
            "status": self.get_status_display(),
        }


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class AccessToken(models.Model):
    """A personal access token of the API (`Authorization: Bearer <token>`), made and revoked
    by its owner on their account page (accounts.services.token_create, token_revoke).

    The token is shown once; only the SHA-256 of it is stored (it is 32 random bytes, so a
    plain hash is as good as a slow one), and its first characters (`prefix`) to tell the
    owner's tokens apart. It acts as its owner, within its scope, until it expires or is
    revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    secret_hash = models.CharField(_("hash of the token"), max_length=64, unique=True,
                                   editable=False)  # fmt: skip
    scope = models.CharField(_("scope"), max_length=12, choices=TokenScope.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class ExternalIdentity(models.Model):
    """A person's account at the university's identity provider (OpenID Connect), linked to
    their account here. Later log-ins are matched by (issuer, subject), never by the email
    address, which the provider may give to someone else one day (accounts/sso.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(
        _("id at the provider"),
        max_length=255,
        help_text=_("The provider’s id of the person (sub)."),
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("university log-in")
        verbose_name_plural = _("university log-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="accounts_identity_issuer_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="accounts_identity_user_issuer_unique"
            ),
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"
