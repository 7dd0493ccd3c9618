import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.mailing import password_reset_mail
from accounts.models import OutgoingMail, User
from tests.factories import UserFactory
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db


def test_user_logs_in_with_email_in_any_case(client, password):
    user = UserFactory(email="ada@example.org")
    response = client.post(
        "/accounts/login/", {"username": "ADA@example.org", "password": password}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"username": "ada@example.org", "password": "no"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_is_unique_whatever_its_case():
    User.objects.create_user("ada@example.org", "pw", full_name="Ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ADA@example.org", full_name="Another Ada")


def test_logout_is_a_post_and_ends_the_session(client, student):
    client.force_login(student)
    html = client.get("/").content.decode()
    assert 'action="/accounts/logout/"' in html
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_change_needs_login_and_works(client, student, password):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    client.force_login(student)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": "a-new-long-pass-1",
            "new_password2": "a-new-long-pass-1",
        },
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("a-new-long-pass-1")


def test_password_reset_mails_a_working_link(client, student):
    response = client.post("/accounts/password/reset/", {"email": student.email})
    assert response.status_code == 302
    # The page only queues the work; the worker queues the mail, and sends it.
    run_queued(password_reset_mail)
    assert mail.outbox == []
    assert OutgoingMail.objects.get().kind == "password_reset"
    call_command("send_queued_mail", stdout=StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert student.full_name in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("brand-new-pass-77")


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, student):
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    run_queued(password_reset_mail)
    assert not OutgoingMail.objects.exists()
    known = client.post("/accounts/password/reset/", {"email": student.email})
    run_queued(password_reset_mail)
    assert OutgoingMail.objects.filter(recipient=student).exists()
    # The same answer either way: nobody learns which addresses have accounts.
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]


def test_account_created_by_staff_without_password_can_set_one(client, db):
    user = User.objects.create_user("late@example.org", None, full_name="Late Arrival")
    client.post("/accounts/password/reset/", {"email": "late@example.org"})
    run_queued(password_reset_mail)  # the worker's part
    assert OutgoingMail.objects.filter(recipient=user, kind="password_reset").exists()


class YesterdaysGenerator(PasswordResetTokenGenerator):
    """Makes the tokens Django would have made PASSWORD_RESET_TIMEOUT and a day ago."""

    def _now(self):
        return datetime.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)


def reset_link(user, generator) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/password/reset/{uid}/{generator.make_token(user)}/"


def test_expired_reset_link_says_so(client, student):
    expired = client.get(reset_link(student, YesterdaysGenerator()), follow=True)
    assert "This link has expired" in expired.content.decode()
    # The same link made today works: it is the age that is refused.
    fresh = client.get(reset_link(student, default_token_generator), follow=True)
    assert "This link has expired" not in fresh.content.decode()
    assert 'name="new_password1"' in fresh.content.decode()


def test_login_page_uses_the_site_layout(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "navbar" in html
    assert "Forgot your password?" in html
