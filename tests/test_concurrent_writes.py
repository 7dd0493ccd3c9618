"""Many people write at the same moment through the real server (the live server's threads,
each with its own database connection), as on the demo's SQLite or a production PostgreSQL:
no request fails, and the rules that count (group size, one account per address) hold."""

import threading

import pytest

from accounts.enums import EnrolmentStatus
from accounts.models import OutgoingMail, User
from projects.models import Membership
from projects.services import group_create
from tests.factories import EnrolmentFactory, OfferingFactory
from tests.factories.accounts import PASSWORD
from tests.live_http import Visitor

pytestmark = pytest.mark.django_db(transaction=True)

MY_GROUP = "/me/deep-learning/2016/group/"


def at_once(actions) -> list:
    """Runs each action in a thread of its own, releasing them together; their results."""
    start = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            results[index] = action(start)
        except Exception as error:  # kept, so the test shows it
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_ten_students_join_the_last_places_of_one_group_at_once(live_server):
    offering = OfferingFactory(course__slug="deep-learning", slug="2016", group_size=3)
    founder = EnrolmentFactory(offering=offering, status=EnrolmentStatus.ACCEPTED)
    group = group_create(enrolment=founder, by=founder.student)
    hopefuls = EnrolmentFactory.create_batch(10, offering=offering, status=EnrolmentStatus.ACCEPTED)

    def join(student):
        def action(start):
            visitor = Visitor(live_server.url)
            logged_in = visitor.log_in(student.email, PASSWORD)
            visitor.get(MY_GROUP)
            start.wait(60)
            joined = visitor.post(f"{MY_GROUP}join/", {"code": group.invite_code})
            return logged_in, joined

        return action

    results = at_once([join(e.student) for e in hopefuls])

    assert [r for r in results if isinstance(r, Exception)] == []
    statuses = [answer.status for pair in results for answer in pair]
    assert statuses == [200] * 20  # logged in, and back on the group page with a message
    pages = [joined.text for _, joined in results]
    assert sum("You joined Group 1." in page for page in pages) == 2
    refused = [page for page in pages if "Group 1 is full: groups have at most 3 members" in page]
    assert len(refused) == 8
    assert Membership.objects.filter(group=group).count() == 3


def test_ten_people_sign_up_at_once(live_server):
    def sign_up(number):
        def action(start):
            visitor = Visitor(live_server.url)
            visitor.get("/accounts/signup/")
            start.wait(60)
            return visitor.open(
                "/accounts/signup/",
                {
                    "full_name": f"Person {number}",
                    "email": f"person{number}@example.org",
                    "password1": "a long enough password 1",
                    "password2": "a long enough password 1",
                },
            )

        return action

    results = at_once([sign_up(n) for n in range(10)])

    assert [r for r in results if isinstance(r, Exception)] == []
    assert [r.status for r in results] == [200] * 10
    assert all(
        "/accounts/login/" in r.url and "We have sent a mail to person" in r.text for r in results
    )
    assert User.objects.count() == 10
    assert OutgoingMail.objects.count() == 10  # each confirmation link queued


def test_one_address_sent_five_times_at_once_makes_one_account(live_server, settings):
    settings.MAIL_REQUESTS_PER_EMAIL = 5  # each gets through the sign-up throttle

    def sign_up(start):
        visitor = Visitor(live_server.url)
        visitor.get("/accounts/signup/")
        start.wait(60)
        return visitor.open(
            "/accounts/signup/",
            {
                "full_name": "Double Click",
                "email": "double@example.org",
                "password1": "a long enough password 1",
                "password2": "a long enough password 1",
            },
        )

    results = at_once([sign_up] * 5)

    assert [r.status for r in results] == [200] * 5
    # Every answer is the same (nobody learns the address has an account), one account is
    # made with its confirmation link, and its owner hears of the other attempts.
    assert all("We have sent a mail to double@example.org" in r.text for r in results)
    assert not any("exists already" in r.text for r in results)
    assert User.objects.filter(email="double@example.org").count() == 1
    assert OutgoingMail.objects.filter(kind="verification").count() == 1
    assert OutgoingMail.objects.filter(kind="signup_attempt").exists()
