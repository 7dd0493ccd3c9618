"""A class ready for grading, built in bulk so that tests can grow it to hundreds."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.enums import EnrolmentStatus, Level
from accounts.models import Enrolment, User
from projects.models import Membership, ProjectGroup, Submission
from sessions.grading import services as grading_services
from sessions.models import Attendance, DiscussionSession, ProjectAssessment, RubricLevel
from tests.factories import UserFactory
from tests.factories.projects import DeliverableFactory


def build_class(offering, students: int, *, ta, attended=8, sessions=10, phd_every=3, assess=True):
    """`students` accepted students in groups of four, with `sessions` held sessions of which
    each attended `attended`, one required report handed in, presented, and assessed 4."""
    grading_services.grading_setup_defaults(offering=offering)
    now = timezone.now()
    held = list(offering.discussion_sessions.order_by("starts_at")) or (
        DiscussionSession.objects.bulk_create(
            DiscussionSession(
                offering=offering,
                starts_at=now - dt.timedelta(days=40 - i),
                ends_at=now - dt.timedelta(days=40 - i, hours=-2),
                room="ML13",
            )
            for i in range(sessions)
        )
    )
    report = offering.deliverables.filter(slug="report").first() or DeliverableFactory(
        offering=offering, title="Project report", slug="report", due_at=now - dt.timedelta(days=5)
    )
    start = Enrolment.objects.filter(offering=offering).count()
    users = [
        UserFactory.build(
            email=f"s{start + i}-{offering.pk}@example.org", full_name=f"Student {start + i:04d}"
        )
        for i in range(students)
    ]
    User.objects.bulk_create(users)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            offering=offering,
            student=user,
            level=Level.PHD if phd_every and i % phd_every == 0 else Level.MSC,
            status=EnrolmentStatus.ACCEPTED,
        )
        for i, user in enumerate(users)
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=e, status="present")
        for e in enrolments
        for session in held[:attended]
    )
    first_number = ProjectGroup.objects.filter(offering=offering).count() + 1
    groups = ProjectGroup.objects.bulk_create(
        ProjectGroup(offering=offering, number=first_number + i, presented=True)
        for i in range((students + 3) // 4)
    )
    Membership.objects.bulk_create(
        Membership(group=groups[i // 4], enrolment=e) for i, e in enumerate(enrolments)
    )
    for group in groups:
        submission = Submission(
            deliverable=report,
            group=group,
            version=1,
            original_name="report.pdf",
            size=10,
            pages=4,
            sha256="0" * 64,
            uploaded_at=now - dt.timedelta(days=6),
        )
        submission.file.save("report.pdf", ContentFile(b"%PDF-1.4"), save=False)
        submission.save()
        if assess:
            ProjectAssessment.objects.create(group=group, assessor=ta, grade=4, suggested=4)
    return enrolments


def levels_for(offering, points):
    """One level id a criterion, each with the given points."""
    return {
        level.criterion_id: level.pk
        for level in RubricLevel.objects.filter(criterion__rubric__offering=offering, points=points)
    }
