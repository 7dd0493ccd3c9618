import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
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
        "course.Offering", on_delete=models.CASCADE, related_name="project_groups"
    )
    number = models.PositiveSmallIntegerField(help_text="Group 1, 2, ... within the offering.")
    invite_code = models.CharField(max_length=12, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presented = models.BooleanField(
        null=True,
        blank=True,
        help_text="Set on the presentation day; presenting is a condition for passing.",
    )

    class Meta:
        ordering = ["offering", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "number"], name="projects_group_number_unique"
            ),
        ]

    def __str__(self):
        return f"Group {self.number}"


class Membership(models.Model):
    """A student in a group. One group per enrolment, so one per student and offering."""

    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="memberships")
    enrolment = models.OneToOneField(
        "accounts.Enrolment", on_delete=models.CASCADE, related_name="membership"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "joined_at", "pk"]

    def __str__(self):
        return f"{self.enrolment.student} in {self.group}"

    def clean(self):
        super().clean()
        if self.enrolment_id and self.group_id:
            if self.enrolment.offering_id != self.group.offering_id:
                raise ValidationError({"enrolment": "The student is enrolled in another offering."})
            if not self.enrolment.is_accepted:
                raise ValidationError({"enrolment": "Only accepted students can be in a group."})


class Proposal(MarkdownModel):
    """The group's project proposal and, later, its abstract.

    `version` grows with every save: an edit based on an older version is refused instead
    of silently overwriting what the partner saved meanwhile (projects.services).
    """

    markdown_fields = ("description", "abstract")

    group = models.OneToOneField(ProjectGroup, on_delete=models.CASCADE, related_name="proposal")
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    topics = models.ManyToManyField(
        "course.Module", blank=True, related_name="proposals", help_text="Course modules covered."
    )
    abstract = models.TextField(blank=True, help_text="Markdown; for the book of abstracts.")
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["group"]

    def __str__(self):
        return self.title or f"Proposal of {self.group}"

    @property
    def is_editable(self) -> bool:
        return self.status in {ProposalStatus.DRAFT, ProposalStatus.REVISION}


class ProposalEvent(models.Model):
    """A step of the proposal: submitted, accepted, revision requested, rejected."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "at", "pk"]

    def __str__(self):
        return self.get_status_display()


class Deliverable(MarkdownModel):
    """Something every group hands in, e.g. the 1-page planning report due 2016-04-14."""

    markdown_fields = ("description",)

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="deliverables"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50)
    description = models.TextField(blank=True, help_text="Markdown.")
    due_at = models.DateTimeField()
    max_pages = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for no limit, e.g. 4 for the project report."
    )
    max_size_mb = models.PositiveSmallIntegerField("maximum size (MB)", default=10)
    # Every upload is kept as a version: without a quota one group could fill the storage.
    max_versions = models.PositiveSmallIntegerField(
        "versions per group", default=10,
        validators=[MinValueValidator(1)],
        help_text="How many versions each group may upload.",
    )  # fmt: skip
    max_total_mb = models.PositiveSmallIntegerField(
        "storage per group (MB)", default=50,
        validators=[MinValueValidator(1)],
        help_text="The total size of a group's versions (at least the maximum size).",
    )  # fmt: skip
    accepts_late = models.BooleanField("late submissions accepted", default=True)
    required = models.BooleanField(
        default=True, help_text="Needed to pass; optional deliverables (slides) are not."
    )
    # Page and size limits and deadlines are rules of the examination: their history is kept.
    history = HistoricalRecords(excluded_fields=["rendered"])

    class Meta:
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
        Deliverable, on_delete=models.CASCADE, related_name="extensions"
    )
    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField("new deadline")
    reason = models.CharField(max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "group"], name="projects_one_extension_per_deliverable"
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.deliverable} until {self.due_at:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if self.deliverable_id and self.group_id:
            if self.deliverable.offering_id != self.group.offering_id:
                raise ValidationError(
                    "The group and the deliverable belong to different offerings."
                )
            if self.due_at and self.due_at <= self.deliverable.due_at:
                raise ValidationError(
                    {"due_at": "An extension must end after the deliverable's own deadline."}
                )


def submission_path(submission, filename) -> str:
    # The uploaded name is never part of the path: it is shown, never trusted.
    return f"submissions/{submission.deliverable.offering_id}/{uuid.uuid4().hex}.pdf"


class Submission(models.Model):
    """One uploaded version of a deliverable. Versions are kept; nothing is overwritten."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="submissions"
    )
    group = models.ForeignKey(ProjectGroup, on_delete=models.PROTECT, related_name="submissions")
    version = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=submission_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    late_by = models.DurationField(
        null=True, blank=True, help_text="How long after the (extended) deadline it came."
    )
    feedback = models.TextField(blank=True, help_text="Written feedback, shown to the group.")
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deliverable", "group", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "group", "version"], name="projects_submission_version"
            ),
        ]

    def __str__(self):
        return f"{self.deliverable} v{self.version} ({self.group})"

    @property
    def is_late(self) -> bool:
        return bool(self.late_by)


class PresentationSession(models.Model):
    """An afternoon of project presentations, e.g. Tuesday 31 May 2016, 13:15-15:00."""

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="presentation_sessions"
    )
    module = models.ForeignKey(
        "course.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presentation_sessions",
        help_text="The outline's “Project presentations” module.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=100)
    slot_minutes = models.PositiveSmallIntegerField(
        default=20, help_text="Per project, questions included."
    )
    gap_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Changeover between two projects."
    )

    class Meta:
        ordering = ["offering", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="projects_presentation_ends_after_start",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%a %Y-%m-%d %H:%M} {self.room}"

    def clean(self):
        super().clean()
        if not (self.starts_at and self.ends_at):
            return
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The session must end after it starts."})
        if self.slot_minutes == 0:
            raise ValidationError({"slot_minutes": "A slot needs at least one minute."})
        clash = (
            PresentationSession.objects.filter(
                room__iexact=self.room, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            )
            .exclude(pk=self.pk)
            .first()
        )
        if clash:
            raise ValidationError(
                {"starts_at": f"{self.room} is taken then by the presentation session {clash}."}
            )

    @property
    def capacity(self) -> int:
        minutes = (self.ends_at - self.starts_at).total_seconds() // 60
        step = self.slot_minutes + self.gap_minutes
        return int((minutes + self.gap_minutes) // step) if step else 0


class PresentationSlot(models.Model):
    """A project's place in a presentation session. A project has at most one slot."""

    session = models.ForeignKey(PresentationSession, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    group = models.OneToOneField(
        ProjectGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="slot"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="projects_one_project_per_slot"
            ),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%a %d %b %H:%M}: {self.group or 'free'}"


class PresentationWish(models.Model):
    """A group's preference for, or unavailability at, one presentation session."""

    PREFER = "prefer"
    CANNOT = "cannot"
    CHOICES = [(PREFER, "Preferred"), (CANNOT, "Cannot attend")]

    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="wishes")
    session = models.ForeignKey(
        PresentationSession, on_delete=models.CASCADE, related_name="wishes"
    )
    wish = models.CharField(max_length=10, choices=CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "session"], name="projects_one_wish_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.get_wish_display()} {self.session}"


class AbstractBook(models.Model):
    """One edition of an offering's book of abstracts: the PDF of one content.

    The content is named by a hash of the book's HTML, so an edition is built once (the
    row is unique, whichever app server asks first creates it and queues the build) and any
    change to an abstract, a title or an author makes a new one. Built by the task worker
    (projects.book.build_book); superseded editions and their files are deleted once the
    new one is ready.
    """

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="abstract_books"
    )
    digest = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=BookStatus.choices, default=BookStatus.BUILDING
    )
    file = models.CharField("file in storage", max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["offering", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "digest"], name="projects_one_book_per_content"
            ),
        ]

    def __str__(self):
        return f"Book of abstracts of {self.offering_id} ({self.digest[:8]}, {self.status})"
