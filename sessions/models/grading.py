"""Grading: scales, the project rubric and its assessments, final grades and the sign-off.

The rules that combine them live in the sessions/grading/ package; these models only
hold the data and its invariants.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.enums import Level
from course.rendering import MarkdownModel

from ..enums import ExportStatus, ProjectGrade, ResultsAction


class GradingScale(models.Model):
    """The grades a student of one level can get in an offering, e.g. U/3/4/5 for MSc."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="grading_scales",
        verbose_name=_("offering"),
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. U, 3, 4, 5."))
    # Scales and the rubric decide grades: who changed them, when and the old values are
    # kept (django-simple-history), shown in the admin's object history.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading scale")
        verbose_name_plural = _("grading scales")
        ordering = ["offering", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "level"], name="discussions_one_scale_per_level"
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.name}"

    @cached_property
    def grade_list(self) -> list:
        """The grades, lowest first; grading.grade_sheet() fills it without a query."""
        return [] if self.pk is None else list(self.grades.order_by("equivalent", "code"))


class ScaleGrade(models.Model):
    """One grade of a scale; `equivalent` maps project grades onto it (3 → G, 4 and 5 → VG)."""

    scale = models.ForeignKey(
        GradingScale, on_delete=models.CASCADE, related_name="grades", verbose_name=_("scale")
    )
    code = models.CharField(
        pgettext_lazy("grade", "code"),
        max_length=10,
        help_text=_("As reported to the records system."),
    )
    label = models.CharField(
        _("label"), max_length=60, blank=True, help_text=_("e.g. Pass with distinction.")
    )
    passing = models.BooleanField(_("passing"), default=True)
    equivalent = models.PositiveSmallIntegerField(
        _("equivalent"),
        choices=ProjectGrade.choices,
        help_text=_(
            "The lowest project grade that gives this grade: a project graded 5 gets the "
            "grade with the highest equivalent at or below 5."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scale grade")
        verbose_name_plural = _("scale grades")
        ordering = ["scale", "equivalent", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="discussions_grade_code_unique"),
            models.UniqueConstraint(
                fields=["scale", "equivalent"], name="discussions_grade_equivalent_unique"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def offering_id(self):
        return self.scale.offering_id


class Rubric(MarkdownModel):
    """How TAs assess projects in an offering; its point bands suggest the project grade."""

    markdown_fields = ("instructions",)

    offering = models.OneToOneField(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="rubric",
        verbose_name=_("offering"),
    )
    points_for_3 = models.PositiveSmallIntegerField(
        _("points for 3"), default=4, help_text=_("Fewest points for a passing project.")
    )
    points_for_4 = models.PositiveSmallIntegerField(_("points for 4"), default=7)
    points_for_5 = models.PositiveSmallIntegerField(_("points for 5"), default=10)
    instructions = models.TextField(
        _("instructions"), blank=True, help_text=_("Shown to the assessors. Markdown.")
    )
    history = HistoricalRecords(excluded_fields=["rendered"])

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_for_4__gt=models.F("points_for_3"))
                & models.Q(points_for_5__gt=models.F("points_for_4")),
                name="discussions_rubric_bands_increase",
            ),
        ]

    def __str__(self):
        return gettext("Rubric of %(offering)s") % {"offering": self.offering}

    def clean(self):
        super().clean()
        if not (self.points_for_3 < self.points_for_4 < self.points_for_5):
            raise ValidationError(gettext("The points for 3, 4 and 5 must increase."))


class RubricCriterion(models.Model):
    """What TAs judge, e.g. topics covered, depth of understanding, report, presentation."""

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["rubric", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def offering_id(self):
        return self.rubric.offering_id


class RubricLevel(models.Model):
    """A level of a criterion with its points; an insufficient level fails the project."""

    criterion = models.ForeignKey(
        RubricCriterion,
        on_delete=models.CASCADE,
        related_name="levels",
        verbose_name=_("criterion"),
    )
    points = models.PositiveSmallIntegerField(_("points"))
    label = models.CharField(_("label"), max_length=120)
    insufficient = models.BooleanField(
        _("insufficient"),
        default=False,
        help_text=_("Choosing this level makes the rubric suggest a fail."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        ordering = ["criterion", "points", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "points"], name="discussions_level_points_unique"
            ),
        ]

    def __str__(self):
        return f"{self.points}: {self.label}"

    @property
    def offering_id(self):
        return self.criterion.rubric.offering_id


class ProjectAssessment(models.Model):
    """One TA's assessment of a group's project. A second TA reviewing adds a second one."""

    group = models.ForeignKey(
        "projects.ProjectGroup",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("group"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    levels = models.ManyToManyField(
        RubricLevel, related_name="+", blank=True, verbose_name=_("levels")
    )
    suggested = models.PositiveSmallIntegerField(
        _("suggested"),
        choices=ProjectGrade.choices,
        null=True,
        editable=False,
        help_text=_("From the rubric."),
    )
    grade = models.PositiveSmallIntegerField(_("project grade"), choices=ProjectGrade.choices)
    comment = models.TextField(
        _("comment"), blank=True, help_text=_("For the staff; not shown to students.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("project assessment")
        verbose_name_plural = _("project assessments")
        ordering = ["group", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "assessor"], name="discussions_one_assessment_per_assessor"
            ),
        ]

    def __str__(self):
        return gettext("%(group)s: %(grade)s by %(assessor)s") % {
            "group": self.group,
            "grade": self.get_grade_display(),
            "assessor": self.assessor,
        }

    @property
    def offering_id(self):
        return self.group.offering_id


class FinalGrade(models.Model):
    """A student's grade in an offering, on the scale of their level."""

    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="final_grade",
        verbose_name=_("enrolment"),
    )
    grade = models.CharField(_("grade"), max_length=10)
    proposed = models.CharField(
        _("proposed"),
        max_length=10,
        blank=True,
        help_text=_("What the grading service proposed when it was set."),
    )
    reason = models.TextField(
        pgettext_lazy("grading", "reason"),
        blank=True,
        help_text=_("Why it differs from the proposal."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    notified_grade = models.CharField(
        _("notified grade"),
        max_length=10,
        blank=True,
        editable=False,
        help_text=_("The grade last mailed to the student."),
    )

    class Meta:
        verbose_name = _("final grade")
        verbose_name_plural = _("final grades")
        ordering = ["enrolment"]

    def __str__(self):
        return self.grade

    @property
    def offering_id(self):
        return self.enrolment.offering_id

    @property
    def is_override(self) -> bool:
        return self.grade != self.proposed


class GradeChange(models.Model):
    """Who changed a final grade, when, from what to what and why. Never edited."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="grade_changes",
        verbose_name=_("enrolment"),
    )
    old_grade = models.CharField(_("old grade"), max_length=10, blank=True)
    new_grade = models.CharField(_("new grade"), max_length=10)
    proposed = models.CharField(_("proposed"), max_length=10, blank=True)
    reason = models.TextField(pgettext_lazy("grading", "reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["enrolment", "changed_at", "pk"]

    def __str__(self):
        return f"{self.old_grade or '—'} → {self.new_grade}"

    @property
    def offering_id(self):
        return self.enrolment.offering_id


class ResultsEventQuerySet(models.QuerySet):
    def current(self):
        """The latest event (of one offering's events): it says whether results are locked."""
        return self.order_by("-at", "-pk").first()

    def signed_off(self) -> bool:
        latest = self.current()
        return latest is not None and latest.action == ResultsAction.SIGNED_OFF

    def signed_off_offering_ids(self) -> set[int]:
        """Of the offerings these events belong to, those whose latest event is a sign-off."""
        latest = {}
        for offering_id, action in self.order_by("at", "pk").values_list("offering_id", "action"):
            latest[offering_id] = action
        return {o for o, action in latest.items() if action == ResultsAction.SIGNED_OFF}


class ResultsEvent(models.Model):
    """The course responsible signing off an offering's results, or unlocking them."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="results_events",
        verbose_name=_("offering"),
    )
    action = models.CharField(_("action"), max_length=10, choices=ResultsAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("results event", "by"),
    )
    at = models.DateTimeField(pgettext_lazy("results event", "at"), default=timezone.now)
    reason = models.TextField(pgettext_lazy("grading", "reason"), blank=True)

    objects = ResultsEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("results event")
        verbose_name_plural = _("results events")
        ordering = ["offering", "at", "pk"]
        get_latest_by = ["at", "pk"]

    def __str__(self):
        when = formats.date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_action_display()} {when}"


class ResultsExport(models.Model):
    """A records export (CSV or Excel) too large to make within a request: the task worker
    writes it to the file storage, and the grade sheet lists it for a week."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="results_exports",
        verbose_name=_("offering"),
    )
    # The formats' names, the same in every language.
    kind = models.CharField(_("kind"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PREPARING
    )
    file = models.CharField(_("file in storage"), max_length=255, blank=True)
    filename = models.CharField(_("file name for the download"), max_length=200, blank=True)
    students = models.PositiveIntegerField(_("students"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("results export")
        verbose_name_plural = _("results exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return gettext("Results %(kind)s of %(offering)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "offering": self.offering_id,
            "status": self.status,
        }
