import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from course.rendering import MarkdownModel

from .enums import BookStatus, ProposalStatus
from .validators import check_size_limit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class ProjectGroup(models.Model):
    """A project group of an offering; students join it with its invite code."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="project_groups",
        verbose_name=_("offering"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Group 1, 2, ... within the offering.")
    )
    invite_code = models.CharField(
        _("invite code"), max_length=12, unique=True, default=new_invite_code
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    presented = models.BooleanField(
        _("presented"),
        null=True,
        blank=True,
        help_text=_("Set on the presentation day; presenting is a condition for passing."),
    )

    class Meta:
        verbose_name = _("project group")
        verbose_name_plural = _("project groups")
        ordering = ["offering", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "number"], name="projects_group_number_unique"
            ),
        ]

    def __str__(self):
        return gettext("Group %(number)s") % {"number": self.number}


class Membership(models.Model):
    """A student in a group. One group per enrolment, so one per student and offering."""

    group = models.ForeignKey(
        ProjectGroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("group"),
    )
    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("enrolment"),
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "joined_at", "pk"]

    def __str__(self):
        return gettext("%(student)s in %(group)s") % {
            "student": self.enrolment.student,
            "group": self.group,
        }

    def clean(self):
        super().clean()
        if self.enrolment_id and self.group_id:
            if self.enrolment.offering_id != self.group.offering_id:
                raise ValidationError(
                    {"enrolment": gettext("The student is enrolled in another offering.")}
                )
            if not self.enrolment.is_accepted:
                raise ValidationError(
                    {"enrolment": gettext("Only accepted students can be in a group.")}
                )


class Proposal(MarkdownModel):
    """The group's project proposal and, later, its abstract.

    `version` grows with every save: an edit based on an older version is refused instead
    of silently overwriting what the partner saved meanwhile (projects.services).
    """

    markdown_fields = ("description", "abstract")

    group = models.OneToOneField(
        ProjectGroup, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    topics = models.ManyToManyField(
        "course.Module",
        blank=True,
        related_name="proposals",
        verbose_name=_("topics"),
        help_text=_("Course modules covered."),
    )
    abstract = models.TextField(
        _("abstract"), blank=True, help_text=_("Markdown; for the book of abstracts.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    staff_comment = models.TextField(_("staff comment"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["group"]

    def __str__(self):
        return self.title or gettext("Proposal of %(group)s") % {"group": self.group}

    @property
    def is_editable(self) -> bool:
        return self.status in {ProposalStatus.DRAFT, ProposalStatus.REVISION}


class ProposalEvent(models.Model):
    """A step of the proposal: submitted, accepted, revision requested, rejected."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal")
    )
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("who did it", "by"),
    )
    at = models.DateTimeField(pgettext_lazy("when it happened", "at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["proposal", "at", "pk"]

    def __str__(self):
        return self.get_status_display()


class Deliverable(MarkdownModel):
    """Something every group hands in, e.g. the 1-page planning report due 2016-04-14."""

    markdown_fields = ("description",)
    has_placeholders = True

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="deliverables",
        verbose_name=_("offering"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    due_at = models.DateTimeField(_("due at"))
    max_pages = models.PositiveSmallIntegerField(
        _("max pages"),
        null=True,
        blank=True,
        help_text=_("Empty for no limit, e.g. 4 for the project report."),
    )
    max_size_mb = models.PositiveSmallIntegerField(_("maximum size (MB)"), default=10)
    # Every upload is kept as a version: without a quota one group could fill the storage.
    max_versions = models.PositiveSmallIntegerField(
        _("versions per group"), default=10,
        validators=[MinValueValidator(1)],
        help_text=_("How many versions each group may upload."),
    )  # fmt: skip
    max_total_mb = models.PositiveSmallIntegerField(
        _("storage per group (MB)"), default=50,
        validators=[MinValueValidator(1)],
        help_text=_("The total size of a group's versions (at least the maximum size)."),
    )  # fmt: skip
    accepts_late = models.BooleanField(_("late submissions accepted"), default=True)
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Needed to pass; optional deliverables (slides) are not."),
    )
    # Page and size limits and deadlines are rules of the examination: their history is kept.
    history = HistoricalRecords(excluded_fields=["rendered"])

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["offering", "order", "due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "slug"], name="projects_deliverable_slug_unique"
            ),
        ]

    def __str__(self):
        return self.title

    def due_for(self, extension: "Extension | None") -> datetime:
        """A group's deadline: the extension's, if the group was granted one, else the
        deliverable's own. The one home of this rule: uploads, the student's and staff's
        pages, the status export and grading all ask it."""
        return extension.due_at if extension is not None else self.due_at

    def clean(self):
        check_size_limit(self.max_size_mb)
        total, one = self.max_total_mb, self.max_size_mb
        if total is not None and one is not None and total < one:
            message = gettext("At least the maximum size of one file (%(mb)s MB).")
            raise ValidationError({"max_total_mb": message % {"mb": one}})


class Extension(models.Model):
    """A later deadline for one group and deliverable; it applies to every member.

    (clean() below keeps it later than the deliverable's own deadline, and in one offering.)"""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("deliverable"),
    )
    group = models.ForeignKey(
        ProjectGroup, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("group")
    )
    due_at = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "group"], name="projects_one_extension_per_deliverable"
            ),
        ]

    def __str__(self):
        return gettext("%(group)s: %(deliverable)s until %(due)s") % {
            "group": self.group,
            "deliverable": self.deliverable,
            "due": formats.date_format(timezone.localtime(self.due_at), "SHORT_DATETIME_FORMAT"),
        }

    def clean(self):
        super().clean()
        if self.deliverable_id and self.group_id:
            if self.deliverable.offering_id != self.group.offering_id:
                raise ValidationError(
                    gettext("The group and the deliverable belong to different offerings.")
                )
            if self.due_at and self.due_at <= self.deliverable.due_at:
                raise ValidationError(
                    {
                        "due_at": gettext(
                            "An extension must end after the deliverable's own deadline."
                        )
                    }
                )


def submission_path(submission, filename) -> str:
    # The uploaded name is never part of the path: it is shown, never trusted.
    return f"submissions/{submission.deliverable.offering_id}/{uuid.uuid4().hex}.pdf"


class Submission(models.Model):
    """One uploaded version of a deliverable. Versions are kept; nothing is overwritten."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("deliverable"),
    )
    group = models.ForeignKey(
        ProjectGroup, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("group")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=submission_path)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    pages = models.PositiveSmallIntegerField(_("pages"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    late_by = models.DurationField(
        _("late by"),
        null=True,
        blank=True,
        help_text=_("How long after the (extended) deadline it came."),
    )
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Written feedback, shown to the group.")
    )
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("feedback by"),
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["deliverable", "group", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "group", "version"], name="projects_submission_version"
            ),
        ]

    def __str__(self):
        return gettext("%(deliverable)s v%(version)s (%(group)s)") % {
            "deliverable": self.deliverable,
            "version": self.version,
            "group": self.group,
        }

    @property
    def is_late(self) -> bool:
        return bool(self.late_by)


class PresentationSession(models.Model):
    """An afternoon of project presentations, e.g. Tuesday 31 May 2016, 13:15-15:00."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="presentation_sessions",
        verbose_name=_("offering"),
    )
    module = models.ForeignKey(
        "course.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presentation_sessions",
        verbose_name=_("module"),
        help_text=_("The outline's “Project presentations” module."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot minutes"), default=20, help_text=_("Per project, questions included.")
    )
    gap_minutes = models.PositiveSmallIntegerField(
        _("gap minutes"), default=0, help_text=_("Changeover between two projects.")
    )

    class Meta:
        verbose_name = _("presentation session")
        verbose_name_plural = _("presentation sessions")
        ordering = ["offering", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="projects_presentation_ends_after_start",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {self.room}"

    def clean(self):
        super().clean()
        if not (self.starts_at and self.ends_at):
            return
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": gettext("The session must end after it starts.")})
        if self.slot_minutes == 0:
            raise ValidationError({"slot_minutes": gettext("A slot needs at least one minute.")})
        clash = (
            PresentationSession.objects.filter(
                room__iexact=self.room, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            )
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            message = gettext("%(room)s is taken then by the presentation session %(clash)s.")
            raise ValidationError({"starts_at": message % {"room": self.room, "clash": clash}})

    @property
    def capacity(self) -> int:
        minutes = (self.ends_at - self.starts_at).total_seconds() // 60
        step = self.slot_minutes + self.gap_minutes
        return int((minutes + self.gap_minutes) // step) if step else 0


class PresentationSlot(models.Model):
    """A project's place in a presentation session. A project has at most one slot."""

    session = models.ForeignKey(
        PresentationSession,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("session"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    group = models.OneToOneField(
        ProjectGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slot",
        verbose_name=_("group"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("presentation slot")
        verbose_name_plural = _("presentation slots")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="projects_one_project_per_slot"
            ),
        ]

    def __str__(self):
        return gettext("%(start)s: %(group)s") % {
            "start": formats.date_format(
                timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT"
            ),
            "group": self.group or pgettext("a presentation slot", "free"),
        }


class PresentationWish(models.Model):
    """A group's preference for, or unavailability at, one presentation session."""

    PREFER = "prefer"
    CANNOT = "cannot"
    CHOICES = [(PREFER, _("Preferred")), (CANNOT, _("Cannot attend"))]

    group = models.ForeignKey(
        ProjectGroup, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("group")
    )
    session = models.ForeignKey(
        PresentationSession,
        on_delete=models.CASCADE,
        related_name="wishes",
        verbose_name=_("session"),
    )
    wish = models.CharField(_("wish"), max_length=10, choices=CHOICES)

    class Meta:
        verbose_name = _("presentation wish")
        verbose_name_plural = _("presentation wishes")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "session"], name="projects_one_wish_per_session"
            ),
        ]

    def __str__(self):
        return gettext("%(group)s: %(wish)s %(session)s") % {
            "group": self.group,
            "wish": self.get_wish_display(),
            "session": self.session,
        }


class AbstractBook(models.Model):
    """One edition of an offering's book of abstracts: the PDF of one content.

    The content is named by a hash of the book's HTML, so an edition is built once (the
    row is unique, whichever app server asks first creates it and queues the build) and any
    change to an abstract, a title or an author makes a new one. Built by the task worker
    (projects.book.build_book); superseded editions and their files are deleted once the
    new one is ready.
    """

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="abstract_books",
        verbose_name=_("offering"),
    )
    digest = models.CharField(_("digest"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=BookStatus.choices, default=BookStatus.BUILDING
    )
    file = models.CharField(_("file in storage"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("abstract book")
        verbose_name_plural = _("abstract books")
        ordering = ["offering", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "digest"], name="projects_one_book_per_content"
            ),
        ]

    def __str__(self):
        return gettext("Book of abstracts of %(offering)s (%(digest)s, %(status)s)") % {
            "offering": self.offering_id,
            "digest": self.digest[:8],
            "status": self.get_status_display(),
        }
