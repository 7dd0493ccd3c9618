"""Presentation slots: allocation rules, the programme, calendars (the book: test_book.py)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import formats, timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from projects.models import (
    PresentationSession,
    PresentationSlot,
    PresentationWish,
    ProjectGroup,
)
from projects.presentations import (
    allocate,
    programme_publish,
    schedule_presentations,
    slots_swap,
    wishes_save,
)
from projects.services import proposal_save
from tests.factories import MembershipFactory, ProjectGroupFactory
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
BASE = "/courses/deep-learning/2016"


def session(offering, day, room="ML13", start=(13, 15), end=(15, 0), slot=20, gap=0):
    return PresentationSession.objects.create(
        offering=offering,
        starts_at=dt.datetime(2016, 5, day, *start, tzinfo=TZ),
        ends_at=dt.datetime(2016, 5, day, *end, tzinfo=TZ),
        room=room, slot_minutes=slot, gap_minutes=gap,
    )  # fmt: skip


def accepted_groups(offering, count, start=1):
    groups = []
    for number in range(start, start + count):
        group = ProjectGroupFactory(offering=offering, number=number)
        group.proposal.status = "accepted"
        group.proposal.title = f"Project {number}"
        group.proposal.abstract = f"Abstract of project {number}."
        group.proposal.save()
        MembershipFactory(group=group, enrolment__student__full_name=f"Student {number}")
        groups.append(group)
    return groups


def test_slot_count_follows_slot_length_and_gap(offering):
    assert session(offering, 31).capacity == 5  # 105 minutes, 20 each
    assert session(offering, 30, slot=20, gap=5).capacity == 4  # 20+5+20+5+20+5+20 = 95


def test_ten_projects_fill_the_two_2016_afternoons(offering):
    tuesday, thursday = session(offering, 31), session(offering, 26, room="ML1")
    accepted_groups(offering, 10)
    schedule_presentations(offering=offering, publish=True)
    counts = {s.pk: s.slots.count() for s in (tuesday, thursday)}
    assert counts == {tuesday.pk: 5, thursday.pk: 5}
    slots = PresentationSlot.objects.filter(session=tuesday).order_by("position")
    assert [timezone_hm(s.starts_at) for s in slots] == [
        "13:15",
        "13:35",
        "13:55",
        "14:15",
        "14:35",
    ]


def timezone_hm(moment):
    return moment.astimezone(TZ).strftime("%H:%M")


def test_not_fitting_is_explained_and_nothing_is_written(offering):
    session(offering, 31)
    accepted_groups(offering, 6)
    with pytest.raises(ValidationError) as error:
        schedule_presentations(offering=offering)
    assert error.value.messages == [
        "6 projects to place, 5 free slots: add a presentation session or shorten the slots."
    ]
    assert not PresentationSlot.objects.exists()


def test_unavailability_is_respected_and_preferences_honoured(offering):
    tuesday, thursday = session(offering, 31), session(offering, 26, room="ML1")
    groups = accepted_groups(offering, 4)
    PresentationWish.objects.create(group=groups[0], session=tuesday, wish="cannot")
    PresentationWish.objects.create(group=groups[1], session=tuesday, wish="prefer")
    schedule_presentations(offering=offering)
    assert groups[0].slot.session == thursday
    assert groups[1].slot.session == tuesday


def test_a_group_that_can_attend_nothing_is_named(offering):
    tuesday = session(offering, 31)
    groups = accepted_groups(offering, 2)
    PresentationWish.objects.create(group=groups[1], session=tuesday, wish="cannot")
    with pytest.raises(ValidationError, match="Group 2 cannot attend any presentation session"):
        schedule_presentations(offering=offering)


def test_published_slots_stay_unless_rescheduled(offering):
    tuesday, thursday = session(offering, 31), session(offering, 26, room="ML1")
    groups = accepted_groups(offering, 2)
    schedule_presentations(offering=offering, publish=True)
    before = {g.pk: ProjectGroup.objects.get(pk=g.pk).slot.session_id for g in groups}
    PresentationWish.objects.create(group=groups[0], session=PresentationSession.objects.get(
        pk=before[groups[0].pk]), wish="cannot")  # fmt: skip
    result = schedule_presentations(offering=offering)
    assert len(result.kept) == 2
    assert {g.pk: ProjectGroup.objects.get(pk=g.pk).slot.session_id for g in groups} == before
    schedule_presentations(offering=offering, reschedule=True)
    moved = ProjectGroup.objects.get(pk=groups[0].pk).slot.session_id
    assert moved != before[groups[0].pk]
    assert {tuesday.pk, thursday.pk} >= {moved}


def test_new_project_joins_a_published_programme_without_moving_others(offering):
    session(offering, 31)
    first = accepted_groups(offering, 2)
    schedule_presentations(offering=offering, publish=True)
    positions = {g.pk: ProjectGroup.objects.get(pk=g.pk).slot.position for g in first}
    (late,) = accepted_groups(offering, 1, start=3)
    schedule_presentations(offering=offering)
    assert {g.pk: ProjectGroup.objects.get(pk=g.pk).slot.position for g in first} == positions
    assert ProjectGroup.objects.get(pk=late.pk).slot.position == 2


class FakeSession:
    def __init__(self, pk, capacity):
        self.pk, self.capacity = pk, capacity


class FakeGroup:
    def __init__(self, pk):
        self.pk = self.number = pk

    def __str__(self):
        return f"Group {self.pk}"


def placement_exists(projects, sessions, wishes) -> bool:
    """Hall's condition, by brute force over the sets of sessions: everyone can be placed
    exactly when no set of sessions is the only choice of more groups than it has room for.
    (Independent of allocate(), which searches augmenting paths.)"""
    from itertools import combinations

    for size in range(len(sessions) + 1):
        for chosen in combinations(sessions, size):
            room = sum(s.capacity for s in chosen)
            keys = {s.pk for s in chosen}
            confined = [
                g for g in projects
                if {s.pk for s in sessions if wishes.get((g.pk, s.pk)) != "cannot"} <= keys
            ]  # fmt: skip
            if len(confined) > room:
                return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    capacities=st.lists(st.integers(0, 6), min_size=1, max_size=4),
    groups=st.integers(0, 12),
    cannot=st.sets(st.tuples(st.integers(1, 12), st.integers(0, 3))),
)
def test_allocation_properties(capacities, groups, cannot):
    sessions = [FakeSession(pk, capacity) for pk, capacity in enumerate(capacities)]
    projects = [FakeGroup(pk) for pk in range(1, groups + 1)]
    wishes = dict.fromkeys(cannot, "cannot")
    if not placement_exists(projects, sessions, wishes):
        with pytest.raises(ValidationError) as refused:
            allocate(projects, sessions, wishes)
        assert "free slot" in str(refused.value) or "cannot" in str(refused.value)
        return
    placed = allocate(projects, sessions, wishes)
    # Everyone placed, nobody where they cannot be, no session over capacity, deterministic.
    assert set(placed) == set(projects)
    assert all(wishes.get((g.pk, s.pk)) != "cannot" for g, s in placed.items())
    for s in sessions:
        assert sum(1 for chosen in placed.values() if chosen is s) <= s.capacity
    assert allocate(projects, sessions, wishes) == placed


def test_everyone_is_placed_whenever_there_is_room_and_no_wish():
    sessions = [FakeSession(0, 3), FakeSession(1, 2)]
    projects = [FakeGroup(pk) for pk in range(1, 6)]
    assert len(allocate(projects, sessions, {})) == 5


def test_overlapping_sessions_in_one_room_are_refused(offering):
    session(offering, 31)
    clash = PresentationSession(
        offering=offering, starts_at=dt.datetime(2016, 5, 31, 14, 0, tzinfo=TZ),
        ends_at=dt.datetime(2016, 5, 31, 16, 0, tzinfo=TZ), room="ml13",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="ml13 is taken then"):
        clash.full_clean()


def test_swapping_two_slots_exchanges_their_projects(offering):
    session(offering, 31)
    one, two = accepted_groups(offering, 2)
    schedule_presentations(offering=offering)
    first, second = (
        ProjectGroup.objects.get(pk=one.pk).slot,
        ProjectGroup.objects.get(pk=two.pk).slot,
    )
    slots_swap(first=first, second=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.group_id, second.group_id) == (two.pk, one.pk)


def test_wishes_need_one_possible_session_and_the_deadline(offering):
    tuesday = session(offering, 31)
    (group,) = accepted_groups(offering, 1)
    with pytest.raises(ValidationError, match="at least one session"):
        wishes_save(group=group, wishes={tuesday: "cannot"})
    offering.preferences_deadline = dt.datetime(2016, 5, 1, tzinfo=TZ)
    offering.save()
    with pytest.raises(ValidationError, match="deadline"):
        wishes_save(group=group, wishes={tuesday: "prefer"})


def test_command_reports_and_refuses(offering):
    session(offering, 31)
    accepted_groups(offering, 2)
    out = StringIO()
    call_command("schedule_presentations", "deep-learning/2016", "--dry-run", stdout=out)
    assert "2 project(s) would be placed (dry run)." in out.getvalue()
    assert not PresentationSlot.objects.exists()
    call_command("schedule_presentations", "deep-learning/2016", "--publish", stdout=out)
    assert "13:35  Group 2: Project 2" in out.getvalue()
    accepted_groups(offering, 5, start=3)
    with pytest.raises(CommandError, match="5 projects to place, 3 free slots"):
        call_command("schedule_presentations", "deep-learning/2016", stdout=StringIO())


# Pages, calendars, book ------------------------------------------------------------------


@pytest.fixture
def programme(offering):
    session(offering, 31)
    groups = accepted_groups(offering, 3)
    schedule_presentations(offering=offering)
    return groups


def test_programme_shows_published_slots_only_to_the_public(client, programme, offering, ta):
    page = client.get(f"{BASE}/presentations/").content.decode()
    assert "The order of the projects has not been published yet." in page
    client.force_login(ta)
    page = client.get(f"{BASE}/presentations/").content.decode()
    assert "Project 1" in page and "not published" in page
    programme_publish(sessions=offering.presentation_sessions.all())
    client.logout()
    page = client.get(f"{BASE}/presentations/").content.decode()  # at once, cache or not
    assert page.index("Project 1") < page.index("Project 2") < page.index("Project 3")
    second = PresentationSlot.objects.get(session__offering=offering, position=1)
    assert timezone_hm(second.starts_at) == "13:35"
    assert formats.time_format(timezone.localtime(second.starts_at)) in page  # TIME_FORMAT
    assert "Student 2" in page


@pytest.mark.parametrize("scale", [1, 10])
def test_programme_query_count_is_fixed(client, django_assert_num_queries, offering, scale):
    for day in range(scale):
        session(offering, 10 + day, room=f"R{day}")
    accepted_groups(offering, 3 * scale)
    schedule_presentations(offering=offering, publish=True)
    # Offering, sessions, their slots with projects, the projects' members.
    with django_assert_num_queries(4 + KEEPING):
        client.get(f"{BASE}/presentations/")


def test_calendars_carry_the_afternoons_and_each_groups_slot(client, programme, offering):
    PresentationSlot.objects.update(published=True)
    summaries = [
        str(e["summary"])
        for e in Calendar.from_ical(client.get(f"{BASE}/schedule.ics").content).walk("VEVENT")
    ]
    assert summaries == ["Deep Learning: project presentations"]
    student = programme[1].memberships.get().enrolment.student
    client.force_login(student)
    client.post("/calendar/reset/")  # "Get my calendar address"
    student.refresh_from_db()
    feed = client.get(f"/calendar/{student.calendar_token}.ics")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Deep Learning: you present “Project 2”"]
    assert events[0].decoded("dtstart").astimezone(TZ).strftime("%H:%M") == "13:35"


def test_abstract_length_limit_is_explained(offering, alice):
    (group,) = accepted_groups(offering, 1)
    with pytest.raises(ValidationError, match="The abstract is 2001 characters long; the limit"):
        proposal_save(proposal=group.proposal, by=alice.student, version=group.proposal.version,
                      title="", description="", topics=[], abstract="x" * 2001)  # fmt: skip


def test_staff_mark_a_group_presented_and_bad_answers_are_refused(client, offering, ta):
    (group,) = accepted_groups(offering, 1)
    client.force_login(ta)
    url = f"{BASE}/staff/projects/{group.number}/"
    response = client.post(url, {"action": "presented", "presented": "maybe"}, follow=True)
    assert "Say yes or no." in response.content.decode()
    group.refresh_from_db()
    assert group.presented is None
    client.post(url, {"action": "presented", "presented": "yes"})
    group.refresh_from_db()
    assert group.presented is True


def test_publishing_the_programme_of_an_archive_is_refused(client, offering, ta):
    tuesday = session(offering, 31)
    accepted_groups(offering, 1)
    schedule_presentations(offering=offering)
    offering.status = "archived"
    offering.save()
    client.force_login(ta)
    response = client.post("/admin/projects/presentationsession/",
                           {"action": "publish", "_selected_action": [tuesday.pk]},
                           follow=True)  # fmt: skip
    assert "is archived" in response.content.decode()
    assert not PresentationSlot.objects.filter(published=True).exists()
