"""Sign-up and password pages against bad input and abuse: names with line breaks, reset
mails throttled and linking to the site's own address, changed addresses unconfirmed."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.mailing import password_reset_mail
from accounts.models import OutgoingMail, User
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db


def test_signup_refuses_a_name_with_line_breaks(client, db):
    response = client.post(
        "/accounts/signup/",
        {"full_name": "Evil\r\nBcc: x", "email": "e@example.org", "password1": "a-long-pass-99",
         "password2": "a-long-pass-99"},
    )  # fmt: skip
    assert "Write the name on one line" in response.content.decode()
    assert not User.objects.exists()


def test_password_reset_mails_are_throttled(client, student):
    for _ in range(3):
        client.post("/accounts/password/reset/", {"email": student.email})
        run_queued(password_reset_mail)
    assert OutgoingMail.objects.filter(kind="password_reset").count() == 1


@override_settings(SITE_URL="https://course.example.org")
def test_password_reset_link_uses_the_site_address_not_the_host_header(client, student):
    client.post("/accounts/password/reset/", {"email": student.email}, HTTP_HOST="evil.example")
    run_queued(password_reset_mail)  # the worker's part
    call_command("send_queued_mail", stdout=StringIO())  # the link is made when it is sent
    body = mail.outbox[0].body
    assert "https://course.example.org/accounts/password/reset/" in body
    assert "evil.example" not in body


def test_changing_an_address_in_the_admin_unconfirms_it(client, superuser, student):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[student.pk])
    response = client.post(
        url,
        {"email": "new@example.org", "full_name": student.full_name, "is_active": "on",
         "language": "en-gb", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    student.refresh_from_db()
    assert student.email == "new@example.org"
    assert student.email_verified_at is None
