from django.db import models


class OfferingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    REGISTRATION = "registration", "Open for registration"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    ARCHIVED = "archived", "Archived"


class StaffRole(models.TextChoices):
    RESPONSIBLE = "responsible", "Course responsible"
    TEACHING_ASSISTANT = "ta", "Teaching assistant"


class ModuleKind(models.TextChoices):
    REGULAR = "regular", "Regular module"
    PRESENTATIONS = "presentations", "Project presentations"


class ExcusedRule(models.TextChoices):
    """What an excused absence does to a student's attendance rate."""

    COUNTS_AS_ATTENDED = "attended", "Counts as attended"
    REMOVED_FROM_TOTAL = "removed", "Is left out of the total"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    NUMERIC = "numeric", "Numeric answer"


class AttemptCounting(models.TextChoices):
    BEST = "best", "The best attempt counts"
    LAST = "last", "The last attempt counts"


class AnswersShown(models.TextChoices):
    AT_ONCE = "at_once", "After the student's last attempt"
    AFTER_CLOSE = "after_close", "After the quiz closes"


class Question(models.TextChoices):
    """Whether the registration form asks a question, and whether an answer is required."""

    REQUIRED = "required", "Asked, answer required"
    OPTIONAL = "optional", "Asked, answer optional"
    HIDDEN = "hidden", "Not asked"
