"""Generating dated sessions from weekly series."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from course.enums import ModuleKind
from sessions.models import DiscussionSession
from sessions.services import generate_sessions
from tests.factories import ModuleFactory, SessionSeriesFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def series(offering):
    """The seed's: Tuesdays 13:15-15:00 in ML13, Thursdays in ML1."""
    return [
        SessionSeriesFactory(offering=offering, weekday=1, room="ML13"),
        SessionSeriesFactory(offering=offering, weekday=3, room="ML1"),
    ]


@pytest.fixture
def modules(offering):
    titles = ["Preliminaries", "RNN", "CNN"]
    made = [ModuleFactory(offering=offering, title=t, order=i) for i, t in enumerate(titles)]
    ModuleFactory(offering=offering, title="Presentations", kind=ModuleKind.PRESENTATIONS, order=9)
    return made


def test_generates_tuesdays_and_thursdays_in_their_rooms(offering, series):
    result = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 4, 3)
    )
    got = [(s.starts_at.astimezone(TZ), s.room) for s in result.created]
    assert [(t.strftime("%a %d %H:%M"), room) for t, room in got] == [
        ("Tue 22 13:15", "ML13"), ("Thu 24 13:15", "ML1"),
        ("Tue 29 13:15", "ML13"), ("Thu 31 13:15", "ML1"),
    ]  # fmt: skip
    assert all(s.ends_at.astimezone(TZ).strftime("%H:%M") == "15:00" for s in result.created)


def test_local_times_stay_put_across_the_summer_time_change(offering, series):
    # Sweden moved its clocks on 27 March 2016: 13:15 stays 13:15 local time.
    result = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 22), end=dt.date(2016, 3, 29)
    )
    utc_hours = [s.starts_at.astimezone(dt.UTC).hour for s in result.created]
    assert utc_hours == [12, 12, 11]


def test_holidays_are_skipped(offering, series):
    result = generate_sessions(
        offering=offering, start=dt.date(2016, 5, 1), end=dt.date(2016, 5, 8),
        skip=[dt.date(2016, 5, 5)],
    )  # fmt: skip
    assert [s.series_date for s in result.created] == [dt.date(2016, 5, 3)]
    assert result.skipped_dates == [dt.date(2016, 5, 5)]


def test_modules_in_outline_order_and_presentations_left_out(offering, series, modules):
    result = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 4, 30), per_module=4
    )
    titles = [s.module.title if s.module else None for s in result.created]
    assert titles == ["Preliminaries"] * 4 + ["RNN"] * 4 + ["CNN"] * 4


def test_generating_twice_creates_nothing_new(offering, series, modules):
    generate_sessions(offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 4, 10))
    again = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 4, 10)
    )
    assert again.created == []
    assert again.existing == 6
    assert DiscussionSession.objects.count() == 6


def test_extending_the_range_continues_the_module_sequence(offering, series, modules):
    generate_sessions(
        offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 3, 27), per_module=2
    )
    later = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 21), end=dt.date(2016, 4, 3), per_module=2
    )
    assert [s.module.title for s in later.created] == ["RNN", "RNN"]


def test_moved_session_is_not_generated_again(offering, series):
    first = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 22), end=dt.date(2016, 3, 22)
    ).created[0]
    first.starts_at += dt.timedelta(days=1)
    first.ends_at += dt.timedelta(days=1)
    first.save()
    again = generate_sessions(
        offering=offering, start=dt.date(2016, 3, 22), end=dt.date(2016, 3, 22)
    )
    assert again.created == []


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(2016, 4, 1), dt.date(2016, 3, 1), "The last date is before the first."),
        (dt.date(2016, 3, 1), dt.date(2016, 4, 1), "Sessions must lie inside the offering"),
    ],
)
def test_bad_ranges_are_refused_and_create_nothing(offering, series, start, end, message):
    with pytest.raises(ValidationError) as error:
        generate_sessions(offering=offering, start=start, end=end)
    assert any(message in m for m in error.value.messages)
    assert not DiscussionSession.objects.exists()


def test_offering_without_series_is_explained(offering):
    with pytest.raises(ValidationError, match="no weekly series"):
        generate_sessions(offering=offering, start=dt.date(2016, 3, 22), end=dt.date(2016, 4, 1))


def test_command_lists_sessions_and_dry_run_writes_nothing(offering, series, modules):
    out = StringIO()
    call_command(
        "generate_sessions", "deep-learning/2016", "--from", "2016-03-22", "--to", "2016-03-24",
        "--dry-run", stdout=out,
    )  # fmt: skip
    assert "Tue 2016-03-22 13:15  ML13     Preliminaries" in out.getvalue()
    assert "2 session(s) would be created" in out.getvalue()
    assert not DiscussionSession.objects.exists()
    call_command("generate_sessions", "deep-learning/2016", "--skip", "2016-05-05", stdout=out)
    assert DiscussionSession.objects.count() == 21


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope/2016"], "No offering “nope/2016”"),
        (["deep-learning/2016", "--from", "22/3"], "“22/3” is not a date"),
        (["deep-learning/2016", "--skip", "Easter"], "“Easter” is not a date"),
    ],
)
def test_command_explains_bad_arguments(offering, series, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_sessions", *args, stdout=StringIO())


def test_admin_action_generates_for_the_ta(client, offering, series, modules, ta):
    client.force_login(ta)
    response = client.post(
        "/admin/discussions/sessionseries/",
        {"action": "generate", "_selected_action": [s.pk for s in series], "apply": "1",
         "start": "2016-03-21", "end": "2016-04-03", "skip": "2016-03-24", "per_module": 2},
        follow=True,
    )  # fmt: skip
    assert "3 sessions created, 0 existed already, 1 skipped as a holiday." in (
        response.content.decode()
    )


def test_admin_action_refuses_series_of_another_offering(client, offering, other_offering, ta):
    theirs = SessionSeriesFactory(offering=other_offering)
    client.force_login(ta)
    client.post(
        "/admin/discussions/sessionseries/",
        {"action": "generate", "_selected_action": [theirs.pk], "apply": "1",
         "start": "2016-03-21", "end": "2016-04-03", "per_module": 2},
    )  # fmt: skip
    assert not DiscussionSession.objects.exists()


def test_cancelling_in_the_admin_raises_the_calendar_sequence(client, offering, ta):
    from tests.factories import DiscussionSessionFactory

    session = DiscussionSessionFactory(offering=offering)
    client.force_login(ta)
    response = client.post("/admin/discussions/discussionsession/",
                           {"action": "cancel", "_selected_action": [session.pk]},
                           follow=True)  # fmt: skip
    assert "1 session cancelled." in response.content.decode()
    session.refresh_from_db()
    assert (session.is_cancelled, session.sequence) == (True, 1)


def test_sessions_of_an_archive_cannot_be_cancelled(client, offering, ta):
    from tests.factories import DiscussionSessionFactory

    session = DiscussionSessionFactory(offering=offering)
    offering.status = "archived"
    offering.save()
    client.force_login(ta)
    response = client.post("/admin/discussions/discussionsession/",
                           {"action": "cancel", "_selected_action": [session.pk]},
                           follow=True)  # fmt: skip
    assert "is archived and can no longer be changed" in response.content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled
