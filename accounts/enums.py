from django.db import models


class Level(models.TextChoices):
    MSC = "msc", "MSc"
    PHD = "phd", "PhD"


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    WAITLISTED = "waitlisted", "Waiting list"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MailStatus(models.TextChoices):
    REVIEW = "review", "Waiting for review"
    QUEUED = "queued", "Queued for sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, gave up"
    DISCARDED = "discarded", "Discarded"


class MailKind(models.TextChoices):
    VERIFICATION = "verification", "Email verification"
    PASSWORD_RESET = "password_reset", "Password reset"
    DECISION = "decision", "Enrolment decision"
    ANNOUNCEMENT = "announcement", "Announcement"
    RESULT = "result", "Course result"
    SIGNUP_ATTEMPT = "signup_attempt", "Sign-up with a taken address"
    OTHER = "other", "Other"


class DataRequestKind(models.TextChoices):
    """What a person asks under the GDPR (sessions/privacy.py carries it out)."""

    EXPORT = "export", "A copy of their data"
    ERASURE = "erasure", "Erasure of their data"


class DataRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Carried out"
    REFUSED = "refused", "Refused"
