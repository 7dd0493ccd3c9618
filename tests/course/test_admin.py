"""Teaching assistants use the admin for their own offerings, and only those."""

import pytest
from django.urls import reverse

from course.models import Module, Offering, Staff, VideoLecture
from course.services import lecture_set_parts
from tests.factories import (
    AnnouncementFactory,
    ModuleFactory,
    StaffFactory,
    UserFactory,
    VideoLectureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(offering, other_offering):
    """A module, lecture, staff entry and announcement in each offering."""
    made = {}
    for key, off in (("mine", offering), ("theirs", other_offering)):
        module = ModuleFactory(offering=off, title=f"{key} module")
        lecture = VideoLectureFactory(module=module, title=f"{key} lecture")
        lecture_set_parts(lecture=lecture, notation="9A, 9B")
        made[key] = {
            "offering": off,
            "module": module,
            "lecture": lecture,
            "staff": StaffFactory(offering=off, name=f"{key} teacher"),
            "announcement": AnnouncementFactory(offering=off, title=f"{key} news"),
            "course": off.course,
        }
    return made


def admin_url(obj, action="change"):
    opts = obj._meta
    if action == "changelist":
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])


KINDS = ["offering", "module", "lecture", "staff", "announcement", "course"]


def test_anonymous_and_students_are_sent_to_the_admin_login(client, content, student):
    for user in (None, student):
        if user:
            client.force_login(user)
        for kind in KINDS:
            response = client.get(admin_url(content["mine"][kind]))
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")


def test_student_cannot_log_in_to_the_admin(client, student, password):
    response = client.post(
        "/admin/login/", {"username": student.email, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "Please enter the correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_teaching_assistant_logs_in_to_the_admin_without_is_staff(client, ta, password):
    assert not ta.is_staff
    response = client.post(
        "/admin/login/", {"username": ta.email, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 302
    index = client.get("/admin/").content.decode()
    assert "Offerings" in index
    assert "Users" not in index


@pytest.mark.parametrize("kind", KINDS)
def test_ta_opens_own_objects_and_not_other_offerings(client, content, ta, kind):
    client.force_login(ta)
    response = client.get(admin_url(content["mine"][kind]))
    assert response.status_code == 200
    response = client.get(admin_url(content["theirs"][kind]), follow=True)
    # The admin answers as if the object did not exist: no title, no data.
    assert "doesn’t exist" in response.content.decode()
    assert str(content["theirs"][kind]) not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_ta_lists_show_own_offering_only(client, content, ta, kind):
    client.force_login(ta)
    html = client.get(admin_url(content["mine"][kind], "changelist")).content.decode()
    assert str(content["mine"][kind]) in html
    assert str(content["theirs"][kind]) not in html


@pytest.mark.parametrize("kind", KINDS)
def test_superuser_sees_every_offering(client, content, superuser, kind):
    client.force_login(superuser)
    html = client.get(admin_url(content["mine"][kind], "changelist")).content.decode()
    assert str(content["mine"][kind]) in html
    assert str(content["theirs"][kind]) in html


def test_ta_of_another_offering_cannot_change_mine(client, content, other_ta):
    module = content["mine"]["module"]
    client.force_login(other_ta)
    response = client.post(
        admin_url(module),
        {"offering": module.offering_id, "title": "Hijacked", "slug": module.slug, "order": 1,
         "kind": "regular", "lectures-TOTAL_FORMS": 0, "lectures-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title == "mine module"


def test_ta_cannot_add_a_module_to_another_offering(client, content, ta):
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_module_add"),
        {"offering": content["theirs"]["offering"].pk, "title": "Sneaky", "slug": "sneaky",
         "order": 1, "kind": "regular", "lectures-TOTAL_FORMS": 0, "lectures-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Module.objects.filter(slug="sneaky").exists()


def test_ta_cannot_delete_offerings(client, content, ta):
    client.force_login(ta)
    response = client.post(admin_url(content["mine"]["offering"], "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert Offering.objects.filter(pk=content["mine"]["offering"].pk).exists()


def test_ta_cannot_link_accounts_to_staff_entries(client, content, ta):
    """Linking an account grants admin rights: only administrators do that."""
    staff = content["mine"]["staff"]
    intruder = UserFactory()
    client.force_login(ta)
    client.post(
        admin_url(staff),
        {"offering": staff.offering_id, "name": staff.name, "role": "ta", "email": "",
         "order": 0, "user": intruder.pk},
    )  # fmt: skip
    staff.refresh_from_db()
    assert staff.user is None


def test_ta_edits_lecture_parts_in_course_notation(client, content, ta):
    lecture = content["mine"]["lecture"]
    client.force_login(ta)
    response = client.post(
        admin_url(lecture),
        {"module": lecture.module_id, "order": 1, "speaker": "Hugo Larochelle",
         "title": "Introduction", "parts_notation": "Lec1, Lec2:1-2:11", "url": ""},
    )  # fmt: skip
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.parts_notation == "Lec1, Lec2:1-2:11"


def test_bad_lecture_parts_are_explained_and_change_nothing(client, content, ta):
    lecture = content["mine"]["lecture"]
    client.force_login(ta)
    response = client.post(
        admin_url(lecture),
        {"module": lecture.module_id, "order": 1, "speaker": "Changed", "title": "Changed",
         "parts_notation": "Lec1, Lec2:1-", "url": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "“Lec2:1-” has a range without an end" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.speaker != "Changed"
    assert lecture.parts_notation == "9A, 9B"


def test_lectures_are_edited_inline_in_their_module(client, content, ta):
    module = content["mine"]["module"]
    lecture = content["mine"]["lecture"]
    client.force_login(ta)
    response = client.post(
        admin_url(module),
        {
            "offering": module.offering_id, "title": module.title, "slug": module.slug,
            "order": 1, "kind": "regular", "description": "",
            "lectures-TOTAL_FORMS": 2, "lectures-INITIAL_FORMS": 1,
            "lectures-MIN_NUM_FORMS": 0, "lectures-MAX_NUM_FORMS": 1000,
            "lectures-0-id": lecture.pk, "lectures-0-module": module.pk, "lectures-0-order": 1,
            "lectures-0-speaker": lecture.speaker, "lectures-0-title": lecture.title,
            "lectures-0-parts_notation": "9A, 9B, 9C, 9E, 10E", "lectures-0-url": "",
            "lectures-1-module": module.pk, "lectures-1-order": 2,
            "lectures-1-speaker": "Geoffrey Hinton", "lectures-1-title": "Regularization",
            "lectures-1-parts_notation": "10E", "lectures-1-url": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    lecture.refresh_from_db()
    assert lecture.parts_notation == "9A, 9B, 9C, 9E, 10E"
    assert VideoLecture.objects.get(speaker="Geoffrey Hinton").parts_notation == "10E"


def test_offering_admin_refuses_dates_out_of_order(client, content, ta):
    offering = content["mine"]["offering"]
    client.force_login(ta)
    response = client.post(
        admin_url(offering),
        {
            "course": offering.course_id, "name": offering.name, "slug": offering.slug,
            "status": "running", "start_date": "2016-06-04", "end_date": "2016-03-21",
            "attendance_threshold": 80, "group_size": 2, "excused_absences": "removed",
            "quiz_pass_percent": 50,
            "programme_question": "required", "motivation_question": "optional",
            "teaching_language": "en-gb",
            "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
            "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "The offering cannot end before it starts." in response.content.decode()
    offering.refresh_from_db()
    assert str(offering.start_date) == "2016-03-21"


def test_offering_created_by_a_ta_lists_them_as_staff(client, content, ta):
    client.force_login(ta)
    response = client.post(
        reverse("admin:course_offering_add"),
        {
            "course": content["mine"]["course"].pk, "name": "2017", "slug": "2017",
            "status": "planned", "start_date": "2017-03-20", "end_date": "2017-06-03",
            "attendance_threshold": 80, "group_size": 2, "excused_absences": "removed",
            "quiz_pass_percent": 50,
            "programme_question": "required", "motivation_question": "optional",
            "teaching_language": "en-gb",
            "staff-TOTAL_FORMS": 0, "staff-INITIAL_FORMS": 0,
            "modules-TOTAL_FORMS": 0, "modules-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 302
    new = Offering.objects.get(slug="2017")
    assert Staff.objects.filter(offering=new, user=ta).exists()
    assert client.get(admin_url(new)).status_code == 200
