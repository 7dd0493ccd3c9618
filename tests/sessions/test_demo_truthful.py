"""The demo tells the truth: next year is what copy_offering makes of 2016, the assessments
follow the rubric, the course responsible signs off, people apply and are decided at office
hours, the abstracts read as a course's, the README's numbers are the demo's, and the
schedule shows the presentation sessions that the calendar feed has."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.enums import EnrolmentStatus
from accounts.models import Enrolment, EnrolmentDecision
from course.models import Announcement, Offering, Quiz
from projects.models import Proposal
from sessions.grading.rules import rubric_suggest
from sessions.models import ProjectAssessment, ResultsEvent

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())
    return Offering.objects.get(slug="2016")


def test_the_demo_tells_the_truth(demo, client):
    # The next offering is a copy of 2016, with its quizzes, deliverables and presentations.
    nxt = Offering.objects.get(slug="next")
    assert nxt.modules.count() == demo.modules.count()
    assert Quiz.objects.filter(module__offering=nxt).count() == 5
    assert set(nxt.deliverables.values_list("slug", flat=True)) == set(
        demo.deliverables.values_list("slug", flat=True)
    )
    assert nxt.presentation_sessions.count() == 2
    assert (nxt.start_date - demo.start_date).days % 7 == 0
    assert nxt.registration_opens <= timezone.now() <= nxt.registration_closes
    assert "responsible" in nxt.staff.get(user__email="dubhashi@example.org").role

    # Every assessment's topics level is what the proposal lists, as the rubric counts.
    for assessment in ProjectAssessment.objects.filter(group__offering=demo).prefetch_related(
        "levels__criterion"
    ):
        topics = Proposal.objects.get(group=assessment.group).topics.count()
        level = next(lv for lv in assessment.levels.all() if lv.criterion.order == 0 or
                     "topics" in str(lv.criterion.name).lower())  # fmt: skip
        expected = 0 if topics < 2 else min(topics - 1, 3)
        assert level.points == expected, assessment.group
        assert assessment.suggested == rubric_suggest(demo.rubric, list(assessment.levels.all()))

    # The course responsible signs off and writes the announcements.
    assert {e.by.full_name for e in ResultsEvent.objects.filter(offering=demo)} == {
        "Devdatt Dubhashi"
    }
    authors = set(Announcement.objects.filter(offering=demo).values_list("author__full_name"))
    assert authors == {("Devdatt Dubhashi",)}
    assert (
        not Offering.objects.get(pk=demo.pk)
        .course.offerings.get(slug="2016")
        .staff.get(name="Devdatt Dubhashi")
        .user.has_usable_password()
    )

    # Applications and decisions at office hours, on working days.
    for moment in [
        *Enrolment.objects.filter(offering=demo).values_list("applied_at", flat=True),
        *Enrolment.objects.filter(offering=demo, decided_at__isnull=False).values_list(
            "decided_at", flat=True
        ),
        *EnrolmentDecision.objects.filter(enrolment__offering=demo).values_list(
            "decided_at", flat=True
        ),
    ]:
        local = timezone.localtime(moment)
        assert local.weekday() < 5 and 9 <= local.hour < 17, local

    # No test strings in the abstracts.
    for abstract in Proposal.objects.filter(group__offering=demo).values_list(
        "abstract", flat=True
    ):
        assert "å, ä, ö" not in abstract and "∑" not in abstract

    # The README's numbers are the demo's.
    readme = README.read_text()
    counts = {
        status: Enrolment.objects.filter(offering=demo, status=status).count()
        for status in EnrolmentStatus
    }
    said = re.search(r"archived 2016 offering \(its (\d+) accepted students", readme)
    assert int(said.group(1)) == counts[EnrolmentStatus.ACCEPTED]
    assert "one on the waiting list, one undecided,\none rejected, one withdrawn" in readme
    assert [counts[s] for s in ("waitlisted", "applied", "rejected", "withdrawn")] == [1] * 4
    assert f"; {demo.project_groups.count()} project groups)" in readme

    # The schedule shows the two presentation afternoons, as the calendar feed does.
    page = client.get("/courses/deep-learning/2016/schedule/").content.decode()
    assert page.count("Project presentations</a>") == 2
    assert "31 May" in page and "2 June" in page
    feed = client.get("/courses/deep-learning/2016/schedule.ics").content.decode()
    assert feed.count("project presentations") == 2
