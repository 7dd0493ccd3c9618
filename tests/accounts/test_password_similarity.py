"""A password like the person's own name is refused wherever a password is chosen: sign-up,
password change and reset (issue 16, item 3)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Anna Lindqvist Berg"
REFUSAL = "The password is too similar to the full name."


@pytest.mark.parametrize("password", [NAME, "annalindqvistberg", "Lindqvist Berg Anna"])
def test_sign_up_refuses_a_password_like_the_full_name(client, password):
    response = client.post(
        "/accounts/signup/",
        {"full_name": NAME, "email": "anna@example.org", "password1": password,
         "password2": password},
    )  # fmt: skip
    assert REFUSAL in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_refuses_a_password_like_the_address(client):
    password = "anna.lindqvist@example.org"
    response = client.post(
        "/accounts/signup/",
        {"full_name": "A B", "email": "anna.lindqvist@example.org", "password1": password,
         "password2": password},
    )  # fmt: skip
    assert "The password is too similar to the email address." in response.content.decode()
    assert not User.objects.exists()


def test_password_change_refuses_the_full_name(client, password):
    user = UserFactory(full_name=NAME)
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": password, "new_password1": NAME, "new_password2": NAME},
    )
    assert REFUSAL in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_refuses_the_full_name(client, password):
    user = UserFactory(full_name=NAME)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = f"/accounts/password/reset/{uid}/{default_token_generator.make_token(user)}/"
    form = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form, {"new_password1": NAME, "new_password2": NAME})
    assert REFUSAL in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)
