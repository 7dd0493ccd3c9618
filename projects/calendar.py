"""Deadlines of a student's own groups, for their personal calendar feed."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from icalendar import Event

from accounts.enums import EnrolmentStatus

from .models import Deliverable, Extension, Membership, PresentationSlot


def deadline_events(user) -> list[Event]:
    """One event per deliverable of each group the user is in, at the group's deadline."""
    memberships = list(
        Membership.objects.filter(
            enrolment__student=user, enrolment__status=EnrolmentStatus.ACCEPTED
        ).select_related("group__offering__course")
    )
    if not memberships:
        return []
    groups = {m.group.offering_id: m.group for m in memberships}
    extensions = {
        (e.deliverable_id, e.group_id): e.due_at
        for e in Extension.objects.filter(group__in=groups.values())
    }
    events = []
    for deliverable in Deliverable.objects.filter(offering__in=groups).select_related(
        "offering__course"
    ):
        group = groups[deliverable.offering_id]
        due = extensions.get((deliverable.pk, group.pk), deliverable.due_at)
        offering = deliverable.offering
        event = Event()
        event.add("uid", f"deadline-{deliverable.pk}-group-{group.pk}@coursesite")
        event.add("dtstamp", due)
        event.add("dtstart", due)
        event.add("dtend", due)
        event.add(
            "summary",
            gettext("%(course)s: %(deliverable)s due")
            % {"course": offering.course.title, "deliverable": deliverable.title},
        )
        event.add(
            "url",
            settings.SITE_URL.rstrip("/")
            + reverse("projects:my_group", args=[offering.course.slug, offering.slug]),
        )
        events.append(event)
    return events


def _presentation_event(session, offering, *, uid, summary, start, end):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", session.room)
    event.add(
        "url",
        settings.SITE_URL.rstrip("/")
        + reverse("projects:programme", args=[offering.course.slug, offering.slug]),
    )
    return event


def presentation_session_events(offering) -> list[Event]:
    """The presentation afternoons, in the offering's public calendar."""
    return [
        _presentation_event(
            session,
            offering,
            uid=f"presentations-{session.pk}@coursesite",
            summary=gettext("%(course)s: project presentations")
            % {"course": offering.course.title},
            start=session.starts_at,
            end=session.ends_at,
        )
        for session in offering.presentation_sessions.all()
    ]


def own_slot_events(user) -> list[Event]:
    """The user's group's published slot, in their personal calendar."""
    slots = PresentationSlot.objects.filter(
        published=True, group__memberships__enrolment__student=user
    ).select_related("session__offering__course", "group__proposal")
    return [
        _presentation_event(
            slot.session,
            slot.session.offering,
            uid=f"slot-{slot.pk}@coursesite",
            summary=gettext("%(course)s: you present “%(title)s”")
            % {"course": slot.session.offering.course.title, "title": slot.group.proposal.title},
            start=slot.starts_at,
            end=slot.ends_at,
        )
        for slot in slots
    ]
