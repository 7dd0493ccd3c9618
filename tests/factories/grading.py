"""Factories for what grading reads: attendance records, submissions, extensions, slots."""

import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from projects.models import (
    Extension,
    PresentationSession,
    PresentationSlot,
    Submission,
)
from sessions.enums import AttendanceStatus
from sessions.models import Attendance


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory("tests.factories.sessions.DiscussionSessionFactory")
    enrolment = factory.SubFactory(
        "tests.factories.accounts.EnrolmentFactory",
        offering=factory.SelfAttribute("..session.offering"),
        status="accepted",
    )
    status = AttendanceStatus.PRESENT


class SubmissionFactory(factory.django.DjangoModelFactory):
    """One uploaded version of a deliverable; `uploaded_at` decides whether it was late."""

    class Meta:
        model = Submission

    deliverable = factory.SubFactory("tests.factories.projects.DeliverableFactory")
    group = factory.SubFactory(
        "tests.factories.projects.ProjectGroupFactory",
        offering=factory.SelfAttribute("..deliverable.offering"),
    )
    version = factory.Sequence(lambda n: n + 1)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4\n%%EOF\n", name="report.pdf"))
    original_name = "report.pdf"
    size = 15
    pages = 1
    sha256 = "0" * 64
    uploaded_at = factory.LazyFunction(timezone.now)


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    deliverable = factory.SubFactory("tests.factories.projects.DeliverableFactory")
    group = factory.SubFactory(
        "tests.factories.projects.ProjectGroupFactory",
        offering=factory.SelfAttribute("..deliverable.offering"),
    )
    due_at = factory.LazyAttribute(lambda o: o.deliverable.due_at + dt.timedelta(days=3))
    reason = "Illness"


class PresentationSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PresentationSession

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=105))
    room = factory.Sequence(lambda n: f"Room {n}")


class PresentationSlotFactory(factory.django.DjangoModelFactory):
    """A slot at the start of its session; pass `session` (and `group`)."""

    class Meta:
        model = PresentationSlot

    session = factory.SubFactory(PresentationSessionFactory)
    position = factory.Sequence(lambda n: n)
    group = None
    starts_at = factory.LazyAttribute(lambda o: o.session.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=20))
    published = True
