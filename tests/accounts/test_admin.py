"""Staff decide applications, enrol students and review mail in the admin, for their offering."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import queue_mail
from accounts.models import Enrolment, MailTemplate, OutgoingMail
from tests.factories import AnnouncementFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/enrolment/"
OUTBOX = "/admin/accounts/outgoingmail/"


def act(client, url, action, objects):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def test_ta_lists_applications_of_own_offering_only(client, offering, other_offering, ta):
    mine = EnrolmentFactory(offering=offering, student__email="mine@example.org")
    EnrolmentFactory(offering=other_offering, student__email="theirs@example.org")
    client.force_login(ta)
    page = client.get(CHANGELIST).content.decode()
    assert "mine@example.org" in page
    assert "theirs@example.org" not in page
    assert client.get(reverse("admin:accounts_enrolment_change", args=[mine.pk])).status_code == 200


@pytest.mark.parametrize("who", ["student", "accepted_student"])
def test_students_cannot_open_the_applications(client, offering, who, request):
    EnrolmentFactory(offering=offering)
    client.force_login(request.getfixturevalue(who))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_ta_of_another_offering_cannot_decide_my_applications(client, offering, other_ta):
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(other_ta)
    act(client, CHANGELIST, "mark_accepted", [enrolment])
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"
    detail = client.get(
        reverse("admin:accounts_enrolment_change", args=[enrolment.pk]), follow=True
    )
    assert enrolment.student.email not in detail.content.decode()


def test_accept_action_fills_seats_in_application_order_and_reports_the_rest(client, offering, ta):
    offering.capacity = 2
    offering.save()
    applications = EnrolmentFactory.create_batch(3, offering=offering)
    client.force_login(ta)
    page = act(client, CHANGELIST, "mark_accepted", applications).content.decode()
    assert "2 applications now accepted." in page
    assert "the offering is full (2 of 2 seats taken)" in page
    statuses = [Enrolment.objects.get(pk=e.pk).status for e in applications]
    assert statuses == ["accepted", "accepted", "applied"]


def test_decision_shows_who_made_it_and_when(client, offering, ta):
    enrolment = EnrolmentFactory(offering=offering)
    client.force_login(ta)
    act(client, CHANGELIST, "mark_waitlisted", [enrolment])
    page = client.get(reverse("admin:accounts_enrolment_change", args=[enrolment.pk]))
    text = page.content.decode()
    assert "Waiting list" in text
    assert ta.full_name in text


def test_ta_enrols_a_late_arrival_in_the_admin(client, offering, other_offering, ta):
    client.force_login(ta)
    page = client.get("/admin/accounts/enrolment/add/").content.decode()
    assert "Enrol a student directly" in page
    assert "Other Course" not in page
    response = client.post(
        "/admin/accounts/enrolment/add/",
        {"offering": offering.pk, "email": "late@example.org", "full_name": "Late Arrival",
         "level": "phd", "programme": "", "enrolled_on": "2016-04-11"},
        follow=True,
    )  # fmt: skip
    when = formats.date_format(dt.date(2016, 4, 11), "SHORT_DATE_FORMAT")
    assert f"Late Arrival is enrolled from {when}" in response.content.decode()
    assert Enrolment.objects.get(student__email="late@example.org").status == "accepted"


def test_direct_enrolment_into_another_offering_is_refused(client, other_offering, ta):
    client.force_login(ta)
    response = client.post(
        "/admin/accounts/enrolment/add/",
        {"offering": other_offering.pk, "email": "late@example.org", "full_name": "Late",
         "level": "phd", "enrolled_on": "2016-04-11"},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_direct_enrolment_with_a_bad_date_is_explained(client, offering, ta):
    client.force_login(ta)
    response = client.post(
        "/admin/accounts/enrolment/add/",
        {"offering": offering.pk, "email": "late@example.org", "full_name": "Late",
         "level": "phd", "enrolled_on": "11/4"},
    )  # fmt: skip
    assert "Enter a valid date." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_outbox_shows_own_offerings_mail_only(client, offering, other_offering, ta):
    queue_mail(to_email="mine@example.org", subject="S", body="B", kind="decision",
               offering=offering)  # fmt: skip
    queue_mail(to_email="theirs@example.org", subject="S", body="B", kind="decision",
               offering=other_offering)  # fmt: skip
    queue_mail(to_email="signup@example.org", subject="S", body="B", kind="verification")
    client.force_login(ta)
    page = client.get(OUTBOX).content.decode()
    assert "mine@example.org" in page
    assert "theirs@example.org" not in page
    assert "signup@example.org" not in page


def test_ta_edits_a_held_mail_but_not_a_sent_one(client, offering, ta):
    held = queue_mail(to_email="a@example.org", subject="Old", body="B", kind="decision",
                      offering=offering, review=True)  # fmt: skip
    client.force_login(ta)
    url = reverse("admin:accounts_outgoingmail_change", args=[held.pk])
    client.post(url, {"subject": "New subject", "body": "Better body"})
    held.refresh_from_db()
    assert (held.subject, held.body) == ("New subject", "Better body")
    held.status = "sent"
    held.save()
    client.post(url, {"subject": "Changed after sending", "body": "x"})
    held.refresh_from_db()
    assert held.subject == "New subject"


def test_outbox_mail_cannot_be_deleted(client, offering, ta):
    held = queue_mail(to_email="a@example.org", subject="S", body="B", kind="decision",
                      offering=offering, review=True)  # fmt: skip
    client.force_login(ta)
    response = client.post(reverse("admin:accounts_outgoingmail_delete", args=[held.pk]),
                           {"post": "yes"})  # fmt: skip
    assert response.status_code == 403
    assert OutgoingMail.objects.filter(pk=held.pk).exists()


def test_template_with_unknown_placeholder_is_refused_in_the_admin(client, offering, ta):
    client.force_login(ta)
    response = client.post(
        "/admin/accounts/mailtemplate/add/",
        {"offering": offering.pk, "status": "accepted", "subject": "Hi",
         "body": "Dear ${student}, welcome"},
    )  # fmt: skip
    assert "Unknown placeholder ${student}" in response.content.decode()
    assert not MailTemplate.objects.exists()


def offering_form(offering, **changes):
    data = {
        "course": offering.course_id, "name": offering.name, "slug": offering.slug,
        "status": offering.status, "start_date": "2016-03-21", "end_date": "2016-06-04",
        "attendance_threshold": 80, "group_size": 2, "excused_absences": "removed",
        "quiz_pass_percent": 50, "capacity": offering.capacity or "", "teaching_language": "en-gb",
        "programme_question": "required", "motivation_question": "optional",
        "decisions_need_review": "on",
        "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
        "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0,
    }  # fmt: skip
    for index, staff in enumerate(offering.staff.all()):
        data.update({f"staff-{index}-id": staff.pk, f"staff-{index}-offering": offering.pk,
                     f"staff-{index}-name": staff.name, f"staff-{index}-role": staff.role,
                     f"staff-{index}-order": 0})  # fmt: skip
    data["staff-TOTAL_FORMS"] = data["staff-INITIAL_FORMS"] = offering.staff.count()
    return {**data, **changes}


def test_raising_capacity_in_the_admin_moves_the_waiting_list(client, offering, ta):
    offering.capacity = 1
    offering.save()
    EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    waiting = EnrolmentFactory(offering=offering, status=S.WAITLISTED, student__full_name="Wai T")
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_offering_change", args=[offering.pk]),
        offering_form(offering, capacity=2),
        follow=True,
    )
    assert "Moved up from the waiting list: Wai T" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "accepted"


def test_capacity_cannot_drop_below_the_accepted_students(client, offering, ta):
    offering.capacity = 5
    offering.save()
    EnrolmentFactory.create_batch(3, offering=offering, status=S.ACCEPTED)
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_offering_change", args=[offering.pk]),
        offering_form(offering, capacity=2),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "3 students are accepted already: the capacity cannot be lower" in (
        response.content.decode()
    )
    offering.refresh_from_db()
    assert offering.capacity == 5


def test_announcement_action_mails_the_students(client, offering, ta):
    EnrolmentFactory.create_batch(3, offering=offering, status=S.ACCEPTED)
    announcement = AnnouncementFactory(offering=offering, title="Room change")
    client.force_login(ta)
    page = act(client, "/admin/course/announcement/", "mail_to_students", [announcement])
    assert "“Room change” queued to 3 students." in page.content.decode()
    assert OutgoingMail.objects.filter(kind="announcement").count() == 3


@pytest.mark.parametrize("scale", [1, 10])
def test_application_changelist_query_count_is_fixed(
    client, django_assert_num_queries, offering, ta, scale
):
    EnrolmentFactory.create_batch(5 * scale, offering=offering, status=S.ACCEPTED)
    client.force_login(ta)
    with django_assert_num_queries(8):  # the offering filter's names: one query
        assert client.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("scale", [1, 10])
def test_outbox_changelist_query_count_is_fixed(
    client, django_assert_num_queries, offering, ta, scale
):
    for index in range(5 * scale):
        queue_mail(to_email=f"s{index}@example.org", subject="S", body="B", kind="decision",
                   offering=offering, review=True)  # fmt: skip
    client.force_login(ta)
    with django_assert_num_queries(9):  # the offering filter's names: one query
        assert client.get(OUTBOX).status_code == 200


@pytest.mark.parametrize("offerings", [3, 30])
@pytest.mark.parametrize("address", [CHANGELIST, OUTBOX])
def test_the_administrators_lists_take_the_same_queries_for_3_and_30_offerings(
    client, django_assert_num_queries, superuser, offerings, address
):
    """The offering filter names every offering with its course: one query, not one each."""
    from tests.factories import OfferingFactory

    for number in range(offerings):
        other = OfferingFactory(slug=f"o{number}")
        EnrolmentFactory(offering=other, status=S.ACCEPTED)
        queue_mail(to_email=f"s{number}@example.org", subject="S", body="B", kind="decision",
                   offering=other, review=True)  # fmt: skip
    client.force_login(superuser)
    with django_assert_num_queries(5 if address == CHANGELIST else 6):
        page = client.get(address)
    assert page.status_code == 200
    assert page.content.decode().count(f"{other.course.title} {other.name}") >= 1
