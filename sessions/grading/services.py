"""The writes of grading: the default scales and rubric, assessments, final grades, the
sign-off and its undoing.

Every write is atomic, locks the offering row first (course.services.offering_lock) so
that it is serialised with a concurrent sign-off, refuses changes once the results are
signed off, and logs every grade change (GradeChange). A grade other than the proposal
needs a reason. The refusals are worded in the active language.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from simple_history.utils import bulk_create_with_history

from accounts.models import Enrolment, User
from course.archive import ensure_writable
from course.caching import bump_offering, bump_records
from course.models import Offering
from course.services import offering_lock

from ..enums import ProjectGrade, ResultsAction
from ..models import (
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    Rubric,
    RubricCriterion,
    RubricLevel,
    ScaleGrade,
)
from .defaults import DEFAULT_RUBRIC, DEFAULT_SCALES
from .mails import queue_result_mails
from .rules import rubric_suggest, unexplained_grade
from .sheet import SheetRow, current_results_state, grade_sheet, student_row


@transaction.atomic
def grading_setup_defaults(*, offering: Offering) -> tuple[int, bool]:
    """Create the 2016 scales and rubric where the offering has none. Idempotent.

    Returns (scales created, rubric created).
    """
    ensure_writable(offering)
    scales_created = 0
    for level, (name, grades) in DEFAULT_SCALES.items():
        scale, created = GradingScale.objects.get_or_create(
            offering=offering, level=level, defaults={"name": name}
        )
        if created:
            scales_created += 1
            # With their first history record (the admin shows later changes against it).
            # The labels are lazy translations (defaults.py): written in the active language.
            bulk_create_with_history(
                [
                    ScaleGrade(scale=scale, code=c, label=str(lb), passing=p, equivalent=eq)
                    for c, lb, p, eq in grades
                ],
                ScaleGrade,
            )
    rubric, rubric_created = Rubric.objects.get_or_create(offering=offering)
    if rubric_created:
        for order, (criterion_name, description, levels) in enumerate(DEFAULT_RUBRIC):
            criterion = RubricCriterion.objects.create(
                rubric=rubric, order=order, name=str(criterion_name), description=str(description)
            )
            bulk_create_with_history(
                [
                    RubricLevel(criterion=criterion, points=pt, label=str(lb), insufficient=bad)
                    for pt, lb, bad in levels
                ],
                RubricLevel,
            )
    bump_offering(offering.pk)  # the examination page (bulk_create() sends no signal)
    return scales_created, rubric_created


def _lock_offering(offering: Offering) -> Offering:
    """Serialise grade changes with sign-off: both lock the offering row first."""
    ensure_writable(offering)
    return offering_lock(offering)


def _ensure_unlocked(offering: Offering) -> None:
    signed_off_at = current_results_state(offering).signed_off_at  # None unless locked
    if signed_off_at is not None:
        day = formats.date_format(timezone.localtime(signed_off_at), "SHORT_DATE_FORMAT")
        raise ValidationError(
            _(
                "The results were signed off on %(date)s; the course responsible must unlock "
                "them before any grade changes."
            )
            % {"date": day}
        )


# Writes -----------------------------------------------------------------------------------


# A whole sentence for each field: the field's name is worded differently in each language.
NUL_REFUSALS = {
    "comment": gettext_lazy("The comment contains a NUL character; remove it and try again."),
    "grade": gettext_lazy("The grade contains a NUL character; remove it and try again."),
    "reason": gettext_lazy("The reason contains a NUL character; remove it and try again."),
}


def clean_text(value: str, what: str) -> str:
    """Text typed into a grading form, stripped; a NUL character (which PostgreSQL cannot
    store, and nobody types) is refused with a message instead of a server error.
    `what` names the field: a key of NUL_REFUSALS."""
    if "\x00" in value:
        raise ValidationError(str(NUL_REFUSALS[what]))
    return value.strip()


@transaction.atomic
def assessment_save(
    *, group, assessor: User, level_ids: dict[int, int], grade: int | None, comment: str = ""
) -> ProjectAssessment:
    """Save `assessor`'s assessment of the group's project: one level per rubric criterion.

    `grade` is the project grade the TA gives; None takes the rubric's suggestion. Refused
    with ValidationError (nothing saved) when a criterion has no level or a level belongs to
    another criterion, or when the results are signed off.
    """
    if not assessor.has_perm("discussions.assess_project", group.offering):
        raise PermissionDenied(_("Only the offering's teaching staff assess its projects."))
    comment = clean_text(comment, "comment")
    offering = _lock_offering(group.offering)
    _ensure_unlocked(offering)
    rubric = Rubric.objects.filter(offering=offering).first()
    if rubric is None:
        raise ValidationError(_("This offering has no rubric yet; create it on the grade sheet."))
    criteria = list(rubric.criteria.prefetch_related("levels"))
    chosen = []
    errors = []
    for criterion in criteria:
        levels = {lv.pk: lv for lv in criterion.levels.all()}
        level_id = level_ids.get(criterion.pk)
        level = levels.get(level_id) if level_id is not None else None
        if level is None:
            errors.append(_("Choose a level for “%(criterion)s”.") % {"criterion": criterion.name})
        else:
            chosen.append(level)
    unknown = set(level_ids) - {c.pk for c in criteria}
    if unknown:
        errors.append(_("The form names criteria of another rubric; reload the page."))
    if grade is not None and grade not in ProjectGrade.values:
        errors.append(_("%(grade)s is not a project grade (U, 3, 4 or 5).") % {"grade": grade})
    if errors:
        raise ValidationError(errors)
    suggested = rubric_suggest(rubric, chosen)
    now = timezone.now()
    assessment, _created = ProjectAssessment.objects.update_or_create(
        group=group,
        assessor=assessor,
        defaults={
            "suggested": suggested,
            "grade": suggested if grade is None else grade,
            "comment": comment.strip(),
            "updated_at": now,
        },
        create_defaults={
            "suggested": suggested,
            "grade": suggested if grade is None else grade,
            "comment": comment.strip(),
            "updated_at": now,
            "created_at": now,
        },
    )
    assessment.levels.set(chosen)
    return assessment


def _check_grade(row: SheetRow, grade: str, reason: str) -> None:
    """The rules for setting a grade; raises ValidationError with what to do."""
    student = row.enrolment.student.full_name or row.enrolment.student.email
    level = row.enrolment.get_level_display()
    if row.scale is None:
        raise ValidationError(
            _("There is no grading scale for %(level)s students; add one in the administration.")
            % {"level": level}
        )
    by_code = {g.code: g for g in row.scale.grade_list}
    if grade not in by_code:
        raise ValidationError(
            _("“%(grade)s” is not a grade of the %(level)s scale (%(codes)s).")
            % {"grade": grade, "level": level, "codes": ", ".join(by_code)}
        )
    if reason:
        return
    if by_code[grade].passing and not row.eligibility.eligible:
        raise ValidationError(
            _("%(student)s is not eligible (%(conditions)s). Give a reason to pass them anyway.")
            % {"student": student, "conditions": row.eligibility.explain()}
        )
    if row.proposed is None:
        raise ValidationError(
            _("There is no proposed grade for %(student)s (%(note)s); give a reason for %(grade)s.")
            % {"student": student, "note": row.proposal_note, "grade": grade}
        )
    if row.proposed.code != grade:
        raise ValidationError(
            _("The proposed grade for %(student)s is %(proposed)s; give a reason for %(grade)s.")
            % {"student": student, "proposed": row.proposed.code, "grade": grade}
        )


def _write_grade(row: SheetRow, grade: str, reason: str, by: User, now) -> bool:
    old = row.final.grade if row.final else ""
    proposed = row.proposed.code if row.proposed else ""
    if row.final and old == grade and row.final.reason == reason:
        return False
    FinalGrade.objects.update_or_create(
        enrolment=row.enrolment,
        defaults={
            "grade": grade,
            "proposed": proposed,
            "reason": reason,
            "set_by": by,
            "set_at": now,
        },
    )
    GradeChange.objects.create(
        enrolment=row.enrolment,
        old_grade=old,
        new_grade=grade,
        proposed=proposed,
        reason=reason,
        changed_by=by,
        changed_at=now,
    )
    return True


@transaction.atomic
def grade_set(*, enrolment: Enrolment, grade: str, reason: str = "", by: User) -> bool:
    """Set a student's final grade. Returns False when nothing changed.

    Refused with ValidationError, changing nothing: results signed off; the grade is not on
    the student's scale; without a reason, a grade other than the proposed one (a passing
    grade for an ineligible student in particular). Side effects: FinalGrade, GradeChange.
    """
    _lock_offering(enrolment.offering)
    _ensure_unlocked(enrolment.offering)
    enrolment = Enrolment.objects.select_related("student", "offering__course").get(
        pk=enrolment.pk
    )  # as it is now that the offering is locked, not as the caller loaded it
    if not enrolment.is_accepted:
        raise ValidationError(_("Only accepted students get a grade."))
    row = student_row(enrolment)
    grade, reason = clean_text(grade, "grade"), clean_text(reason, "reason")
    _check_grade(row, grade, reason)
    return _write_grade(row, grade, reason, by, timezone.now())


@transaction.atomic
def grades_accept_proposed(*, offering: Offering, by: User) -> int:
    """Give every ungraded student with a proposed grade that grade. Returns how many."""
    _lock_offering(offering)
    _ensure_unlocked(offering)
    now = timezone.now()
    # (row, proposed grade): every proposable row has a proposal.
    rows = [
        (r, r.proposed)
        for r in grade_sheet(offering, fresh=True).proposable
        if r.proposed is not None
    ]
    # A row may exist with a code its scale no longer has: update it, keeping what the
    # student was mailed, so that a changed result is mailed again and an unchanged one not.
    stale = [(r.final, proposed) for r, proposed in rows if r.final is not None]
    old = {final.enrolment_id: final.grade for final, _proposed in stale}
    for final, proposed in stale:
        final.grade = final.proposed = proposed.code
        final.reason, final.set_by, final.set_at = "", by, now
    FinalGrade.objects.bulk_update(
        [final for final, _proposed in stale], ["grade", "proposed", "reason", "set_by", "set_at"]
    )
    FinalGrade.objects.bulk_create(
        FinalGrade(
            enrolment=r.enrolment,
            grade=proposed.code,
            proposed=proposed.code,
            set_by=by,
            set_at=now,
        )
        for r, proposed in rows
        if r.final is None
    )
    bump_records(offering.pk)  # the sheet and the students' pages (bulk: no signals)
    GradeChange.objects.bulk_create(
        GradeChange(
            enrolment=r.enrolment,
            old_grade=old.get(r.enrolment.pk, ""),
            new_grade=proposed.code,
            proposed=proposed.code,
            changed_by=by,
            changed_at=now,
        )
        for r, proposed in rows
    )
    return len(rows)


class UngradedStudents(ValidationError):
    pass


@transaction.atomic
def results_sign_off(*, offering: Offering, by: User) -> int:
    """The course responsible signs off the results: grades lock and students are told.

    Refused when `by` is not the course responsible, when the results are signed off already,
    or while a student has no grade (the message names them). Side effects: ResultsEvent;
    a result mail queued to every student whose grade they have not been mailed yet.
    Returns the number of mails queued.
    """
    if not by.has_perm("discussions.sign_off_results", offering):
        raise PermissionDenied(_("Only the course responsible signs off the results."))
    offering = _lock_offering(offering)
    if current_results_state(offering).locked:
        raise ValidationError(_("The results are signed off already."))
    sheet = grade_sheet(offering, fresh=True)
    if sheet.ungraded:
        names = ", ".join(
            r.enrolment.student.full_name or r.enrolment.student.email for r in sheet.ungraded
        )
        count = len(sheet.ungraded)
        raise UngradedStudents(
            ngettext(
                "%(count)d student has no grade yet: %(names)s.",
                "%(count)d students have no grade yet: %(names)s.",
                count,
            )
            % {"count": count, "names": names}
        )
    # (row, final grade): unexplained_grade() holds only for a row with a final grade.
    unexplained = [(r, r.final) for r in sheet.rows if r.final is not None and unexplained_grade(r)]
    if unexplained:
        details = "; ".join(
            _("%(student)s has %(grade)s, proposed now %(proposed)s")
            % {
                "student": r.enrolment.student.full_name or r.enrolment.student.email,
                "grade": final.grade,
                "proposed": r.proposed.code if r.proposed else pgettext("no grade", "none"),
            }
            for r, final in unexplained
        )
        count = len(unexplained)
        raise ValidationError(
            ngettext(
                "%(count)d grade no longer matches the conditions or the project grade and has "
                "no reason: %(details)s. Set them again, or give the reason on the student's "
                "page.",
                "%(count)d grades no longer match the conditions or the project grade and have "
                "no reason: %(details)s. Set them again, or give the reason on the student's "
                "page.",
                count,
            )
            % {"count": count, "details": details}
        )
    now = timezone.now()
    ResultsEvent.objects.create(offering=offering, action=ResultsAction.SIGNED_OFF, by=by, at=now)
    return queue_result_mails(sheet)


@transaction.atomic
def results_unlock(*, offering: Offering, by: User, reason: str) -> ResultsEvent:
    """Unlock signed-off results so grades can change again; the reason is recorded."""
    if not by.has_perm("discussions.sign_off_results", offering):
        raise PermissionDenied(_("Only the course responsible unlocks the results."))
    offering = _lock_offering(offering)
    if not current_results_state(offering).locked:
        raise ValidationError(_("The results are not signed off, so there is nothing to unlock."))
    reason = clean_text(reason, "reason")
    if not reason:
        raise ValidationError(_("Say why the results are unlocked; the reason is kept."))
    return ResultsEvent.objects.create(
        offering=offering, action=ResultsAction.UNLOCKED, by=by, reason=reason
    )
