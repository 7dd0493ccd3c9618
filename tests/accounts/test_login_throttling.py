"""Log-in throttling (django-axes, accounts/throttling.py): wrong passwords per account and
per address lock the log-in for a while, on the site's log-in page and the admin's, with a
page that says how long; staff unlock; the client's address behind the proxy; sign-up,
password-reset and resend-verification requests are throttled too; Argon2 hashes.
"""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.mailing import password_reset_mail
from accounts.models import OutgoingMail, User
from accounts.throttling import client_address, mail_request_throttle
from config.settings import base as real_settings
from tests.factories import UserFactory
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]
HOME = "198.51.100.7"  # the client's address in these tests
ELSEWHERE = "203.0.113.9"


def log_in(client, path, email, password, address=HOME):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client, path, email, address=HOME):
    """Wrong passwords up to the account's limit; the last one already answers the lock."""
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        response = log_in(client, path, email, "wrong password", address)
        assert response.status_code == 200, "below the limit: the form and its error"
    return log_in(client, path, email, "wrong password", address)


@pytest.fixture
def admin_user(db):
    return UserFactory(email="ada@example.org", is_staff=True, is_superuser=True)


def assert_lock_page(response, minutes):
    html = response.content.decode()
    assert response.status_code == 429
    assert "Logging in is paused" in html
    assert f"please try again in {minutes} minute{'s' if minutes > 1 else ''} (at " in html
    assert '<nav class="navbar' in html, "the site's own page, not axes' bare text"


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_wrong_passwords_lock_the_account_and_the_right_one_is_refused_with_the_wait(
    client, admin_user, password, path
):
    response = lock_out(client, path, admin_user.email)
    assert_lock_page(response, settings.LOGIN_COOL_OFF_MINUTES)

    response = log_in(client, path, admin_user.email, password)

    assert_lock_page(response, settings.LOGIN_COOL_OFF_MINUTES)
    assert not logged_in(client)


def test_the_lock_holds_from_another_address_and_for_the_address_in_another_case(client, password):
    user = UserFactory(email="bo@example.org")
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        email = "BO@Example.org" if n % 2 else "bo@example.org"
        log_in(client, "/accounts/login/", email, "wrong", address=f"192.0.2.{n + 1}")

    response = log_in(client, "/accounts/login/", user.email, password, address=ELSEWHERE)

    assert response.status_code == 429
    assert not logged_in(client)


def test_the_wait_shown_is_what_is_left_and_the_lock_lifts_after_the_cool_off(client, password):
    user = UserFactory()
    lock_out(client, "/accounts/login/", user.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))

    assert_lock_page(log_in(client, "/accounts/login/", user.email, password), 5)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = log_in(client, "/accounts/login/", user.email, password)
    assert response.status_code == 302
    assert logged_in(client)


def test_tries_while_locked_do_not_lengthen_the_wait(client, password):
    user = UserFactory()
    lock_out(client, "/accounts/login/", user.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    for _ in range(3):
        assert log_in(client, "/accounts/login/", user.email, "wrong").status_code == 429
    assert_lock_page(log_in(client, "/accounts/login/", user.email, password), 1)


def test_the_right_password_below_the_limit_forgives_the_earlier_wrong_ones(client, password):
    user = UserFactory()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        log_in(client, "/accounts/login/", user.email, "wrong")
    assert log_in(client, "/accounts/login/", user.email, password).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        assert log_in(client, "/accounts/login/", user.email, "wrong").status_code == 200
    assert log_in(client, "/accounts/login/", user.email, "wrong").status_code == 429


def test_other_accounts_from_the_same_address_log_in_until_the_address_limit(
    client, settings, password
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 12  # the real one is higher; the rule is the same
    assert real_settings.LOGIN_FAILURES_PER_ADDRESS > real_settings.LOGIN_FAILURES_PER_ACCOUNT
    bob, cleo = UserFactory(email="bob@example.org"), UserFactory(email="cleo@example.org")
    per_account = settings.LOGIN_FAILURES_PER_ACCOUNT - 1  # none of them locked by itself
    for guessed in ("a@example.org", "b@example.org"):
        for _ in range(per_account):
            log_in(client, "/accounts/login/", guessed, "guess")

    # 8 failures from the address: another account from it logs in.
    assert log_in(client, "/accounts/login/", bob.email, password).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(12 - 2 * per_account):
        log_in(client, "/accounts/login/", "c@example.org", "guess")

    # 12: the address is locked for every account...
    response = log_in(client, "/accounts/login/", cleo.email, password)
    assert_lock_page(response, settings.LOGIN_COOL_OFF_MINUTES)
    assert not logged_in(client)
    # ...and only the address: the same account from elsewhere logs in.
    assert log_in(client, "/accounts/login/", cleo.email, password, ELSEWHERE).status_code == 302


def test_staff_unlock_an_account_and_its_owner_logs_in(client, admin_user, password):
    student = UserFactory(email="stu@example.org")
    lock_out(client, "/accounts/login/", student.email)
    assert log_in(client, "/accounts/login/", student.email, password).status_code == 429

    staff = client.__class__()
    staff.force_login(admin_user)
    response = staff.post(
        "/admin/accounts/user/",
        {"action": "unlock_login", "_selected_action": [student.pk]},
        follow=True,
    )
    assert "1 account may log in again at once." in response.content.decode()

    response = log_in(client, "/accounts/login/", student.email, password)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == student.pk


def test_a_new_password_through_the_mailed_link_ends_the_accounts_lock(client):
    # A fixed name: the new password must not look like it (the similarity validator).
    student = UserFactory(full_name="Karin Berg", email="karin@example.org")
    assert lock_out(client, "/accounts/login/", student.email).status_code == 429
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    form = client.get(f"/accounts/password/reset/{uid}/{token}/", follow=True)
    new = {"new_password1": "a brand new phrase 7", "new_password2": "a brand new phrase 7"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302

    response = log_in(client, "/accounts/login/", student.email, "a brand new phrase 7")
    assert response.status_code == 302
    assert logged_in(client)


def test_staff_clear_a_locked_address_in_the_list_of_attempts(
    client, admin_user, settings, password
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    for guessed in ("a@example.org", "b@example.org", "c@example.org"):
        log_in(client, "/accounts/login/", guessed, "guess")
        log_in(client, "/accounts/login/", guessed, "guess")
    student = UserFactory()
    assert log_in(client, "/accounts/login/", student.email, password).status_code == 429

    staff = client.__class__()
    staff.force_login(admin_user)
    page = staff.get("/admin/axes/accessattempt/").content.decode()
    assert "a@example.org" in page and HOME in page
    assert 'value="delete_selected"' not in page, "records change through the unlock only"
    selected = list(AccessAttempt.objects.filter(ip_address=HOME).values_list("pk", flat=True))
    detail = staff.get(f"/admin/axes/accessattempt/{selected[0]}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert staff.get("/admin/axes/accessfailurelog/").status_code == 200
    response = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": selected},
        follow=True,
    )
    assert "3 records cleared." in response.content.decode()

    assert log_in(client, "/accounts/login/", student.email, password).status_code == 302


def test_teaching_staff_cannot_see_the_log_in_records(client, ta):
    client.force_login(ta)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/axes/accesslog/").status_code == 403


def test_the_locked_state_is_in_the_database_for_every_app_server(transactional_db, password):
    """Another process (another app server) refuses the locked account: it reads the same
    database, not something this process keeps."""
    from django.test import Client

    user = UserFactory(email="remote@example.org")
    lock_out(Client(), "/accounts/login/", user.email)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "answer = Client().post('/accounts/login/', {'username': 'remote@example.org', "
        f"'password': {password!r}}}, REMOTE_ADDR='192.0.2.200')\n"
        "print(answer.status_code)\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
             "DATABASE_URL": url},
        capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert other.stdout.strip().splitlines()[-1] == "429", other.stderr


# The client's address ---------------------------------------------------------------------


def address_of(settings, proxies, remote, forwarded=None):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_a_forwarded_address_is_ignored(settings):
    assert address_of(settings, 0, "192.0.2.1", "203.0.113.5") == "192.0.2.1"


def test_behind_the_proxy_the_address_it_appended_counts_not_what_the_client_wrote(settings):
    assert address_of(settings, 1, "127.0.0.1", "203.0.113.5") == "203.0.113.5"
    # The client sent its own X-Forwarded-For; nginx appended the real address.
    assert address_of(settings, 1, "127.0.0.1", "10.9.9.9, 203.0.113.5") == "203.0.113.5"
    assert address_of(settings, 2, "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1") == "203.0.113.5"


def test_a_request_that_did_not_pass_the_proxies_has_its_peer_address(settings):
    assert address_of(settings, 1, "192.0.2.1") == "192.0.2.1"
    assert address_of(settings, 2, "192.0.2.1", "203.0.113.5") == "192.0.2.1"
    assert address_of(settings, 1, "192.0.2.1", "not an address") == "192.0.2.1"


def test_addresses_with_ports_and_ipv6_networks(settings):
    assert address_of(settings, 1, "127.0.0.1", "203.0.113.5:4711") == "203.0.113.5"
    assert address_of(settings, 1, "127.0.0.1", "[2001:db8:1:2:3::9]:443") == "2001:db8:1:2::"
    # One home has a whole /64: a new address for each try is the same client.
    assert address_of(settings, 0, "2001:db8:1:2::77") == "2001:db8:1:2::"
    assert address_of(settings, 0, "::ffff:192.0.2.4") == "192.0.2.4"


def test_behind_the_proxy_two_clients_are_counted_apart(client, settings, password):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    student = UserFactory()
    for guessed in ("a@example.org", "b@example.org", "c@example.org"):
        for _ in range(2):
            client.post(
                "/accounts/login/", {"username": guessed, "password": "guess"},
                REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66",
            )  # fmt: skip
    answer = client.post(
        "/accounts/login/", {"username": student.email, "password": password},
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66",
    )  # fmt: skip
    assert answer.status_code == 429
    answer = client.post(
        "/accounts/login/", {"username": student.email, "password": password},
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20",
    )  # fmt: skip
    assert answer.status_code == 302


# Requests that send mail ------------------------------------------------------------------


@pytest.fixture
def one_window(settings):
    """Windows so long that none ends during a test (the counts start anew in each)."""
    settings.MAIL_REQUESTS_ADDRESS_WINDOW_MINUTES = 60 * 24 * 365
    settings.MAIL_REQUESTS_EMAIL_WINDOW_MINUTES = 60 * 24 * 365


def signup(client, email, address=HOME):
    return client.post(
        "/accounts/signup/",
        {"full_name": "New Person", "email": email, "password1": "a-long-pass-phrase-1",
         "password2": "a-long-pass-phrase-1"},
        REMOTE_ADDR=address,
    )  # fmt: skip


def test_sign_ups_from_one_address_are_throttled_and_nothing_is_sent(client, settings, one_window):
    settings.MAIL_REQUESTS_PER_ADDRESS = 2
    for n in range(2):
        assert signup(client, f"new{n}@example.org").status_code == 302
        client.post("/accounts/logout/")
    mails = OutgoingMail.objects.count()

    response = signup(client, "new2@example.org")

    assert response.status_code == 429
    assert re.search(
        r"Too many accounts were asked for from your network or with this email address\. "
        r"Nothing was sent\. Please try again in [0-9]+ minutes?\.",
        response.content.decode(),
    )
    assert not User.objects.filter(email="new2@example.org").exists()
    assert OutgoingMail.objects.count() == mails
    assert signup(client, "new2@example.org", ELSEWHERE).status_code == 302


def test_password_resets_for_one_address_are_throttled_and_nothing_is_sent(
    client, settings, one_window
):
    settings.MAIL_REQUESTS_PER_EMAIL = 1
    student = UserFactory()
    reset = "/accounts/password/reset/"
    assert client.post(reset, {"email": student.email}, REMOTE_ADDR=HOME).status_code == 302
    run_queued(password_reset_mail)  # the worker mails the link
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    response = client.post(reset, {"email": student.email.upper()}, REMOTE_ADDR=ELSEWHERE)

    assert response.status_code == 429
    assert "Nothing was sent. Please try again in" in response.content.decode()
    run_queued(password_reset_mail)
    assert OutgoingMail.objects.count() == 1


def test_password_resets_from_one_address_are_throttled(client, settings, one_window):
    settings.MAIL_REQUESTS_PER_ADDRESS = 2
    people = UserFactory.create_batch(3)
    reset = "/accounts/password/reset/"
    for person in people[:2]:
        assert client.post(reset, {"email": person.email}, REMOTE_ADDR=HOME).status_code == 302
    response = client.post(reset, {"email": people[2].email}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    run_queued(password_reset_mail)
    assert OutgoingMail.objects.filter(to_email=people[2].email).count() == 0
    assert OutgoingMail.objects.count() == 2


def test_new_confirmation_links_are_throttled_and_nothing_is_sent(client, settings, one_window):
    settings.MAIL_REQUESTS_PER_EMAIL = 1
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    client.post("/accounts/verify/resend/", REMOTE_ADDR=HOME)
    assert OutgoingMail.objects.count() == 1
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    response = client.post("/accounts/verify/resend/", REMOTE_ADDR=HOME, follow=True)

    assert "Nothing was sent. Please try again in" in response.content.decode()
    assert OutgoingMail.objects.count() == 1


def test_the_wait_is_what_is_left_of_the_window(client, settings):
    settings.MAIL_REQUESTS_PER_EMAIL = 0
    request = RequestFactory().post("/", REMOTE_ADDR=HOME)
    wait = mail_request_throttle(request, kind="signup", email="x@example.org")
    assert timedelta(0) < wait <= timedelta(minutes=settings.MAIL_REQUESTS_EMAIL_WINDOW_MINUTES)


# Personal data ----------------------------------------------------------------------------


def test_the_retention_purge_removes_old_log_in_records(client, settings, password):
    from sessions.privacy import retention_purge

    settings.RETENTION_LOGIN_RECORDS_DAYS = 30
    user = UserFactory()
    log_in(client, "/accounts/login/", user.email, "wrong")
    log_in(client, "/accounts/login/", user.email, password)
    assert AccessLog.objects.count() == 1 and AccessFailureLog.objects.count() == 1
    client.post("/accounts/logout/")
    log_in(client, "/accounts/login/", "other@example.org", "wrong")
    assert retention_purge().login_records == 0

    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        model.objects.update(attempt_time=timezone.now() - timedelta(days=29))
    assert retention_purge().login_records == 1, "the attempt no longer counts"
    for model in (AccessLog, AccessFailureLog):
        model.objects.update(attempt_time=timezone.now() - timedelta(days=31))
    assert retention_purge().login_records == 3
    assert not AccessLog.objects.exists() and not AccessFailureLog.objects.exists()


def test_an_erasure_deletes_the_persons_log_in_records(client, superuser, password):
    from sessions import privacy

    person, other = UserFactory(email="gone@example.org"), UserFactory()
    for who in (person, other):
        log_in(client, "/accounts/login/", who.email.upper(), "wrong")
        log_in(client, "/accounts/login/", who.email, password)
        client.post("/accounts/logout/")
        log_in(client, "/accounts/login/", who.email, "wrong")
    request = privacy.data_request_make(person=person, kind="erasure", by=person)

    privacy.person_erase(data_request=request, by=superuser)

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username="gone@example.org").exists()
        assert model.objects.filter(username=other.email).exists()


# Password hashing -------------------------------------------------------------------------


def test_argon2_is_the_default_and_a_pbkdf2_hash_is_upgraded_at_the_next_log_in(client, settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS  # tests hash fast otherwise
    user = UserFactory()
    user.password = make_password("an old pass phrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = log_in(client, "/accounts/login/", user.email, "an old pass phrase")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("an old pass phrase")
    assert make_password("new").startswith("argon2$")
