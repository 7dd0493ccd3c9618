from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OfferingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("offering status", "Planned")
    REGISTRATION = "registration", pgettext_lazy("offering status", "Open for registration")
    RUNNING = "running", pgettext_lazy("offering status", "Running")
    FINISHED = "finished", pgettext_lazy("offering status", "Finished")
    ARCHIVED = "archived", pgettext_lazy("offering status", "Archived")


class StaffRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Course responsible")
    TEACHING_ASSISTANT = "ta", _("Teaching assistant")


class ModuleKind(models.TextChoices):
    REGULAR = "regular", _("Regular module")
    PRESENTATIONS = "presentations", _("Project presentations")


class ExcusedRule(models.TextChoices):
    """What an excused absence does to a student's attendance rate."""

    COUNTS_AS_ATTENDED = "attended", _("Counts as attended")
    REMOVED_FROM_TOTAL = "removed", _("Is left out of the total")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMERIC = "numeric", _("Numeric answer")


class AttemptCounting(models.TextChoices):
    BEST = "best", _("The best attempt counts")
    LAST = "last", _("The last attempt counts")


class AnswersShown(models.TextChoices):
    AT_ONCE = "at_once", _("After the student's last attempt")
    AFTER_CLOSE = "after_close", _("After the quiz closes")


class Question(models.TextChoices):
    """Whether the registration form asks a question, and whether an answer is required."""

    REQUIRED = "required", _("Asked, answer required")
    OPTIONAL = "optional", _("Asked, answer optional")
    HIDDEN = "hidden", _("Not asked")


# Days of the week as Python numbers them (Monday 0), for settings such as a weekly digest.
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Accent(models.TextChoices):
    """An offering's accent colour, from a fixed palette whose every colour has enough
    contrast as text and as a line, on the light and the dark theme (static/css/site.css)."""

    BLUE = "blue", _("Blue")
    TEAL = "teal", _("Teal")
    GREEN = "green", _("Green")
    PURPLE = "purple", _("Purple")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    PINK = "pink", _("Pink")
    SLATE = "slate", _("Slate")
