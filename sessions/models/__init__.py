"""The models of sessions: discussion sessions and attendance, and grading."""

from .attendance import (
    Attendance,
    AttendanceChange,
    CheckInFailure,
    DiscussionSession,
    SessionSeries,
)
from .grading import (
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    ResultsExport,
    Rubric,
    RubricCriterion,
    RubricLevel,
    ScaleGrade,
)
from .home import HomeVisit

__all__ = [
    "Attendance",
    "AttendanceChange",
    "CheckInFailure",
    "DiscussionSession",
    "FinalGrade",
    "GradeChange",
    "GradingScale",
    "HomeVisit",
    "ProjectAssessment",
    "ResultsEvent",
    "ResultsExport",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "ScaleGrade",
    "SessionSeries",
]
