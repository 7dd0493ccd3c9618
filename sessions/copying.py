"""sessions' part of next year's offering (course/copying.py): the weekly series and the
dated discussion sessions (not the cancelled ones), the grading scales and the rubric; no
attendance, assessment or grade."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history

from course.copying import CopyPlan
from course.models import Offering

from .models import (
    DiscussionSession,
    GradingScale,
    Rubric,
    RubricLevel,
    ScaleGrade,
    SessionSeries,
)


def copy_sessions(source: Offering, plan: CopyPlan) -> None:
    series_map = {}
    for series in SessionSeries.objects.filter(offering=source):
        old_pk = series.pk
        series.pk, series.offering = None, plan.offering
        series.save()
        series_map[old_pk] = series
        plan.count(pgettext("plural", "session series"))
    sessions = [
        DiscussionSession(
            offering=plan.offering,
            series=series_map.get(session.series_id),
            series_date=session.series_date + plan.shift if session.series_date else None,
            module=plan.modules.get(session.module_id),
            starts_at=plan.moved(session.starts_at),
            ends_at=plan.moved(session.ends_at),
            room=session.room,
            topic=session.topic,
            self_check_in=session.self_check_in,
        )
        for session in DiscussionSession.objects.filter(offering=source, is_cancelled=False)
    ]
    DiscussionSession.objects.bulk_create(sessions)
    plan.count(_("discussion sessions"), len(sessions))
    if sessions:
        first = min(sessions, key=lambda s: s.starts_at)
        plan.dates.append((_("first discussion session"), None, first.starts_at))


def copy_grading(source: Offering, plan: CopyPlan) -> None:
    """The scales and the rubric: how students are graded, none of the grades given."""
    new = plan.offering
    for scale in GradingScale.objects.filter(offering=source).prefetch_related("grades"):
        grades = list(scale.grades.all())
        scale.pk, scale.offering = None, new
        scale.save()
        # With their first history record: a later change shows the old values.
        bulk_create_with_history(
            [ScaleGrade(scale=scale, code=g.code, label=g.label, passing=g.passing,
                        equivalent=g.equivalent)
             for g in grades],
            ScaleGrade,
        )  # fmt: skip
        plan.count(_("grading scales"))
    rubric = Rubric.objects.filter(offering=source).prefetch_related("criteria__levels").first()
    if rubric is None:
        return
    criteria = list(rubric.criteria.all())
    rubric.pk, rubric.offering = None, new
    rubric.save()
    plan.count(_("rubrics"))
    for criterion in criteria:
        levels = list(criterion.levels.all())
        criterion.pk, criterion.rubric = None, rubric
        criterion.save()
        bulk_create_with_history(
            [RubricLevel(criterion=criterion, points=lv.points, label=lv.label,
                         insufficient=lv.insufficient)
             for lv in levels],
            RubricLevel,
        )  # fmt: skip
        plan.count(_("rubric criteria"))
