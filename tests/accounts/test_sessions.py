"""Staff sessions end after STAFF_SESSION_IDLE_TIMEOUT without a request, while anonymous
visitors' and students' sessions are never written (their pages come from the page cache);
changing or resetting a password logs the account out everywhere else (issue 16, item 6)."""

import re
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.mailing import password_reset_mail
from config.middleware import STAFF_LAST_SEEN
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db
HOURS = 3600
NEW_PASSWORD = "a brand new long password 7"


def logged_in(user, password) -> Client:
    """A browser of its own, logged in through the log-in page."""
    browser = Client()
    response = browser.post("/accounts/login/", {"username": user.email, "password": password})
    assert response.status_code == 302
    return browser


def idle_for(browser: Client, seconds: float) -> None:
    """As if the browser's last request was `seconds` ago."""
    session = browser.session
    session[STAFF_LAST_SEEN] = time.time() - seconds
    session.save()


def is_logged_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


def test_a_teaching_assistants_session_ends_after_eight_idle_hours(ta, password):
    browser = logged_in(ta, password)
    assert browser.get("/admin/").status_code == 200
    idle_for(browser, 8 * HOURS + 60)

    response = browser.get("/admin/", follow=True)
    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert not is_logged_in(browser)
    assert "You were logged out after 8 hours without activity" in response.content.decode()
    # The next log-in starts afresh.
    assert logged_in(ta, password).get("/admin/").status_code == 200


def test_activity_keeps_a_staff_session_open(ta, password):
    browser = logged_in(ta, password)
    idle_for(browser, 7 * HOURS)
    assert browser.get("/admin/").status_code == 200  # seven idle hours: still open
    idle_for(browser, 7 * HOURS)  # ... and seven more after that request
    assert browser.get("/admin/").status_code == 200
    assert is_logged_in(browser)


@override_settings(STAFF_SESSION_IDLE_TIMEOUT=2 * HOURS)
def test_the_timeout_is_a_setting(superuser, password):
    browser = logged_in(superuser, password)
    idle_for(browser, 2 * HOURS + 60)
    page = browser.get("/admin/", follow=True).content.decode()
    assert "You were logged out after 2 hours without activity" in page
    assert not is_logged_in(browser)


def test_a_working_staff_session_is_not_saved_on_every_request(ta, password):
    browser = logged_in(ta, password)
    browser.get("/admin/")
    again = browser.get("/admin/")
    assert settings.SESSION_COOKIE_NAME not in again.cookies


def test_a_staff_session_from_before_the_timeout_gets_its_clock_at_its_next_staff_page(
    ta, password
):
    browser = logged_in(ta, password)
    session = browser.session
    del session[STAFF_LAST_SEEN]  # as a session made before the timeout existed
    session.save()
    browser.get("/admin/")
    assert STAFF_LAST_SEEN in browser.session


def test_a_students_session_is_never_written_nor_ended(accepted_student, password):
    browser = logged_in(accepted_student, password)
    assert STAFF_LAST_SEEN not in browser.session
    browser.get("/")  # the CSRF cookie, as after a first page
    first = browser.get("/me/")
    second = browser.get("/me/")
    assert settings.SESSION_COOKIE_NAME not in first.cookies
    assert settings.SESSION_COOKIE_NAME not in second.cookies
    assert second["X-Page-Cache"] == "hit"
    assert STAFF_LAST_SEEN not in browser.session
    assert is_logged_in(browser)


def test_an_anonymous_visitor_gets_no_session_and_cached_pages(offering):
    browser = Client()
    browser.get("/")
    again = browser.get("/")
    assert again["X-Page-Cache"] == "hit"
    assert settings.SESSION_COOKIE_NAME not in browser.cookies


# Log out everywhere ---------------------------------------------------------------------------


def test_changing_the_password_logs_out_the_other_browsers(student, password):
    here, elsewhere = logged_in(student, password), logged_in(student, password)
    response = here.post(
        "/accounts/password/change/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/me/").status_code == 200  # this browser stays logged in
    assert elsewhere.get("/me/").status_code == 302  # the other one is sent to log in
    assert not is_logged_in(elsewhere)


def test_resetting_the_password_logs_out_every_browser(student, password):
    elsewhere = logged_in(student, password)
    assert elsewhere.get("/me/").status_code == 200
    browser = Client()
    browser.post("/accounts/password/reset/", {"email": student.email})
    run_queued(password_reset_mail)
    call_command("send_queued_mail", stdout=StringIO())
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    form = browser.get(link.group(1), follow=True).redirect_chain[-1][0]
    browser.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert elsewhere.get("/me/").status_code == 302
    assert not is_logged_in(elsewhere)
    assert logged_in(student, NEW_PASSWORD).get("/me/").status_code == 200
