import datetime as dt

import factory
from django.utils import timezone

from course.enums import ModuleKind, OfferingStatus, StaffRole
from course.models import Announcement, Course, LecturePart, Module, Offering, Staff, VideoLecture


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"TST{n:03d}")
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A course made for a test."
    description = "About **this** course."


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"{2000 + n}")
    name = factory.LazyAttribute(lambda o: o.slug)
    study_period = "LP4"
    start_date = dt.date(2016, 3, 21)
    end_date = dt.date(2016, 6, 4)
    status = OfferingStatus.RUNNING
    is_published = True


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    offering = factory.SubFactory(OfferingFactory)
    name = factory.Faker("name")
    role = StaffRole.TEACHING_ASSISTANT
    email = factory.Sequence(lambda n: f"teacher{n}@example.org")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    offering = factory.SubFactory(OfferingFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")
    kind = ModuleKind.REGULAR


class VideoLectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoLecture

    module = factory.SubFactory(ModuleFactory)
    order = factory.Sequence(lambda n: n)
    speaker = factory.Faker("name")
    title = factory.Sequence(lambda n: f"Lecture {n}")


class LecturePartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LecturePart

    lecture = factory.SubFactory(VideoLectureFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Lec{n}")


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    offering = factory.SubFactory(OfferingFactory)
    title = factory.Sequence(lambda n: f"Announcement {n}")
    body = "Something to *know*."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
