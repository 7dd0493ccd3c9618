"""What reminders went out: one row per person and reminder, so nobody gets one twice."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    DEADLINE = "deadline", _("Deadline reminder")
    ATTENDANCE = "attendance", _("Attendance warning")
    DIGEST = "digest", _("Weekly digest for the staff")


class SentReminder(models.Model):
    """A reminder mailed to one person. `key` says which one (a deliverable, its deadline
    and the days before it; the attendance stage; the digest's week): the unique constraint
    is what keeps two runs of the job, even at the same time, from sending it twice."""

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="+", verbose_name=_("offering")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    key = models.CharField(_("which one"), max_length=100)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "recipient", "kind", "key"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"
