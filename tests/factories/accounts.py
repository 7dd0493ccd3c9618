import factory
from django.utils import timezone

from accounts.enums import EnrolmentStatus, Level
from accounts.models import Enrolment, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    student = factory.SubFactory(UserFactory)
    level = Level.MSC
    programme = "Computer Science"
    motivation = "I want to learn."
    status = EnrolmentStatus.APPLIED
    applied_at = factory.Sequence(
        lambda n: timezone.now() - timezone.timedelta(days=30, minutes=-n)
    )
