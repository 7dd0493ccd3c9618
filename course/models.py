from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .enums import (
    WEEKDAY_CHOICES,
    Accent,
    ExcusedRule,
    ModuleKind,
    OfferingStatus,
    Question,
    StaffRole,
)
from .rendering import MarkdownModel
from .validators import ParsedPart, validate_reminder_days


class Course(MarkdownModel):
    """A course as the catalogue lists it; each run of it is an Offering."""

    markdown_fields = ("description", "teaching_format", "audience", "prerequisites")

    code = models.CharField(
        max_length=20,
        unique=True,
        help_text=_("Course code, e.g. FDAT010."),
        verbose_name=_("code"),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for the course catalogue."),
        verbose_name=_("summary"),
    )
    description = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("description")
    )
    credits = models.DecimalField(
        max_digits=4, decimal_places=1, default=7.5, verbose_name=_("credits")
    )
    credit_unit = models.CharField(
        max_length=20,
        default="hec",
        help_text=_("e.g. hec or ECTS."),
        verbose_name=_("credit unit"),
    )
    level = models.CharField(
        max_length=100, blank=True, help_text=_("e.g. PhD course."), verbose_name=_("level")
    )
    audience = models.TextField(
        blank=True, help_text=_("Who the course is for. Markdown."), verbose_name=_("audience")
    )
    prerequisites = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("prerequisites")
    )
    teaching_format = models.TextField(
        blank=True,
        help_text=_("How the course is taught, e.g. flipped classroom. Markdown."),
        verbose_name=_("teaching format"),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("course:course_detail", kwargs={"course_slug": self.slug})


class OfferingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def taught_by(self, user):
        """Offerings whose staff list links to this user account."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(staff__user=user).distinct()

    def latest_first(self):
        return self.order_by("-start_date", "-pk")


class Offering(MarkdownModel):
    """One run of a course, e.g. Deep Learning in study period LP4 of 2016."""

    markdown_fields = (
        "summary",
        "notice",
        "practical_information",
        "examination_rules",
        "platform_instructions",
        "book_preface",
    )
    has_placeholders = True

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("course")
    )
    slug = models.SlugField(
        max_length=40, help_text=_("Unique within the course, e.g. 2016."), verbose_name=_("slug")
    )
    name = models.CharField(
        max_length=100, help_text=_("e.g. Spring 2016."), verbose_name=_("name")
    )
    study_period = models.CharField(
        max_length=40, blank=True, help_text=_("e.g. LP4."), verbose_name=_("study period")
    )
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(verbose_name=_("end date"))
    status = models.CharField(
        max_length=20,
        choices=OfferingStatus.choices,
        default=OfferingStatus.PLANNED,
        verbose_name=_("status"),
    )
    teaching_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language the course is taught and written in: its texts, lectures and "
            "projects are marked as such, whatever the language of the site around them."
        ),
        verbose_name=_("teaching language"),
    )
    accent = models.CharField(
        _("accent colour"),
        max_length=10,
        choices=Accent.choices,
        blank=True,
        help_text=_(
            "The colour that marks this offering's pages: the band under the navigation "
            "and the headings. From a palette readable in light and dark mode; empty for "
            "the site's blue."
        ),
    )
    is_published = models.BooleanField(
        default=False,
        help_text=_("Unpublished offerings are visible to their staff only."),
        verbose_name=_("is published"),
    )
    notice = models.TextField(
        blank=True,
        help_text=_(
            "Shown as a banner on every page of the offering, e.g. that the course is "
            "not given next year. Markdown."
        ),
        verbose_name=_("notice"),
    )
    summary = models.TextField(
        blank=True,
        help_text=_("What is particular to this run, shown on its home page. Markdown."),
        verbose_name=_("summary"),
    )
    practical_information = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("practical information")
    )
    examination_rules = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("examination rules")
    )
    video_platform_name = models.CharField(
        max_length=100, blank=True, verbose_name=_("video platform name")
    )
    video_platform_url = models.URLField(blank=True, verbose_name=_("video platform url"))
    enrollment_key = models.CharField(
        max_length=100,
        blank=True,
        help_text=_(
            "Key for the external video platform. Never shown publicly: only accepted "
            "students and staff see it."
        ),
        verbose_name=_("enrollment key"),
    )
    discussion_group_url = models.URLField(
        blank=True,
        help_text=_("Group for announcements and discussions."),
        verbose_name=_("discussion group url"),
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of discussion sessions a student must attend, in percent."),
        verbose_name=_("attendance threshold"),
    )
    excused_absences = models.CharField(
        _("an excused absence"),
        max_length=10,
        choices=ExcusedRule.choices,
        default=ExcusedRule.REMOVED_FROM_TOTAL,
    )
    quiz_pass_percent = models.PositiveSmallIntegerField(
        _("quiz score needed"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "A module is complete when all its lectures are watched, its quiz is passed "
            "with this score (in percent) and the share of its sessions attended reaches the "
            "attendance threshold."
        ),
    )
    group_size = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        verbose_name=_("group size"),
    )
    preferences_deadline = models.DateTimeField(
        _("presentation preferences deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Until then groups say which presentation sessions they prefer or cannot attend."
        ),
    )
    abstracts_deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Until then groups can edit their abstracts."),
        verbose_name=_("abstracts deadline"),
    )
    publish_book = models.BooleanField(
        _("publish the book of abstracts"),
        default=False,
        help_text=_("Make the book of abstracts (PDF and web page) public."),
    )
    book_preface = models.TextField(
        _("preface of the book of abstracts"),
        blank=True,
        help_text=_(
            "A few words from the teachers before the programme and the abstracts, in the "
            "teaching language. Markdown."
        ),
    )
    show_submitted_proposals = models.BooleanField(
        _("list submitted proposals publicly"),
        default=False,
        help_text=_(
            "The public projects page lists accepted proposals; tick to list those "
            "still waiting for a decision too."
        ),
    )
    registration_opens = models.DateTimeField(
        null=True, blank=True, verbose_name=_("registration opens")
    )
    registration_closes = models.DateTimeField(
        null=True, blank=True, verbose_name=_("registration closes")
    )
    capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Seats for accepted students; empty for no limit. Raising it moves the waiting list up."
        ),
        verbose_name=_("capacity"),
    )
    programme_question = models.CharField(
        _("ask for programme or department"),
        max_length=10,
        choices=Question.choices,
        default=Question.REQUIRED,
    )
    motivation_question = models.CharField(
        _("ask for a motivation"),
        max_length=10,
        choices=Question.choices,
        default=Question.OPTIONAL,
    )
    decisions_need_review = models.BooleanField(
        _("review decision mails"),
        default=True,
        help_text=_(
            "Hold enrolment decision mails in the outbox until staff approve them. "
            "Untick to send them without review."
        ),
    )
    platform_instructions = models.TextField(
        _("instructions for accepted students"),
        blank=True,
        help_text=_(
            "How to follow the course: shown to accepted students on their page and "
            "mailed with the acceptance. Markdown."
        ),
    )

    # Reminders (sessions/reminders.py, run by `manage.py run_periodic_jobs --nightly`).
    deadline_reminder_days = models.CharField(
        _("deadline reminders"),
        max_length=40,
        blank=True,
        default="3, 1",
        validators=[validate_reminder_days],
        help_text=_(
            "Days before a deadline on which groups that have not submitted are reminded, "
            "e.g. “3, 1”; an extension moves the reminders with it. Empty for none."
        ),
    )
    attendance_warnings = models.BooleanField(
        _("attendance warnings"),
        default=True,
        help_text=_(
            "Mail a student once when they must attend every remaining session to reach the "
            "attendance threshold, and once when it can no longer be reached."
        ),
    )
    staff_digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest for the staff"),
        null=True,
        blank=True,
        default=0,
        choices=WEEKDAY_CHOICES,
        help_text=_(
            "On this day, the staff get a mail with the applications waiting, the mails held "
            "for review and the projects still to assess (none when there is nothing). "
            "Empty for no digest."
        ),
    )
    staff_sso_required = models.BooleanField(
        _("staff log in with the university"),
        default=False,
        help_text=_(
            "The offering's staff must log in with the university's log-in (single sign-on); "
            "their passwords are refused. Only while single sign-on is set up."
        ),
    )

    objects = OfferingQuerySet.as_manager()
    # Who changed the offering's rules (threshold, excused rule, group size...), when, and
    # the old values: the admin's object history (django-simple-history). The rendered
    # Markdown is derived, so it is left out.
    history = HistoricalRecords(excluded_fields=["rendered"])

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["course", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="course_offering_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="course_offering_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.course.title} {self.name}"

    def get_absolute_url(self):
        return reverse(
            "course:offering_home",
            kwargs={"course_slug": self.course.slug, "offering_slug": self.slug},
        )

    def placeholder_offering(self):
        return self if self.pk else None

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The offering cannot end before it starts.")
        opens, closes = self.registration_opens, self.registration_closes
        if opens and closes and closes <= opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        if self.start_date and self.end_date:
            # Registration usually closes around the start; a window that ends long after the
            # offering is over, or opens more than a year before it, is almost surely a typo.
            start = timezone.make_aware(datetime.combine(self.start_date, time.min))
            end = timezone.make_aware(datetime.combine(self.end_date, time.max))
            if closes and closes > end:
                errors.setdefault(
                    "registration_closes",
                    _("Registration cannot close after the offering has ended."),
                )
            if opens and opens < start - timedelta(days=366):
                errors.setdefault(
                    "registration_opens",
                    _("Registration cannot open more than a year before the offering starts."),
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_archive(self):
        return self.status in {OfferingStatus.FINISHED, OfferingStatus.ARCHIVED}

    def registration_state(self, now=None):
        """("open" | "not_yet" | "closed" | "unscheduled", when) for the registration window."""
        now = now or timezone.now()
        opens, closes = self.registration_opens, self.registration_closes
        if not opens and not closes:
            return "unscheduled", None
        if opens and now < opens:
            return "not_yet", opens
        if closes and now >= closes:
            return "closed", closes
        return "open", closes


class Staff(models.Model):
    """A person who teaches an offering; a linked account gets staff rights on it alone."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="staff", verbose_name=_("offering")
    )
    name = models.CharField(max_length=150, verbose_name=_("name"))
    role = models.CharField(max_length=20, choices=StaffRole.choices, verbose_name=_("role"))
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("e.g. PhD student behind the initiative."),
        verbose_name=_("description"),
    )
    email = models.EmailField(
        blank=True,
        help_text=_("Public contact address; pages show it obfuscated against scrapers."),
        verbose_name=_("email"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_roles",
        help_text=_("The account that gets staff rights for this offering only."),
        verbose_name=_("user"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("staff")
        verbose_name_plural = _("staff")
        ordering = ["offering", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "user"],
                condition=models.Q(user__isnull=False),
                name="course_staff_one_entry_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class Module(MarkdownModel):
    has_placeholders = True
    """A module of the course outline: lectures to watch, a quiz, discussion sessions."""

    markdown_fields = ("description",)

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="modules", verbose_name=_("offering")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    slug = models.SlugField(
        max_length=80, help_text=_("Unique within the offering."), verbose_name=_("slug")
    )
    kind = models.CharField(
        max_length=20,
        choices=ModuleKind.choices,
        default=ModuleKind.REGULAR,
        verbose_name=_("kind"),
    )
    description = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("description")
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["offering", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "slug"], name="course_module_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        offering = self.offering
        return reverse(
            "course:module_detail",
            kwargs={
                "course_slug": offering.course.slug,
                "offering_slug": offering.slug,
                "module_slug": self.slug,
            },
        )


class VideoLecture(models.Model):
    """A recorded lecture assigned for a module, with the parts of it to watch."""

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="lectures", verbose_name=_("module")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    speaker = models.CharField(max_length=150, verbose_name=_("speaker"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    url = models.URLField(
        blank=True, help_text=_("Where to watch it, if it is public."), verbose_name=_("url")
    )
    link_status = models.CharField(
        max_length=12,
        blank=True,
        editable=False,
        help_text=_("What manage.py check_links found: ok, broken or unreachable."),
        verbose_name=_("link status"),
    )
    link_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("link checked at")
    )

    class Meta:
        verbose_name = _("video lecture")
        verbose_name_plural = _("video lectures")
        ordering = ["module", "order", "pk"]

    def __str__(self):
        return f"{self.speaker}, {self.title}"

    @property
    def parts_notation(self) -> str:
        """The parts as the course gave them, e.g. "Lec1, Lec2:1-2:11"; uses prefetched parts."""
        return ", ".join(str(part) for part in self.parts.all())


class LecturePart(models.Model):
    """One named part of a lecture, whole ("9A") or a range of sections ("Lec2:1-2:11")."""

    lecture = models.ForeignKey(
        VideoLecture, on_delete=models.CASCADE, related_name="parts", verbose_name=_("lecture")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    name = models.CharField(max_length=40, verbose_name=_("name"))
    range_start = models.CharField(max_length=20, blank=True, verbose_name=_("range start"))
    range_end = models.CharField(max_length=20, blank=True, verbose_name=_("range end"))

    class Meta:
        verbose_name = _("lecture part")
        verbose_name_plural = _("lecture parts")
        ordering = ["lecture", "order", "pk"]

    def __str__(self):
        return str(ParsedPart(self.name, self.range_start, self.range_end))


class AnnouncementQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_at__lte=now or timezone.now())


class Announcement(MarkdownModel):
    markdown_fields = ("body",)
    has_placeholders = True
    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("offering")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(help_text=_("Markdown."), verbose_name=_("body"))
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Leave empty to keep it as a draft; a future time publishes it then."),
        verbose_name=_("published at"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("author"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    mailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When it was mailed to the accepted students."),
        verbose_name=_("mailed at"),
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title


from .quiz_models import (  # noqa: E402 - kept in their own module, registered here
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    WatchedPart,
)

__all__ = [
    "Announcement",
    "Course",
    "LecturePart",
    "Module",
    "Offering",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizChoice",
    "QuizQuestion",
    "Staff",
    "VideoLecture",
    "WatchedPart",
]
