"""iCalendar feeds, read back with the icalendar library."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from accounts.enums import EnrolmentStatus as S
from sessions.services import session_record_change
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db
ICS = "/courses/deep-learning/2016/schedule.ics"
TZ = ZoneInfo("Europe/Stockholm")


def events(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


@pytest.fixture
def session(offering):
    module = ModuleFactory(offering=offering, title="Recurrent Neural Networks")
    VideoLectureFactory(module=module, speaker="Alex Graves", title="RNNs")
    return DiscussionSessionFactory(
        offering=offering, module=module, room="ML13",
        starts_at=dt.datetime(2016, 3, 29, 13, 15, tzinfo=TZ),
        ends_at=dt.datetime(2016, 3, 29, 15, 0, tzinfo=TZ),
    )  # fmt: skip


def test_schedule_feed_has_each_session_in_local_time(client, session):
    (event,) = events(client.get(ICS))
    assert event["summary"] == "Deep Learning: Recurrent Neural Networks"
    assert event["location"] == "ML13"
    assert event.decoded("dtstart") == dt.datetime(2016, 3, 29, 13, 15, tzinfo=TZ)
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert "Alex Graves, RNNs" in event["description"]
    calendar = Calendar.from_ical(client.get(ICS).content)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_moved_session_keeps_its_uid_and_raises_its_sequence(client, session):
    (before,) = events(client.get(ICS))
    session.starts_at += dt.timedelta(days=1)
    session.ends_at += dt.timedelta(days=1)
    session.room = "ML1"
    session.save()
    session_record_change(session=session, changed=["starts_at", "ends_at", "room"])
    (after,) = events(client.get(ICS))
    assert after["uid"] == before["uid"]
    assert after["sequence"] == before["sequence"] + 1
    assert after["location"] == "ML1"


def test_cancelled_session_is_marked_cancelled(client, session):
    session.is_cancelled = True
    session.cancel_reason = "TA ill"
    session.save()
    (event,) = events(client.get(ICS))
    assert event["status"] == "CANCELLED"
    assert event["description"].startswith("Cancelled. TA ill")


def test_admin_edit_of_the_time_raises_the_sequence(client, session, ta):
    client.force_login(ta)
    client.post(
        f"/admin/discussions/discussionsession/{session.pk}/change/",
        {"offering": session.offering_id, "module": session.module_id,
         "starts_at_0": "2016-03-30", "starts_at_1": "13:15", "ends_at_0": "2016-03-30",
         "ends_at_1": "15:00", "room": "ML13"},
    )  # fmt: skip
    session.refresh_from_db()
    assert session.sequence == 1
    assert session.starts_at.astimezone(TZ).day == 30


def test_personal_feed_has_the_students_accepted_offerings_only(
    client, offering, other_offering, session, accepted_student
):
    DiscussionSessionFactory(offering=other_offering, room="Elsewhere")
    EnrolmentFactory(offering=other_offering, student=accepted_student, status=S.WAITLISTED)
    client.force_login(accepted_student)
    page = client.post("/calendar/reset/", {"next": "/me/"}, follow=True).content.decode()
    accepted_student.refresh_from_db()
    url = f"/calendar/{accepted_student.calendar_token}.ics"
    assert url in page
    assert "Your calendar has an address" in page
    client.logout()  # calendar apps do not log in
    assert [e["location"] for e in events(client.get(url))] == ["ML13"]


def test_my_page_makes_no_calendar_address_until_asked(client, accepted_student):
    """A GET writes nothing: the address is made by the button (a POST)."""
    client.force_login(accepted_student)
    page = client.get("/me/").content.decode()
    accepted_student.refresh_from_db()
    assert accepted_student.calendar_token is None
    assert "Get my calendar address" in page
    assert "/calendar/" not in page.replace("/calendar/reset/", "")


def test_unknown_token_is_404_and_a_reset_retires_the_old_address(client, accepted_student):
    assert client.get("/calendar/guess.ics").status_code == 404
    client.force_login(accepted_student)
    client.post("/calendar/reset/", {"next": "/me/"})
    accepted_student.refresh_from_db()
    old = accepted_student.calendar_token
    client.post("/calendar/reset/", {"next": "/me/"})
    accepted_student.refresh_from_db()
    assert accepted_student.calendar_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    feed = client.get(f"/calendar/{accepted_student.calendar_token}.ics")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert feed.content.decode().startswith("BEGIN:VCALENDAR")


def test_calendar_reset_does_not_redirect_elsewhere(client, accepted_student):
    client.force_login(accepted_student)
    response = client.post("/calendar/reset/", {"next": "https://evil.example/"})
    assert response["Location"] == "/me/"
