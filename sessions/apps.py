from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionSessionsConfig(AppConfig):
    """Discussion sessions, attendance, progress and grading, and the student's own pages:
    the top of the app order (see docs/ARCHITECTURE.md).

    The label is not "sessions": that one belongs to django.contrib.sessions.
    """

    name = "sessions"
    label = "discussions"
    verbose_name = _("Discussion sessions and grading")

    def ready(self):
        # The extension points of the apps below, which know nothing of sessions.
        # (Imported here, not at the top: the models are ready only now.)
        from accounts.services import ENROLMENT_FREEZES
        from course.copying import COPY_STEPS
        from course.pages import PERSONAL_CONTEXT

        from .copying import copy_grading, copy_sessions
        from .grading.sheet import results_freeze
        from .student.views import personal_context

        for registry, function in (
            (COPY_STEPS, copy_sessions),
            (COPY_STEPS, copy_grading),
            (PERSONAL_CONTEXT, personal_context),
            (ENROLMENT_FREEZES, results_freeze),
        ):
            if function not in registry:
                registry.append(function)

        # The public pages' cache (course/caching.py): the schedule, its calendar, the
        # examination page's scales and rubric.
        from course import caching

        from .models import (
            Attendance,
            DiscussionSession,
            FinalGrade,
            GradingScale,
            ProjectAssessment,
            ResultsEvent,
            ResultsExport,
            Rubric,
            RubricCriterion,
            RubricLevel,
            ScaleGrade,
            SessionSeries,
        )

        for model in (SessionSeries, DiscussionSession, GradingScale, Rubric, ResultsEvent):
            caching.watch(model, lambda row: row.offering_id)
        caching.watch(ScaleGrade, lambda row: row.scale.offering_id)
        caching.watch(RubricCriterion, lambda row: row.rubric.offering_id)
        caching.watch(RubricLevel, lambda row: row.criterion.rubric.offering_id)
        # The records: the register, assessments and grades (bulk writes bump themselves).
        caching.watch_records(Attendance, lambda row: row.session.offering_id)
        caching.watch_records(ProjectAssessment, lambda row: row.group.offering_id)
        caching.watch_records(FinalGrade, lambda row: row.enrolment.offering_id)
        caching.watch_records(ResultsExport, lambda row: row.offering_id)  # the grade sheet
        from .services import next_check_in_edge

        if next_check_in_edge not in caching.CLOCK_EDGES:
            caching.CLOCK_EDGES.append(next_check_in_edge)
