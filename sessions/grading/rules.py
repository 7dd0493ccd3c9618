"""The pure rules of grading: no database, no side effects, easy to test.

How a project grade maps onto a student's scale, the rubric's suggestion, how a rate is
written, and which grade the sheet proposes for a student. The notes are worded in the
active language.
"""

import math
from typing import Protocol

from django.utils import formats
from django.utils.translation import gettext as _

from ..enums import ProjectGrade
from ..models import FinalGrade, GradingScale, Rubric, RubricLevel, ScaleGrade


class Conditions(Protocol):
    """What the rules ask of a student's eligibility (eligibility.Eligibility)."""

    @property
    def failed(self) -> bool: ...
    @property
    def pending(self) -> bool: ...
    def explain(self) -> str: ...


class Row(Protocol):
    """What the rules ask of a student's row of the grade sheet (sheet.SheetRow).

    Read-only properties: the rules never assign them, and a read-only member lets a row
    provide a subtype (SheetRow.eligibility is an Eligibility, which satisfies Conditions).
    """

    @property
    def scale(self) -> GradingScale | None: ...
    @property
    def final(self) -> FinalGrade | None: ...
    @property
    def eligibility(self) -> Conditions: ...
    @property
    def disagreement(self) -> bool: ...
    @property
    def project_grades(self) -> list[int]: ...
    @property
    def project_grade(self) -> int | None: ...
    @property
    def graded(self) -> bool: ...
    @property
    def differs_from_proposal(self) -> bool: ...


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


def percent_text(value: float) -> str:
    """79.6 stays 79.6, never rounded up to a threshold it does not reach; written with the
    active language's decimal separator (79,6 % in Swedish)."""
    floored = math.floor(value * 10) / 10
    decimals = 0 if floored == int(floored) else 1
    return f"{formats.number_format(floored, decimals)} %"


def propose(row: Row) -> tuple[ScaleGrade | None, str]:
    """The proposed grade on the student's scale and, without one, why not."""
    if row.scale is None:
        return None, _("no grading scale for this level")
    grades = list(row.scale.grade_list)
    if row.eligibility.failed:
        fail = failing_grade(grades)
        return fail, _("not eligible: %(conditions)s") % {"conditions": row.eligibility.explain()}
    if row.eligibility.pending:
        return None, _("waiting for: %(conditions)s") % {"conditions": row.eligibility.explain()}
    if row.disagreement:
        labels = [str(ProjectGrade(g).label) for g in row.project_grades]
        grades_text = labels[0]
        for label in labels[1:]:
            grades_text = _("%(grades)s vs %(grade)s") % {"grades": grades_text, "grade": label}
        return None, _("assessors disagree (%(grades)s)") % {"grades": grades_text}
    if row.project_grade is None:
        return None, _("project not assessed")
    grade = scale_grade_for(grades, row.project_grade)
    return grade, "" if grade else _("the scale has no grade for this project grade")


def unexplained_grade(row: Row) -> bool:
    """A grade that differs from what the conditions and the project now give, without a
    reason: attendance corrected, a group marked absent or re-assessed after grading."""
    return (
        row.graded
        and row.final is not None
        and not row.final.reason
        and (row.differs_from_proposal)
    )
