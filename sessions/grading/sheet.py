"""The grading read model: the grade sheet of an offering, a student's row, the public
overview of scales and rubric, the signed-off results and the grade history.

grade_sheet() loads a whole offering in a fixed number of queries (attendance counted by
the database, first uploads by MIN() per group and deliverable); Python only joins the
results and asks eligibility.py and rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models import ForeignKey, Min, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enrolment, User
from course.caching import offering_cached as offering_data
from course.caching import records_cached
from course.models import Offering
from projects.models import (
    Deliverable,
    Extension,
    Membership,
    PresentationSlot,
    ProjectGroup,
    Submission,
)

from ..attendance import AttendanceSummary, attendance_summaries
from ..enums import ProjectGrade, ResultsAction
from ..models import (
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    Rubric,
    RubricCriterion,
    ScaleGrade,
)
from .eligibility import (
    Eligibility,
    attendance_condition,
    deliverable_condition,
    presented_condition,
)
from .rules import percent_text, propose, scale_grade_for


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


@dataclass
class ResultsState:
    event: ResultsEvent | None

    @property
    def locked(self) -> bool:
        return self.event is not None and self.event.action == ResultsAction.SIGNED_OFF

    @property
    def signed_off_at(self) -> datetime | None:
        return self.event.at if self.event is not None and self.locked else None


@dataclass
class SheetRow:
    enrolment: Enrolment
    attendance: AttendanceSummary
    eligibility: Eligibility
    group: ProjectGroup | None
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
        """The final grade on the student's scale; None while not graded (see `graded`)."""
        if self.scale is None or self.final is None:
            return None
        code = self.final.grade
        return next((g for g in self.scale.grade_list if g.code == code), None)

    @property
    def differs_from_proposal(self) -> bool:
        if self.final is None or not self.graded:
            return False
        return self.proposed is None or self.final.grade != self.proposed.code


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


def current_results_state(offering: Offering) -> ResultsState:
    return ResultsState(
        ResultsEvent.objects.filter(offering=offering).select_related("by").current()
    )


def graded_enrolments(offering: Offering):
    """The students who get a grade: accepted ones (withdrawn students are not graded)."""
    return (
        Enrolment.objects.accepted()
        .filter(offering=offering)
        .select_related("student")
        .order_by("student__full_name", "pk")
    )


def grade_sheet(
    offering: Offering, *, enrolments=None, now=None, fresh: bool = False
) -> GradeSheet:
    """Every condition, assessment, proposal and final grade of the offering's students.

    A fixed number of queries whatever the number of students, sessions or groups: the
    database counts attendance and submissions; Python only joins the results. What is the
    same for every student comes from the cache unless `fresh` (writes, which decide from
    what the database says under their lock).
    """
    now = now or timezone.now()

    def offering_cached(offering, name, load):
        return load() if fresh else offering_data(offering, name, load)

    enrolments = list(graded_enrolments(offering) if enrolments is None else enrolments)
    # What is the same for every student comes from the cache while the offering's
    # content is unchanged (course/caching.py watches these models).
    sessions = offering_cached(
        offering, "sessions", lambda: list(offering.discussion_sessions.order_by("starts_at"))
    )
    summaries = attendance_summaries(offering, enrolments, now=now, sessions=sessions)
    deliverables = offering_cached(
        offering,
        "required-deliverables",
        lambda: list(Deliverable.objects.filter(offering=offering, required=True)),
    )
    # Plain ids and one object per group (not one per member): building thousands of model
    # objects is most of the sheet's time.
    memberships = Membership.objects.filter(group__offering=offering)
    if len(enrolments) <= 50:
        memberships = memberships.filter(enrolment__in=[e.pk for e in enrolments])
    member_groups = dict(memberships.values_list("enrolment_id", "group_id"))
    groups = ProjectGroup.objects.filter(offering=offering)
    if len(enrolments) <= 50:
        groups = groups.filter(pk__in=set(member_groups.values()))
    group_by_id = {g.pk: g for g in groups}
    group_of = {e: group_by_id[g] for e, g in member_groups.items()}
    first_upload = {
        (row["group_id"], row["deliverable_id"]): row["first"]
        for row in Submission.objects.filter(deliverable__in=deliverables)
        .values("group_id", "deliverable_id")
        .annotate(first=Min("uploaded_at"))
        .order_by()
    }
    extensions = {
        (x.group_id, x.deliverable_id): x
        for x in Extension.objects.filter(deliverable__in=deliverables)
    }
    slots = {
        s.group_id: s
        for s in offering_cached(
            offering,
            "slots",
            lambda: list(
                PresentationSlot.objects.filter(session__offering=offering, group__isnull=False)
            ),
        )
    }
    assessments: dict[int, list[ProjectAssessment]] = {}
    for a in ProjectAssessment.objects.filter(group__offering=offering):
        assessments.setdefault(a.group_id, []).append(a)
    finals_query = FinalGrade.objects.filter(enrolment__offering=offering)
    if len(enrolments) <= 50:
        finals_query = finals_query.filter(enrolment__in=[e.pk for e in enrolments])
    finals = {f.enrolment_id: f for f in finals_query}
    # The few teachers who assessed or graded, once each rather than once per row.
    _attach_people(
        [(a, "assessor") for group_assessments in assessments.values() for a in group_assessments]
        + [(f, "set_by") for f in finals.values()]
    )
    scales: dict[str, GradingScale] = {}
    scale_grades = offering_cached(
        offering,
        "scale-grades",
        lambda: list(ScaleGrade.objects.filter(scale__offering=offering).select_related("scale")),
    )
    for grade in scale_grades:
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
            # Without a group there is neither an extension nor an upload.
            key = (group.pk, deliverable.pk) if group else None
            extension = extensions.get(key) if key else None
            conditions.append(
                deliverable_condition(
                    deliverable,
                    group=group,
                    first_upload=first_upload.get(key) if key else None,
                    due=deliverable.due_for(extension),
                    extended=extension is not None,
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


def _attach_people(links: list[tuple[Model, str]]) -> None:
    """Fills each (object, foreign key to an account) with the account, loaded in one query."""
    ids = {getattr(obj, f"{name}_id") for obj, name in links} - {None}
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}
    for obj, name in links:
        person = people.get(getattr(obj, f"{name}_id"))
        field = obj._meta.get_field(name)
        assert isinstance(field, ForeignKey)  # the links name foreign keys to accounts
        field.set_cached_value(obj, person)


# Above this many students, storing the sheet in the cache (pickling thousands of rows)
# costs about as much as reading it again: the teachers' pages themselves are kept instead.
SHEET_KEPT_MAX_ROWS = 500


def grade_sheet_shown(offering: Offering) -> GradeSheet:
    """The whole offering's sheet for the grading pages, from the cache while nothing it
    shows changed (course.caching.records_cached). Writes use grade_sheet() itself.

    Kept per language (records_cached's key has it): the conditions and proposal notes are
    worded when the sheet is made."""
    return records_cached(
        offering,
        "grade-sheet",
        lambda: grade_sheet(offering),
        keep=lambda sheet: len(sheet.rows) <= SHEET_KEPT_MAX_ROWS,
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
    by_pk = {row.group.pk: (row.group, row) for row in sheet.rows if row.group is not None}
    groups = sorted(by_pk.values(), key=lambda pair: pair[0].number)
    return {
        "total": len(groups),
        "assessed": sum(1 for _group, r in groups if r.assessments),
        "by_user": sum(
            1 for _group, r in groups if any(a.assessor_id == user.pk for a in r.assessments)
        ),
        "waiting": [group for group, r in groups if not r.assessments],
        "disagreements": [group for group, r in groups if r.disagreement],
    }


def student_row(enrolment: Enrolment, *, now=None) -> SheetRow:
    return grade_sheet(enrolment.offering, enrolments=[enrolment], now=now, fresh=True).rows[0]


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


def results_freeze(offering: Offering) -> str:
    """Why the offering's enrolments no longer change: once the results are signed off, who
    is enrolled is part of the examination record (registered in accounts'
    ENROLMENT_FREEZES; withdrawals and acceptances are refused)."""
    if not ResultsEvent.objects.filter(offering=offering).signed_off():
        return ""
    return _(
        "the results of %(offering)s are signed off, so enrolments no longer change. "
        "The course responsible can unlock the results first."
    ) % {"offering": offering}
