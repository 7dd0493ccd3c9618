"""What a student's home (/me/) remembers of their last visit."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HomeVisit(models.Model):
    """Up to which announcement of the offering the student has been shown on their home:
    the home marks those published later as new. Written by
    sessions.services.home_visit_record() only when the home showed something new, so that
    the kept page (accounts.pages.PersonalPageMixin) stays valid between visits."""

    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="home_visit",
        verbose_name=_("enrolment"),
    )
    announcements_seen_until = models.DateTimeField(
        _("announcements seen until"),
        help_text=_("The publication time of the newest announcement shown on the home."),
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self):
        return str(self.enrolment_id)
