"""Direct enrolment by staff never touches an existing account's credentials, and accounts
made by createsuperuser count as confirmed: a teaching assistant cannot lock out the
administrator (issue 16, item 7)."""

import datetime as dt
import importlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.utils import formats

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment, OutgoingMail, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/enrolment/add/"
ADMIN_PASSWORD = "the administrator's own long password"


def enrol(client, offering, email, full_name="Some Name"):
    return client.post(
        ADD,
        {"offering": offering.pk, "email": email, "full_name": full_name, "level": "msc",
         "programme": "", "enrolled_on": "2016-04-11"},
        follow=True,
    )  # fmt: skip


@pytest.fixture
def administrator(db, monkeypatch):
    """The administrator, made as on a new site: `manage.py createsuperuser`."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
    call_command(
        "createsuperuser", "--noinput", "--email", "admin@example.org",
        "--full_name", "Ada Admin", stdout=StringIO(),
    )  # fmt: skip
    return User.objects.get(email="admin@example.org")


def test_a_ta_cannot_lock_out_the_administrator(client, offering, ta, administrator):
    client.force_login(ta)
    enrol(client, offering, "admin@example.org", full_name="Not The Admin")

    administrator.refresh_from_db()
    assert administrator.has_usable_password()
    assert administrator.check_password(ADMIN_PASSWORD)
    assert administrator.full_name == "Ada Admin"
    assert administrator.is_superuser
    client.logout()
    response = client.post(
        "/admin/login/",
        {"username": "admin@example.org", "password": ADMIN_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == administrator.pk
    # No mail offers anybody a way to set the administrator's password.
    assert not OutgoingMail.objects.filter(kind="password_reset").exists()


def test_createsuperuser_accounts_count_as_confirmed(administrator):
    assert administrator.email_verified


def test_existing_superusers_are_confirmed_by_the_migration(db):
    unconfirmed = UserFactory(is_superuser=True, is_staff=True, email_verified_at=None)
    student = UserFactory(email_verified_at=None)
    migration = importlib.import_module("accounts.migrations.0006_superusers_confirmed")
    migration.confirm_superusers(apps, None)
    unconfirmed.refresh_from_db()
    student.refresh_from_db()
    assert unconfirmed.email_verified_at == unconfirmed.date_joined
    assert student.email_verified_at is None


def test_an_existing_student_is_enrolled_and_told_with_the_account_untouched(
    client, offering, ta, password
):
    student = UserFactory(email="stu@example.org", full_name="Stu Dent")
    before = User.objects.values().get(pk=student.pk)
    client.force_login(ta)
    page = enrol(client, offering, "STU@example.org", full_name="Typed Otherwise")
    when = formats.date_format(dt.date(2016, 4, 11), "SHORT_DATE_FORMAT")
    assert f"is enrolled from {when}" in page.content.decode()

    assert User.objects.values().get(pk=student.pk) == before
    assert Enrolment.objects.get(student=student).status == S.ACCEPTED
    (told,) = OutgoingMail.objects.filter(recipient=student)
    assert told.kind == "decision" and "you are enrolled" in told.subject


def test_an_unconfirmed_account_is_refused_and_left_as_it_is(client, offering, ta, password):
    squatter = UserFactory(email="alice@example.org", email_verified_at=None)
    before = User.objects.values().get(pk=squatter.pk)
    client.force_login(ta)
    page = enrol(client, offering, "alice@example.org").content.decode()

    assert "alice@example.org has an account whose address is not confirmed yet" in page
    assert User.objects.values().get(pk=squatter.pk) == before
    assert not Enrolment.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_a_new_student_gets_the_invitation_to_choose_a_password(client, offering, ta):
    client.force_login(ta)
    enrol(client, offering, "late@example.org", full_name="Late Arrival")
    late = User.objects.get(email="late@example.org")
    assert not late.has_usable_password()
    assert late.email_verified
    assert Enrolment.objects.get(student=late).status == S.ACCEPTED

    invitation = OutgoingMail.objects.get(recipient=late, kind="password_reset")
    assert "/accounts/password/reset/" not in invitation.body  # a reference, not the link
    call_command("send_queued_mail", stdout=StringIO())
    (sent,) = [m for m in mail.outbox if "choose a password" in m.subject]
    assert sent.subject == "Deep Learning 2016: choose a password for coursesite"
    assert "have enrolled you and made you a coursesite account" in sent.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", sent.body).group(1)
    client.logout()
    form = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form, {"new_password1": "my own new pass 42", "new_password2": "my own new pass 42"}
    )
    late.refresh_from_db()
    assert late.check_password("my own new pass 42")
