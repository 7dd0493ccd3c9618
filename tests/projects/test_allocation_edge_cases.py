"""Presentation slots in harder cases: moving earlier groups to make room, preferences
that must yield, a moved session taking its slots along."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from projects.models import PresentationSession, PresentationSlot
from projects.presentations import allocate, schedule_presentations, slots_retime
from tests.projects.test_presentations import FakeGroup, FakeSession, accepted_groups

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def test_allocation_moves_earlier_groups_when_that_makes_room():
    # S1 (1 place), S2 (2), S3 (1); A cannot attend S3; B, C, D cannot attend S1.
    s1, s2, s3 = FakeSession(1, 1), FakeSession(2, 2), FakeSession(3, 1)
    a, b, c, d = (FakeGroup(pk) for pk in (1, 2, 3, 4))
    wishes = {(1, 3): "cannot", **{(g, 1): "cannot" for g in (2, 3, 4)}}
    placed = allocate([a, b, c, d], [s1, s2, s3], wishes)
    assert placed[a] is s1
    assert {placed[b], placed[c], placed[d]} == {s2, s3}
    assert sum(1 for s in placed.values() if s is s2) == 2


def test_preferences_do_not_stop_a_placement_that_exists():
    sessions = [FakeSession(pk, 1) for pk in (1, 2, 3)]
    groups = [FakeGroup(pk) for pk in (1, 2, 3)]
    wishes = {(1, 2): "prefer", (2, 1): "cannot", (2, 3): "cannot"}
    placed = allocate(groups, sessions, wishes)
    assert placed[groups[1]].pk == 2
    assert len(set(placed.values())) == 3


def test_moving_a_session_moves_its_slots(offering):
    session = PresentationSession.objects.create(
        offering=offering, room="ML13", slot_minutes=20,
        starts_at=dt.datetime(2016, 5, 31, 13, 15, tzinfo=TZ),
        ends_at=dt.datetime(2016, 5, 31, 15, 0, tzinfo=TZ),
    )  # fmt: skip
    accepted_groups(offering, 2)
    schedule_presentations(offering=offering, publish=True)
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.slot_minutes = 30
    session.save()
    slots_retime(session=session)
    times = [
        (s.starts_at.astimezone(TZ).strftime("%H:%M"), s.ends_at.astimezone(TZ).strftime("%H:%M"))
        for s in PresentationSlot.objects.order_by("position")
    ]
    assert times == [("14:15", "14:45"), ("14:45", "15:15")]
