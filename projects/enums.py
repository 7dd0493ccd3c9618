from django.db import models


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REVISION = "revision", "Revision requested"
    REJECTED = "rejected", "Rejected"


class DeliverableState(models.TextChoices):
    """What a group's deliverable looks like now (computed, not stored)."""

    NOT_DUE = "open", "Not submitted yet"
    ON_TIME = "on_time", "Submitted on time"
    LATE = "late", "Submitted late"
    OVERDUE = "overdue", "Overdue"
    CLOSED = "closed", "Missed (late submissions not accepted)"
    SKIPPED = "skipped", "Not handed in (optional)"


class BookStatus(models.TextChoices):
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
