from django.db import models


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class ProjectGrade(models.IntegerChoices):
    """The grade a project earns; each scale maps it onto its own grades."""

    FAIL = 0, "U (fail)"
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, "5"


class ResultsAction(models.TextChoices):
    SIGNED_OFF = "signed", "Signed off"
    UNLOCKED = "unlocked", "Unlocked"


class ConditionState(models.TextChoices):
    """Where a student stands on one condition for passing."""

    MET = "met", "Met"
    PENDING = "pending", "Not yet decided"
    MISSING = "missing", "Not met"


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
