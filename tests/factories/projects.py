import datetime as dt

import factory
from django.utils import timezone

from projects.models import Deliverable, Membership, ProjectGroup, Proposal


class ProjectGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectGroup
        skip_postgeneration_save = True

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    number = factory.Sequence(lambda n: n + 1)
    proposal = factory.RelatedFactory(
        "tests.factories.projects.ProposalFactory", factory_related_name="group"
    )


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    group = factory.SubFactory(ProjectGroupFactory, proposal=None)
    title = factory.Sequence(lambda n: f"Project {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(ProjectGroupFactory)
    enrolment = factory.SubFactory(
        "tests.factories.accounts.EnrolmentFactory",
        offering=factory.SelfAttribute("..group.offering"),
        status="accepted",
    )


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    max_pages = 4
    max_size_mb = 1
