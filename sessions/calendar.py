"""iCalendar feeds: the offering's public schedule and each student's personal feed."""

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.enums import EnrolmentStatus
from accounts.models import User
from course.models import Offering, VideoLecture
from projects import calendar as project_calendar

from .models import DiscussionSession

PRODID = "-//coursesite//discussion sessions//EN"


def sessions_for_calendar():
    """Sessions with what an event needs: offering, course, module and its lectures."""
    return DiscussionSession.objects.select_related("offering__course", "module").prefetch_related(
        Prefetch(
            "module__lectures",
            queryset=VideoLecture.objects.order_by("order", "pk").prefetch_related("parts"),
        )
    )


def session_event(session: DiscussionSession) -> Event:
    offering = session.offering
    tz = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    # Stable across moves and renames: calendars update the event instead of adding one.
    event.add("uid", f"session-{session.pk}@coursesite")
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    title = _("%(course)s: discussion session") % {"course": offering.course.title}
    if session.module:
        title = f"{offering.course.title}: {session.module.title}"
    event.add("summary", title)
    event.add("location", session.room)
    lines = []
    if session.topic:
        lines.append(session.topic)
    if session.module:
        lectures = list(session.module.lectures.all())
        if lectures:
            lines.append(_("Watch before the session:"))
            lines += [
                f"- {lecture.speaker}, {lecture.title}"
                + (f" ({lecture.parts_notation})" if lecture.parts_notation else "")
                for lecture in lectures
            ]
    if session.is_cancelled:
        lines.insert(0, f"{_('Cancelled.')} {session.cancel_reason}".strip())
    if lines:
        event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    event.add(
        "url",
        settings.SITE_URL.rstrip("/")
        + reverse(
            "sessions:schedule",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        ),
    )
    return event


def _calendar(name: str, events) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def offering_calendar(offering: Offering) -> bytes:
    """The offering's public calendar: its discussion sessions and presentation sessions."""
    sessions = sessions_for_calendar().filter(offering=offering).order_by("starts_at")
    events = [session_event(session) for session in sessions]
    events += project_calendar.presentation_session_events(offering)
    return _calendar(f"{offering.course.title} {offering.name}", events)


def personal_calendar(user: User) -> bytes:
    """The sessions of every offering the user is accepted in, their group's deadlines and
    their presentation slot."""
    sessions = (
        sessions_for_calendar()
        .filter(
            offering__enrolments__student=user,
            offering__enrolments__status=EnrolmentStatus.ACCEPTED,
        )
        .order_by("starts_at")
    )
    events = [session_event(session) for session in sessions]
    events += project_calendar.deadline_events(user)
    events += project_calendar.own_slot_events(user)
    return _calendar(_("%(name)s: courses") % {"name": user.full_name}, events)


def personal_feed_url(user: User) -> str:
    """The path of the user's personal feed; the user must have a token
    (calendar_token_reset() makes one, on a POST)."""
    return reverse("sessions:personal_ics", kwargs={"token": user.calendar_token})


def calendar_token_reset(user: User) -> str:
    """A new token, the first one or a replacement: the old feed address stops working
    (e.g. after it was shared)."""
    user.calendar_token = secrets.token_urlsafe(24)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
