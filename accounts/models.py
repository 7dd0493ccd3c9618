from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .enums import (
    DataRequestKind,
    DataRequestStatus,
    EnrolmentStatus,
    Level,
    MailKind,
    MailStatus,
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

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Opens the admin with only the permissions given below; full rights need "
        "superuser status. Teaching assistants need neither: their staff entry on an "
        "offering gives them the admin for that offering.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person followed the link mailed to them."
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Secret part of the personal calendar feed's address.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
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
        "course.Offering", on_delete=models.CASCADE, related_name="enrolments"
    )
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    level = models.CharField(max_length=3, choices=Level.choices)
    programme = models.CharField("programme or department", max_length=200, blank=True)
    motivation = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    applied_at = models.DateTimeField(default=timezone.now)
    enrolled_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day the student takes part; sessions before it do not count against them.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
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
        return f"{self.student} in {self.offering_id and self.offering}"

    @property
    def is_accepted(self) -> bool:
        return self.status == EnrolmentStatus.ACCEPTED


class EnrolmentDecision(models.Model):
    """One change of an enrolment's status: who made it, when, from what to what."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="decisions")
    old_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, blank=True)
    new_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["enrolment", "decided_at", "pk"]

    def __str__(self):
        return f"{self.old_status or 'new'} → {self.new_status}"


class MailTemplate(models.Model):
    """An offering's wording of the mail sent for one kind of decision.

    Placeholders are written ${name}; accounts.mailing lists those each kind may use and
    MailTemplate.clean() refuses any other.
    """

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="mail_templates"
    )
    status = models.CharField("decision", max_length=12, choices=EnrolmentStatus.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["offering", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "status"], name="accounts_one_template_per_decision"
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} mail"

    def clean(self):
        super().clean()
        if self.status not in DEFAULT_TEMPLATES:
            raise ValidationError(
                {"status": "No mail is sent for this status: choose accepted, waiting list, "
                 "rejected or withdrawn."}
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
    )
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
        help_text="The enrolment a decision mail is about.",
    )
    to_email = models.EmailField("to")
    subject = models.CharField(max_length=250)
    body = models.TextField()
    kind = models.CharField(max_length=20, choices=MailKind.choices, default=MailKind.OTHER)
    status = models.CharField(max_length=10, choices=MailStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    body_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the text was removed: mails keep it RETENTION_MAIL_BODY_DAYS days after "
        "sending (it held links, keys and grades); who, when and the subject stay.",
    )

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = "outgoing mail"
        verbose_name_plural = "outbox"
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
        help_text="Empty once the account is deleted.",
    )
    person_ref = models.CharField(
        "account", max_length=40, editable=False, help_text="Stays when the account is deleted."
    )
    kind = models.CharField(max_length=10, choices=DataRequestKind.choices)
    status = models.CharField(
        max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.OPEN
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person, or the administrator who recorded a request made by letter.",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True, help_text="What was done, or why it was refused.")

    class Meta:
        verbose_name = "data protection request"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status=DataRequestStatus.OPEN),
                name="accounts_one_open_request_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.person_ref} ({self.get_status_display()})"
