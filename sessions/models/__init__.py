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
from .reminders import ReminderKind, SentReminder

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
    "ReminderKind",
    "ResultsEvent",
    "ResultsExport",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "ScaleGrade",
    "SentReminder",
    "SessionSeries",
]
