"""Log in with the university (OpenID Connect, accounts/sso.py) against a real provider.

The provider (django-oauth-toolkit, tests/oidc_provider/) runs in a subprocess on loopback;
the person's browser at the provider is a requests session, the course site is the test
client. Nothing of ours is mocked: a provider that is down is a closed port.
"""

import html
import re
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from accounts import sso
from accounts.enums import MailKind
from accounts.models import ExternalIdentity, OutgoingMail, User
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD
from tests.oidc_provider.fixture import free_port

pytestmark = pytest.mark.django_db

BUTTON = "Log in with Test University"


def at_provider(client, provider, username, *, allow=True, before_consent=None, start="/"):
    """Start at the button (to come back to `start`), log in at the provider as `username`
    and allow (or deny); the test client's response to the provider's answer."""
    button = client.get(f"/accounts/sso/login/?next={start}")
    assert button.status_code == 302, button.content
    assert button["Location"].startswith(f"{provider.issuer}/authorize/")
    browser = requests.Session()
    page = browser.get(button["Location"], timeout=10)  # the provider's log-in form
    assert "Sign in at the university" in page.text
    page = browser.post(
        page.url,
        data={
            "username": username,
            "password": provider.password,
            "csrfmiddlewaretoken": browser.cookies["provider_csrf"],
            "next": re.search(r'name="next" value="([^"]*)"', page.text)[1].replace("&amp;", "&"),
        },
        timeout=10,
    )
    assert "Let coursesite know who you are?" in page.text, page.text
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    if allow:
        fields["allow"] = "Allow"
    if before_consent:
        before_consent()
    answer = browser.post(page.url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "testserver" and back.path == "/accounts/sso/callback/"
    return client.get(f"{back.path}?{back.query}")


def logged_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def closed_port_url() -> str:
    port = free_port()  # nothing listens there once the probe is closed
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    return f"http://127.0.0.1:{port}"


# --- the button --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/admin/login/"])
def test_the_button_shows_on_the_log_in_and_sign_up_pages_when_sso_is_set_up(
    client, sso_settings, path
):
    page = client.get(f"{path}?next=/me/").content.decode()
    assert BUTTON in page
    assert 'href="/accounts/sso/login/?next=%2Fme%2F"' in page


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/admin/login/"])
def test_without_sso_there_is_no_button_and_its_addresses_are_not_found(client, path):
    assert "/accounts/sso/login/" not in client.get(path).content.decode()
    for url in ["/accounts/sso/login/", "/accounts/sso/callback/?code=a&state=b",
                "/accounts/sso/link/"]:  # fmt: skip
        assert client.get(url).status_code == 404


# --- logging in --------------------------------------------------------------------------


def test_first_log_in_creates_the_account_from_the_verified_claims(client, sso_settings):
    response = at_provider(client, provider_of(sso_settings), "ada")
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    assert (user.email, user.full_name) == ("ada.sso@example.org", "Ada Lovelace")
    assert user.email_verified and not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == sso_settings.OIDC_ISSUER and identity.subject
    # The catalogue greets the person by name.
    assert "Ada Lovelace" in client.get("/").content.decode()


def test_the_next_page_is_kept_through_the_provider(client, sso_settings):
    response = at_provider(client, provider_of(sso_settings), "ada", start="/me/")
    assert response["Location"] == "/me/"


def test_later_log_ins_are_matched_by_the_subject_not_the_address(client, sso_settings):
    provider = provider_of(sso_settings)
    at_provider(client, provider, "ada")
    user = logged_in_user(client)
    user.email = "ada.renamed@example.org"  # changed here; the provider still says the old one
    user.save()
    client.logout()
    response = at_provider(client, provider, "ada")
    assert response.status_code == 302
    assert logged_in_user(client) == user
    assert User.objects.filter(full_name="Ada Lovelace").count() == 1


def test_an_address_the_provider_has_not_verified_is_refused(client, sso_settings):
    response = at_provider(client, provider_of(sso_settings), "unverified")
    assert response.status_code == 400
    assert (
        "has not confirmed your email address unverified@example.org" in response.content.decode()
    )
    assert logged_in_user(client) is None
    assert not User.objects.filter(email="unverified@example.org").exists()


def test_a_log_in_denied_at_the_provider_says_so_and_logs_nobody_in(client, sso_settings):
    response = at_provider(client, provider_of(sso_settings), "ada", allow=False)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Log-in cancelled" in page and "Nothing has changed" in page
    assert logged_in_user(client) is None and not User.objects.exists()


def test_a_state_this_browser_did_not_start_is_refused_with_a_clear_page(client, sso_settings):
    client.get("/accounts/sso/login/")
    response = client.get("/accounts/sso/callback/?code=anything&state=forged")
    assert response.status_code == 400
    assert "started in another browser window" in response.content.decode()
    assert logged_in_user(client) is None


def test_an_answer_without_code_is_refused_with_a_clear_page(client, sso_settings):
    response = client.get("/accounts/sso/callback/?state=x")
    assert response.status_code == 400
    assert "Please start again from the log-in page" in response.content.decode()


def test_a_provider_that_is_down_at_the_start_gives_a_clear_page(client, sso_settings):
    sso_settings.OIDC_ISSUER = closed_port_url() + "/o"
    response = client.get("/accounts/sso/login/")
    assert response.status_code == 503
    assert "does not answer at the moment" in response.content.decode()


def test_a_provider_that_goes_down_before_the_token_gives_a_clear_page(client, sso_settings):
    provider = provider_of(sso_settings)
    key = f"accounts:sso:discovery:{provider.issuer}"

    def token_endpoint_goes_down():
        document = cache.get(key)
        cache.set(key, {**document, "token_endpoint": closed_port_url() + "/o/token/"})

    response = at_provider(client, provider, "ada", before_consent=token_endpoint_goes_down)
    assert response.status_code == 503
    assert "does not answer at the moment" in response.content.decode()
    assert logged_in_user(client) is None and not User.objects.exists()


def test_a_code_used_twice_is_refused_with_a_clear_page(client, sso_settings):
    provider = provider_of(sso_settings)
    at_provider(client, provider, "ada")
    client.logout()
    # The same answer again (a reload): the state is spent, so nothing is sent anywhere.
    response = client.get("/accounts/sso/callback/?code=spent&state=spent")
    assert response.status_code == 400 and logged_in_user(client) is None


def test_a_closed_account_cannot_log_in_with_the_university(client, sso_settings):
    provider = provider_of(sso_settings)
    at_provider(client, provider, "ada")
    User.objects.filter(email="ada.sso@example.org").update(is_active=False)
    client.logout()
    response = at_provider(client, provider, "ada")
    assert response.status_code == 400
    assert "This account is closed" in response.content.decode()
    assert logged_in_user(client) is None


def test_a_locked_out_password_does_not_stop_the_university_log_in(client, sso_settings):
    """Axes still refuses the password log-in; the provider's log-in is not its business."""
    provider = provider_of(sso_settings)
    at_provider(client, provider, "ada")
    client.logout()
    for _ in range(sso_settings.LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/accounts/login/", {"username": "ada.sso@example.org", "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"username": "ada.sso@example.org", "password": "wrong"}
    )
    assert locked.status_code == 429
    response = at_provider(client, provider, "ada")
    assert response.status_code == 302
    assert logged_in_user(client).email == "ada.sso@example.org"


# --- an account with the address exists --------------------------------------------------


def test_an_existing_account_is_linked_only_after_its_password(client, sso_settings):
    linus = UserFactory(email="linus.local@example.org", full_name="Linus Local")
    response = at_provider(client, provider_of(sso_settings), "linus")
    assert response.status_code == 302 and response["Location"] == "/accounts/sso/link/"
    assert logged_in_user(client) is None  # never silently
    page = client.get("/accounts/sso/link/").content.decode()
    assert "An account with this email exists" in page and "linus.local@example.org" in page

    wrong = client.post("/accounts/sso/link/", {"password": "not-it"})
    assert wrong.status_code == 400
    assert "That is not the password of the account" in wrong.content.decode()
    assert logged_in_user(client) is None and not ExternalIdentity.objects.exists()

    right = client.post("/accounts/sso/link/", {"password": PASSWORD})
    assert right.status_code == 302
    assert logged_in_user(client) == linus
    assert ExternalIdentity.objects.get().user == linus
    # From now on the university's log-in alone logs Linus in.
    client.logout()
    again = at_provider(client, provider_of(sso_settings), "linus")
    assert again.status_code == 302 and logged_in_user(client) == linus


def test_an_existing_account_is_linked_by_a_mailed_link(client, sso_settings):
    linus = UserFactory(email="linus.local@example.org", full_name="Linus Local")
    at_provider(client, provider_of(sso_settings), "linus")
    response = client.post("/accounts/sso/link/mail/", follow=True)
    assert "We have sent a link to linus.local@example.org" in response.content.decode()
    mail = OutgoingMail.objects.get(kind=MailKind.SSO_LINK)
    assert mail.to_email == "linus.local@example.org" and mail.recipient == linus
    link = re.search(r"http://testserver(/accounts/sso/link/\S+/)", mail.body)[1]
    assert logged_in_user(client) is None and not ExternalIdentity.objects.exists()

    other = client.__class__()  # the mail opened in another browser
    page = other.get(link)
    assert page.status_code == 200 and "Link my account" in page.content.decode()
    assert not ExternalIdentity.objects.exists()  # opening the link changes nothing
    done = other.post(link, follow=True)
    assert "Your university log-in is linked to linus.local@example.org" in done.content.decode()
    assert ExternalIdentity.objects.get().user == linus


def test_a_second_link_mail_within_minutes_is_not_sent(client, sso_settings):
    UserFactory(email="linus.local@example.org")
    at_provider(client, provider_of(sso_settings), "linus")
    client.post("/accounts/sso/link/mail/")
    client.post("/accounts/sso/link/mail/")
    assert OutgoingMail.objects.filter(kind=MailKind.SSO_LINK).count() == 1


class TwoHoursAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 2 * 60 * 60)


@pytest.mark.parametrize("damage", ["tampered", "expired"])
def test_a_bad_or_expired_link_changes_nothing_and_says_why(client, sso_settings, damage):
    linus = UserFactory(email="linus.local@example.org")
    payload = {"user": linus.pk, "iss": sso_settings.OIDC_ISSUER, "sub": "7"}
    if damage == "tampered":
        token = signing.dumps(payload, salt=sso.LINK_SALT)[:-3] + "abc"
        expected = "This link is not valid"
    else:
        token = TwoHoursAgo(salt=sso.LINK_SALT).sign_object(payload)
        expected = "This link has expired"
    for response in (client.get(f"/accounts/sso/link/{token}/"),
                     client.post(f"/accounts/sso/link/{token}/")):  # fmt: skip
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_the_link_page_without_a_pending_log_in_sends_back_to_log_in(client, sso_settings):
    response = client.get("/accounts/sso/link/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "that log-in has expired" in response.content.decode()


def test_a_university_log_in_linked_elsewhere_is_not_linked_again(sso_settings):
    first, second = UserFactory(), UserFactory()
    sso.identity_link(user=first, issuer="https://idp.example", subject="42")
    with pytest.raises(Exception, match="linked to another account already"):
        sso.identity_link(user=second, issuer="https://idp.example", subject="42")
    with pytest.raises(Exception, match="linked to another university log-in"):
        sso.identity_link(user=first, issuer="https://idp.example", subject="43")
    assert list(ExternalIdentity.objects.values_list("user", "subject")) == [(first.pk, "42")]


# --- staff must use the university's log-in ---------------------------------------------


def test_staff_of_an_offering_that_requires_sso_cannot_log_in_with_a_password(
    client, sso_settings, ta, offering
):
    offering.staff_sso_required = True
    offering.save()
    for path in ["/accounts/login/", "/admin/login/"]:
        response = client.post(path, {"username": ta.email, "password": PASSWORD})
        assert response.status_code == 200
        assert "Staff log in with the university: use the button" in response.content.decode()
        assert BUTTON in response.content.decode()
        assert logged_in_user(client) is None


def test_the_site_setting_refuses_staff_passwords_but_not_students_or_superusers(
    client, sso_settings, ta, student, superuser
):
    sso_settings.SSO_REQUIRED_FOR_STAFF = True
    refused = client.post("/accounts/login/", {"username": ta.email, "password": PASSWORD})
    assert "Staff log in with the university" in refused.content.decode()
    for person in (student, superuser):
        response = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
        assert response.status_code == 302 and logged_in_user(client) == person
        client.logout()


def test_without_sso_set_up_staff_passwords_keep_working(client, ta, offering, settings):
    settings.SSO_REQUIRED_FOR_STAFF = True
    offering.staff_sso_required = True
    offering.save()
    response = client.post("/accounts/login/", {"username": ta.email, "password": PASSWORD})
    assert response.status_code == 302 and logged_in_user(client) == ta


def test_a_ta_cannot_give_a_linked_staff_account_a_password_but_a_superuser_can(
    client, sso_settings, ta, superuser
):
    from django.contrib.auth.models import Permission

    sso.identity_link(user=ta, issuer=sso_settings.OIDC_ISSUER, subject="tess")
    helper = UserFactory(is_staff=True)
    helper.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    before = User.objects.get(pk=ta.pk).password
    url = f"/admin/accounts/user/{ta.pk}/password/"
    client.force_login(helper)
    response = client.post(url, {"password1": "new-pass-2041!", "password2": "new-pass-2041!",
                                 "usable_password": "true"}, follow=True)  # fmt: skip
    assert "only an administrator may give this account a password" in response.content.decode()
    assert User.objects.get(pk=ta.pk).password == before
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    change = client.get(f"/admin/accounts/user/{ta.pk}/change/").content.decode()
    assert f"tess ({sso_settings.OIDC_ISSUER})" in change  # the linked log-in, shown


def test_a_ta_may_still_set_the_password_of_an_account_without_sso(client, sso_settings, student):
    from django.contrib.auth.models import Permission

    helper = UserFactory(is_staff=True)
    helper.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    client.force_login(helper)
    assert client.get(f"/admin/accounts/user/{student.pk}/password/").status_code == 200


# --- logging out -------------------------------------------------------------------------


def test_log_out_ends_the_session_and_offers_the_providers_log_out(client, sso_settings):
    provider = provider_of(sso_settings)
    at_provider(client, provider, "ada")
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and logged_in_user(client) is None
    page = response.content.decode()
    assert "You are still logged in at the university" in page
    link = html.unescape(re.search(r'href="([^"]+)">Log out at the university too', page)[1])
    assert link.startswith(f"{provider.issuer}/logout/?id_token_hint=")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in link


def test_log_out_after_a_password_log_in_is_as_before(client, sso_settings, student):
    client.force_login(student)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and logged_in_user(client) is None


def provider_of(settings):
    """The provider the settings point at (the session's oidc_provider)."""
    from tests.oidc_provider.fixture import Provider

    return Provider(
        issuer=settings.OIDC_ISSUER,
        client_id=settings.OIDC_RP_CLIENT_ID,
        client_secret=settings.OIDC_RP_CLIENT_SECRET,
    )


# --- the account page's part (templates/accounts/includes/sso_identity.html) -------------


def test_the_account_page_says_whether_the_university_log_in_is_linked(
    sso_settings, client, student
):
    client.force_login(student)
    unlinked = client.get(reverse("accounts:account")).content.decode()
    assert "University log-in" in unlinked
    assert "is not linked to a university log-in" in unlinked
    sso.identity_link(user=student, issuer=sso_settings.OIDC_ISSUER, subject="99")
    linked = client.get(reverse("accounts:account")).content.decode()
    assert "Your account is linked to your university log-in (since" in linked


def test_the_account_page_has_no_university_part_while_sso_is_not_set_up(client, student):
    client.force_login(student)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Your account" in page
    assert "University log-in" not in page
