"""Edge cases found in review: superseded mails, hijacked addresses, stale dates, leaks."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import mail_approve, queue_mail, send_due_mail
from accounts.models import MailTemplate, OutgoingMail, User
from accounts.selectors import waiting_position
from accounts.services import (
    enrolment_apply,
    enrolment_decide,
    enrolment_enrol_directly,
    enrolment_withdraw,
)
from course.models import Staff
from tests.factories import EnrolmentFactory, ModuleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_withdrawn_student_never_gets_the_held_acceptance_mail(offering, ta):
    offering.enrollment_key = "KEY-LEAK"
    offering.save()
    enrolment = EnrolmentFactory(offering=offering)
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment_decide(enrolment=enrolment, status=S.WITHDRAWN, by=ta)
    mail_approve(mails=OutgoingMail.objects.all(), by=ta)
    report = send_due_mail()
    assert [m.subject for m in report.sent] == ["Deep Learning 2016: your application is withdrawn"]
    assert all("KEY-LEAK" not in m.body for m in report.sent)
    statuses = sorted(OutgoingMail.objects.values_list("status", flat=True))
    assert statuses == ["discarded", "sent"]


def test_direct_enrolment_takes_an_unconfirmed_address_from_whoever_signed_up(offering, ta):
    squatter = UserFactory(email="alice@example.org", email_verified_at=None)
    enrolment_enrol_directly(
        offering=offering, email="alice@example.org", full_name="Alice", level="msc", by=ta
    )
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert squatter.email_verified


def test_direct_enrolment_reopens_a_withdrawn_application(offering, ta):
    enrolment = EnrolmentFactory(offering=offering, status=S.WITHDRAWN)
    enrolment_enrol_directly(
        offering=offering, email=enrolment.student.email, full_name="X", level="phd", by=ta
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"
    assert list(enrolment.decisions.values_list("old_status", "new_status")) == [
        ("withdrawn", "applied"),
        ("applied", "accepted"),
    ]


def test_accepted_student_can_be_rejected_and_the_seat_moves_on(offering, ta):
    offering.capacity = 1
    offering.save()
    mistake = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
    waiting = EnrolmentFactory(offering=offering, status=S.WAITLISTED)
    enrolment_decide(enrolment=mistake, status=S.REJECTED, by=ta)
    waiting.refresh_from_db()
    assert waiting.status == "accepted"


def test_reapplying_forgets_the_old_enrolment_date(open_offering, student, ta):
    enrolment = EnrolmentFactory(
        offering=open_offering, student=student, status=S.ACCEPTED, enrolled_on=dt.date(2020, 1, 1)
    )
    enrolment_withdraw(enrolment=enrolment, by=student)
    enrolment_apply(offering=open_offering, student=student, level="msc")
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    enrolment.refresh_from_db()
    assert enrolment.enrolled_on == timezone.localdate()


def test_waiting_positions_follow_the_promotion_order_on_equal_times(offering):
    at = timezone.now()
    waiting = EnrolmentFactory.create_batch(
        3, offering=offering, status=S.WAITLISTED, applied_at=at
    )
    assert [waiting_position(e) for e in waiting] == [1, 2, 3]


def test_unreachable_server_stops_the_run_and_leaves_the_rest_untouched(db):
    first = queue_mail(to_email="a@example.org", subject="1", body="B", kind="other")
    second = queue_mail(to_email="b@example.org", subject="2", body="B", kind="other")
    with override_settings(EMAIL_BACKEND="tests.mail_backends.BrokenServerBackend"):
        out = StringIO()
        call_command("send_queued_mail", stdout=out, stderr=out)
    assert "the rest waits for the next run" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (1, 0)
    assert second.status == "queued"


def test_template_for_a_status_without_mail_is_refused(offering):
    template = MailTemplate(offering=offering, status=S.APPLIED, subject="S", body="B")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "No mail is sent for this status" in error.value.message_dict["status"][0]


def test_decision_subject_stays_on_one_line(offering, ta):
    MailTemplate.objects.create(
        offering=offering, status=S.REJECTED, subject="About ${student_name}", body="B"
    )
    enrolment = EnrolmentFactory(offering=offering, student__full_name="Evil\nBcc: x@example.org")
    enrolment_decide(enrolment=enrolment, status=S.REJECTED, by=ta)
    assert OutgoingMail.objects.get().subject == "About Evil Bcc: x@example.org"


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
    assert OutgoingMail.objects.filter(kind="password_reset").count() == 1


@override_settings(SITE_URL="https://course.example.org")
def test_password_reset_link_uses_the_site_address_not_the_host_header(client, student):
    client.post("/accounts/password/reset/", {"email": student.email}, HTTP_HOST="evil.example")
    body = OutgoingMail.objects.get().body
    assert "https://course.example.org/accounts/password/reset/" in body
    assert "evil.example" not in body


def test_changing_an_address_in_the_admin_unconfirms_it(client, superuser, student):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[student.pk])
    response = client.post(
        url,
        {"email": "new@example.org", "full_name": student.full_name, "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    student.refresh_from_db()
    assert student.email == "new@example.org"
    assert student.email_verified_at is None


# Admin leaks and rights.


def test_admin_filters_list_only_taught_offerings(client, offering, other_offering, ta):
    other_offering.course.title = "Secret Course"
    other_offering.course.save()
    ModuleFactory(offering=offering)
    ModuleFactory(offering=other_offering)
    client.force_login(ta)
    for url in ["/admin/course/module/", "/admin/course/offering/", "/admin/course/staff/",
                "/admin/accounts/enrolment/", "/admin/accounts/outgoingmail/"]:  # fmt: skip
        assert "Secret Course" not in client.get(url).content.decode(), url


def test_admin_has_no_view_on_site_shortcut(client, other_offering, ta):
    client.force_login(ta)
    assert client.get(f"/admin/r/1/{other_offering.pk}/").status_code == 404


def test_offering_change_page_links_to_the_public_page(client, offering, ta):
    client.force_login(ta)
    page = client.get(reverse("admin:course_offering_change", args=[offering.pk]))
    assert f'href="{offering.get_absolute_url()}"' in page.content.decode()


def test_ta_cannot_move_or_delete_a_colleagues_linked_entry(client, offering, ta):
    colleague = StaffFactory(offering=offering, user=UserFactory(), name="Col League")
    elsewhere = StaffFactory(user=ta).offering  # ta teaches a second offering
    client.force_login(ta)
    url = reverse("admin:course_staff_change", args=[colleague.pk])
    client.post(url, {"offering": elsewhere.pk, "name": "Col League", "role": "ta", "order": 0})
    colleague.refresh_from_db()
    assert colleague.offering == offering
    response = client.post(
        reverse("admin:course_staff_delete", args=[colleague.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Staff.objects.filter(pk=colleague.pk).exists()


def test_course_list_counts_every_offering_for_staff_too(client, offering, ta):
    StaffFactory(offering__course=offering.course)  # a run ta does not teach
    client.force_login(ta)
    page = client.get("/admin/course/course/").content.decode()
    assert '<td class="field-offering_count">2</td>' in page


@pytest.mark.parametrize("decisions", [1, 10])
def test_enrolment_page_query_count_does_not_grow_with_decisions(
    client, django_assert_num_queries, offering, ta, decisions
):
    enrolment = EnrolmentFactory(offering=offering)
    for _ in range(decisions):
        enrolment.decisions.create(new_status="applied", decided_by=UserFactory())
    client.force_login(ta)
    # One more than before archives: whether the offering is archived (asked once).
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:accounts_enrolment_change", args=[enrolment.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="field-decided_by"') == decisions  # every decision listed
