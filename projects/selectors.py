"""Reads of groups, proposals and deliverable states, with fixed query counts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.enums import EnrolmentStatus
from accounts.models import Enrolment
from course.caching import offering_cached
from course.models import Module, Offering
from course.rules import taught_offering_ids

from .enums import DeliverableState, ProposalStatus
from .models import (
    Deliverable,
    Extension,
    Membership,
    PresentationSession,
    PresentationSlot,
    PresentationWish,
    ProjectGroup,
    Submission,
)


def members_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("enrolment__student").order_by("joined_at"),
    )


def groups_with_proposals(offering: Offering) -> QuerySet[ProjectGroup]:
    return (
        offering.project_groups.select_related("proposal")
        .prefetch_related(
            members_prefetch(),
            Prefetch("proposal__topics", queryset=Module.objects.order_by("order")),
        )
        .order_by("number")
    )


def public_projects(offering: Offering) -> QuerySet[ProjectGroup]:
    """Accepted proposals, and submitted ones where the offering shows them."""
    shown = [ProposalStatus.ACCEPTED]
    if offering.show_submitted_proposals:
        shown.append(ProposalStatus.SUBMITTED)
    return groups_with_proposals(offering).filter(proposal__status__in=shown)


def group_of(enrolment: Enrolment) -> ProjectGroup | None:
    """The student's group, with its proposal, members and topics (three queries)."""
    return (
        ProjectGroup.objects.filter(memberships__enrolment=enrolment)
        .select_related("proposal__updated_by", "offering__course")
        .prefetch_related(
            members_prefetch(),
            Prefetch("proposal__topics", queryset=Module.objects.order_by("order")),
        )
        .first()
    )


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    due: datetime
    extended: bool
    submissions: list  # newest first
    state: str
    now: datetime

    @property
    def latest(self):
        return self.submissions[0] if self.submissions else None

    @property
    def time_left(self) -> timedelta:
        return self.due - self.now

    @property
    def state_label(self) -> str:
        return str(DeliverableState(self.state).label)


def deliverable_rows(offering: Offering, group: ProjectGroup | None, *, now=None):
    """Every deliverable of the offering with the group's deadline, versions and state."""
    now = now or timezone.now()
    deliverables = offering_cached(
        offering, "deliverables", lambda: list(offering.deliverables.order_by("order", "due_at"))
    )
    extensions: dict[int, Extension] = {}  # deliverable id -> the group's extension
    submissions: dict[int, list[Submission]] = {}  # deliverable id -> versions, newest first
    if group is not None:
        extensions = {e.deliverable_id: e for e in Extension.objects.filter(group=group)}
        for submission in (
            Submission.objects.filter(group=group)
            .select_related("uploaded_by", "feedback_by")
            .order_by("-version")
        ):
            submissions.setdefault(submission.deliverable_id, []).append(submission)
    rows = []
    for deliverable in deliverables:
        extension = extensions.get(deliverable.pk)
        due = deliverable.due_for(extension)
        versions = submissions.get(deliverable.pk, [])
        rows.append(
            DeliverableRow(
                deliverable=deliverable,
                due=due,
                extended=extension is not None,
                submissions=versions,
                state=state_of(versions, due, deliverable, now),
                now=now,
            )
        )
    return rows


def state_of(versions, due, deliverable, now) -> str:
    if versions:
        return DeliverableState.LATE if versions[0].late_by else DeliverableState.ON_TIME
    if now <= due:
        return DeliverableState.NOT_DUE
    if not deliverable.required and not deliverable.accepts_late:
        return DeliverableState.SKIPPED
    return DeliverableState.OVERDUE if deliverable.accepts_late else DeliverableState.CLOSED


def project_status_rows(offering: Offering, *, now=None):
    """Groups with members, proposal and each deliverable's state: for staff and the command.

    Five queries whatever the number of groups.
    """
    now = now or timezone.now()
    groups = list(groups_with_proposals(offering))
    deliverables = list(offering.deliverables.order_by("order", "due_at"))
    extensions = {
        (e.deliverable_id, e.group_id): e
        for e in Extension.objects.filter(deliverable__offering=offering)
    }
    latest: dict[tuple[int, int], Submission] = {}
    for version in Submission.objects.filter(deliverable__offering=offering).order_by("version"):
        latest[(version.deliverable_id, version.group_id)] = version
    rows = []
    for group in groups:
        cells = []
        for deliverable in deliverables:
            extension = extensions.get((deliverable.pk, group.pk))
            due = deliverable.due_for(extension)
            submission = latest.get((deliverable.pk, group.pk))
            versions = [submission] if submission else []
            cells.append((deliverable, submission, state_of(versions, due, deliverable, now)))
        rows.append((group, cells))
    return deliverables, rows


def staff_can_see(user, offering) -> bool:
    return user.has_perm("course.see_offering_internals", offering)


def submissions_visible_to(user) -> QuerySet[Submission]:
    """Submissions of the user's own groups and of the offerings they teach."""
    if user.is_superuser:
        return Submission.objects.all()
    return Submission.objects.filter(
        Q(
            group__memberships__enrolment__student=user,
            group__memberships__enrolment__status=EnrolmentStatus.ACCEPTED,
        )
        | Q(deliverable__offering__in=taught_offering_ids(user))
    ).distinct()


def programme(offering: Offering, *, include_unpublished: bool = False):
    """Presentation sessions with their slots, projects and presenters: four queries."""
    slots = PresentationSlot.objects.select_related("group__proposal").prefetch_related(
        Prefetch(
            "group__memberships",
            queryset=Membership.objects.select_related("enrolment__student"),
        )
    )
    if not include_unpublished:
        slots = slots.filter(published=True)
    return list(
        PresentationSession.objects.filter(offering=offering)
        .order_by("starts_at")
        .prefetch_related(Prefetch("slots", queryset=slots.order_by("position")))
    )


def presentation_for(group: ProjectGroup):
    """The group's sessions with its wishes, and its published slot if it has one."""
    sessions = list(group.offering.presentation_sessions.order_by("starts_at"))
    wishes = dict(PresentationWish.objects.filter(group=group).values_list("session_id", "wish"))
    slot = (
        PresentationSlot.objects.filter(group=group, published=True)
        .select_related("session")
        .first()
    )
    return {
        "sessions": [(session, wishes.get(session.pk, "")) for session in sessions],
        "slot": slot,
        "deadline": group.offering.preferences_deadline,
        "open": group.offering.preferences_deadline is None
        or timezone.now() <= group.offering.preferences_deadline,
    }


def next_deadline(offering_ids: list[int], now) -> datetime | None:
    """The next deliverable deadline or extended one of the offerings (course.caching)."""
    later = [
        Deliverable.objects.filter(offering_id__in=offering_ids, due_at__gt=now)
        .aggregate(Min("due_at"))
        .popitem()[1],
        Extension.objects.filter(deliverable__offering_id__in=offering_ids, due_at__gt=now)
        .aggregate(Min("due_at"))
        .popitem()[1],
    ]
    return min((moment for moment in later if moment is not None), default=None)


def next_deadline_row(rows: list[DeliverableRow]) -> DeliverableRow | None:
    """Of deliverable_rows(), the one whose deadline (the group's, with its extension)
    comes next; None when every deadline has passed."""
    ahead = [row for row in rows if row.time_left.total_seconds() > 0]
    return min(ahead, key=lambda row: row.due, default=None)
