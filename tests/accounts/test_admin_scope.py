"""The admin shows teaching staff their own offerings only, and links to the public pages."""

import pytest
from django.urls import reverse

from course.models import Staff
from tests.factories import EnrolmentFactory, ModuleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


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
    # One more than before archives: whether the offering is archived (asked once); two
    # more for the decisions offered with their mails: the application with its student,
    # and its decision mail waiting for review.
    with django_assert_num_queries(13):
        response = client.get(reverse("admin:accounts_enrolment_change", args=[enrolment.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="field-decided_by"') == decisions  # every decision listed
