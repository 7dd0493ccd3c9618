"""Reads of a student's own enrolments (nobody else's are ever returned), and, for the
offering's staff, the offering's list."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from course.models import Offering

from .enums import EnrolmentStatus, MailStatus
from .models import Enrolment, ExternalIdentity, OutgoingMail, User


def student_enrolments(user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(student=user)
        .select_related("offering__course")
        .order_by("-offering__start_date", "-pk")
    )


def offering_enrolments(offering: Offering, status: str | None = None) -> QuerySet[Enrolment]:
    """The offering's applications and enrolments by name (staff only: the caller asks
    `accounts.view_enrolment`), optionally of one status."""
    enrolments = (
        Enrolment.objects.filter(offering=offering)
        .select_related("student")
        .order_by("student__full_name", "pk")
    )
    return enrolments.filter(status=status) if status else enrolments


def own_enrolment(*, user: User, course_slug: str, offering_slug: str) -> Enrolment:
    """The user's enrolment in the offering; 404 when they have none."""
    enrolment = (
        Enrolment.objects.filter(
            student=user,
            offering__course__slug=course_slug,
            offering__slug=offering_slug,
        )
        .select_related("offering__course")
        .first()
    )
    if enrolment is None:
        raise Http404(_("You have no application to this offering."))
    return enrolment


def accepted_enrolment(user, offering: Offering) -> Enrolment | None:
    """The user's accepted enrolment in the offering, or None (also for anonymous users)."""
    if not user.is_authenticated:
        return None
    return Enrolment.objects.accepted().filter(offering=offering, student=user).first()


def enrolment_of(*, user: User, offering: Offering) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(student=user, offering=offering).first()


def waiting_position(enrolment: Enrolment) -> int | None:
    """1 for the first on the waiting list; None when the enrolment is not waitlisted."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    # The order the waiting list moves up in: applied_at, then pk for equal times.
    ahead = Enrolment.objects.waiting_list().filter(
        Q(applied_at__lt=enrolment.applied_at)
        | Q(applied_at=enrolment.applied_at, pk__lt=enrolment.pk),
        offering=enrolment.offering_id,
    )
    return ahead.count() + 1


def personal_offerings(user: User) -> list[tuple[int, str, str]]:
    """The offerings the person has applied to or teaches, as (id, course slug, offering
    slug): what their own pages may show something of (course/caching.py keys them so)."""
    return list(
        Offering.objects.filter(Q(enrolments__student=user) | Q(staff__user=user))
        .distinct()
        .order_by("pk")
        .values_list("pk", "course__slug", "slug")
    )


def waiting_work(offering: Offering) -> dict[str, int]:
    """What waits for the offering's staff in registration: applications to decide and
    mails held for review. Two queries."""
    return {
        "applications": Enrolment.objects.filter(
            offering=offering, status=EnrolmentStatus.APPLIED
        ).count(),
        "mails_to_review": OutgoingMail.objects.filter(
            offering=offering, status=MailStatus.REVIEW
        ).count(),
    }


def external_identity_of(user) -> ExternalIdentity | None:
    """The person's linked university log-in (accounts/sso.py), if any: one query."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ExternalIdentity.objects.filter(user=user).order_by("linked_at").first()
