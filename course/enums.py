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


class Question(models.TextChoices):
    """Whether the registration form asks a question, and whether an answer is required."""

    REQUIRED = "required", "Asked, answer required"
    OPTIONAL = "optional", "Asked, answer optional"
    HIDDEN = "hidden", "Not asked"
