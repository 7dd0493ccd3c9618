"""The grading package (sessions/grading/): eligibility, scales, rubric, proposals, final
grades, sign-off, and the grade sheet's query count.

The course runs in spring 2016 (OfferingFactory: 2016-03-21 to 2016-06-04): ten weekly
discussion sessions from 22 March, a required report due 20 May 23:59, presentations on
31 May. Reads pass an explicit `now`; writes run at the real "now", long after the course.
"""

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation

from accounts.enums import EnrolmentStatus, Level, MailKind, MailStatus
from accounts.models import Enrolment, OutgoingMail, User
from course.enums import ExcusedRule, OfferingStatus, StaffRole
from projects.models import Extension, Membership, PresentationSlot, ProjectGroup, Submission
from sessions.enums import AttendanceStatus, ConditionState, ProjectGrade, ResultsAction
from sessions.grading import mails as grading_mails
from sessions.grading import rules as grading_rules
from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.models import (
    Attendance,
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
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import (
    DeliverableFactory,
    EnrolmentFactory,
    MembershipFactory,
    OfferingFactory,
    ProjectGroupFactory,
    StaffFactory,
    UserFactory,
)
from tests.factories.grading import (
    ExtensionFactory,
    PresentationSessionFactory,
    PresentationSlotFactory,
    SubmissionFactory,
)

MET, PENDING, MISSING = ConditionState.MET, ConditionState.PENDING, ConditionState.MISSING


def local(*args) -> dt.datetime:
    """An aware datetime in the site's time zone, which is the one messages are written in."""
    return timezone.make_aware(dt.datetime(*args))


FIRST_SESSION = local(2016, 3, 22, 13, 15)
DUE = local(2016, 5, 20, 23, 59)
SLOT = local(2016, 5, 31, 13, 15)
BEFORE_DUE = local(2016, 5, 19, 12, 0)
AFTER = local(2016, 6, 10, 12, 0)  # after the last session, the deadline and end_date

pg_only = postgresql_only


def short(moment: dt.datetime) -> str:
    """A date and time as the conditions write it: the active language's short format."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def short_date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


DUE_TEXT = short(DUE)
EXTENDED_DUE_TEXT = short(DUE + dt.timedelta(days=3))


# Building a course --------------------------------------------------------------------------


def add_sessions(offering, count, *, first=FIRST_SESSION, cancelled=False):
    return DiscussionSession.objects.bulk_create(
        DiscussionSession(
            offering=offering,
            starts_at=first + dt.timedelta(days=7 * i),
            ends_at=first + dt.timedelta(days=7 * i, minutes=105),
            room="ML13",
            is_cancelled=cancelled,
        )
        for i in range(count)
    )


def attend(enrolment, sessions, status=AttendanceStatus.PRESENT):
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=enrolment, status=status) for s in sessions
    )


def build_course(offering, ta):
    grading_services.grading_setup_defaults(offering=offering)
    responsible = UserFactory(full_name="Rita Responsible")
    StaffFactory(
        offering=offering, user=responsible, name=responsible.full_name, role=StaffRole.RESPONSIBLE
    )
    return SimpleNamespace(
        offering=offering,
        ta=ta,
        responsible=responsible,
        sessions=add_sessions(offering, 10),
        report=DeliverableFactory(offering=offering, title="Report", slug="report", due_at=DUE),
        presentations=PresentationSessionFactory(
            offering=offering, starts_at=SLOT, ends_at=SLOT + dt.timedelta(hours=2)
        ),
    )


@pytest.fixture
def course(offering, ta):
    return build_course(offering, ta)


# Points per criterion (topics, depth, report, presentation) giving each project grade
# with the default bands 4 / 7 / 10; a 0 is an insufficient level.
POINTS = {
    ProjectGrade.FAIL: (0, 3, 3, 3),
    ProjectGrade.THREE: (1, 1, 1, 1),
    ProjectGrade.FOUR: (2, 2, 2, 1),
    ProjectGrade.FIVE: (3, 3, 2, 2),
}


def level_ids(offering, points):
    criteria = Rubric.objects.get(offering=offering).criteria.prefetch_related("levels")
    return {
        c.pk: next(lv.pk for lv in c.levels.all() if lv.points == p)
        for c, p in zip(criteria, points, strict=True)
    }


def assess(course, group, grade, *, assessor=None):
    return grading_services.assessment_save(
        group=group,
        assessor=assessor or course.ta,
        level_ids=level_ids(course.offering, POINTS[grade]),
        grade=None,
    )


def make_student(
    course,
    name,
    *,
    level=Level.MSC,
    present=10,
    excused=0,
    grouped=True,
    submitted_at=DUE - dt.timedelta(days=1),
    presented=True,
    slot_at=None,
    project=None,
    enrolled_on=None,
    status=EnrolmentStatus.ACCEPTED,
):
    """A student who by default attended all ten sessions, handed in the report the day
    before the deadline and presented, alone in their group, project not assessed."""
    enrolment = EnrolmentFactory(
        offering=course.offering,
        status=status,
        level=level,
        student__full_name=name,
        enrolled_on=enrolled_on,
    )
    attend(enrolment, course.sessions[:present])
    attend(enrolment, course.sessions[present : present + excused], AttendanceStatus.EXCUSED)
    if grouped:
        group = ProjectGroupFactory(offering=course.offering, presented=presented)
        MembershipFactory(group=group, enrolment=enrolment)
        if slot_at:
            PresentationSlotFactory(
                session=course.presentations,
                group=group,
                starts_at=slot_at,
                ends_at=slot_at + dt.timedelta(minutes=20),
            )
        if submitted_at:
            SubmissionFactory(deliverable=course.report, group=group, uploaded_at=submitted_at)
        if project is not None:
            assess(course, group, project)
    return enrolment


def group_of(enrolment):
    return enrolment.membership.group


def row_of(enrolment, now=AFTER):
    return grading_sheet.student_row(enrolment, now=now)


def condition(row, key):
    return next(c for c in row.eligibility.conditions if c.key == key)


def state_and_value(enrolment, key, now=AFTER):
    c = condition(row_of(enrolment, now), key)
    return c.state, c.value


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# 1. Eligibility: attendance ------------------------------------------------------------------


def test_attendance_exactly_at_the_threshold_is_met(course):
    student = make_student(course, "Eight Often", present=8)
    assert state_and_value(student, "attendance") == (MET, "80 %, needs 80 %")


def test_attendance_below_the_threshold_is_missing_with_the_rate_and_the_threshold(course):
    student = make_student(course, "Seven Times", present=7)
    c = condition(row_of(student), "attendance")
    assert (c.state, str(c)) == (MISSING, "Attendance: 70 %, needs 80 %")
    assert row_of(student).eligibility.failed


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (ExcusedRule.COUNTS_AS_ATTENDED, (MET, "80 %, needs 80 %")),  # 8 of 10
        (ExcusedRule.REMOVED_FROM_TOTAL, (MISSING, "77.7 %, needs 80 %")),  # 7 of 9
    ],
)
def test_excused_absence_follows_the_offerings_rule(course, rule, expected):
    course.offering.excused_absences = rule
    course.offering.save()
    student = make_student(course, "Ex Cused", present=7, excused=1)
    assert state_and_value(student, "attendance") == expected


def test_sessions_before_a_late_enrolment_count_neither_way(course):
    third = course.sessions[2].local_date
    # Absent from the two sessions before enrolling, then 7 of the 8 that count.
    late = make_student(course, "Late Comer", present=0, enrolled_on=third)
    attend(late, course.sessions[2:9])
    # Present at the two sessions before enrolling too; they do not lift 6 of 8.
    keen = make_student(course, "Keen Early", present=0, enrolled_on=third)
    attend(keen, course.sessions[0:8])

    assert state_and_value(late, "attendance") == (MET, "87.5 %, needs 80 %")
    assert state_and_value(keen, "attendance") == (MISSING, "75 %, needs 80 %")


def test_session_just_after_midnight_on_the_enrolment_day_counts(offering):
    """The database and Python must agree on a session's date in the site's time zone."""
    just_before, just_after = add_sessions(offering, 1, first=local(2016, 4, 11, 23, 30)) + (
        add_sessions(offering, 1, first=local(2016, 4, 12, 0, 30))
    )
    enrolment = EnrolmentFactory(
        offering=offering, status=EnrolmentStatus.ACCEPTED, enrolled_on=dt.date(2016, 4, 12)
    )
    attend(enrolment, [just_before, just_after])
    assert state_and_value(enrolment, "attendance") == (MET, "100 %, needs 80 %")


def test_cancelled_sessions_do_not_count(course):
    (cancelled,) = add_sessions(
        course.offering, 1, first=local(2016, 5, 26, 13, 15), cancelled=True
    )
    absent_then = make_student(course, "Abs Ent", present=8)
    # A record in a cancelled session is not an attended session either.
    there_anyway = make_student(course, "Came Anyway", present=7)
    attend(there_anyway, [cancelled])

    assert state_and_value(absent_then, "attendance") == (MET, "80 %, needs 80 %")
    assert state_and_value(there_anyway, "attendance") == (MISSING, "70 %, needs 80 %")


@pytest.mark.parametrize(
    ("held", "present", "expected"),
    [
        (8, 6, (PENDING, "75 % so far, needs 80 %; 2 sessions to go")),
        (9, 7, (PENDING, "77.7 % so far, needs 80 %; 1 session to go")),
        (8, 5, (MISSING, "62.5 %, needs 80 %; at most 70 % is still possible")),
        (0, 0, (PENDING, "no session yet, needs 80 %")),
    ],
)
def test_future_sessions_keep_attendance_pending_while_the_threshold_is_reachable(
    course, held, present, expected
):
    student = make_student(course, "Mid Term", present=present)
    now = course.sessions[held].starts_at - dt.timedelta(hours=1)
    assert state_and_value(student, "attendance", now=now) == expected


def test_a_rate_just_below_the_threshold_is_not_rounded_up(offering):
    sessions = add_sessions(offering, 54)
    enrolment = EnrolmentFactory(offering=offering, status=EnrolmentStatus.ACCEPTED)
    attend(enrolment, sessions[:43])  # 79.63 %
    after_all = sessions[-1].ends_at
    assert state_and_value(enrolment, "attendance", now=after_all) == (
        MISSING,
        "79.6 %, needs 80 %",
    )


def test_a_student_excused_from_every_session_is_left_to_a_teacher(course):
    """No participation to judge: no condition met or missing, so no proposal either (a
    one-click "accept proposals" must not fail someone with a documented long illness)."""
    student = make_student(course, "Al Ways Excused", present=0, excused=10)
    assert state_and_value(student, "attendance") == (
        PENDING,
        "excused from all 10 held sessions, needs 80 %; a teacher decides",
    )
    assert grading_sheet.student_row(student).proposed is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(80.0, "80 %"), (79.6, "79.6 %"), (79.99, "79.9 %"), (200 / 3, "66.6 %"), (0.0, "0 %")],
)
def test_percent_text_floors_to_one_decimal(value, text):
    assert grading_rules.percent_text(value) == text


def test_percent_text_uses_the_languages_decimal_separator():
    with translation.override("sv"):
        assert grading_rules.percent_text(79.6) == "79,6 %"
        assert grading_rules.percent_text(80.0) == "80 %"


def test_conditions_are_worded_in_each_readers_language_one_after_the_other(course):
    """The sheet remembers worded conditions and dates per language (eligibility.py): the
    same students read in English, then in Swedish, then in English again."""
    late = make_student(course, "Not Yet", submitted_at=None, present=7)
    on_time = make_student(course, "On Time")
    wording = {}
    for language in ("en", "sv", "en"):
        with translation.override(language):
            sheet = grading_sheet.grade_sheet(course.offering, now=BEFORE_DUE)
            rows = {row.enrolment.pk: row for row in sheet.rows}
            due = formats.date_format(timezone.localtime(DUE), "SHORT_DATETIME_FORMAT")
            wording.setdefault(language, []).append(
                (
                    condition(rows[late.pk], "attendance").label,
                    condition(rows[late.pk], "deliverable:report").value,
                    condition(rows[on_time.pk], "deliverable:report").value,
                    condition(rows[on_time.pk], "presented").label,
                    due,
                )
            )
    english, swedish = wording["en"][0], wording["sv"][0]
    assert english[:4] == ("Attendance", f"not submitted yet, due {english[4]}", "submitted",
                           "Project presented")  # fmt: skip
    assert swedish[:4] == ("Närvaro", f"inte inlämnad än, ska lämnas in senast {swedish[4]}",
                           "inlämnad", "Projektet presenterat")  # fmt: skip
    assert english[4] != swedish[4]  # the date itself in each language's format
    assert wording["en"][1] == english


# 1. Eligibility: deliverables ----------------------------------------------------------------


def test_report_not_submitted_before_the_deadline_is_pending(course):
    student = make_student(course, "Not Yet", submitted_at=None)
    assert state_and_value(student, "deliverable:report", now=BEFORE_DUE) == (
        PENDING,
        f"not submitted yet, due {DUE_TEXT}",
    )


def test_report_not_submitted_after_the_deadline_is_missing(course):
    student = make_student(course, "Never Sent", submitted_at=None)
    assert state_and_value(student, "deliverable:report") == (
        MISSING,
        f"not submitted, was due {DUE_TEXT}",
    )


@pytest.mark.parametrize(
    ("uploaded_at", "value"),
    [
        (DUE, "submitted"),
        (DUE + dt.timedelta(hours=3), "submitted less than a day late"),
        (DUE + dt.timedelta(days=1, hours=2), "submitted 1 day late"),
        (DUE + dt.timedelta(days=2, hours=23), "submitted 2 days late"),
    ],
)
def test_a_late_report_still_counts_and_says_how_late(course, uploaded_at, value):
    student = make_student(course, "Some Time", submitted_at=uploaded_at)
    assert state_and_value(student, "deliverable:report") == (MET, value)


def test_the_first_upload_decides_whether_the_report_was_on_time(course):
    student = make_student(course, "Two Versions")
    SubmissionFactory(
        deliverable=course.report, group=group_of(student), uploaded_at=DUE + dt.timedelta(days=5)
    )
    assert state_and_value(student, "deliverable:report") == (MET, "submitted")


def test_an_extension_moves_the_deadline_for_its_group_only(course):
    upload = DUE + dt.timedelta(days=1, hours=1)
    extended = make_student(course, "Ext Ended", submitted_at=upload)
    ExtensionFactory(
        deliverable=course.report, group=group_of(extended), due_at=DUE + dt.timedelta(days=3)
    )
    plain = make_student(course, "No Extension", submitted_at=upload)

    assert state_and_value(extended, "deliverable:report") == (MET, "submitted")
    assert state_and_value(plain, "deliverable:report") == (MET, "submitted 1 day late")


def test_an_extension_keeps_an_unsubmitted_report_pending_until_the_new_deadline(course):
    student = make_student(course, "Still Writing", submitted_at=None)
    ExtensionFactory(
        deliverable=course.report, group=group_of(student), due_at=DUE + dt.timedelta(days=3)
    )
    between = DUE + dt.timedelta(days=2)
    assert state_and_value(student, "deliverable:report", now=between) == (
        PENDING,
        f"not submitted yet, due {EXTENDED_DUE_TEXT} (extended)",
    )
    assert state_and_value(student, "deliverable:report") == (
        MISSING,
        f"not submitted, was due {EXTENDED_DUE_TEXT} (extended)",
    )
    SubmissionFactory(
        deliverable=course.report, group=group_of(student), uploaded_at=DUE + dt.timedelta(days=4)
    )
    assert state_and_value(student, "deliverable:report") == (MET, "submitted 1 day late")


def test_optional_deliverables_are_not_conditions(course):
    DeliverableFactory(offering=course.offering, title="Slides", slug="slides", required=False)
    student = make_student(course, "No Slides")
    row = row_of(student)
    assert [c.key for c in row.eligibility.conditions] == [
        "attendance",
        "deliverable:report",
        "presented",
    ]
    assert row.eligibility.eligible


def test_a_student_without_a_group_is_pending_during_the_course_and_missing_after(course):
    student = make_student(course, "Lone Wolf", grouped=False)
    not_in_group = f"not in a project group, due {DUE_TEXT}"
    assert state_and_value(student, "deliverable:report", now=BEFORE_DUE) == (
        PENDING,
        not_in_group,
    )
    assert state_and_value(student, "presented", now=BEFORE_DUE) == (
        PENDING,
        "not in a project group",
    )
    assert state_and_value(student, "deliverable:report") == (MISSING, not_in_group)
    assert state_and_value(student, "presented") == (MISSING, "not in a project group")


# 1. Eligibility: presentation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("presented", "slot_at", "now", "expected"),
    [
        (True, SLOT, AFTER, (MET, f"presented on {short_date(SLOT)}")),
        (True, None, AFTER, (MET, "presented")),
        (False, SLOT, AFTER, (MISSING, "did not present")),
        (None, SLOT, local(2016, 5, 30, 12, 0), (PENDING, f"scheduled {short(SLOT)}")),
        (None, SLOT, SLOT + dt.timedelta(minutes=10), (PENDING, f"scheduled {short(SLOT)}")),
        (None, SLOT, AFTER, (MISSING, "not recorded as presented")),
        (None, None, local(2016, 5, 30, 12, 0), (PENDING, "not scheduled yet")),
        (None, None, AFTER, (MISSING, "not recorded as presented")),
    ],
)
def test_presented_condition(course, presented, slot_at, now, expected):
    student = make_student(course, "Pre Senter", presented=presented, slot_at=slot_at)
    assert state_and_value(student, "presented", now=now) == expected


def test_explain_lists_every_unmet_condition(course):
    # Two excused absences are left out of the total by default: 6 of 8.
    student = make_student(course, "Some Gaps", present=6, excused=2, submitted_at=None)
    assert row_of(student).eligibility.explain() == (
        f"Attendance: 75 %, needs 80 %; Report: not submitted, was due {DUE_TEXT}"
    )
    assert row_of(make_student(course, "All Good")).eligibility.explain() == "all conditions met"


# 2. Scales -----------------------------------------------------------------------------------


def scale_rows(offering):
    return {
        s.level: [(g.code, g.passing, g.equivalent) for g in s.grade_list]
        for s in GradingScale.objects.filter(offering=offering)
    }


def test_setup_defaults_creates_the_msc_and_phd_scales_and_the_rubric(offering):
    assert grading_services.grading_setup_defaults(offering=offering) == (2, True)
    assert scale_rows(offering) == {
        Level.MSC: [("U", False, 0), ("3", True, 3), ("4", True, 4), ("5", True, 5)],
        Level.PHD: [("U", False, 0), ("G", True, 3), ("VG", True, 4)],
    }
    rubric = Rubric.objects.get(offering=offering)
    assert [c.name for c in rubric.criteria.all()] == [
        "Topics covered",
        "Depth of understanding",
        "Report",
        "Presentation",
    ]
    assert set(
        RubricLevel.objects.filter(criterion__rubric=rubric, insufficient=True).values_list(
            "points", flat=True
        )
    ) == {0}


def test_setup_defaults_is_idempotent_and_keeps_edits(offering):
    grading_services.grading_setup_defaults(offering=offering)
    ScaleGrade.objects.filter(scale__offering=offering, code="5").update(label="Excellent")
    GradingScale.objects.filter(offering=offering, level=Level.PHD).delete()
    counts = (ScaleGrade.objects.count(), RubricLevel.objects.count())

    assert grading_services.grading_setup_defaults(offering=offering) == (1, False)
    assert grading_services.grading_setup_defaults(offering=offering) == (0, False)
    assert ScaleGrade.objects.get(scale__offering=offering, code="5").label == "Excellent"
    assert (ScaleGrade.objects.count(), RubricLevel.objects.count()) == (counts[0] + 3, counts[1])


@pytest.mark.parametrize(
    ("project", "msc", "phd"),
    [(0, "U", "U"), (3, "3", "G"), (4, "4", "VG"), (5, "5", "VG")],
)
def test_scale_grade_for_maps_project_grades_onto_each_scale(offering, project, msc, phd):
    grading_services.grading_setup_defaults(offering=offering)
    scales = {s.level: s.grade_list for s in GradingScale.objects.filter(offering=offering)}
    assert grading_rules.scale_grade_for(scales[Level.MSC], project).code == msc
    assert grading_rules.scale_grade_for(scales[Level.PHD], project).code == phd


def test_an_edited_scale_changes_the_mapping_and_the_proposal(course):
    # This year VG needs a 5.
    ScaleGrade.objects.filter(scale__offering=course.offering, code="VG").update(equivalent=5)
    phd = GradingScale.objects.get(offering=course.offering, level=Level.PHD).grade_list
    assert grading_rules.scale_grade_for(phd, 4).code == "G"
    assert grading_rules.scale_grade_for(phd, 5).code == "VG"
    student = make_student(course, "Phd Four", level=Level.PHD, project=4)
    assert row_of(student).proposed.code == "G"


# 3. Rubric -----------------------------------------------------------------------------------

BANDS = Rubric(points_for_3=4, points_for_4=7, points_for_5=10)


def levels(*points, insufficient=()):
    return [RubricLevel(points=p, insufficient=i in insufficient) for i, p in enumerate(points)]


@pytest.mark.parametrize(
    ("points", "grade"),
    [
        ((1, 1, 1, 0), ProjectGrade.FAIL),  # 3: one below the band for 3
        ((1, 1, 1, 1), ProjectGrade.THREE),  # exactly 4
        ((2, 2, 1, 1), ProjectGrade.THREE),  # 6
        ((2, 2, 2, 1), ProjectGrade.FOUR),  # exactly 7
        ((3, 2, 2, 2), ProjectGrade.FOUR),  # 9
        ((3, 3, 2, 2), ProjectGrade.FIVE),  # exactly 10
        ((3, 3, 3, 3), ProjectGrade.FIVE),
    ],
)
def test_rubric_suggests_by_the_point_bands(points, grade):
    assert grading_rules.rubric_suggest(BANDS, levels(*points)) == grade


def test_any_insufficient_level_fails_the_project_whatever_the_points():
    assert grading_rules.rubric_suggest(BANDS, levels(3, 3, 3, 3, insufficient={2})) == 0


def test_rubric_bands_are_the_rubrics_own():
    strict = Rubric(points_for_3=6, points_for_4=9, points_for_5=12)
    assert grading_rules.rubric_suggest(strict, levels(2, 2, 1, 0)) == ProjectGrade.FAIL
    assert grading_rules.rubric_suggest(strict, levels(2, 2, 1, 1)) == ProjectGrade.THREE


@pytest.fixture
def group(course):
    return group_of(make_student(course, "Gro Up"))


def test_assessment_save_takes_the_rubrics_suggestion_without_a_grade(course, group):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    saved = grading_services.assessment_save(
        group=group, assessor=course.ta, level_ids=ids, grade=None, comment="  Solid.  "
    )
    saved.refresh_from_db()
    assert (saved.suggested, saved.grade, saved.comment) == (4, 4, "Solid.")
    assert set(saved.levels.values_list("pk", flat=True)) == set(ids.values())


def test_assessment_save_keeps_the_tas_own_grade_and_updates_their_assessment(course, group):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    grading_services.assessment_save(group=group, assessor=course.ta, level_ids=ids, grade=None)
    grading_services.assessment_save(group=group, assessor=course.ta, level_ids=ids, grade=5)
    saved = ProjectAssessment.objects.get()
    assert (saved.suggested, saved.grade) == (4, 5)


def test_assessment_save_refuses_a_missing_criterion_and_saves_nothing(course, group):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    report = Rubric.objects.get(offering=course.offering).criteria.get(name="Report")
    del ids[report.pk]
    with pytest.raises(ValidationError) as excinfo:
        grading_services.assessment_save(group=group, assessor=course.ta, level_ids=ids, grade=4)
    assert "Choose a level for “Report”." in excinfo.value.messages
    assert not ProjectAssessment.objects.exists()


def test_assessment_save_refuses_a_level_of_another_criterion(course, group):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    topics, depth = Rubric.objects.get(offering=course.offering).criteria.all()[:2]
    ids[depth.pk] = ids[topics.pk]
    with pytest.raises(ValidationError) as excinfo:
        grading_services.assessment_save(group=group, assessor=course.ta, level_ids=ids, grade=None)
    assert "Choose a level for “Depth of understanding”." in excinfo.value.messages
    assert not ProjectAssessment.objects.exists()


def test_assessment_save_refuses_a_grade_that_is_not_a_project_grade(course, group):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    with pytest.raises(ValidationError, match="2 is not a project grade"):
        grading_services.assessment_save(group=group, assessor=course.ta, level_ids=ids, grade=2)
    assert not ProjectAssessment.objects.exists()


def test_a_ta_of_another_offering_cannot_assess(course, group, other_ta):
    ids = level_ids(course.offering, POINTS[ProjectGrade.FOUR])
    with pytest.raises(PermissionDenied):
        grading_services.assessment_save(group=group, assessor=other_ta, level_ids=ids, grade=None)
    assert not ProjectAssessment.objects.exists()


def test_assessors_who_disagree_block_the_proposal(course):
    student = make_student(course, "Two Views", project=ProjectGrade.THREE)
    second = UserFactory(full_name="Sec Ond")
    StaffFactory(offering=course.offering, user=second, name=second.full_name)
    assess(course, group_of(student), ProjectGrade.FOUR, assessor=second)

    row = row_of(student)
    assert row.disagreement
    assert row.project_grade is None
    assert (row.proposed, row.proposal_note) == (None, "assessors disagree (3 vs 4)")


def test_assessors_who_agree_make_one_project_grade(course):
    student = make_student(course, "One View", project=ProjectGrade.FOUR)
    second = UserFactory()
    StaffFactory(offering=course.offering, user=second, name="Sec Ond")
    assess(course, group_of(student), ProjectGrade.FOUR, assessor=second)
    row = row_of(student)
    assert (row.disagreement, row.project_grade, row.proposed.code) == (False, 4, "4")


# 4. Proposed grades --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "project", "code"),
    [
        (Level.MSC, 4, "4"),
        (Level.PHD, 4, "VG"),
        (Level.PHD, 3, "G"),
        (Level.MSC, 5, "5"),
        (Level.PHD, 5, "VG"),
        (Level.MSC, 0, "U"),
    ],
)
def test_an_eligible_student_gets_the_project_grade_on_their_scale(course, level, project, code):
    student = make_student(course, "Elig Ible", level=level, project=project)
    row = row_of(student)
    assert (row.proposed.code, row.proposal_note) == (code, "")


def test_an_ineligible_student_is_proposed_a_fail_with_the_reason(course):
    student = make_student(course, "Ina Eligible", present=7, project=ProjectGrade.FIVE)
    row = row_of(student)
    assert row.proposed.code == "U"
    assert row.proposal_note == "not eligible: Attendance: 70 %, needs 80 %"


def test_a_pending_student_gets_no_proposal(course):
    student = make_student(course, "Pen Ding", submitted_at=None, project=ProjectGrade.FOUR)
    row = row_of(student, now=BEFORE_DUE)
    assert row.proposed is None
    assert row.proposal_note.startswith("waiting for: ")
    assert f"Report: not submitted yet, due {DUE_TEXT}" in row.proposal_note


def test_an_unassessed_project_gets_no_proposal(course):
    row = row_of(make_student(course, "Un Assessed"))
    assert (row.proposed, row.proposal_note) == (None, "project not assessed")


# 5. grade_set --------------------------------------------------------------------------------


def test_grade_set_to_the_proposal_needs_no_reason_and_is_logged(course):
    student = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    before = timezone.now()
    assert grading_services.grade_set(enrolment=student, grade=" 4 ", by=course.ta) is True
    after = timezone.now()

    final = FinalGrade.objects.get(enrolment=student)
    assert (final.grade, final.proposed, final.reason, final.set_by) == ("4", "4", "", course.ta)
    assert before <= final.set_at <= after
    change = GradeChange.objects.get(enrolment=student)
    assert (change.old_grade, change.new_grade, change.proposed, change.reason) == (
        "",
        "4",
        "4",
        "",
    )
    assert change.changed_by == course.ta
    assert before <= change.changed_at <= after
    assert row_of(student).final_grade.code == "4"


@pytest.mark.parametrize(
    ("level", "grade", "message"),
    [
        (Level.MSC, "VG", "“VG” is not a grade of the MSc scale (U, 3, 4, 5)."),
        (Level.PHD, "4", "“4” is not a grade of the PhD scale (U, G, VG)."),
    ],
)
def test_grade_set_refuses_a_grade_not_on_the_students_scale(course, level, grade, message):
    student = make_student(course, "Wrong Scale", level=level, project=ProjectGrade.FOUR)
    with pytest.raises(ValidationError) as excinfo:
        grading_services.grade_set(enrolment=student, grade=grade, reason="I insist", by=course.ta)
    assert excinfo.value.messages == [message]
    assert not FinalGrade.objects.exists()
    assert not GradeChange.objects.exists()


def test_passing_an_ineligible_student_needs_a_reason_which_is_kept(course):
    student = make_student(course, "Ina Eligible", present=7, project=ProjectGrade.FOUR)
    with pytest.raises(ValidationError) as excinfo:
        grading_services.grade_set(enrolment=student, grade="3", by=course.ta)
    assert excinfo.value.messages == [
        "Ina Eligible is not eligible (Attendance: 70 %, needs 80 %). Give a reason to pass "
        "them anyway."
    ]
    assert not FinalGrade.objects.exists()
    assert not GradeChange.objects.exists()

    reason = "Two absences were for a documented illness."
    assert grading_services.grade_set(enrolment=student, grade="3", reason=reason, by=course.ta)
    final = FinalGrade.objects.get(enrolment=student)
    assert (final.grade, final.proposed, final.reason, final.is_override) == (
        "3",
        "U",
        reason,
        True,
    )
    change = GradeChange.objects.get(enrolment=student)
    assert (change.new_grade, change.proposed, change.reason) == ("3", "U", reason)


def test_failing_an_ineligible_student_as_proposed_needs_no_reason(course):
    student = make_student(course, "Ina Eligible", present=7, project=ProjectGrade.FOUR)
    assert grading_services.grade_set(enrolment=student, grade="U", by=course.ta)
    assert FinalGrade.objects.get(enrolment=student).grade == "U"


def test_a_grade_other_than_the_proposal_needs_a_reason(course):
    student = make_student(course, "Want More", project=ProjectGrade.FOUR)
    with pytest.raises(ValidationError) as excinfo:
        grading_services.grade_set(enrolment=student, grade="5", by=course.ta)
    assert excinfo.value.messages == ["The proposed grade for Want More is 4; give a reason for 5."]
    assert not FinalGrade.objects.exists()

    assert grading_services.grade_set(
        enrolment=student, grade="5", reason="Oral exam", by=course.ta
    )
    assert FinalGrade.objects.get(enrolment=student).grade == "5"


def test_without_a_proposal_every_grade_needs_a_reason(course):
    student = make_student(course, "Un Assessed")
    with pytest.raises(ValidationError) as excinfo:
        grading_services.grade_set(enrolment=student, grade="4", by=course.ta)
    assert excinfo.value.messages == [
        "There is no proposed grade for Un Assessed (project not assessed); give a reason for 4."
    ]
    assert not FinalGrade.objects.exists()


def test_setting_the_same_grade_again_changes_and_logs_nothing(course):
    student = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    grading_services.grade_set(enrolment=student, grade="4", by=course.ta)
    set_at = FinalGrade.objects.get().set_at

    assert grading_services.grade_set(enrolment=student, grade="4", by=course.ta) is False
    assert GradeChange.objects.count() == 1
    assert FinalGrade.objects.get().set_at == set_at


def test_a_changed_grade_logs_the_old_one(course):
    student = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    grading_services.grade_set(enrolment=student, grade="4", by=course.ta)
    grading_services.grade_set(
        enrolment=student, grade="5", reason="Re-marked", by=course.responsible
    )
    last = GradeChange.objects.filter(enrolment=student).last()
    assert (last.old_grade, last.new_grade, last.reason, last.changed_by) == (
        "4",
        "5",
        "Re-marked",
        course.responsible,
    )
    assert [str(c) for c in grading_sheet.grade_history(student)] == ["— → 4", "4 → 5"]


@pytest.mark.parametrize("status", [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.APPLIED])
def test_grade_set_refuses_a_student_who_is_not_accepted(course, status):
    student = make_student(course, "Gone Away", project=ProjectGrade.FOUR, status=status)
    with pytest.raises(ValidationError) as excinfo:
        grading_services.grade_set(enrolment=student, grade="4", reason="x", by=course.ta)
    assert excinfo.value.messages == ["Only accepted students get a grade."]
    assert not FinalGrade.objects.exists()


# 6. grades_accept_proposed -------------------------------------------------------------------


def test_accept_proposed_grades_only_ungraded_students_with_a_proposal(course):
    good = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    weak = make_student(course, "Bert Weak", present=7, project=ProjectGrade.FOUR)
    open_ = make_student(course, "Cleo Open")  # not assessed: no proposal
    done = make_student(course, "Dora Done", project=ProjectGrade.THREE)
    grading_services.grade_set(enrolment=done, grade="4", reason="Oral exam", by=course.responsible)

    assert grading_services.grades_accept_proposed(offering=course.offering, by=course.ta) == 2

    grades = {f.enrolment_id: (f.grade, f.proposed, f.set_by_id) for f in FinalGrade.objects.all()}
    assert grades == {
        good.pk: ("4", "4", course.ta.pk),
        weak.pk: ("U", "U", course.ta.pk),
        done.pk: ("4", "3", course.responsible.pk),
    }
    assert open_.pk not in grades
    changes = {
        c.enrolment_id: (c.old_grade, c.new_grade, c.changed_by_id)
        for c in GradeChange.objects.exclude(enrolment=done)
    }
    assert changes == {good.pk: ("", "4", course.ta.pk), weak.pk: ("", "U", course.ta.pk)}
    assert GradeChange.objects.filter(enrolment=done).count() == 1

    assert grading_services.grades_accept_proposed(offering=course.offering, by=course.ta) == 0
    assert GradeChange.objects.count() == 3


# 7. Sign-off ---------------------------------------------------------------------------------


@pytest.fixture
def graded(course):
    """Anna passes with a 4, Bert fails on attendance; both graded as proposed."""
    course.anna = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    course.bert = make_student(course, "Bert Weak", present=7, project=ProjectGrade.FOUR)
    assert grading_services.grades_accept_proposed(offering=course.offering, by=course.ta) == 2
    return course


def result_mails(enrolment=None):
    mails = OutgoingMail.objects.filter(kind=MailKind.RESULT).order_by("pk")
    return mails.filter(recipient=enrolment.student) if enrolment else mails


def test_a_ta_cannot_sign_off_or_unlock(graded):
    with pytest.raises(PermissionDenied):
        grading_services.results_sign_off(offering=graded.offering, by=graded.ta)
    assert not ResultsEvent.objects.exists()
    assert not result_mails().exists()
    grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    with pytest.raises(PermissionDenied):
        grading_services.results_unlock(offering=graded.offering, by=graded.ta, reason="Typo")
    assert grading_sheet.current_results_state(graded.offering).locked


def test_the_responsible_of_another_offering_cannot_sign_off(graded, other_offering):
    elsewhere = UserFactory()
    StaffFactory(offering=other_offering, user=elsewhere, role=StaffRole.RESPONSIBLE)
    with pytest.raises(PermissionDenied):
        grading_services.results_sign_off(offering=graded.offering, by=elsewhere)
    assert not ResultsEvent.objects.exists()


def test_sign_off_is_refused_while_students_have_no_grade_and_names_them(graded):
    make_student(graded, "Cleo Open")
    make_student(graded, "Dan Open", project=ProjectGrade.FOUR, submitted_at=None)
    with pytest.raises(grading_services.UngradedStudents) as excinfo:
        grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    assert isinstance(excinfo.value, ValidationError)
    assert excinfo.value.messages == ["2 students have no grade yet: Cleo Open, Dan Open."]
    assert not ResultsEvent.objects.exists()
    assert not result_mails().exists()


def test_sign_off_locks_the_results_and_queues_one_result_mail_per_student(graded):
    # A withdrawn student is not graded, does not block the sign-off and gets no mail.
    make_student(graded, "Wilma Withdrawn", status=EnrolmentStatus.WITHDRAWN)

    assert grading_services.results_sign_off(offering=graded.offering, by=graded.responsible) == 2

    event = ResultsEvent.objects.get()
    assert (event.action, event.by) == (ResultsAction.SIGNED_OFF, graded.responsible)
    assert grading_sheet.grade_sheet(graded.offering).state.locked
    assert result_mails().count() == 2
    assert set(result_mails().values_list("status", flat=True)) == {MailStatus.QUEUED}

    (anna,) = result_mails(graded.anna)
    assert anna.to_email == graded.anna.student.email
    assert anna.offering == graded.offering
    assert anna.subject == "[Deep Learning (2016)] Your result: 4"
    assert "Your grade is 4 (Pass with credit)." in anna.body
    assert "What was missing" not in anna.body

    (bert,) = result_mails(graded.bert)
    assert bert.subject == "[Deep Learning (2016)] Your result: U"
    assert "Your grade is U (Fail)." in bert.body
    assert "What was missing: Attendance: 70 %, needs 80 %." in bert.body
    assert set(FinalGrade.objects.values_list("notified_grade", flat=True)) == {"4", "U"}


def test_a_result_mail_is_written_in_its_readers_language(course):
    """Each mail in the language stored on the reader's account, whoever signs off; what was
    missing is worded again in it (here: the Swedish date of the deadline)."""
    anna = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    sven = make_student(course, "Sven Sent-Nothing", submitted_at=None, project=ProjectGrade.FOUR)
    grading_services.grades_accept_proposed(offering=course.offering, by=course.ta)
    with translation.override("en-gb"):  # the course responsible's language
        sheet = grading_sheet.grade_sheet(course.offering, fresh=True)
        for row in sheet.rows:
            if row.enrolment.pk == sven.pk:
                row.enrolment.student.language = "sv"  # as their account stores it
        assert grading_mails.queue_result_mails(sheet) == 2
    with translation.override("sv"):
        swedish_due = short(DUE)
    (mail,) = result_mails(sven)
    assert swedish_due in mail.body and DUE_TEXT not in mail.body
    (mail,) = result_mails(anna)
    assert "Your grade is 4 (Pass with credit)." in mail.body


def test_a_superuser_may_sign_off(graded, superuser):
    assert grading_services.results_sign_off(offering=graded.offering, by=superuser) == 2
    assert ResultsEvent.objects.get().by == superuser


def test_the_result_mail_of_a_failed_project_does_not_say_all_conditions_were_met(course):
    failed = make_student(course, "Fay Failed", project=ProjectGrade.FAIL)
    grading_services.grade_set(enrolment=failed, grade="U", by=course.ta)
    grading_services.results_sign_off(offering=course.offering, by=course.responsible)
    (mail,) = result_mails(failed)
    assert "Your grade is U (Fail)." in mail.body
    assert "all conditions met" not in mail.body


def test_signed_off_results_refuse_every_grade_change(graded):
    grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    ids = level_ids(graded.offering, POINTS[ProjectGrade.FIVE])
    attempts = [
        lambda: grading_services.grade_set(
            enrolment=graded.bert, grade="3", reason="Re-marked", by=graded.responsible
        ),
        lambda: grading_services.assessment_save(
            group=group_of(graded.anna), assessor=graded.ta, level_ids=ids, grade=None
        ),
        lambda: grading_services.grades_accept_proposed(offering=graded.offering, by=graded.ta),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert "signed off" in messages(excinfo)

    assert dict(FinalGrade.objects.values_list("enrolment_id", "grade")) == {
        graded.anna.pk: "4",
        graded.bert.pk: "U",
    }
    assert GradeChange.objects.count() == 2
    assert ProjectAssessment.objects.get(group=group_of(graded.anna)).grade == 4
    with pytest.raises(ValidationError, match="signed off already"):
        grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    assert ResultsEvent.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_unlocking_needs_a_reason(graded, reason):
    grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    with pytest.raises(ValidationError, match="Say why"):
        grading_services.results_unlock(
            offering=graded.offering, by=graded.responsible, reason=reason
        )
    assert grading_sheet.current_results_state(graded.offering).locked
    assert ResultsEvent.objects.count() == 1


def test_unlocking_results_that_are_not_signed_off_is_refused(graded):
    with pytest.raises(ValidationError, match="not signed off"):
        grading_services.results_unlock(
            offering=graded.offering, by=graded.responsible, reason="Why not"
        )
    assert not ResultsEvent.objects.exists()


def test_unlock_change_and_sign_off_again_mails_only_the_changed_grade(graded):
    grading_services.results_sign_off(offering=graded.offering, by=graded.responsible)
    event = grading_services.results_unlock(
        offering=graded.offering, by=graded.responsible, reason=" Bert's medical certificate "
    )
    event.refresh_from_db()
    assert (event.action, event.reason, event.by) == (
        ResultsAction.UNLOCKED,
        "Bert's medical certificate",
        graded.responsible,
    )
    assert not grading_sheet.current_results_state(graded.offering).locked

    assert grading_services.grade_set(
        enrolment=graded.bert, grade="3", reason="Medical certificate", by=graded.responsible
    )
    assert grading_services.results_sign_off(offering=graded.offering, by=graded.responsible) == 1

    assert result_mails(graded.anna).count() == 1
    assert [m.subject for m in result_mails(graded.bert)] == [
        "[Deep Learning (2016)] Your result: U",
        "[Deep Learning (2016)] Your result has changed: 3",
    ]
    assert (
        "This replaces the grade U we mailed you before." in result_mails(graded.bert).last().body
    )
    assert "What was missing" not in result_mails(graded.bert).last().body
    assert list(ResultsEvent.objects.values_list("action", flat=True)) == [
        ResultsAction.SIGNED_OFF,
        ResultsAction.UNLOCKED,
        ResultsAction.SIGNED_OFF,
    ]


# 8. Archived offerings -----------------------------------------------------------------------


def test_an_archived_offering_takes_no_grades(graded):
    graded.offering.status = OfferingStatus.ARCHIVED
    graded.offering.save()
    student = Enrolment.objects.select_related("offering").get(pk=graded.bert.pk)
    ids = level_ids(graded.offering, POINTS[ProjectGrade.FIVE])
    attempts = [
        lambda: grading_services.grade_set(
            enrolment=student, grade="3", reason="x", by=graded.responsible
        ),
        lambda: grading_services.grades_accept_proposed(offering=graded.offering, by=graded.ta),
        lambda: grading_services.assessment_save(
            group=group_of(student), assessor=graded.ta, level_ids=ids, grade=None
        ),
        lambda: grading_services.results_sign_off(offering=graded.offering, by=graded.responsible),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert "archived" in messages(excinfo)
    assert FinalGrade.objects.get(enrolment=student).grade == "U"
    assert GradeChange.objects.count() == 2
    assert not ResultsEvent.objects.exists()


# 9. Query count ------------------------------------------------------------------------------

GRADE_SHEET_QUERIES = 14


def populate(offering, ta, count):
    """`count` students in groups of two, with everything the grade sheet reads, in bulk."""
    grading_services.grading_setup_defaults(offering=offering)
    sessions = add_sessions(offering, 10) + add_sessions(
        offering, 1, first=local(2016, 5, 30, 13, 15), cancelled=True
    )
    report = DeliverableFactory(offering=offering, slug="report", due_at=DUE)
    planning = DeliverableFactory(offering=offering, slug="planning", due_at=DUE - dt.timedelta(30))
    DeliverableFactory(offering=offering, slug="slides", required=False, due_at=DUE)
    users = User.objects.bulk_create(
        User(email=f"s{i}@example.org", full_name=f"Student {i:03d}") for i in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            offering=offering,
            student=user,
            level=Level.PHD if i % 3 == 0 else Level.MSC,
            status=EnrolmentStatus.ACCEPTED,
            enrolled_on=sessions[1].local_date if i % 7 == 0 else None,
        )
        for i, user in enumerate(users)
    )
    groups = ProjectGroup.objects.bulk_create(
        ProjectGroup(offering=offering, number=n + 1, presented=n % 5 != 0)
        for n in range(count // 2)
    )
    Membership.objects.bulk_create(
        Membership(group=groups[i // 2], enrolment=e) for i, e in enumerate(enrolments)
    )
    Attendance.objects.bulk_create(
        Attendance(
            session=s,
            enrolment=e,
            status=AttendanceStatus.EXCUSED if k == 8 else AttendanceStatus.PRESENT,
        )
        for i, e in enumerate(enrolments)
        for k, s in enumerate(sessions[: 9 if i % 4 else 7])
    )
    Submission.objects.bulk_create(
        Submission(
            deliverable=d,
            group=g,
            version=1,
            file=f"submissions/{g.pk}-{d.pk}.pdf",
            original_name="report.pdf",
            size=1000,
            pages=4,
            sha256="0" * 64,
            uploaded_at=d.due_at + dt.timedelta(days=1 if n % 4 == 0 else -1),
        )
        for n, g in enumerate(groups)
        for d in (report, planning)
        if n % 10 != 9
    )
    Extension.objects.bulk_create(
        Extension(deliverable=report, group=g, due_at=DUE + dt.timedelta(days=2))
        for g in groups[::3]
    )
    presentations = PresentationSessionFactory(offering=offering, starts_at=SLOT)
    PresentationSlot.objects.bulk_create(
        PresentationSlot(
            session=presentations,
            position=n,
            group=g,
            starts_at=SLOT + dt.timedelta(minutes=20 * n),
            ends_at=SLOT + dt.timedelta(minutes=20 * n + 20),
        )
        for n, g in enumerate(groups)
    )
    second = UserFactory()
    ProjectAssessment.objects.bulk_create(
        [
            ProjectAssessment(group=g, assessor=ta, grade=3 + n % 3, suggested=3)
            for n, g in enumerate(groups)
        ]
        + [ProjectAssessment(group=g, assessor=second, grade=5) for g in groups[::4]]
    )
    FinalGrade.objects.bulk_create(
        FinalGrade(enrolment=e, grade="U" if e.level == Level.PHD else "4", set_by=ta)
        for e in enrolments[::3]
    )


@pytest.mark.parametrize("count", [20, 200])
def test_grade_sheet_runs_a_fixed_number_of_queries(offering, ta, count, django_assert_num_queries):
    populate(offering, ta, count)
    with django_assert_num_queries(GRADE_SHEET_QUERIES):
        sheet = grading_sheet.grade_sheet(offering, now=AFTER)
        summary = [
            (
                row.eligibility.explain(),
                row.proposed and row.proposed.code,
                row.proposal_note,
                row.final_grade and row.final_grade.code,
                row.differs_from_proposal,
                row.group and row.group.number,
            )
            for row in sheet.rows
        ]
        assert not sheet.state.locked
    # The sheet really covers every kind of row, so the count is not of an empty sheet.
    assert len(sheet.rows) == count
    assert any(row.eligibility.eligible for row in sheet.rows)
    assert any(row.eligibility.failed for row in sheet.rows)
    assert any(row.disagreement for row in sheet.rows)
    assert any(row.graded for row in sheet.rows)
    assert any(proposed for _, proposed, *_ in summary)
    reports = {condition(row, "deliverable:report").value for row in sheet.rows}
    assert {"submitted", "submitted 1 day late"} <= reports
    assert any(value.startswith("not submitted, was due") for value in reports)


# 10. A grade change racing the sign-off (PostgreSQL) ----------------------------------------


def race_course():
    offering = OfferingFactory(course__title="Deep Learning", slug="2016")
    ta = UserFactory(full_name="Tess Assistant")
    StaffFactory(offering=offering, user=ta, name=ta.full_name)
    course = build_course(offering, ta)
    student = make_student(course, "Anna Good", project=ProjectGrade.FOUR)
    grading_services.grade_set(enrolment=student, grade="4", by=ta)
    return course, Enrolment.objects.select_related("offering", "student").get(pk=student.pk)


def assert_no_grade_changed_after_sign_off(offering):
    final = FinalGrade.objects.get()
    assert final.notified_grade == final.grade, "the mailed grade must be the final one"
    signed = ResultsEvent.objects.filter(offering=offering, action=ResultsAction.SIGNED_OFF)
    last = signed.latest()
    assert not GradeChange.objects.filter(changed_at__gt=last.at).exists()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_grade_change_waits_for_a_running_sign_off_and_is_then_refused():
    course, student = race_course()
    holding, release, results = threading.Event(), threading.Event(), {}

    def sign_off_and_hold():
        with transaction.atomic():
            sent = grading_services.results_sign_off(
                offering=course.offering, by=course.responsible
            )
            holding.set()
            release.wait(10)
        return sent

    one = run_in_thread(sign_off_and_hold, results, "sign_off")
    assert holding.wait(10)
    two = run_in_thread(
        lambda: grading_services.grade_set(
            enrolment=student, grade="5", reason="Re-marked", by=course.ta
        ),
        results,
        "grade",
    )
    two.join(0.5)
    assert two.is_alive(), "the grade change must wait for the lock on the offering"
    release.set()
    one.join(10)
    two.join(10)

    assert results["sign_off"] == 1
    assert isinstance(results["grade"], ValidationError)
    assert "signed off" in " ".join(results["grade"].messages)
    assert FinalGrade.objects.get().grade == "4"
    assert_no_grade_changed_after_sign_off(course.offering)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_sign_off_waits_for_a_running_grade_change_and_mails_the_new_grade():
    course, student = race_course()
    holding, release, results = threading.Event(), threading.Event(), {}

    def change_and_hold():
        with transaction.atomic():
            changed = grading_services.grade_set(
                enrolment=student, grade="5", reason="Re-marked", by=course.ta
            )
            holding.set()
            release.wait(10)
        return changed

    one = run_in_thread(change_and_hold, results, "grade")
    assert holding.wait(10)
    two = run_in_thread(
        lambda: grading_services.results_sign_off(offering=course.offering, by=course.responsible),
        results,
        "sign_off",
    )
    two.join(0.5)
    assert two.is_alive(), "the sign-off must wait for the lock on the offering"
    release.set()
    one.join(10)
    two.join(10)

    assert results == {"grade": True, "sign_off": 1}
    assert result_mails().get().subject == "[Deep Learning (2016)] Your result: 5"
    assert_no_grade_changed_after_sign_off(course.offering)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_grade_changes_and_sign_offs_never_change_a_signed_off_grade():
    course, student = race_course()
    for round_, grade in enumerate(["5", "3", "5", "4", "3"]):
        if round_:
            grading_services.results_unlock(
                offering=course.offering, by=course.responsible, reason="Again"
            )
        start, results = threading.Barrier(2), {}

        def change(grade=grade, start=start):
            start.wait(10)
            return grading_services.grade_set(
                enrolment=student, grade=grade, reason="Re-marked", by=course.ta
            )

        def sign_off(start=start):
            start.wait(10)
            return grading_services.results_sign_off(
                offering=course.offering, by=course.responsible
            )

        threads = [
            run_in_thread(change, results, "grade"),
            run_in_thread(sign_off, results, "sign_off"),
        ]
        for thread in threads:
            thread.join(20)
        assert isinstance(results["sign_off"], int), results["sign_off"]
        if isinstance(results["grade"], Exception):
            assert isinstance(results["grade"], ValidationError), results["grade"]
            assert "signed off" in " ".join(results["grade"].messages)
        else:
            assert FinalGrade.objects.get().grade == grade
        assert_no_grade_changed_after_sign_off(course.offering)
