"""Placing accepted projects into presentation slots, and changing the programme by hand."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from course.archive import ensure_writable
from course.caching import bump_offering, bump_records
from course.models import Offering

from .enums import ProposalStatus
from .models import PresentationSession, PresentationSlot, PresentationWish, ProjectGroup


@dataclass
class Schedule:
    placed: dict = field(default_factory=dict)  # group -> session
    kept: list = field(default_factory=list)  # published slots left as they were
    sessions: list = field(default_factory=list)


def allocate(groups, sessions, wishes, taken=None) -> dict:
    """Assign each group a session: pure and deterministic (same input, same answer).

    `wishes` maps (group pk, session pk) to "prefer" or "cannot"; `taken` maps session pk to
    places already used. Groups with the fewest possible sessions go first; each tries its
    preferred sessions, then the others with the most room left (earlier first). When a
    group finds no room, groups placed before it are moved along an augmenting path, so
    everyone is placed whenever any placement exists (a maximum matching with capacities).
    Raises ValidationError naming what does not fit.
    """
    taken = dict(taken or {})
    room = {s.pk: max(s.capacity - taken.get(s.pk, 0), 0) for s in sessions}
    total = sum(room.values())
    if len(groups) > total:
        projects = ngettext(
            "%(count)s project to place", "%(count)s projects to place", len(groups)
        ) % {"count": len(groups)}
        slots = ngettext("%(count)s free slot", "%(count)s free slots", total) % {"count": total}
        raise ValidationError(
            gettext("%(projects)s, %(slots)s: add a presentation session or shorten the slots.")
            % {"projects": projects, "slots": slots}
        )
    position = {s.pk: i for i, s in enumerate(sessions)}

    def possible(group):
        return [s for s in sessions if wishes.get((group.pk, s.pk)) != PresentationWish.CANNOT]

    def ranked(group):
        def key(s):
            preferred = wishes.get((group.pk, s.pk)) == PresentationWish.PREFER
            return (not preferred, -room[s.pk], position[s.pk])

        return sorted(possible(group), key=key)

    placed: dict = {}
    members: dict = {s.pk: [] for s in sessions}

    def place(group, visited) -> bool:
        for session in ranked(group):
            if session.pk in visited:
                continue
            visited.add(session.pk)
            if room[session.pk] > 0:
                room[session.pk] -= 1
                members[session.pk].append(group)
                placed[group] = session
                return True
            for other in list(members[session.pk]):
                members[session.pk].remove(other)
                if place(other, visited):
                    members[session.pk].append(group)
                    placed[group] = session
                    return True
                members[session.pk].append(other)
        return False

    for group in sorted(groups, key=lambda g: (len(possible(g)), g.number)):
        if not possible(group):
            raise ValidationError(
                gettext("%(group)s cannot attend any presentation session.") % {"group": group}
            )
        if not place(group, set()):
            raise ValidationError(
                gettext(
                    "%(group)s cannot attend any session with a free slot: ask the group "
                    "again, or add a session."
                )
                % {"group": group}
            )
    return placed


@transaction.atomic
def schedule_presentations(
    *, offering: Offering, reschedule: bool = False, publish: bool = False, dry_run: bool = False
) -> Schedule:
    """Place every accepted project of the offering into a presentation slot.

    Published slots stay where they are unless `reschedule`; unpublished ones are redone.
    Raises ValidationError (nothing written) when the projects do not fit.
    """
    ensure_writable(offering)
    sessions = list(
        PresentationSession.objects.select_for_update()
        .filter(offering=offering)
        .order_by("starts_at")
    )
    if not sessions:
        raise ValidationError(gettext("The offering has no presentation sessions: add them first."))
    groups = list(
        ProjectGroup.objects.filter(
            offering=offering, proposal__status=ProposalStatus.ACCEPTED
        ).order_by("number")
    )
    slots = PresentationSlot.objects.filter(session__in=sessions)
    kept = [] if reschedule else list(slots.filter(published=True, group__isnull=False))
    kept_groups = {slot.group_id for slot in kept}
    taken: dict[int, int] = {}  # session id -> places kept
    for slot in kept:
        taken[slot.session_id] = taken.get(slot.session_id, 0) + 1
    to_place = [g for g in groups if g.pk not in kept_groups]
    wishes = {
        (w.group_id, w.session_id): w.wish
        for w in PresentationWish.objects.filter(session__in=sessions)
    }
    placed = allocate(to_place, sessions, wishes, taken)
    schedule = Schedule(placed=placed, kept=kept, sessions=sessions)
    if dry_run:
        transaction.set_rollback(True)
        return schedule
    slots.exclude(pk__in=[slot.pk for slot in kept]).delete()
    for session in sessions:
        own_kept = sorted((s for s in kept if s.session_id == session.pk), key=lambda s: s.position)
        newcomers = sorted(
            (g for g, s in placed.items() if s.pk == session.pk), key=lambda g: g.number
        )
        used = {slot.position for slot in own_kept}
        position = 0
        for group in newcomers:
            while position in used:
                position += 1
            start = session.starts_at + timedelta(
                minutes=position * (session.slot_minutes + session.gap_minutes)
            )
            PresentationSlot.objects.create(
                session=session,
                position=position,
                group=group,
                starts_at=start,
                ends_at=start + timedelta(minutes=session.slot_minutes),
                published=publish,
            )
            used.add(position)
    if publish:
        PresentationSlot.objects.filter(session__in=sessions).update(published=True)
    for session in sessions:
        slots_retime(session=session)
    bump_offering(offering.pk)  # the programme (update() sends no signal)
    return schedule


def slots_retime(*, session: PresentationSession) -> None:
    """Give every slot of the session the time its position says: after the session moved,
    or its slot length changed, no two slots overlap and the programme shows the new times."""
    step = timedelta(minutes=session.slot_minutes + session.gap_minutes)
    for slot in PresentationSlot.objects.filter(session=session):
        start = session.starts_at + slot.position * step
        end = start + timedelta(minutes=session.slot_minutes)
        if (slot.starts_at, slot.ends_at) != (start, end):
            PresentationSlot.objects.filter(pk=slot.pk).update(starts_at=start, ends_at=end)
    bump_offering(session.offering_id)


@transaction.atomic
def slots_swap(*, first: PresentationSlot, second: PresentationSlot) -> None:
    """Swap the projects of two slots of one offering (the times stay with the slots)."""
    first, second = (
        PresentationSlot.objects.select_for_update().select_related("session").get(pk=first.pk),
        PresentationSlot.objects.select_for_update().select_related("session").get(pk=second.pk),
    )
    if first.session.offering_id != second.session.offering_id:
        raise ValidationError(gettext("Both slots must belong to the same offering."))
    group_one, group_two = first.group_id, second.group_id
    PresentationSlot.objects.filter(pk=first.pk).update(group=None)
    PresentationSlot.objects.filter(pk=second.pk).update(group=group_one)
    PresentationSlot.objects.filter(pk=first.pk).update(group=group_two)
    bump_offering(first.session.offering_id)


@transaction.atomic
def wishes_save(*, group: ProjectGroup, wishes: dict, now=None) -> None:
    """Replace the group's wishes: {session: "prefer" | "cannot" | ""} before the deadline."""
    ensure_writable(group.offering)

    now = now or timezone.now()
    ProjectGroup.objects.select_for_update().filter(pk=group.pk).first()  # one save at a time
    deadline = group.offering.preferences_deadline
    if deadline and now > deadline:
        raise ValidationError(gettext("The deadline for presentation wishes has passed."))
    sessions = {s.pk for s in group.offering.presentation_sessions.all()}
    if any(session.pk not in sessions for session in wishes):
        raise ValidationError(gettext("That presentation session belongs to another course."))
    if (
        wishes
        and all(w == PresentationWish.CANNOT for w in wishes.values())
        and len(wishes) == len(sessions)
    ):
        raise ValidationError(gettext("Your group must be able to attend at least one session."))
    PresentationWish.objects.filter(group=group).delete()
    PresentationWish.objects.bulk_create(
        PresentationWish(group=group, session=session, wish=wish)
        for session, wish in wishes.items()
        if wish
    )
    bump_records(group.offering_id)  # bulk_create() sends no signal


@transaction.atomic
def programme_publish(*, sessions) -> int:
    """Publish the slots of these presentation sessions; returns how many."""
    sessions = list(sessions)
    for offering in {s.offering for s in sessions}:
        ensure_writable(offering)
    published = PresentationSlot.objects.filter(session__in=sessions).update(published=True)
    for offering_id in {s.offering_id for s in sessions}:
        bump_offering(offering_id)
    return published
