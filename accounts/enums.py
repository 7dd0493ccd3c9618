from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    MSC = "msc", _("MSc")
    PHD = "phd", _("PhD")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("enrolment status", "Applied")
    WAITLISTED = "waitlisted", pgettext_lazy("enrolment status", "Waiting list")
    ACCEPTED = "accepted", pgettext_lazy("enrolment status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("enrolment status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "Withdrawn")


class MailStatus(models.TextChoices):
    REVIEW = "review", _("Waiting for review")
    QUEUED = "queued", _("Queued for sending")
    SENT = "sent", pgettext_lazy("mail status", "Sent")
    FAILED = "failed", _("Failed, gave up")
    DISCARDED = "discarded", pgettext_lazy("mail status", "Discarded")


class MailKind(models.TextChoices):
    VERIFICATION = "verification", _("Email verification")
    PASSWORD_RESET = "password_reset", _("Password reset")
    DECISION = "decision", _("Enrolment decision")
    ANNOUNCEMENT = "announcement", _("Announcement")
    RESULT = "result", _("Course result")
    SIGNUP_ATTEMPT = "signup_attempt", _("Sign-up with a taken address")
    SSO_LINK = "sso_link", _("Linking a university log-in")
    OTHER = "other", pgettext_lazy("mail kind", "Other")


class DataRequestKind(models.TextChoices):
    """What a person asks under the GDPR (sessions/privacy.py carries it out)."""

    EXPORT = "export", _("A copy of their data")
    ERASURE = "erasure", _("Erasure of their data")


class DataRequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("data request status", "Open")
    DONE = "done", _("Carried out")
    REFUSED = "refused", pgettext_lazy("data request status", "Refused")


class TokenScope(models.TextChoices):
    """What a personal access token of the API may do (docs/ARCHITECTURE.md "The API")."""

    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")
