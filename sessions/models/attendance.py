"""Discussion sessions, their weekly series, attendance records and their change log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..enums import AttendanceStatus, Weekday


class SessionSeries(models.Model):
    """A weekly discussion slot of an offering, e.g. Tuesdays 13:15-15:00 in ML13.

    sessions.services.generate_sessions() turns series into dated DiscussionSessions.
    """

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="session_series"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    room = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "session series"
        ordering = ["offering", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="discussions_series_ends_after_start",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()}s {self.start_time:%H:%M}-{self.end_time:%H:%M} "
            f"({self.room})"
        )

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The session must end after it starts."})


class DiscussionSessionQuerySet(models.QuerySet):
    def held(self, now=None):
        """Sessions that have started and were not cancelled: the ones attendance counts."""
        return self.filter(is_cancelled=False, starts_at__lte=now or timezone.now())

    def upcoming(self, now=None):
        return self.filter(is_cancelled=False, starts_at__gt=now or timezone.now())


class DiscussionSession(models.Model):
    """One dated discussion session, tied to the module it discusses."""

    offering = models.ForeignKey(
        "course.Offering", on_delete=models.CASCADE, related_name="discussion_sessions"
    )
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    series_date = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The date the series gave it; stays when the session is moved, so that "
        "generating again does not duplicate it.",
    )
    module = models.ForeignKey(
        "course.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_sessions",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=100)
    topic = models.CharField(
        max_length=200, blank=True, help_text="Optional, shown in the schedule."
    )
    is_cancelled = models.BooleanField("cancelled", default=False)
    cancel_reason = models.CharField(max_length=200, blank=True)
    self_check_in = models.BooleanField(
        default=False,
        help_text="Students may mark themselves present with the code shown in the room.",
    )
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised whenever time, room or cancellation change, so calendars update.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DiscussionSessionQuerySet.as_manager()

    class Meta:
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
        return f"{local:%a %Y-%m-%d %H:%M} {self.room}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The session must end after it starts."})
        if self.module_id and self.offering_id and self.module.offering_id != self.offering_id:
            raise ValidationError({"module": "Choose a module of the same offering."})

    @property
    def local_date(self):
        return timezone.localtime(self.starts_at).date()


class Attendance(models.Model):
    """Whether a student attended a session. No record for a held session means absent."""

    session = models.ForeignKey(
        DiscussionSession, on_delete=models.CASCADE, related_name="attendances"
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    active = models.BooleanField(
        "active participation", default=False, help_text="Took an active part in the discussion."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "attendance"
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

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    old_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    old_active = models.BooleanField(null=True)
    new_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    new_active = models.BooleanField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=20, default="register", help_text="register or check-in")

    class Meta:
        ordering = ["attendance", "changed_at", "pk"]

    def __str__(self):
        return f"{self.old_status or 'none'} → {self.new_status}"


class CheckInFailure(models.Model):
    """A wrong self check-in code, kept for a while to throttle guessing."""

    session = models.ForeignKey(DiscussionSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self):
        return f"{self.user} at {self.at:%Y-%m-%d %H:%M}"
