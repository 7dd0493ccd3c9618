from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("a proposal's status", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("a proposal's status", "Accepted")
    REVISION = "revision", _("Revision requested")
    REJECTED = "rejected", pgettext_lazy("a proposal's status", "Rejected")


class DeliverableState(models.TextChoices):
    """What a group's deliverable looks like now (computed, not stored)."""

    NOT_DUE = "open", _("Not submitted yet")
    ON_TIME = "on_time", _("Submitted on time")
    LATE = "late", _("Submitted late")
    OVERDUE = "overdue", _("Overdue")
    CLOSED = "closed", _("Missed (late submissions not accepted)")
    SKIPPED = "skipped", _("Not handed in (optional)")


class BookStatus(models.TextChoices):
    BUILDING = "building", _("Being built")
    READY = "ready", pgettext_lazy("the book of abstracts", "Ready")
    FAILED = "failed", pgettext_lazy("building the book of abstracts", "Failed")
