"""Writes for discussion sessions and attendance; views, admin and commands call these."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Enrolment, User
from course.archive import ensure_writable
from course.caching import bump_offering, bump_person, bump_records
from course.enums import ModuleKind
from course.models import Offering
from projects.services import superseded_files_remove

from .enums import AttendanceStatus, ResultsAction
from .models import (
    Attendance,
    AttendanceChange,
    CheckInFailure,
    DiscussionSession,
    HomeVisit,
    ResultsEvent,
)

# Generating sessions ---------------------------------------------------------------------


@dataclass
class GenerationResult:
    created: list[DiscussionSession] = field(default_factory=list)
    existing: int = 0
    skipped_dates: list[date] = field(default_factory=list)


def _aware(day: date, moment) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def generate_sessions(
    *,
    offering: Offering,
    start: date,
    end: date,
    skip: Iterable[date] = (),
    per_module: int = 2,
    dry_run: bool = False,
) -> GenerationResult:
    """Create the dated sessions of the offering's weekly series between start and end.

    Sessions already generated for a series and date are left alone, so running it twice
    creates nothing new. New sessions get the regular modules in outline order, `per_module`
    sessions each, counting the offering's earlier sessions too; sessions beyond the last
    module get none. Raises ValidationError (nothing written) for a bad range.
    With dry_run the result lists the sessions that would be created, unsaved.
    """
    ensure_writable(offering)
    errors = []
    if end < start:
        errors.append(_("The last date is before the first."))
    if start < offering.start_date or end > offering.end_date:
        errors.append(
            _("Sessions must lie inside the offering (%(start)s to %(end)s).")
            % {
                "start": formats.date_format(offering.start_date, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(offering.end_date, "SHORT_DATE_FORMAT"),
            }
        )
    if per_module < 1:
        errors.append(_("Give at least one session per module."))
    series_list = list(offering.session_series.all())
    if not series_list:
        errors.append(_("The offering has no weekly series yet: add one first."))
    if errors:
        raise ValidationError(errors)
    skip = set(skip)
    result = GenerationResult()
    taken = set(
        DiscussionSession.objects.filter(series__in=series_list).values_list(
            "series_id", "series_date"
        )
    )
    candidates = []
    day = start
    while day <= end:
        for series in series_list:
            if day.weekday() != series.weekday:
                continue
            if day in skip:
                result.skipped_dates.append(day)
                continue
            if (series.pk, day) in taken:
                result.existing += 1
                continue
            candidates.append(
                DiscussionSession(
                    offering=offering,
                    series=series,
                    series_date=day,
                    starts_at=_aware(day, series.start_time),
                    ends_at=_aware(day, series.end_time),
                    room=series.room,
                )
            )
        day += timedelta(days=1)
    modules = list(offering.modules.filter(kind=ModuleKind.REGULAR).order_by("order", "pk"))
    with transaction.atomic():
        earlier = list(offering.discussion_sessions.order_by("starts_at"))
        timeline = sorted(earlier + candidates, key=lambda s: s.starts_at)
        for position, session in enumerate(timeline):
            if session.pk is None:
                index = position // per_module
                session.module = modules[index] if index < len(modules) else None
        if not dry_run:
            DiscussionSession.objects.bulk_create(candidates)
            bump_offering(offering.pk)  # the schedule (bulk_create() sends no signal)
    result.created = candidates
    return result


SCHEDULE_FIELDS = {"starts_at", "ends_at", "room", "is_cancelled"}


def session_record_change(*, session: DiscussionSession, changed: Iterable[str]) -> None:
    """Raise the session's iCalendar SEQUENCE when a change matters to calendars."""
    if SCHEDULE_FIELDS & set(changed):
        DiscussionSession.objects.filter(pk=session.pk).update(sequence=session.sequence + 1)
        session.sequence += 1
        bump_offering(session.offering_id)  # the calendar feeds (update() sends no signal)


@transaction.atomic
def session_set_cancelled(*, session: DiscussionSession, cancelled: bool) -> bool:
    """Cancel (or reinstate) a session; calendars see the change. False if nothing changed.

    A cancelled session never counts for attendance (sessions/attendance.py).
    """
    ensure_writable(session.offering)
    if session.is_cancelled == cancelled:
        return False
    session.is_cancelled = cancelled
    session.save(update_fields=["is_cancelled", "updated_at"])
    session_record_change(session=session, changed=["is_cancelled"])
    return True


# Attendance ------------------------------------------------------------------------------


def register_students(session: DiscussionSession) -> list[Enrolment]:
    """Accepted students for whom the session counts (enrolled on or before its date)."""
    enrolments = (
        Enrolment.objects.accepted()
        .filter(offering=session.offering_id)
        .select_related("student")
        .order_by("student__full_name", "pk")
    )
    day = session.local_date
    return [e for e in enrolments if e.enrolled_on is None or e.enrolled_on <= day]


def check_session_open_for_attendance(session: DiscussionSession, now=None) -> None:
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled: no attendance is taken for it."))
    if session.starts_at > now + timedelta(minutes=15):
        raise ValidationError(_("This session has not started yet: take attendance when it does."))


@dataclass
class RegisterResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@transaction.atomic
def register_save(
    *,
    session: DiscussionSession,
    entries: dict[int, tuple[str, bool]],
    by: User,
    via: str = "register",
    now=None,
) -> RegisterResult:
    """Save the register of one session: {enrolment id: (status, active)}.

    Refused with ValidationError, changing nothing, for a cancelled or future session, an
    unknown status, or an enrolment that is not an accepted student of the offering for
    whom the session counts. Runs a fixed number of queries whatever the number of students.
    Side effects: Attendance rows created or updated, an AttendanceChange row for each.
    """
    ensure_writable(session.offering)
    now = now or timezone.now()
    # Two registers saved at once (or a double tap on check-in) wait for each other here,
    # so the second sees the first one's new records instead of inserting them again.
    DiscussionSession.objects.select_for_update().filter(pk=session.pk).first()
    check_session_open_for_attendance(session, now)
    allowed = {e.pk for e in register_students(session)}
    unknown = set(entries) - allowed
    if unknown:
        raise ValidationError(
            _(
                "Some students in the form are not enrolled in this offering on the session's "
                "date; reload the page and try again."
            )
        )
    if any(status not in AttendanceStatus.values for status, _active in entries.values()):
        raise ValidationError(_("Choose present, absent or excused for every student."))
    existing = {
        a.enrolment_id: a
        for a in Attendance.objects.select_for_update().filter(
            session=session, enrolment_id__in=entries
        )
    }
    result = RegisterResult()
    new: list[Attendance] = []
    changed: list[Attendance] = []
    log: list[tuple[Attendance, str, bool | None]] = []  # (record, old status, old active)
    for enrolment_id, (status, active) in entries.items():
        record = existing.get(enrolment_id)
        if record is None:
            record = Attendance(
                session=session,
                enrolment_id=enrolment_id,
                status=status,
                active=active,
                updated_at=now,
                updated_by=by,
            )
            new.append(record)
            log.append((record, "", None))
        elif (record.status, record.active) != (status, active):
            log.append((record, record.status, record.active))
            record.status, record.active = status, active
            record.updated_at, record.updated_by = now, by
            changed.append(record)
        else:
            result.unchanged += 1
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["status", "active", "updated_at", "updated_by"])
    AttendanceChange.objects.bulk_create(
        AttendanceChange(
            attendance=record,
            old_status=old_status,
            old_active=old_active,
            new_status=record.status,
            new_active=record.active,
            changed_by=by,
            changed_at=now,
            via=via,
        )
        for record, old_status, old_active in log
    )
    result.created, result.changed = len(new), len(changed)
    if new or changed:
        bump_records(session.offering_id)  # the grid, grades, progress (bulk: no signals)
    return result


# Self check-in ---------------------------------------------------------------------------

CODE_PERIOD = 60  # seconds a code is shown before the next one
EARLY = timedelta(minutes=15)  # students may check in this long before the start
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)


def check_in_code(session: DiscussionSession, now=None, *, step: int = 0) -> str:
    """The six-digit code for the session in the current minute (or `step` minutes off).

    Derived from the secret key, so nothing is stored and every server agrees.
    """
    now = now or timezone.now()
    window = int(now.timestamp()) // CODE_PERIOD + step
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"check-in:{session.pk}:{window}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def check_in_window_open(session: DiscussionSession, now=None) -> bool:
    now = now or timezone.now()
    return session.starts_at - EARLY <= now <= session.ends_at


def next_check_in_edge(offering_ids: list[int], now) -> datetime | None:
    """The next moment a session of the offerings starts, ends or opens its check-in: the
    students' pages change then (course.caching keeps none of them longer)."""
    edges = DiscussionSession.objects.filter(
        offering_id__in=offering_ids, is_cancelled=False, ends_at__gt=now
    ).aggregate(
        opens=Min("starts_at", filter=Q(starts_at__gt=now + EARLY)),
        starts=Min("starts_at", filter=Q(starts_at__gt=now)),
        ends=Min("ends_at"),
    )
    if edges["opens"] is not None:
        edges["opens"] -= EARLY
    return min((edge for edge in edges.values() if edge is not None), default=None)


def current_check_in_session(offering: Offering, now=None) -> DiscussionSession | None:
    now = now or timezone.now()
    return (
        offering.discussion_sessions.filter(
            is_cancelled=False,
            self_check_in=True,
            starts_at__lte=now + EARLY,
            ends_at__gte=now,
        )
        .order_by("starts_at")
        .first()
    )


def check_in(*, offering: Offering, user: User, code: str, now=None) -> DiscussionSession:
    """Mark the student present in the session now running, if the code is right.

    Refused with ValidationError when no session with self check-in is running, the user is
    not an accepted student for whom it counts, too many wrong codes were tried lately, or
    the code is wrong or expired (the current and the previous minute's codes are accepted).
    Not atomic as a whole on purpose: a wrong code is recorded even though it is refused.
    """
    ensure_writable(offering)
    now = now or timezone.now()
    session = current_check_in_session(offering, now)
    if session is None:
        raise ValidationError(_("No session with self check-in is running now."))
    enrolment = next((e for e in register_students(session) if e.student_id == user.pk), None)
    if enrolment is None:
        raise ValidationError(_("Only students enrolled in this offering can check in."))
    code = "".join(code.split())
    valid = {check_in_code(session, now), check_in_code(session, now, step=-1)}
    # compare_digest takes ASCII only: anything else (full-width digits) is simply wrong.
    right = code.isascii() and any(secrets.compare_digest(code, c) for c in valid)
    # The tries are counted and a wrong one recorded under the person's row lock, so a burst
    # of guesses sent at once gets no more tries than the limit. The transaction ends
    # before the refusal is raised: a wrong code must count.
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        failures = CheckInFailure.objects.filter(user=user, at__gt=now - FAILURE_WINDOW).count()
        refusal = None
        if failures >= MAX_FAILURES:
            refusal = _(
                "Too many wrong codes: wait a few minutes, or ask the teaching assistant to "
                "mark you."
            )
        elif not right:
            CheckInFailure.objects.create(session=session, user=user, at=now)
            refusal = _("Wrong or expired code: check the screen and try again.")
    if refusal is not None:
        raise ValidationError(refusal)
    current = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    active = current.active if current else False
    if current is None or current.status != AttendanceStatus.PRESENT:
        register_save(
            session=session,
            entries={enrolment.pk: (AttendanceStatus.PRESENT, active)},
            by=user,
            via="check-in",
            now=now,
        )
    return session


# Retention --------------------------------------------------------------------------------


@transaction.atomic
def check_in_failures_purge(*, now=None) -> int:
    """Delete the wrong check-in codes older than RETENTION_CHECK_IN_FAILURE_DAYS: they are
    kept only to throttle guessing (minutes), and say when someone was at a session.

    Returns how many were deleted. Side effects: CheckInFailure rows deleted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_CHECK_IN_FAILURE_DAYS)
    deleted, _per_model = CheckInFailure.objects.filter(at__lt=cutoff).delete()
    return deleted


def offerings_signed_off_before(cutoff: datetime) -> list[int]:
    """Offerings whose results are signed off (the latest event says so) since before
    `cutoff`: their grades are final, unless the course responsible unlocks them."""
    latest: dict[int, tuple[str, datetime]] = {}
    for offering_id, action, at in ResultsEvent.objects.order_by("at", "pk").values_list(
        "offering_id", "action", "at"
    ):
        latest[offering_id] = (action, at)
    return sorted(
        offering_id
        for offering_id, (action, at) in latest.items()
        if action == ResultsAction.SIGNED_OFF and at < cutoff
    )


def superseded_files_purge(*, now=None) -> int:
    """Remove the files of superseded submission versions in offerings whose results were
    signed off more than RETENTION_SUPERSEDED_FILES_DAYS ago (time for a question about a
    grade, or an unlock). The latest version of every deliverable stays, and so does every
    version's row (projects.services.superseded_files_remove). Returns how many files go.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_SUPERSEDED_FILES_DAYS)
    return superseded_files_remove(offering_ids=offerings_signed_off_before(cutoff))


# A student's home ----------------------------------------------------------------------------


def home_visit_record(*, enrolment: Enrolment, seen_until: datetime) -> bool:
    """Remember that the student's home showed the offering's announcements up to
    `seen_until` (the newest one's publication). Moves forward only; returns whether it
    moved. It then makes the person's own pages again (course/caching.py), so that the next
    visit no longer marks those announcements as new."""
    if seen_until > timezone.now():
        raise ValidationError(_("An announcement cannot have been seen before it is published."))
    with transaction.atomic():
        visit, created = HomeVisit.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            defaults={"announcements_seen_until": seen_until},
        )
        if not created and visit.announcements_seen_until >= seen_until:
            return False
        if not created:
            visit.announcements_seen_until = seen_until
            visit.visited_at = timezone.now()
            visit.save(update_fields=["announcements_seen_until", "visited_at"])
        bump_person(enrolment.student_id)
    return True
