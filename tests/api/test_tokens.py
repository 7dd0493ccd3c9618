"""Personal access tokens: made and revoked on the account page, shown once, stored hashed,
with an expiry and a scope; refused with a clear 401 when unknown, expired or revoked;
limited per token."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AccessToken
from accounts.services import token_create
from tests.api.conftest import API, BASE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_on_page(client, **data):
    values = {
        "name": "Card reader",
        "scope": "read_write",
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
    values.update(data)
    return client.post("/accounts/", values)


def test_the_account_page_shows_the_person(client, student):
    client.force_login(student)
    page = client.get("/accounts/").content.decode()
    assert "Your account" in page and student.email in page and "Stu Dent" in page
    assert 'href="/accounts/data/"' in page and 'href="/accounts/password/change/"' in page
    assert "You have no access tokens." in page
    assert 'href="/accounts/"' in client.get("/me/").content.decode()  # the user menu


def test_a_token_is_shown_once_and_stored_hashed(client, student):
    client.force_login(student)
    response = make_on_page(client)
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    secret = response.context["new_token"].secret
    assert secret.startswith("cs_") and len(secret) > 40
    assert secret in page and "shown only this once" in page
    token = AccessToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in AccessToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)  # the database never holds it
    later = client.get("/accounts/").content.decode()
    assert secret not in later
    assert "Card reader" in later and token.prefix in later and "never used" in later
    assert (
        client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).json()["email"]
        == student.email
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"scope": "admin"}, "Select a valid choice."),
        ({"expires_on": "2001-01-01"}, "The expiry date must be in the future."),
        ({"expires_on": "2999-01-01"}, "A token lasts at most 365 days"),
        ({"expires_on": "soon"}, "Enter a valid date."),
    ],
)
def test_bad_input_makes_no_token(client, student, data, message):
    client.force_login(student)
    response = make_on_page(client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "new-token" not in response.content.decode()
    assert AccessToken.objects.count() == 0


def test_the_service_refuses_what_the_form_would(student):
    with pytest.raises(ValidationError):
        token_create(user=student, name="", scope="read")
    with pytest.raises(ValidationError):
        token_create(user=student, name="x", scope="root")
    made = token_create(user=student, name="x", scope="read").token
    days = (made.expires_at - made.created_at).days
    assert days == 90  # the default
    assert AccessToken.objects.count() == 1


def test_revoking_stops_the_token_at_once(client, student, token_for):
    header = token_for(student)
    token = AccessToken.objects.get()
    client.force_login(student)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    refused = client.get(f"{API}/me", headers=header)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "This access token was revoked; make a new one on your account page."
    )
    assert refused["WWW-Authenticate"] == "Bearer"


def test_nobody_revokes_someone_elses_token(client, student, token_for):
    header = token_for(UserFactory())
    token = AccessToken.objects.get()
    client.force_login(student)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post("/accounts/tokens/999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(f"{API}/me", headers=header).status_code == 200


def test_an_expired_token_is_refused(client, student):
    made = token_create(
        user=student, name="Old", scope="read", expires_at=timezone.now() + dt.timedelta(seconds=1)
    )
    AccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {made.secret}"})
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "This access token has expired; make a new one on your account page."
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer cs_not-a-token", "This access token is not valid."),
        ("Bearer ", "This access token is not valid."),
        ("Basic dXNlcjpwYXNz", "Send the token as “Authorization: Bearer <token>”."),
    ],
)
def test_a_wrong_token_is_401_with_a_clear_message(client, offering, header, message):
    for path in ["/me", f"{BASE}/modules"]:  # a public endpoint too: a bad token is no token
        response = client.get(f"{API}{path}", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json() == {"detail": message}


def test_a_closed_account_has_no_api(client, student, token_for):
    header = token_for(student)
    student.is_active = False
    student.save()
    assert client.get(f"{API}/me", headers=header).status_code == 401


def test_a_session_cookie_is_no_token(client, ta, offering):
    """The API never acts on the browser's log-in: no CSRF needed, nothing to abuse."""
    client.force_login(ta)
    response = client.get(f"{API}{BASE}/staff/grades")
    assert response.status_code == 401
    assert "personal access token" in response.json()["detail"]


def test_last_use_is_recorded(client, student, token_for):
    header = token_for(student)
    assert AccessToken.objects.get().last_used_at is None
    client.get(f"{API}/me", headers=header)
    assert AccessToken.objects.get().last_used_at is not None
    client.force_login(student)
    assert "last used" in client.get("/accounts/").content.decode()


def test_a_token_is_limited_per_token(client, student, settings, token_for):
    settings.API_REQUESTS_PER_TOKEN = 3
    header, other = token_for(student), token_for(student)
    for _ in range(3):
        assert client.get(f"{API}/me", headers=header).status_code == 200
    refused = client.get(f"{API}/me", headers=header)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Too many requests: try again in ")
    assert client.get(f"{API}/me", headers=other).status_code == 200  # its own count


def test_me_says_whose_token_it_is(client, student, token_for):
    body = client.get(f"{API}/me", headers=token_for(student, "read")).json()
    assert body["full_name"] == "Stu Dent"
    assert body["token"]["scope"] == "read" and body["token"]["prefix"].startswith("cs_")
    assert "secret_hash" not in body["token"]


def test_trying_tokens_is_limited_per_address(client, settings):
    settings.API_REQUESTS_PER_ADDRESS = 3
    wrong = {"Authorization": "Bearer cs_guess"}
    for _ in range(3):
        assert client.get(f"{API}/me", headers=wrong).status_code == 401
    refused = client.get(f"{API}/me", headers=wrong)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
