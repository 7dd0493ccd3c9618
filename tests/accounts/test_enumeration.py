"""Sign-up and password reset answer the same whether an address has an account or not, and
do the same work; the owner of a taken address is mailed instead (issue 16, item 4). How
long each path takes is measured against a running server by scripts/timing_enumeration.py,
not here."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.mailing import password_reset_mail
from accounts.models import OutgoingMail, User
from tests.factories import UserFactory
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"


def sign_up(email: str, full_name: str = "Anna Lindqvist Berg"):
    """A sign-up from a browser of its own, and the page it leads to."""
    browser = Client()
    form = {"full_name": full_name, "email": email, "password1": PASSWORD,
            "password2": PASSWORD, "next": "/courses/deep-learning/2016/register/"}  # fmt: skip
    answer = browser.post("/accounts/signup/", form)
    return answer, browser.get(answer["Location"])


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def cookies(response) -> dict[str, str]:
    return {name: morsel.OutputString() for name, morsel in response.cookies.items()}


def test_sign_up_with_a_taken_address_answers_as_for_a_new_one(db):
    new, new_page = sign_up("anna@example.org")
    taken, taken_page = sign_up("ANNA@example.org")  # the same address, now taken

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert new["Location"].startswith("/accounts/login/?next=")
    assert cookies(new) == cookies(taken)  # the same message, no session for either
    assert without_token(new_page) == without_token(taken_page)
    assert "We have sent a mail to anna@example.org" in new_page.content.decode()
    assert "exists already" not in taken_page.content.decode()
    assert User.objects.filter(email="anna@example.org").count() == 1


def test_the_owner_of_a_taken_address_is_mailed_and_their_account_stays(db, password):
    owner = UserFactory(email="anna@example.org", full_name="Anna Lindqvist Berg")
    sign_up("anna@example.org", full_name="Somebody Else")

    owner.refresh_from_db()
    assert owner.full_name == "Anna Lindqvist Berg"
    assert owner.check_password(password)
    (notice,) = OutgoingMail.objects.all()
    assert (notice.kind, notice.to_email, notice.recipient) == (
        "signup_attempt", "anna@example.org", owner)  # fmt: skip
    call_command("send_queued_mail", stdout=StringIO())
    (sent,) = mail.outbox
    assert sent.subject == "Someone tried to sign up with your address"
    assert "Hello Anna Lindqvist Berg" in sent.body
    assert "You have an account already, so no new one was made." in sent.body
    assert "Log in: http://testserver/accounts/login/" in sent.body
    assert "Choose a new one: http://testserver/accounts/password/reset/" in sent.body


def test_a_new_address_gets_its_confirmation_link_and_no_notice(db):
    sign_up("new@example.org")
    (verification,) = OutgoingMail.objects.all()
    assert verification.kind == "verification"
    assert verification.recipient == User.objects.get(email="new@example.org")


def test_repeated_sign_ups_with_a_taken_address_mail_its_owner_once(db, settings):
    settings.MAIL_REQUESTS_PER_EMAIL = 10  # past the sign-up throttle (tested on its own)
    UserFactory(email="anna@example.org")
    for _ in range(5):
        sign_up("anna@example.org")
    assert OutgoingMail.objects.filter(kind="signup_attempt").count() == 1
    assert User.objects.count() == 1


def test_sign_up_still_refuses_bad_input_and_changes_nothing(db):
    owner = UserFactory(email="anna@example.org")
    response = Client().post(
        "/accounts/signup/",
        {"full_name": "A", "email": "anna@example.org", "password1": "abc", "password2": "abd"},
    )
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not OutgoingMail.objects.exists()
    assert list(User.objects.all()) == [owner]


def test_password_reset_does_the_same_for_known_and_unknown_addresses(client, student):
    known = client.post("/accounts/password/reset/", {"email": student.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert cookies(known) == cookies(unknown) == {}
    # The page does the same work for both: it queues one task, and nothing else.
    tasks = DBTaskResult.objects.filter(task_path="accounts.mailing.password_reset_mail")
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(
        [student.email, "nobody@example.org"]
    )
    assert not OutgoingMail.objects.exists()

    # The task decides: the known address is mailed, the unknown one is not.
    assert sorted(run_queued(password_reset_mail)) == ["mailed", "no account"]
    (reset,) = OutgoingMail.objects.all()
    assert (reset.kind, reset.recipient) == ("password_reset", student)
    call_command("send_queued_mail", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [[student.email]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
