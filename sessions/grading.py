"""Examination: eligibility, the rubric's suggestion, proposed and final grades, sign-off.

The one place for the grading rules (the 2016 examination text): a student passes when they
attended at least the offering's threshold of discussion sessions, their group handed in
every required deliverable and presented, and the project is of sufficient quality; the
project grade (U, 3, 4, 5 from the rubric and the TA) then maps onto the student's scale
(MSc U/3/4/5, PhD U/G/VG with 3 → G and 4, 5 → VG).

Reads load a whole offering in a fixed number of queries (grade_sheet); writes are atomic,
lock the offering row against a concurrent sign-off, and log every grade change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from accounts.enums import EnrolmentStatus, Level, MailKind, MailStatus
from accounts.mailing import absolute_url
from accounts.models import Enrolment, OutgoingMail, User
from course.archive import ensure_writable
from course.enums import StaffRole
from course.models import Offering, Staff
from course.rules import taught_offering_ids

from .attendance import AttendanceSummary, attendance_summaries
from .enums import ConditionState, ProjectGrade, ResultsAction
from .models import (
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

# Scales and rubric ----------------------------------------------------------------------

DEFAULT_SCALES = {
    Level.MSC: (
        "U, 3, 4, 5",
        [
            ("U", "Fail", False, ProjectGrade.FAIL),
            ("3", "Pass", True, ProjectGrade.THREE),
            ("4", "Pass with credit", True, ProjectGrade.FOUR),
            ("5", "Pass with distinction", True, ProjectGrade.FIVE),
        ],
    ),
    Level.PHD: (
        "U, G, VG",
        [
            ("U", "Fail", False, ProjectGrade.FAIL),
            ("G", "Pass", True, ProjectGrade.THREE),
            ("VG", "Pass with distinction", True, ProjectGrade.FOUR),
        ],
    ),
}

# The 2016 examination text: "Cover a couple of topics from course for passing grade; more
# topics for higher grades" and "projects that show a deeper understanding ... 4 or 5".
DEFAULT_RUBRIC = [
    (
        "Topics covered",
        "The course modules the project uses (listed in the proposal).",
        [
            (0, "Fewer than two topics", True),
            (1, "A couple of topics", False),
            (2, "Three topics, combined", False),
            (3, "Four or more topics, well connected", False),
        ],
    ),
    (
        "Depth of understanding",
        "Choices motivated, results analysed, limitations known.",
        [
            (0, "Insufficient: methods misunderstood", True),
            (1, "Methods applied soundly", False),
            (2, "Choices motivated and results analysed", False),
            (3, "Insight beyond the lectures", False),
        ],
    ),
    (
        "Report",
        "The 4-page report: structure, clarity, figures, references.",
        [
            (0, "Insufficient or missing", True),
            (1, "Clear enough to follow", False),
            (2, "Well written with good figures", False),
            (3, "Of workshop-paper quality", False),
        ],
    ),
    (
        "Presentation",
        "The 20-minute talk and the answers to questions.",
        [
            (0, "Insufficient", True),
            (1, "Adequate", False),
            (2, "Clear and well timed", False),
            (3, "Excellent, answers show command of the subject", False),
        ],
    ),
]


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
            ScaleGrade.objects.bulk_create(
                ScaleGrade(scale=scale, code=c, label=lb, passing=p, equivalent=eq)
                for c, lb, p, eq in grades
            )
    rubric, rubric_created = Rubric.objects.get_or_create(offering=offering)
    if rubric_created:
        for order, (name, description, levels) in enumerate(DEFAULT_RUBRIC):
            criterion = RubricCriterion.objects.create(
                rubric=rubric, order=order, name=name, description=description
            )
            RubricLevel.objects.bulk_create(
                RubricLevel(criterion=criterion, points=pt, label=lb, insufficient=bad)
                for pt, lb, bad in levels
            )
    return scales_created, rubric_created


def scale_grade_for(grades: list[ScaleGrade], project_grade: int) -> ScaleGrade | None:
    """The grade of a scale a project grade maps to: the highest equivalent at or below it."""
    fitting = [g for g in grades if g.equivalent <= project_grade]
    return max(fitting, key=lambda g: g.equivalent) if fitting else None


def failing_grade(grades: list[ScaleGrade]) -> ScaleGrade | None:
    failing = [g for g in grades if not g.passing]
    return min(failing, key=lambda g: g.equivalent) if failing else None


def rubric_suggest(rubric: Rubric, levels: list[RubricLevel]) -> int:
    """The project grade the rubric suggests: any insufficient level fails the project; else
    the points against the rubric's bands (a couple of topics → 3, more and deeper → 4, 5)."""
    if any(level.insufficient for level in levels):
        return ProjectGrade.FAIL
    points = sum(level.points for level in levels)
    if points >= rubric.points_for_5:
        return ProjectGrade.FIVE
    if points >= rubric.points_for_4:
        return ProjectGrade.FOUR
    if points >= rubric.points_for_3:
        return ProjectGrade.THREE
    return ProjectGrade.FAIL


def grading_overview(offering: Offering) -> tuple[list[GradingScale], list[RubricCriterion]]:
    """The scales and the rubric, for the public examination page: three queries."""
    scales: dict[int, GradingScale] = {}
    for grade in ScaleGrade.objects.filter(scale__offering=offering).select_related("scale"):
        scale = scales.setdefault(grade.scale_id, grade.scale)
        scale.__dict__.setdefault("grade_list", []).append(grade)
    criteria = list(
        RubricCriterion.objects.filter(rubric__offering=offering)
        .select_related("rubric")
        .prefetch_related("levels")
    )
    for scale in scales.values():
        for grade in scale.grade_list:
            grade.project_grades = ", ".join(
                str(ProjectGrade(p).label)
                for p in ProjectGrade.values
                if scale_grade_for(scale.grade_list, p) == grade
            )
    return sorted(scales.values(), key=lambda s: s.level), criteria


# Eligibility ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    value: str
    state: str  # ConditionState

    @property
    def met(self) -> bool:
        return self.state == ConditionState.MET

    @property
    def missing(self) -> bool:
        return self.state == ConditionState.MISSING

    def __str__(self):
        return f"{self.label}: {self.value}"


@dataclass(frozen=True)
class Eligibility:
    conditions: list[Condition]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def failed(self) -> bool:
        """A condition is not met and can no longer be met in time."""
        return any(c.missing for c in self.conditions)

    @property
    def pending(self) -> bool:
        return not self.eligible and not self.failed

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def explain(self) -> str:
        """e.g. "attendance 75 %, needs 80 %; Project report: not submitted"."""
        return "; ".join(str(c) for c in self.unmet) or "all conditions met"


def percent_text(value: float) -> str:
    """79.6 stays 79.6, never rounded up to a threshold it does not reach."""
    floored = math.floor(value * 10) / 10
    return f"{floored:.0f} %" if floored == int(floored) else f"{floored:.1f} %"


def attendance_condition(summary: AttendanceSummary) -> Condition:
    needs = f"needs {summary.threshold} %"
    if summary.percent is None and summary.held:
        # Excused from every held session, and excused absences are left out of the total:
        # there is no participation to judge. No proposal then: a TA decides, with a reason.
        return Condition(
            "attendance",
            "Attendance",
            f"excused from all {summary.held} held session{'s' if summary.held != 1 else ''}, "
            f"{needs}; a teacher decides",
            ConditionState.PENDING,
        )
    if summary.percent is None:
        if summary.remaining:
            return Condition(
                "attendance", "Attendance", f"no session yet, {needs}", ConditionState.PENDING
            )
        return Condition(
            "attendance", "Attendance", "no session since enrolment", ConditionState.MET
        )
    now_text = f"{percent_text(summary.percent)}, {needs}"
    if summary.remaining:
        if not summary.reachable:
            best = percent_text(summary.best_percent)
            return Condition(
                "attendance",
                "Attendance",
                f"{now_text}; at most {best} is still possible",
                ConditionState.MISSING,
            )
        left = f"{summary.remaining} session{'s' if summary.remaining != 1 else ''} to go"
        return Condition(
            "attendance",
            "Attendance",
            f"{percent_text(summary.percent)} so far, {needs}; {left}",
            ConditionState.PENDING,
        )
    state = ConditionState.MET if summary.meets_threshold else ConditionState.MISSING
    return Condition("attendance", "Attendance", now_text, state)


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def deliverable_condition(
    deliverable, *, group, first_upload, due, extended, now, course_running=False
) -> Condition:
    key, label = f"deliverable:{deliverable.slug}", deliverable.title
    when = f"due {_local(due)}{' (extended)' if extended else ''}"
    if group is None:
        state = ConditionState.PENDING if due > now else ConditionState.MISSING
        return Condition(key, label, f"not in a project group, {when}", state)
    if first_upload is not None:
        if first_upload > due:
            days = (first_upload - due).days
            late = f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"
            return Condition(key, label, f"submitted {late} late", ConditionState.MET)
        return Condition(key, label, "submitted", ConditionState.MET)
    if due > now:
        return Condition(key, label, f"not submitted yet, {when}", ConditionState.PENDING)
    if deliverable.accepts_late and course_running:
        return Condition(
            key,
            label,
            f"not submitted, was {when}; a late upload is still accepted",
            ConditionState.PENDING,
        )
    return Condition(key, label, f"not submitted, was {when}", ConditionState.MISSING)


def presented_condition(*, group, slot, offering, now) -> Condition:
    key, label = "presented", "Project presented"
    if group is None:
        in_time = offering.end_date >= timezone.localdate(now)
        state = ConditionState.PENDING if in_time else ConditionState.MISSING
        return Condition(key, label, "not in a project group", state)
    if group.presented:
        when = f" on {timezone.localtime(slot.starts_at):%Y-%m-%d}" if slot else ""
        return Condition(key, label, f"presented{when}", ConditionState.MET)
    if group.presented is False:
        return Condition(key, label, "did not present", ConditionState.MISSING)
    if slot is not None and slot.ends_at > now:
        return Condition(key, label, f"scheduled {_local(slot.starts_at)}", ConditionState.PENDING)
    if offering.end_date >= timezone.localdate(now):
        # The TA may not have recorded the presentation day yet: not a fail before the end.
        value = "not scheduled yet" if slot is None else "not recorded yet"
        return Condition(key, label, value, ConditionState.PENDING)
    return Condition(key, label, "not recorded as presented", ConditionState.MISSING)


# The grade sheet ------------------------------------------------------------------------


@dataclass
class ResultsState:
    event: ResultsEvent | None

    @property
    def locked(self) -> bool:
        return self.event is not None and self.event.action == ResultsAction.SIGNED_OFF

    @property
    def signed_off_at(self):
        return self.event.at if self.locked else None


@dataclass
class SheetRow:
    enrolment: Enrolment
    attendance: AttendanceSummary
    eligibility: Eligibility
    group: object | None
    assessments: list[ProjectAssessment]
    scale: GradingScale | None
    final: FinalGrade | None
    proposed: ScaleGrade | None = None
    proposal_note: str = ""

    @property
    def attendance_text(self) -> str:
        """The rate as the conditions word it: never rounded up to the threshold."""
        percent = self.attendance.percent
        return "" if percent is None else percent_text(percent)

    @property
    def project_grades(self) -> list[int]:
        return [a.grade for a in self.assessments]

    @property
    def disagreement(self) -> bool:
        return len(set(self.project_grades)) > 1

    @property
    def project_grade(self) -> int | None:
        """The assessors' common grade; None while unassessed or while they disagree."""
        grades = set(self.project_grades)
        return grades.pop() if len(grades) == 1 else None

    @property
    def codes(self) -> list[str]:
        return [g.code for g in self.scale.grade_list] if self.scale else []

    @property
    def graded(self) -> bool:
        return self.final is not None and self.final.grade in self.codes

    @property
    def final_grade(self) -> ScaleGrade | None:
        if not self.graded:
            return None
        return next(g for g in self.scale.grade_list if g.code == self.final.grade)

    @property
    def differs_from_proposal(self) -> bool:
        return self.graded and (self.proposed is None or self.final.grade != self.proposed.code)


@dataclass
class GradeSheet:
    offering: Offering
    rows: list[SheetRow]
    deliverables: list
    scales: dict[str, GradingScale]
    state: ResultsState

    @cached_property
    def rubric(self) -> Rubric | None:
        return Rubric.objects.filter(offering=self.offering).first()

    @property
    def ungraded(self) -> list[SheetRow]:
        return [row for row in self.rows if not row.graded]

    @property
    def proposable(self) -> list[SheetRow]:
        """Ungraded students with a proposed grade: what "accept proposals" grades."""
        return [row for row in self.rows if not row.graded and row.proposed is not None]

    @property
    def eligible(self) -> list[SheetRow]:
        return [row for row in self.rows if row.eligibility.eligible]

    def published_result(self, row: SheetRow) -> ScaleGrade | None:
        """What the student may see of their grade: only a signed-off one."""
        return row.final_grade if self.state.locked else None


def propose(row: SheetRow) -> tuple[ScaleGrade | None, str]:
    """The proposed grade on the student's scale and, without one, why not."""
    if row.scale is None:
        return None, "no grading scale for this level"
    grades = list(row.scale.grade_list)
    if row.eligibility.failed:
        fail = failing_grade(grades)
        return fail, "not eligible: " + row.eligibility.explain()
    if row.eligibility.pending:
        return None, "waiting for: " + row.eligibility.explain()
    if row.disagreement:
        grades_text = " vs ".join(str(ProjectGrade(g).label) for g in row.project_grades)
        return None, f"assessors disagree ({grades_text})"
    if row.project_grade is None:
        return None, "project not assessed"
    grade = scale_grade_for(grades, row.project_grade)
    return grade, "" if grade else "the scale has no grade for this project grade"


def current_results_state(offering: Offering) -> ResultsState:
    return ResultsState(
        ResultsEvent.objects.filter(offering=offering).select_related("by").current()
    )


def graded_enrolments(offering: Offering):
    """The students who get a grade: accepted ones (withdrawn students are not graded)."""
    return (
        Enrolment.objects.filter(offering=offering, status=EnrolmentStatus.ACCEPTED)
        .select_related("student")
        .order_by("student__full_name", "pk")
    )


def grade_sheet(offering: Offering, *, enrolments=None, now=None) -> GradeSheet:
    """Every condition, assessment, proposal and final grade of the offering's students.

    A fixed number of queries whatever the number of students, sessions or groups: the
    database counts attendance and submissions; Python only joins the results.
    """
    from projects.models import Deliverable, Extension, Membership, PresentationSlot, Submission

    now = now or timezone.now()
    enrolments = list(graded_enrolments(offering) if enrolments is None else enrolments)
    summaries = attendance_summaries(offering, enrolments, now=now)
    deliverables = list(Deliverable.objects.filter(offering=offering, required=True))
    memberships = Membership.objects.filter(group__offering=offering).select_related("group")
    if len(enrolments) <= 50:
        memberships = memberships.filter(enrolment__in=[e.pk for e in enrolments])
    group_of = {m.enrolment_id: m.group for m in memberships}
    first_upload = {
        (row["group_id"], row["deliverable_id"]): row["first"]
        for row in Submission.objects.filter(deliverable__in=deliverables)
        .values("group_id", "deliverable_id")
        .annotate(first=Min("uploaded_at"))
        .order_by()
    }
    extensions = {
        (x.group_id, x.deliverable_id): x.due_at
        for x in Extension.objects.filter(deliverable__in=deliverables)
    }
    slots = {
        s.group_id: s
        for s in PresentationSlot.objects.filter(session__offering=offering, group__isnull=False)
    }
    assessments: dict[int, list[ProjectAssessment]] = {}
    for a in ProjectAssessment.objects.filter(group__offering=offering).select_related("assessor"):
        assessments.setdefault(a.group_id, []).append(a)
    finals = {
        f.enrolment_id: f
        for f in FinalGrade.objects.filter(enrolment__offering=offering).select_related("set_by")
    }
    scales: dict[str, GradingScale] = {}
    for grade in ScaleGrade.objects.filter(scale__offering=offering).select_related("scale"):
        scale = scales.get(grade.scale.level)
        if scale is None:
            scale = scales[grade.scale.level] = grade.scale
            scale.grade_list = []  # filled here, so the cached property runs no query
        scale.grade_list.append(grade)
    course_running = offering.end_date >= timezone.localdate(now)
    rows = []
    for enrolment in enrolments:
        group = group_of.get(enrolment.pk)
        summary = summaries[enrolment.pk]
        conditions = [attendance_condition(summary)]
        for deliverable in deliverables:
            key = (group.pk if group else None, deliverable.pk)
            extended = extensions.get(key)
            conditions.append(
                deliverable_condition(
                    deliverable,
                    group=group,
                    first_upload=first_upload.get(key),
                    due=extended or deliverable.due_at,
                    extended=extended is not None,
                    now=now,
                    course_running=course_running,
                )
            )
        conditions.append(
            presented_condition(
                group=group, slot=slots.get(group.pk) if group else None, offering=offering, now=now
            )
        )
        row = SheetRow(
            enrolment=enrolment,
            attendance=summary,
            eligibility=Eligibility(conditions),
            group=group,
            assessments=assessments.get(group.pk, []) if group else [],
            scale=scales.get(enrolment.level),
            final=finals.get(enrolment.pk),
        )
        row.proposed, row.proposal_note = propose(row)
        rows.append(row)
    return GradeSheet(
        offering=offering,
        rows=rows,
        deliverables=deliverables,
        scales=scales,
        state=current_results_state(offering),
    )


def signed_off_grades(enrolments) -> dict[int, str]:
    """{enrolment id: grade} for those of the enrolments whose results are signed off, for
    a student's list of courses: two queries, whatever the number of courses."""
    enrolments = list(enrolments)
    signed = ResultsEvent.objects.filter(
        offering__in={e.offering_id for e in enrolments}
    ).signed_off_offering_ids()
    if not signed:
        return {}
    return dict(
        FinalGrade.objects.filter(
            enrolment__in=[e.pk for e in enrolments if e.offering_id in signed]
        ).values_list("enrolment_id", "grade")
    )


def projects_overview(sheet: GradeSheet, user) -> dict:
    """For the sheet's project card: which groups are assessed, by anyone and by `user`."""
    groups = {row.group.pk: row for row in sheet.rows if row.group is not None}
    rows = sorted(groups.values(), key=lambda r: r.group.number)
    return {
        "total": len(rows),
        "assessed": sum(1 for r in rows if r.assessments),
        "by_user": sum(1 for r in rows if any(a.assessor_id == user.pk for a in r.assessments)),
        "waiting": [r.group for r in rows if not r.assessments],
        "disagreements": [r.group for r in rows if r.disagreement],
    }


def student_row(enrolment: Enrolment, *, now=None) -> SheetRow:
    return grade_sheet(enrolment.offering, enrolments=[enrolment], now=now).rows[0]


# Permissions ------------------------------------------------------------------------------


def is_responsible(user, offering: Offering) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Staff.objects.filter(offering=offering, user=user, role=StaffRole.RESPONSIBLE).exists()


def _lock_offering(offering: Offering) -> Offering:
    """Serialise grade changes with sign-off: both lock the offering row first."""
    ensure_writable(offering)
    return Offering.objects.select_for_update().get(pk=offering.pk)


def _ensure_unlocked(offering: Offering) -> None:
    state = current_results_state(offering)
    if state.locked:
        raise ValidationError(
            f"The results were signed off on {timezone.localtime(state.signed_off_at):%Y-%m-%d}; "
            "the course responsible must unlock them before any grade changes."
        )


# Writes -----------------------------------------------------------------------------------


def clean_text(value: str, what: str) -> str:
    """Text typed into a grading form, stripped; a NUL character (which PostgreSQL cannot
    store, and nobody types) is refused with a message instead of a server error."""
    if "\x00" in value:
        raise ValidationError(f"The {what} contains a NUL character; remove it and try again.")
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
    if not (assessor.is_superuser or group.offering_id in taught_offering_ids(assessor)):
        raise PermissionDenied("Only the offering's teaching staff assess its projects.")
    comment = clean_text(comment, "comment")
    offering = _lock_offering(group.offering)
    _ensure_unlocked(offering)
    rubric = Rubric.objects.filter(offering=offering).first()
    if rubric is None:
        raise ValidationError("This offering has no rubric yet; create it on the grade sheet.")
    criteria = list(rubric.criteria.prefetch_related("levels"))
    chosen = []
    errors = []
    for criterion in criteria:
        levels = {lv.pk: lv for lv in criterion.levels.all()}
        level = levels.get(level_ids.get(criterion.pk))
        if level is None:
            errors.append(f"Choose a level for “{criterion.name}”.")
        else:
            chosen.append(level)
    unknown = set(level_ids) - {c.pk for c in criteria}
    if unknown:
        errors.append("The form names criteria of another rubric; reload the page.")
    if grade is not None and grade not in ProjectGrade.values:
        errors.append(f"{grade} is not a project grade (U, 3, 4 or 5).")
    if errors:
        raise ValidationError(errors)
    suggested = rubric_suggest(rubric, chosen)
    now = timezone.now()
    assessment, _ = ProjectAssessment.objects.update_or_create(
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
    if row.scale is None:
        raise ValidationError(
            f"There is no grading scale for {row.enrolment.get_level_display()} students; "
            "add one in the administration."
        )
    by_code = {g.code: g for g in row.scale.grade_list}
    if grade not in by_code:
        raise ValidationError(
            f"“{grade}” is not a grade of the {row.enrolment.get_level_display()} scale "
            f"({', '.join(by_code)})."
        )
    if reason:
        return
    if by_code[grade].passing and not row.eligibility.eligible:
        raise ValidationError(
            f"{student} is not eligible ({row.eligibility.explain()}). Give a reason to "
            f"pass them anyway."
        )
    if row.proposed is None:
        raise ValidationError(
            f"There is no proposed grade for {student} ({row.proposal_note}); give a reason "
            f"for {grade}."
        )
    if row.proposed.code != grade:
        raise ValidationError(
            f"The proposed grade for {student} is {row.proposed.code}; give a reason for {grade}."
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
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        raise ValidationError("Only accepted students get a grade.")
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
    rows = grade_sheet(offering).proposable
    # A row may exist with a code its scale no longer has: update it, keeping what the
    # student was mailed, so that a changed result is mailed again and an unchanged one not.
    stale = [r for r in rows if r.final is not None]
    old = {r.enrolment.pk: r.final.grade for r in stale}
    for r in stale:
        r.final.grade = r.final.proposed = r.proposed.code
        r.final.reason, r.final.set_by, r.final.set_at = "", by, now
    FinalGrade.objects.bulk_update(
        [r.final for r in stale], ["grade", "proposed", "reason", "set_by", "set_at"]
    )
    FinalGrade.objects.bulk_create(
        FinalGrade(
            enrolment=r.enrolment,
            grade=r.proposed.code,
            proposed=r.proposed.code,
            set_by=by,
            set_at=now,
        )
        for r in rows
        if r.final is None
    )
    GradeChange.objects.bulk_create(
        GradeChange(
            enrolment=r.enrolment,
            old_grade=old.get(r.enrolment.pk, ""),
            new_grade=r.proposed.code,
            proposed=r.proposed.code,
            changed_by=by,
            changed_at=now,
        )
        for r in rows
    )
    return len(rows)


class UngradedStudents(ValidationError):
    pass


def unexplained_grade(row: SheetRow) -> bool:
    """A grade that differs from what the conditions and the project now give, without a
    reason: attendance corrected, a group marked absent or re-assessed after grading."""
    return row.graded and not row.final.reason and row.differs_from_proposal


@transaction.atomic
def results_sign_off(*, offering: Offering, by: User) -> int:
    """The course responsible signs off the results: grades lock and students are told.

    Refused when `by` is not the course responsible, when the results are signed off already,
    or while a student has no grade (the message names them). Side effects: ResultsEvent;
    a result mail queued to every student whose grade they have not been mailed yet.
    Returns the number of mails queued.
    """
    if not is_responsible(by, offering):
        raise PermissionDenied("Only the course responsible signs off the results.")
    offering = _lock_offering(offering)
    if current_results_state(offering).locked:
        raise ValidationError("The results are signed off already.")
    sheet = grade_sheet(offering)
    if sheet.ungraded:
        names = ", ".join(
            r.enrolment.student.full_name or r.enrolment.student.email for r in sheet.ungraded
        )
        count = len(sheet.ungraded)
        raise UngradedStudents(
            f"{count} student{'s have' if count != 1 else ' has'} no grade yet: {names}."
        )
    unexplained = [r for r in sheet.rows if unexplained_grade(r)]
    if unexplained:
        details = "; ".join(
            f"{r.enrolment.student.full_name or r.enrolment.student.email} has "
            f"{r.final.grade}, proposed now {r.proposed.code if r.proposed else 'none'}"
            for r in unexplained
        )
        raise ValidationError(
            f"{len(unexplained)} grade{'s' if len(unexplained) != 1 else ''} no longer "
            f"match{'es' if len(unexplained) == 1 else ''} the conditions or the project "
            f"grade and {'have' if len(unexplained) != 1 else 'has'} no reason: {details}. "
            "Set them again, or give the reason on the student's page."
        )
    now = timezone.now()
    ResultsEvent.objects.create(offering=offering, action=ResultsAction.SIGNED_OFF, by=by, at=now)
    return _queue_result_mails(sheet, now)


@transaction.atomic
def results_unlock(*, offering: Offering, by: User, reason: str) -> ResultsEvent:
    """Unlock signed-off results so grades can change again; the reason is recorded."""
    if not is_responsible(by, offering):
        raise PermissionDenied("Only the course responsible unlocks the results.")
    offering = _lock_offering(offering)
    if not current_results_state(offering).locked:
        raise ValidationError("The results are not signed off, so there is nothing to unlock.")
    reason = clean_text(reason, "reason")
    if not reason:
        raise ValidationError("Say why the results are unlocked; the reason is kept.")
    return ResultsEvent.objects.create(
        offering=offering, action=ResultsAction.UNLOCKED, by=by, reason=reason
    )


def result_mail_text(row: SheetRow, sheet: GradeSheet) -> tuple[str, str]:
    offering = sheet.offering
    grade = row.final_grade
    link = absolute_url(
        reverse(
            "accounts:my_offering",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )
    )
    title = f"{offering.course.title} ({offering.name})"
    subject = f"[{title}] Your result: {grade.code}"
    lines = [
        f"Dear {row.enrolment.student.full_name},",
        "",
        f"the results of {title} are final. Your grade is {grade.code}"
        + (f" ({grade.label})." if grade.label else "."),
    ]
    if row.final.notified_grade:
        subject = f"[{title}] Your result has changed: {grade.code}"
        lines += ["", f"This replaces the grade {row.final.notified_grade} we mailed you before."]
    if not grade.passing:
        if not row.eligibility.eligible:
            lines += ["", "What was missing: " + row.eligibility.explain() + "."]
        elif row.final.reason:
            lines += ["", "The examiners' reason: " + row.final.reason]
        else:
            lines += ["", "The project did not reach a passing grade."]
    lines += [
        "",
        f"The grade is reported to the university's records system as {grade.code} for "
        f"{offering.course.code}. Your page: {link}",
        "",
        "-- ",
        title,
    ]
    return subject, "\n".join(lines) + "\n"


def _queue_result_mails(sheet: GradeSheet, now) -> int:
    rows = [r for r in sheet.rows if r.final.notified_grade != r.final.grade]
    mails = []
    for row in rows:
        subject, body = result_mail_text(row, sheet)
        mails.append(
            OutgoingMail(
                offering=sheet.offering,
                recipient=row.enrolment.student,
                to_email=row.enrolment.student.email,
                subject=subject[:250],
                body=body,
                kind=MailKind.RESULT,
                status=MailStatus.QUEUED,
                created_at=now,
            )
        )
    OutgoingMail.objects.bulk_create(mails)
    for row in rows:
        row.final.notified_grade = row.final.grade
    FinalGrade.objects.bulk_update([r.final for r in rows], ["notified_grade"])
    return len(mails)


def grade_history(enrolment: Enrolment):
    return GradeChange.objects.filter(enrolment=enrolment).select_related("changed_by")


def filter_rows(rows: list[SheetRow], which: str, level: str = "") -> list[SheetRow]:
    """The grade sheet's filters: missing conditions, ungraded, disagreements, overrides;
    and the students' level."""
    if level:
        rows = [r for r in rows if r.enrolment.level == level]
    tests = {
        "missing": lambda r: r.eligibility.failed,
        "pending": lambda r: r.eligibility.pending,
        "ungraded": lambda r: not r.graded,
        "disagreement": lambda r: r.disagreement,
        "override": lambda r: r.differs_from_proposal,
    }
    test = tests.get(which)
    return [r for r in rows if test(r)] if test else rows
