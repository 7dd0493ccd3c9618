"""Copying an offering to next year: dates shift by whole weeks, nothing personal is copied."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import formats
from django.utils.html import escape

from accounts.models import Enrolment
from course.copying import offering_copy
from course.models import Offering, Quiz, QuizQuestion, VideoLecture
from course.services import lecture_set_parts
from projects.models import Deliverable, ProjectGroup
from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.models import (
    DiscussionSession,
    FinalGrade,
    GradeChange,
    GradingScale,
    ProjectAssessment,
    ResultsEvent,
    Rubric,
    RubricLevel,
    ScaleGrade,
)
from tests.factories import (
    DeliverableFactory,
    DiscussionSessionFactory,
    EnrolmentFactory,
    MembershipFactory,
    ModuleFactory,
    StaffFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def source(offering, ta):
    """2016: starts Monday 21 March; a Tuesday session before and after summer time."""
    module = ModuleFactory(offering=offering, title="RNN", slug="rnn")
    lecture = VideoLectureFactory(module=module, speaker="Alex Graves")
    lecture_set_parts(lecture=lecture, notation="Lec1, Lec2:1-2:11")
    for day in (22, 29):  # Sweden changed to summer time on 27 March 2016
        DiscussionSessionFactory(
            offering=offering, module=module, room="ML13",
            starts_at=dt.datetime(2016, 3, day, 13, 15, tzinfo=TZ),
            ends_at=dt.datetime(2016, 3, day, 15, 0, tzinfo=TZ),
        )  # fmt: skip
    quiz = Quiz.objects.create(module=module, title="RNN quiz",
                               opens_at=dt.datetime(2016, 3, 14, 9, 0, tzinfo=TZ),
                               closes_at=dt.datetime(2016, 3, 21, 23, 59, tzinfo=TZ))  # fmt: skip
    QuizQuestion.objects.create(quiz=quiz, kind="numeric", text="?", numeric_answer=1)
    DeliverableFactory(offering=offering, title="Report",
                       due_at=dt.datetime(2016, 12, 30, 23, 59, tzinfo=TZ))  # fmt: skip
    MembershipFactory(group__offering=offering, group__number=1)  # a student's group
    return offering


def test_copy_shifts_every_date_by_whole_weeks_keeping_local_times(source):
    plan = offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 20))
    new = plan.offering
    assert plan.shift == dt.timedelta(weeks=52)
    assert (new.start_date, new.end_date) == (dt.date(2017, 3, 20), dt.date(2017, 6, 3))
    starts = [s.starts_at.astimezone(TZ) for s in DiscussionSession.objects.filter(offering=new)
              .order_by("starts_at")]  # fmt: skip
    # Tuesdays stay Tuesdays and 13:15 stays 13:15, before and after the clocks change.
    assert [(s.strftime("%a %Y-%m-%d %H:%M")) for s in starts] == [
        "Tue 2017-03-21 13:15", "Tue 2017-03-28 13:15",
    ]  # fmt: skip
    # Across the year boundary: the report due 30 Dec 2016 is due 29 Dec 2017, a Friday too.
    due = Deliverable.objects.get(offering=new).due_at.astimezone(TZ)
    assert due.strftime("%a %Y-%m-%d %H:%M") == "Fri 2017-12-29 23:59"
    quiz = Quiz.objects.get(module__offering=new)
    assert quiz.closes_at.astimezone(TZ).strftime("%a %H:%M") == "Mon 23:59"
    assert quiz.questions.count() == 1


def test_copy_brings_the_content_and_staff_but_nothing_personal(source, ta):
    EnrolmentFactory(offering=source, status="accepted")
    new = offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 20)).offering
    assert new.status == "planned" and not new.is_published
    assert VideoLecture.objects.get(module__offering=new).parts_notation == "Lec1, Lec2:1-2:11"
    assert new.staff.filter(user=ta).exists()  # the TA can prepare it in the admin
    assert not Enrolment.objects.filter(offering=new).exists()
    assert not ProjectGroup.objects.filter(offering=new).exists()
    assert Offering.objects.get(pk=source.pk).slug == "2016"  # the source is untouched


def test_dry_run_creates_nothing(source):
    before = (Offering.objects.count(), DiscussionSession.objects.count())
    plan = offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 20), dry_run=True)
    assert plan.created["discussion sessions"] == 2
    assert (Offering.objects.count(), DiscussionSession.objects.count()) == before


def rubric_content(offering):
    rubric = Rubric.objects.get(offering=offering)
    return (
        (rubric.points_for_3, rubric.points_for_4, rubric.points_for_5, rubric.instructions),
        [(c.order, c.name, c.description,
          [(lv.points, lv.label, lv.insufficient) for lv in c.levels.all()])
         for c in rubric.criteria.all()],
    )  # fmt: skip


def scales_content(offering):
    return {
        scale.level: (scale.name, [(g.code, g.label, g.passing, g.equivalent)
                                   for g in scale.grades.order_by("equivalent")])
        for scale in GradingScale.objects.filter(offering=offering)
    }  # fmt: skip


@pytest.fixture
def graded_source(source, ta, superuser):
    """The source with its scales, an edited rubric, an assessment, a grade and a sign-off."""
    grading_services.grading_setup_defaults(offering=source)
    Rubric.objects.filter(offering=source).update(points_for_5=11, instructions="Be kind.")
    criterion = Rubric.objects.get(offering=source).criteria.first()
    criterion.name = "Topics from the course"
    criterion.save()
    ScaleGrade.objects.filter(scale__offering=source, code="VG").update(label="Väl godkänd")
    group = ProjectGroup.objects.get(offering=source)
    top = {c.pk: c.levels.last().pk for c in Rubric.objects.get(offering=source).criteria.all()}
    grading_services.assessment_save(group=group, assessor=ta, level_ids=top, grade=None)
    enrolment = group.memberships.get().enrolment
    FinalGrade.objects.create(enrolment=enrolment, grade="5", proposed="5", set_by=superuser)
    GradeChange.objects.create(enrolment=enrolment, new_grade="5", changed_by=superuser)
    ResultsEvent.objects.create(offering=source, action="signed", by=superuser)
    return source


def test_copy_brings_the_rubric_and_scales_but_no_grades(graded_source):
    plan = offering_copy(source=graded_source, slug="2017", start=dt.date(2017, 3, 20))
    new = plan.offering
    assert rubric_content(new) == rubric_content(graded_source)
    assert rubric_content(new)[0] == (4, 7, 11, "Be kind.")
    assert scales_content(new) == scales_content(graded_source)
    assert scales_content(new)["phd"] == ("U, G, VG", [
        ("U", "Fail", False, 0), ("G", "Pass", True, 3), ("VG", "Väl godkänd", True, 4),
    ])  # fmt: skip
    # Copies, not shared rows: the source's rubric and scales are untouched.
    assert RubricLevel.objects.filter(criterion__rubric__offering=new).count() == 16
    assert RubricLevel.objects.count() == 32 and ScaleGrade.objects.count() == 14
    assert plan.created["grading scales"] == 2
    assert (plan.created["rubrics"], plan.created["rubric criteria"]) == (1, 4)
    # Nothing personal: no assessment, grade, history or sign-off moves to the new offering.
    assert not ProjectAssessment.objects.filter(group__offering=new).exists()
    assert not FinalGrade.objects.filter(enrolment__offering=new).exists()
    assert not GradeChange.objects.filter(enrolment__offering=new).exists()
    assert not ResultsEvent.objects.filter(offering=new).exists()
    assert not grading_sheet.current_results_state(new).locked
    assert (ProjectAssessment.objects.count(), FinalGrade.objects.count(),
            GradeChange.objects.count(), ResultsEvent.objects.count()) == (1, 1, 1, 1)  # fmt: skip


def test_dry_run_counts_the_rubric_and_scales_and_writes_none(graded_source):
    before = (Rubric.objects.count(), RubricLevel.objects.count(), GradingScale.objects.count(),
              ScaleGrade.objects.count())  # fmt: skip
    plan = offering_copy(source=graded_source, slug="2017", start=dt.date(2017, 3, 20),
                         dry_run=True)  # fmt: skip
    assert plan.created["grading scales"] == 2 and plan.created["rubric criteria"] == 4
    assert (Rubric.objects.count(), RubricLevel.objects.count(), GradingScale.objects.count(),
            ScaleGrade.objects.count()) == before  # fmt: skip


def test_copy_without_a_rubric_or_scales_copies_none(source):
    plan = offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 20))
    assert "rubrics" not in plan.created and "grading scales" not in plan.created
    assert not Rubric.objects.exists() and not GradingScale.objects.exists()


def test_copy_refuses_a_taken_slug_and_another_weekday(source, other_offering):
    StaffFactory(offering=source)
    with pytest.raises(ValidationError, match="already has an offering “2016”"):
        offering_copy(source=source, slug="2016", start=dt.date(2017, 3, 20))
    with pytest.raises(ValidationError, match=r"is a Wednesday, but .* started on a Monday"):
        offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 22))
    assert not Offering.objects.filter(slug="2017").exists()


def test_command_prints_the_new_dates_and_refuses_bad_input(source):
    out = StringIO()
    call_command("copy_offering", "deep-learning", "2016", "2017", "--start", "2017-03-20",
                 "--dry-run", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "offering: Mon 2016-03-21 → Mon 2017-03-20" in text
    assert "would be created (+364 days, 52 weeks)" in text
    assert not Offering.objects.filter(slug="2017").exists()
    call_command("copy_offering", "deep-learning", "2016", "2017", "--start", "2017-03-20",
                 stdout=out)  # fmt: skip
    assert Offering.objects.filter(slug="2017").exists()
    with pytest.raises(CommandError, match="already has an offering"):
        call_command("copy_offering", "deep-learning", "2016", "2017", "--start",
                     "2017-03-20", stdout=StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="is not a date"):
        call_command("copy_offering", "deep-learning", "2016", "2018", "--start", "next year",
                     stdout=StringIO())  # fmt: skip


def test_the_demo_2016_offering_copies_into_a_consistent_2017(db):
    call_command("load_demo", stdout=StringIO())
    source = Offering.objects.get(slug="2016")
    new = offering_copy(source=source, slug="2017", start=dt.date(2017, 3, 20)).offering
    new.full_clean()
    first = DiscussionSession.objects.filter(offering=new).order_by("starts_at").first()
    assert first.starts_at.astimezone(TZ).strftime("%a %Y-%m-%d %H:%M") == "Tue 2017-03-21 13:15"
    assert new.modules.count() == 6
    assert Quiz.objects.filter(module__offering=new).count() == 5
    assert new.presentation_sessions.count() == 2
    assert not new.enrolments.exists()
    assert not new.project_groups.exists()
    # The signed-off 2016 results stay behind; the rubric and scales come along.
    assert rubric_content(new) == rubric_content(source)
    assert scales_content(new) == scales_content(source)
    assert not FinalGrade.objects.filter(enrolment__offering=new).exists()
    assert not grading_sheet.current_results_state(new).locked


def test_ta_copies_an_offering_in_the_admin(client, source, ta):
    client.force_login(ta)
    url = "/admin/course/offering/"
    response = client.post(url, {"action": "copy_offering", "_selected_action": [source.pk],
                                 "apply": "1", "slug": "2017", "start": "2017-03-22"})  # fmt: skip
    assert "is a Wednesday" in response.content.decode()
    response = client.post(url, {"action": "copy_offering", "_selected_action": [source.pk],
                                 "apply": "1", "slug": "2017", "start": "2017-03-20"},
                           follow=True)  # fmt: skip
    starting = escape(formats.date_format(dt.date(2017, 3, 20)))
    assert f"created, starting {starting}" in response.content.decode()
    new = Offering.objects.get(slug="2017")
    assert new.staff.filter(user=ta).count() == 1
