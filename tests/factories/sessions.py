import datetime as dt

import factory
from django.utils import timezone

from sessions.models import DiscussionSession, SessionSeries


class SessionSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSeries

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    weekday = 1
    start_time = dt.time(13, 15)
    end_time = dt.time(15, 0)
    room = "ML13"


class DiscussionSessionFactory(factory.django.DjangoModelFactory):
    """A session held `days_ago` days ago (negative: in the future)."""

    class Meta:
        model = DiscussionSession

    class Params:
        days_ago = 1

    offering = factory.SubFactory("tests.factories.course.OfferingFactory")
    starts_at = factory.LazyAttribute(
        lambda o: timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=o.days_ago)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=105))
    room = "ML13"
