from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


#: "Every Tuesday" as a weekly series names it: "Tuesdays 13:15-15:00 (ML13)".
WEEKDAY_PLURALS = {
    Weekday.MONDAY: _("Mondays"),
    Weekday.TUESDAY: _("Tuesdays"),
    Weekday.WEDNESDAY: _("Wednesdays"),
    Weekday.THURSDAY: _("Thursdays"),
    Weekday.FRIDAY: _("Fridays"),
    Weekday.SATURDAY: _("Saturdays"),
    Weekday.SUNDAY: _("Sundays"),
}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class ProjectGrade(models.IntegerChoices):
    """The grade a project earns; each scale maps it onto its own grades."""

    FAIL = 0, _("U (fail)")
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, "5"


class ResultsAction(models.TextChoices):
    SIGNED_OFF = "signed", _("Signed off")
    UNLOCKED = "unlocked", _("Unlocked")


class ConditionState(models.TextChoices):
    """Where a student stands on one condition for passing."""

    MET = "met", _("Met")
    PENDING = "pending", _("Not yet decided")
    MISSING = "missing", _("Not met")


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
