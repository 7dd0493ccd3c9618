"""Writes to course content. Views, admin and commands call these instead of saving directly."""

from django.db import transaction

from .caching import bump_offering
from .enums import StaffRole
from .models import LecturePart, Offering, Staff, VideoLecture
from .validators import parse_lecture_parts


def offering_lock(offering: Offering) -> Offering:
    """Lock the offering's row until the transaction ends, and return it as it is now.

    The one lock that serialises the writes an offering's rules count under: seats
    (capacity and the waiting list), group numbers, grading against the sign-off. Call it
    inside transaction.atomic, before reading what the rule counts. Row locks need
    PostgreSQL; SQLite serialises whole write transactions instead.
    """
    return Offering.objects.select_for_update().get(pk=offering.pk)


@transaction.atomic
def lecture_set_parts(*, lecture: VideoLecture, notation: str) -> list[LecturePart]:
    """Replace the lecture's parts by those written in the course notation ("Lec1, Lec2:1-2:11").

    Raises ValidationError and changes nothing when the notation does not parse.
    Side effects: deletes the lecture's old LecturePart rows and creates new ones.
    """
    parsed = parse_lecture_parts(notation)
    current = [str(part) for part in lecture.parts.all()]
    if current == [str(part) for part in parsed]:
        return list(lecture.parts.all())
    lecture.parts.all().delete()
    bump_offering(lecture.module.offering_id)  # bulk_create() sends no signal
    return LecturePart.objects.bulk_create(
        LecturePart(
            lecture=lecture,
            order=index,
            name=part.name,
            range_start=part.range_start,
            range_end=part.range_end,
        )
        for index, part in enumerate(parsed, start=1)
    )


@transaction.atomic
def offering_add_creator_as_staff(*, offering: Offering, user) -> Staff | None:
    """Make the account that created an offering its staff, so it can go on editing it.

    Administrators have rights everywhere already and are not added.
    """
    if user.is_superuser or offering.staff.filter(user=user).exists():
        return None
    staff = Staff.objects.create(
        offering=offering,
        user=user,
        name=user.full_name or user.email,
        email=user.email,
        role=StaffRole.TEACHING_ASSISTANT,
    )
    if hasattr(user, "_taught_offering_ids"):
        del user._taught_offering_ids
    return staff
