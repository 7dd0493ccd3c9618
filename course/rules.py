"""Who may do what with course content, in one place.

Teaching rights come from course.Staff entries linked to an account, and reach only the
offerings that list the account. Superusers get everything through Django's ModelBackend.
"""

import rules

from .enums import StaffRole
from .models import (
    Course,
    LecturePart,
    Module,
    Offering,
    Quiz,
    QuizChoice,
    QuizQuestion,
    Staff,
    VideoLecture,
)


def taught_offering_ids(user) -> frozenset[int]:
    """Ids of the offerings the user teaches, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_taught_offering_ids", None)
    if cached is None:
        cached = frozenset(user.staff_roles.values_list("offering_id", flat=True))
        user._taught_offering_ids = cached
    return cached


def offering_id_of(obj) -> int | None:
    if isinstance(obj, Offering):
        return obj.pk
    if isinstance(obj, Module):
        return obj.offering_id
    if isinstance(obj, VideoLecture):
        return obj.module.offering_id
    if isinstance(obj, LecturePart):
        return obj.lecture.module.offering_id
    if isinstance(obj, Quiz):
        return obj.module.offering_id
    if isinstance(obj, QuizQuestion):
        return obj.quiz.module.offering_id
    if isinstance(obj, QuizChoice):
        return obj.question.quiz.module.offering_id
    return getattr(obj, "offering_id", None)


@rules.predicate
def teaches(user, obj=None) -> bool:
    """Without an object: teaches some offering. With one: teaches the offering it belongs to."""
    ids = taught_offering_ids(user)
    if obj is None:
        return bool(ids)
    return offering_id_of(obj) in ids


@rules.predicate
def teaches_course(user, course=None) -> bool:
    ids = taught_offering_ids(user)
    if course is None:
        return bool(ids)
    if not isinstance(course, Course):
        return False
    return Offering.objects.filter(course=course, pk__in=ids).exists()


@rules.predicate
def is_responsible(user, offering=None) -> bool:
    """The course responsible of the offering (a linked Staff entry with that role): the
    examiner, who signs the results off. Only administrators change a linked entry's role."""
    if offering is None or not user.is_authenticated:
        return False
    return Staff.objects.filter(
        offering=offering_id_of(offering), user=user, role=StaffRole.RESPONSIBLE
    ).exists()


is_superuser = rules.is_superuser

# Courses are shared by their offerings: staff of any run may edit the text, only
# administrators create or delete courses.
rules.add_perm("course.view_course", teaches_course)
rules.add_perm("course.change_course", teaches_course)

# Offerings: staff see and edit their own; creating one makes its creator its staff
# (see services.offering_create). Deleting an offering deletes all its records, so only
# administrators may.
rules.add_perm("course.view_offering", teaches)
rules.add_perm("course.change_offering", teaches)
rules.add_perm("course.add_offering", teaches)

for model in ("module", "videolecture", "lecturepart", "staff", "announcement", "quiz",
              "quizquestion", "quizchoice"):  # fmt: skip
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"course.{action}_{model}", teaches)

# Seeing the enrollment key and unpublished offerings on the public pages; being staff of
# the offering at all (course.pages.OfferingStaffMixin tells such a visitor 403, not 404,
# when a page needs a right they lack).
rules.add_perm("course.see_offering_internals", is_superuser | teaches)

# The staff pages of course (asked with the offering).
rules.add_perm("course.view_quiz_statistics", teaches)
