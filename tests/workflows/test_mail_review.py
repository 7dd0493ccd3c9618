"""Held decision mails are approved from their own page or from the application, where staff
decide and send in one step after reading the mail (issue 19)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment, OutgoingMail
from accounts.services import enrolment_decide
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db
OUTBOX = "/admin/accounts/outgoingmail/"


@pytest.fixture
def held(offering, ta):
    offering.decisions_need_review = True
    offering.save()
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Ada Lovelace")
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    return OutgoingMail.objects.get(enrolment=enrolment)


def mail_page(mail):
    return reverse("admin:accounts_outgoingmail_change", args=[mail.pk])


def application_page(enrolment):
    return reverse("admin:accounts_enrolment_change", args=[enrolment.pk])


def test_held_mail_is_approved_from_its_own_page(client, held, ta):
    client.force_login(ta)
    page = client.get(mail_page(held)).content.decode()
    assert 'name="_approve"' in page
    data = {"subject": held.subject, "body": held.body + "\nSee you soon.", "_approve": "1"}
    response = client.post(mail_page(held), data, follow=True)
    page = response.content.decode()
    assert f"The mail to {held.to_email} is queued for sending." in page
    # No stale count of mails waiting next to the queued one.
    assert "wait for review" not in page and "waits for review" not in page
    held.refresh_from_db()
    assert (held.status, held.approved_by) == ("queued", ta)
    assert held.body.endswith("See you soon.")


def test_approving_from_the_list_leaves_no_stale_count(client, held, ta):
    client.force_login(ta)
    assert "1 mail waits for review" in client.get(OUTBOX).content.decode()
    response = client.post(
        OUTBOX, {"action": "approve", "_selected_action": [held.pk]}, follow=True
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)] + [response.content.decode()]
    assert "1 mail queued for sending." in shown[-1]
    assert not any("waits for review" in text for text in shown)


def test_sent_mail_offers_no_approval_and_a_forged_one_changes_nothing(client, held, ta):
    held.status = "sent"
    held.save()
    client.force_login(ta)
    assert 'name="_approve"' not in client.get(mail_page(held)).content.decode()
    page = client.post(
        mail_page(held), {"subject": "x", "body": "y", "_approve": "1"}, follow=True
    ).content.decode()
    assert "does not wait for review: nothing was sent" in page
    held.refresh_from_db()
    assert held.status == "sent" and held.subject != "x"


def test_ta_of_another_offering_cannot_approve(client, held, other_ta):
    client.force_login(other_ta)
    client.post(mail_page(held), {"subject": "x", "body": "y", "_approve": "1"})
    held.refresh_from_db()
    assert held.status == "review"


def test_application_page_shows_the_held_mail_and_approves_it(client, held, ta):
    client.force_login(ta)
    page = client.get(application_page(held.enrolment)).content.decode()
    assert "Decision mail waiting for review" in page
    assert held.subject in page
    client.post(application_page(held.enrolment), {"_approve_mail": "1"})
    held.refresh_from_db()
    assert held.status == "queued"


def test_decide_and_send_in_one_step_after_reading_the_mail(client, offering, ta):
    offering.decisions_need_review = True
    offering.enrollment_key = "KEY-42"
    offering.save()
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Bo Ek")
    client.force_login(ta)
    url = application_page(enrolment)
    assert f'href="?decide={S.ACCEPTED}"' in client.get(url).content.decode()
    preview = client.get(url, {"decide": S.ACCEPTED}).content.decode()
    assert "this mail goes to the student at once" in preview
    assert "Dear Bo Ek" in preview and "KEY-42" in preview
    assert not OutgoingMail.objects.exists()  # a preview saves nothing
    page = client.post(url, {"_decide": S.ACCEPTED}, follow=True).content.decode()
    assert "Bo Ek is now accepted; the mail is queued for sending." in page
    enrolment.refresh_from_db()
    mail = OutgoingMail.objects.get()
    assert enrolment.status == S.ACCEPTED
    assert (mail.status, mail.approved_by) == ("queued", ta)


@pytest.mark.parametrize("status", ["bogus", S.APPLIED, ""])
def test_bad_decision_changes_nothing(client, offering, ta, status):
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(ta)
    page = client.post(
        application_page(enrolment), {"_decide": status}, follow=True
    ).content.decode()
    assert "Choose a decision." in page or "already applied" in page
    assert Enrolment.objects.get().status == S.APPLIED
    assert not OutgoingMail.objects.exists()


def test_refused_decision_sends_nothing(client, offering, ta):
    offering.capacity = 0
    offering.save()
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(ta)
    page = client.post(
        application_page(enrolment), {"_decide": S.ACCEPTED}, follow=True
    ).content.decode()
    assert "the offering is full" in page
    assert Enrolment.objects.get().status == S.APPLIED
    assert not OutgoingMail.objects.exists()


def test_other_ta_cannot_decide_from_the_page(client, offering, other_ta):
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(other_ta)
    client.post(application_page(enrolment), {"_decide": S.ACCEPTED})
    assert Enrolment.objects.get().status == S.APPLIED
