"""The examination of the 2016 demo offering: assessments, final grades and the sign-off.

Everything here is INVENTED: the seed page says how the course was examined, not how anyone
did. The people named on the page all pass (3, 4 and 5; G and VG for the PhD students);
the three invented students, who attended less than 80 % and are in no project group, get
U. Olof Mogren assesses every project with the rubric; Mikael Kågebäck reviews two, agrees
on one and disagrees on the other, which the examiner settles with a reason. The course
responsible, Devdatt Dubhashi, signs off as the examiner (a demo account without password).

Written through the grading services, as staff would, and dated June 2016 afterwards.
load() is idempotent: once the results are signed off they are locked and left alone.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.enums import MailKind, MailStatus
from accounts.models import OutgoingMail, User
from course.models import Offering
from projects.services import group_mark_presented

from ..enums import ProjectGrade
from ..grading import services as grading
from ..grading.rules import scale_grade_for
from ..grading.sheet import current_results_state
from ..models import FinalGrade, GradeChange, ProjectAssessment, ResultsEvent

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Group number: (points per rubric criterion, in the rubric's order: topics covered, depth
# of understanding, report, presentation; the TA's grade when it is not the rubric's; comment).
# The topics follow the proposals' listed modules as the rubric counts them: every group
# lists two ("A couple of topics", 1 point); the higher grades come from depth, report and
# talk ("more topics for higher grades" is what none of the 2016 groups did).
ASSESSMENTS = {
    1: ((1, 2, 2, 2), None, "Compares with the bag-of-words baseline, as the plan promised."),
    2: ((1, 1, 2, 1), None, "Sound and clearly reported; a third topic would lift it."),
    3: ((1, 3, 3, 3), None, "Convolutional features and deep Q-learning, well combined."),
    4: ((1, 2, 2, 2), None, "Good use of unsupervised embeddings for both languages."),
    5: ((1, 2, 1, 1), None, "Works; the comparison with the rule-based driver is brief."),
    6: ((1, 2, 2, 2), None, "Careful augmentation study. Report came the morning after."),
    7: ((1, 3, 2, 2), ProjectGrade.FIVE,
        "The rubric says 4; an encoder-decoder writing LaTeX goes well beyond the lectures."),
    8: ((1, 2, 2, 2), None, "Convincing analysis of the image regions the network uses."),
    9: ((1, 1, 2, 1), None, "Transfer learning applied soundly; little analysis of results."),
    10: ((1, 3, 3, 3), None, "Encoder-decoder done well, with a small human evaluation."),
}  # fmt: skip
# The second TA's reviews: group 3 agrees; group 8 stays a disagreement (4 vs 3).
REVIEWS = {
    3: ((1, 3, 3, 3), None, "Agree: a 5."),
    8: ((1, 1, 2, 1), None, "The analysis is mostly pictures; I would say 3."),
}
# The examiner settles the disagreement: the project grade, and the reason every grade gets.
SETTLED = {
    8: (ProjectGrade.FOUR, "The assessors disagreed (4 and 3). The examiner read the report: "
        "the analysis of the image regions the network relies on shows the deeper "
        "understanding a 4 asks for."),
}  # fmt: skip

ASSESSED_AT = datetime(2016, 6, 6, 9, 0, tzinfo=STOCKHOLM)  # plus an hour per group
REVIEWED_AT = datetime(2016, 6, 9, 14, 0, tzinfo=STOCKHOLM)
GRADED_AT = datetime(2016, 6, 13, 10, 0, tzinfo=STOCKHOLM)
SETTLED_AT = datetime(2016, 6, 13, 10, 30, tzinfo=STOCKHOLM)
SIGNED_OFF_AT = datetime(2016, 6, 14, 9, 0, tzinfo=STOCKHOLM)


def _assess(group, assessor: User, criteria, points, grade, comment) -> ProjectAssessment:
    level_ids = {
        criterion.pk: next(lv.pk for lv in criterion.levels.all() if lv.points == pt)
        for criterion, pt in zip(criteria, points, strict=True)
    }
    return grading.assessment_save(
        group=group, assessor=assessor, level_ids=level_ids, grade=grade, comment=comment
    )


def load(offering: Offering, ta: User, *, reviewer: User, examiner: User) -> None:
    """Grade the 2016 offering and sign the results off (idempotent).

    `examiner` must be allowed to sign off: the course responsible's account or a superuser.
    Side effects: the default scales and rubric; groups marked presented; ProjectAssessment,
    FinalGrade, GradeChange and ResultsEvent rows; the result mails, recorded as sent in 2016.
    """
    grading.grading_setup_defaults(offering=offering)
    groups = {g.number: g for g in offering.project_groups.order_by("number")}
    for group in groups.values():
        if group.presented is not True:
            group_mark_presented(group=group, presented=True)
    if current_results_state(offering).locked:
        return  # signed off on an earlier load: the grades are final
    first_sign_off = not ResultsEvent.objects.filter(offering=offering).exists()

    criteria = list(offering.rubric.criteria.prefetch_related("levels"))
    for number, (points, grade, comment) in ASSESSMENTS.items():
        _assess(groups[number], ta, criteria, points, grade, comment)
    for number, (points, grade, comment) in REVIEWS.items():
        _assess(groups[number], reviewer, criteria, points, grade, comment)
    grading.grades_accept_proposed(offering=offering, by=examiner)
    # No proposal while the assessors disagree: the examiner gives the grades, with a reason.
    scales = {s.level: list(s.grades.all()) for s in offering.grading_scales.all()}
    for number, (project_grade, reason) in SETTLED.items():
        for membership in groups[number].memberships.select_related("enrolment"):
            enrolment = membership.enrolment
            grade = scale_grade_for(scales[enrolment.level], project_grade)
            grading.grade_set(enrolment=enrolment, grade=grade.code, reason=reason, by=examiner)
    grading.results_sign_off(offering=offering, by=examiner)
    if first_sign_off:
        _date_in_2016(offering, ta)


def _date_in_2016(offering: Offering, ta: User) -> None:
    """The services stamp today's date; the demo's examination happened in June 2016.

    Only on the first sign-off: later events must stay after any unlock made since.
    """
    for assessment in ProjectAssessment.objects.filter(group__offering=offering).select_related(
        "group"
    ):
        if assessment.assessor_id == ta.pk:
            when = ASSESSED_AT + timedelta(hours=assessment.group.number)
        else:
            when = REVIEWED_AT
        ProjectAssessment.objects.filter(pk=assessment.pk).update(created_at=when, updated_at=when)
    for model, field in ((FinalGrade, "set_at"), (GradeChange, "changed_at")):
        rows = model.objects.filter(enrolment__offering=offering)
        rows.filter(reason="").update(**{field: GRADED_AT})
        rows.exclude(reason="").update(**{field: SETTLED_AT})
    ResultsEvent.objects.filter(offering=offering).update(at=SIGNED_OFF_AT)
    # Sent back then: the outbox worker of scripts/demo must not mail them today.
    OutgoingMail.objects.filter(
        offering=offering, kind=MailKind.RESULT, status=MailStatus.QUEUED
    ).update(
        status=MailStatus.SENT,
        attempts=1,
        created_at=SIGNED_OFF_AT,
        next_attempt_at=SIGNED_OFF_AT,
        sent_at=SIGNED_OFF_AT,
    )
