"""Sign-up, registration for an offering and the student's own pages, in the browser's terms."""

import datetime as dt
import re
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import formats, timezone

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment, OutgoingMail, User
from accounts.services import VERIFY_MAX_AGE, VERIFY_SALT
from tests.conftest import offering_url
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/courses/deep-learning/2016/register/"
MY_PAGE = "/me/deep-learning/2016/"
WITHDRAW = "/me/deep-learning/2016/withdraw/"


def html(response):
    return response.content.decode()


def test_whole_flow_from_sign_up_to_the_enrollment_key(client, open_offering, ta):
    # Sign up from the register page.
    response = client.post(
        "/accounts/signup/",
        {"full_name": "Nova Student", "email": "nova@example.org", "password1": "a-long-pass-99",
         "password2": "a-long-pass-99", "next": REGISTER},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == f"/accounts/login/?next={quote(REGISTER, safe='')}"
    assert "We have sent a mail to nova@example.org" in html(response)
    # Log in with the password just chosen, and come back to the register page.
    response = client.post(
        response.redirect_chain[-1][0],
        {"username": "nova@example.org", "password": "a-long-pass-99"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == REGISTER
    # Apply before confirming: stored, but flagged.
    response = client.post(
        REGISTER, {"level": "phd", "programme": "CSE", "motivation": "Deep nets!"}, follow=True
    )
    assert "It counts once you confirm your email address" in html(response)
    enrolment = Enrolment.objects.get(student__email="nova@example.org")
    # Confirm the address with the mailed link.
    call_command("send_queued_mail", stdout=StringIO())
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mail.outbox[0].body).group(1)
    assert "is confirmed" in html(client.get(link, follow=True))
    # A TA accepts; the mail waits for review, is approved and sent.
    client.force_login(ta)
    client.post(
        "/admin/accounts/enrolment/",
        {"action": "mark_accepted", "_selected_action": [enrolment.pk]},
    )
    decision = OutgoingMail.objects.get(kind="decision")
    assert decision.status == "review"
    client.post(
        "/admin/accounts/outgoingmail/", {"action": "approve", "_selected_action": [decision.pk]}
    )
    call_command("send_queued_mail", stdout=StringIO())
    assert "KEY-SECRET-77" in mail.outbox[-1].body
    # The student sees the key on their page.
    client.force_login(User.objects.get(email="nova@example.org"))
    page = html(client.get(MY_PAGE))
    assert "Accepted" in page
    assert "KEY-SECRET-77" in page


def test_register_page_for_anonymous_offers_sign_up_and_log_in(client, open_offering):
    page = html(client.get(REGISTER))
    assert "Registration is open" in page
    assert f'href="/accounts/signup/?next={REGISTER}"' in page
    assert f'href="/accounts/login/?next={REGISTER}"' in page
    assert 'name="level"' not in page


def test_register_form_asks_what_the_offering_asks(client, open_offering, student):
    open_offering.motivation_question = "required"
    open_offering.programme_question = "hidden"
    open_offering.save()
    client.force_login(student)
    page = html(client.get(REGISTER))
    assert 'name="motivation"' in page
    assert 'name="programme"' not in page
    response = client.post(REGISTER, {"level": "msc", "motivation": ""})
    assert "This field is required." in html(response)
    assert not Enrolment.objects.exists()


def test_application_is_received_and_shown(client, open_offering, student):
    client.force_login(student)
    response = client.post(
        REGISTER, {"level": "msc", "programme": "Physics", "motivation": ""}, follow=True
    )
    page = html(response)
    assert response.redirect_chain[-1][0] == MY_PAGE
    assert "Application received." in page
    assert "is waiting for a decision" in page
    assert "Physics" in page
    assert "You have applied: your application is <strong>applied</strong>" in html(
        client.get(REGISTER)
    )


def test_second_application_is_refused_with_a_message(client, open_offering, student):
    EnrolmentFactory(offering=open_offering, student=student, programme="First")
    client.force_login(student)
    response = client.post(REGISTER, {"level": "phd", "programme": "Second"}, follow=True)
    assert "You have applied already" in html(response)
    assert Enrolment.objects.get().programme == "First"


def test_closed_registration_says_so_and_accepts_nothing(client, offering, student):
    offering.registration_opens = timezone.now() - dt.timedelta(days=30)
    offering.registration_closes = timezone.now() - dt.timedelta(days=1)
    offering.start_date, offering.end_date = timezone.localdate(), timezone.localdate()
    offering.save()
    client.force_login(student)
    page = html(client.get(REGISTER))
    assert "Registration is closed" in page
    assert 'name="level"' not in page
    response = client.post(REGISTER, {"level": "msc", "programme": "X"}, follow=True)
    assert "Registration for this offering is closed." in html(response)
    assert not Enrolment.objects.exists()


def test_registration_not_open_yet_says_when(client, offering, student):
    opens = timezone.now() + dt.timedelta(days=3)
    offering.registration_opens = opens
    offering.save()
    client.force_login(student)
    page = html(client.get(REGISTER))
    when = formats.date_format(timezone.localtime(opens), "DATETIME_FORMAT")
    assert f"Registration opens {when}. Come back then." in page


def test_bad_verification_link_is_explained(client, db):
    response = client.get("/accounts/verify/not-a-token/")
    assert response.status_code == 400
    assert "This link is not valid" in html(response)


class LastMonthsSigner(signing.TimestampSigner):
    """Signs as the site did VERIFY_MAX_AGE and a day ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - VERIFY_MAX_AGE - 24 * 3600)


def test_expired_verification_link_says_so_and_confirms_nothing(client, db):
    user = UserFactory(email_verified_at=None)
    payload = {"user": user.pk, "email": user.email}
    old = LastMonthsSigner(salt=VERIFY_SALT).sign_object(payload, compress=True)
    response = client.get(f"/accounts/verify/{old}/")
    assert response.status_code == 400
    assert "This link has expired: ask for a new one." in html(response)
    user.refresh_from_db()
    assert user.email_verified_at is None
    # The same payload signed now confirms: it is the age that is refused.
    fresh = signing.dumps(payload, salt=VERIFY_SALT)
    client.get(f"/accounts/verify/{fresh}/")
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_verification_link_can_be_resent_but_not_flooded(client, db):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    client.post("/accounts/verify/resend/")
    response = client.post("/accounts/verify/resend/", follow=True)
    assert "A link was sent a moment ago" in html(response)
    assert OutgoingMail.objects.filter(recipient=user, kind="verification").count() == 1


def test_unverified_user_sees_a_banner(client, db):
    client.force_login(UserFactory(email_verified_at=None))
    assert "Please confirm" in html(client.get("/"))


def test_signup_with_a_taken_address_makes_no_account_and_says_nothing(client, student):
    response = client.post(
        "/accounts/signup/",
        {"full_name": "Copy", "email": student.email.upper(), "password1": "a-long-pass-99",
         "password2": "a-long-pass-99"}, follow=True,
    )  # fmt: skip
    assert "exists already" not in html(response)
    assert f"We have sent a mail to {student.email}" in html(response)
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_signup_refuses_weak_or_mismatched_passwords(client, db):
    response = client.post(
        "/accounts/signup/",
        {"full_name": "A", "email": "a@example.org", "password1": "abc", "password2": "abd"},
    )
    assert "The two passwords differ." in html(response)
    response = client.post(
        "/accounts/signup/",
        {"full_name": "A", "email": "a@example.org", "password1": "12345678",
         "password2": "12345678"},
    )  # fmt: skip
    assert "This password is too common." in html(response)
    assert not User.objects.exists()


def test_me_lists_own_enrolments_only(client, offering, other_offering, accepted_student):
    EnrolmentFactory(offering=other_offering)  # someone else's
    client.force_login(accepted_student)
    page = html(client.get("/me/"))
    assert "Deep Learning" in page
    assert "Other Course" not in page


def test_me_without_enrolments_has_an_empty_state(client, student):
    client.force_login(student)
    assert "You have not applied for any course yet." in html(client.get("/me/"))


def test_my_page_shows_key_only_when_accepted(client, open_offering, student):
    enrolment = EnrolmentFactory(offering=open_offering, student=student)
    client.force_login(student)
    assert "KEY-SECRET-77" not in html(client.get(MY_PAGE))
    enrolment.status = S.ACCEPTED
    enrolment.save()
    assert "KEY-SECRET-77" in html(client.get(MY_PAGE))


def test_waitlisted_student_sees_their_place(client, offering, student):
    EnrolmentFactory(offering=offering, status=S.WAITLISTED)
    EnrolmentFactory(offering=offering, student=student, status=S.WAITLISTED)
    client.force_login(student)
    assert "in place <strong>2</strong>" in html(client.get(MY_PAGE))


def test_student_withdraws_and_the_seat_moves_on(client, offering, accepted_student):
    offering.capacity = 1
    offering.save()
    waiting = EnrolmentFactory(offering=offering, status=S.WAITLISTED)
    client.force_login(accepted_student)
    response = client.post(WITHDRAW, follow=True)
    assert "Your application is withdrawn." in html(response)
    waiting.refresh_from_db()
    assert waiting.status == "accepted"


def test_withdraw_is_post_only(client, accepted_student):
    client.force_login(accepted_student)
    assert client.get(WITHDRAW).status_code == 405
    assert Enrolment.objects.get().status == "accepted"


# Permissions: every new URL against anonymous, another student, TAs, with the key as canary.


@pytest.mark.parametrize("path", [MY_PAGE, "/me/"])
def test_anonymous_is_sent_to_log_in(client, offering, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["student", "other_student", "ta", "other_ta"])
def test_my_page_of_someone_else_is_404(client, offering, accepted_student, who, request):
    offering.enrollment_key = "KEY-SECRET-77"
    offering.save()
    client.force_login(request.getfixturevalue(who))
    response = client.get(MY_PAGE)
    assert response.status_code == 404
    assert "KEY-SECRET-77" not in html(response)
    assert client.post(WITHDRAW).status_code == 404
    assert Enrolment.objects.get(student=accepted_student).status == "accepted"


@pytest.mark.parametrize("who", [None, "student", "other_student", "other_ta"])
def test_register_page_never_shows_the_key(client, open_offering, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert "KEY-SECRET-77" not in html(client.get(REGISTER))
    assert "KEY-SECRET-77" not in html(client.get(offering_url(open_offering)))


def test_register_page_of_unpublished_offering_is_404(client, open_offering, student):
    open_offering.is_published = False
    open_offering.save()
    client.force_login(student)
    assert client.get(REGISTER).status_code == 404
    assert client.post(REGISTER, {"level": "msc", "programme": "x"}).status_code == 404
    assert not Enrolment.objects.exists()


def test_anonymous_post_to_register_stores_nothing(client, open_offering):
    response = client.post(REGISTER, {"level": "msc", "programme": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Enrolment.objects.exists()
