import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from course.models import Offering
from course.services import lecture_set_parts
from tests.factories import (
    CourseFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def test_offering_must_not_end_before_it_starts():
    offering = OfferingFactory.build(
        course=CourseFactory(), start_date=dt.date(2016, 6, 4), end_date=dt.date(2016, 3, 21)
    )
    with pytest.raises(ValidationError) as error:
        offering.full_clean()
    assert error.value.message_dict["end_date"] == ["The offering cannot end before it starts."]


def test_database_refuses_offering_dates_out_of_order():
    offering = OfferingFactory()
    offering.end_date = dt.date(2000, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        offering.save()


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (
            dt.datetime(2016, 3, 1, tzinfo=TZ),
            dt.datetime(2016, 2, 1, tzinfo=TZ),
            "registration_closes",
            "Registration must close after it opens.",
        ),
        (
            None,
            dt.datetime(2016, 7, 1, tzinfo=TZ),
            "registration_closes",
            "Registration cannot close after the offering has ended.",
        ),
        (
            dt.datetime(2014, 1, 1, tzinfo=TZ),
            None,
            "registration_opens",
            "Registration cannot open more than a year before the offering starts.",
        ),
    ],
)
def test_registration_window_must_be_sensible(opens, closes, field, message):
    offering = OfferingFactory.build(
        course=CourseFactory(), registration_opens=opens, registration_closes=closes
    )
    with pytest.raises(ValidationError) as error:
        offering.full_clean()
    assert error.value.message_dict[field] == [message]


def test_offering_slug_is_unique_within_its_course_only():
    first = OfferingFactory(slug="2016")
    OfferingFactory(slug="2016")  # another course: fine
    duplicate = OfferingFactory.build(course=first.course, slug="2016")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already exists" in str(error.value)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (dt.datetime(2016, 2, 1, tzinfo=TZ), "not_yet"),
        (dt.datetime(2016, 3, 1, tzinfo=TZ), "open"),
        (dt.datetime(2016, 3, 15, tzinfo=TZ), "closed"),
    ],
)
def test_registration_state_follows_the_window(now, state):
    offering = OfferingFactory.build(
        registration_opens=dt.datetime(2016, 2, 15, tzinfo=TZ),
        registration_closes=dt.datetime(2016, 3, 14, tzinfo=TZ),
    )
    assert offering.registration_state(now)[0] == state


def test_registration_state_without_dates_is_unscheduled():
    assert OfferingFactory.build().registration_state()[0] == "unscheduled"


def test_lecture_parts_are_stored_structured_and_print_as_given():
    lecture = VideoLectureFactory()
    lecture_set_parts(lecture=lecture, notation="Lec1, Lec2:1-2:11")
    parts = list(lecture.parts.all())
    assert [(p.name, p.range_start, p.range_end) for p in parts] == [
        ("Lec1", "", ""),
        ("Lec2", "1", "2:11"),
    ]
    assert lecture.parts_notation == "Lec1, Lec2:1-2:11"


def test_bad_lecture_parts_change_nothing():
    lecture = VideoLectureFactory()
    lecture_set_parts(lecture=lecture, notation="9A, 9B")
    with pytest.raises(ValidationError):
        lecture_set_parts(lecture=lecture, notation="9A, Lec2:1-")
    assert lecture.parts_notation == "9A, 9B"


def test_taught_by_lists_only_offerings_where_the_user_is_staff():
    user = UserFactory()
    mine = StaffFactory(user=user).offering
    OfferingFactory()
    assert list(Offering.objects.taught_by(user)) == [mine]


def test_module_slugs_are_unique_within_an_offering():
    module = ModuleFactory(slug="rnn")
    ModuleFactory(slug="rnn")  # another offering: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        ModuleFactory(offering=module.offering, slug="rnn")
