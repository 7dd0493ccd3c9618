"""Deadlines of a student's own groups, for their personal calendar feed."""

from django.conf import settings
from django.urls import reverse
from icalendar import Event

from .models import Deliverable, Extension, Membership


def deadline_events(user) -> list[Event]:
    """One event per deliverable of each group the user is in, at the group's deadline."""
    memberships = list(
        Membership.objects.filter(enrolment__student=user).select_related("group__offering__course")
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
        event.add("summary", f"{offering.course.title}: {deliverable.title} due")
        event.add(
            "url",
            settings.SITE_URL.rstrip("/")
            + reverse("projects:my_group", args=[offering.course.slug, offering.slug]),
        )
        events.append(event)
    return events
