"""Discussion sessions, their weekly series, attendance records and their change log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..enums import WEEKDAY_PLURALS, AttendanceStatus, Weekday


class SessionSeries(models.Model):
    """A weekly discussion slot of an offering, e.g. Tuesdays 13:15-15:00 in ML13.

    sessions.services.generate_sessions() turns series into dated DiscussionSessions.
    """

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="session_series",
        verbose_name=_("offering"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    room = models.CharField(_("room"), max_length=100)

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = pgettext_lazy("plural", "session series")
        ordering = ["offering", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="discussions_series_ends_after_start",
            ),
        ]

    def __str__(self):
        # Translators: a weekly series, e.g. "Tuesdays 13:15-15:00 (ML13)".
        return gettext("%(weekdays)s %(start)s-%(end)s (%(room)s)") % {
            "weekdays": WEEKDAY_PLURALS.get(self.weekday, self.get_weekday_display()),
            "start": formats.time_format(self.start_time),
            "end": formats.time_format(self.end_time),
            "room": self.room,
        }

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": gettext("The session must end after it starts.")})


class DiscussionSessionQuerySet(models.QuerySet):
    def held(self, now=None):
        """Sessions that have started and were not cancelled: the ones attendance counts."""
        return self.filter(is_cancelled=False, starts_at__lte=now or timezone.now())

    def upcoming(self, now=None):
        return self.filter(is_cancelled=False, starts_at__gt=now or timezone.now())


class DiscussionSession(models.Model):
    """One dated discussion session, tied to the module it discusses."""

    offering = models.ForeignKey(
        "course.Offering",
        on_delete=models.CASCADE,
        related_name="discussion_sessions",
        verbose_name=_("offering"),
    )
    series = models.ForeignKey(
        SessionSeries,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("series"),
    )
    series_date = models.DateField(
        _("series date"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The date the series gave it; stays when the session is moved, so that "
            "generating again does not duplicate it."
        ),
    )
    module = models.ForeignKey(
        "course.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_sessions",
        verbose_name=_("module"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)
    topic = models.CharField(
        _("topic"), max_length=200, blank=True, help_text=_("Optional, shown in the schedule.")
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    self_check_in = models.BooleanField(
        _("self check in"),
        default=False,
        help_text=_("Students may mark themselves present with the code shown in the room."),
    )
    sequence = models.PositiveIntegerField(
        _("sequence"),
        default=0,
        editable=False,
        help_text=_("Raised whenever time, room or cancellation change, so calendars update."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DiscussionSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("discussion session")
        verbose_name_plural = _("discussion sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="discussions_session_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["series", "series_date"],
                condition=models.Q(series__isnull=False),
                name="discussions_one_session_per_series_date",
            ),
        ]
        indexes = [models.Index(fields=["offering", "starts_at"])]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {self.room}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": gettext("The session must end after it starts.")})
        if self.module_id and self.offering_id and self.module.offering_id != self.offering_id:
            raise ValidationError({"module": gettext("Choose a module of the same offering.")})

    @property
    def local_date(self):
        return timezone.localtime(self.starts_at).date()


class Attendance(models.Model):
    """Whether a student attended a session. No record for a held session means absent."""

    session = models.ForeignKey(
        DiscussionSession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("session"),
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("enrolment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    active = models.BooleanField(
        _("active participation"),
        default=False,
        help_text=_("Took an active part in the discussion."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "enrolment"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="discussions_one_record_per_student"
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}"


class AttendanceChange(models.Model):
    """The previous value of an attendance record, who changed it and when."""

    attendance = models.ForeignKey(
        Attendance,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("attendance"),
    )
    old_status = models.CharField(
        _("old status"), max_length=10, choices=AttendanceStatus.choices, blank=True
    )
    old_active = models.BooleanField(_("old active"), null=True)
    new_status = models.CharField(_("new status"), max_length=10, choices=AttendanceStatus.choices)
    new_active = models.BooleanField(_("new active"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # A code ("register" or "check-in"), not a text: shown as it is.
    via = models.CharField(
        _("via"), max_length=20, default="register", help_text=_("register or check-in")
    )

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        ordering = ["attendance", "changed_at", "pk"]

    def __str__(self):
        old = (
            self.get_old_status_display().lower()
            if self.old_status
            else pgettext("no attendance status yet", "none")
        )
        return f"{old} → {self.get_new_status_display().lower()}"


class CheckInFailure(models.Model):
    """A wrong self check-in code, kept for a while to throttle guessing."""

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in failure")
        verbose_name_plural = _("check-in failures")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self):
        return gettext("%(user)s at %(when)s") % {
            "user": self.user,
            "when": formats.date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT"),
        }
