"""Bad input found by fuzzing every URL: each gets a clear answer and changes nothing, where
it used to raise a server error."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Enrolment, OutgoingMail
from course.models import WatchedPart
from projects.models import Proposal, Submission
from projects.services import group_create
from sessions.grading import services as grading_services
from sessions.grading import sheet as grading_sheet
from sessions.models import FinalGrade, ProjectAssessment
from tests.factories import EnrolmentFactory, ModuleFactory, VideoLectureFactory
from tests.factories.classroom import build_class, levels_for
from tests.factories.projects import DeliverableFactory

pytestmark = pytest.mark.django_db
ME = "/me/deep-learning/2016"
BASE = "/courses/deep-learning/2016"


@pytest.fixture
def enrolment(offering, accepted_student):
    return Enrolment.objects.get(student=accepted_student, offering=offering)


@pytest.mark.parametrize("lecture", ["²", "9" * 30, "-1", " 1"])
def test_watched_with_an_id_that_is_no_id_is_404(client, offering, enrolment, lecture):
    real = VideoLectureFactory(module__offering=offering)
    client.force_login(enrolment.student)
    assert client.post(f"{ME}/watched/", {"lecture": lecture, "watched": "1"}).status_code == 404
    response = client.post(f"{ME}/watched/", {"lecture": real.pk, "part": "²", "watched": "1"})
    assert response.status_code == 404
    assert not WatchedPart.objects.exists()


def test_proposal_with_a_topic_that_is_no_id_is_explained(client, offering, enrolment):
    ModuleFactory(offering=offering)
    group = group_create(enrolment=enrolment, by=enrolment.student)
    client.force_login(enrolment.student)
    response = client.post(
        f"{ME}/group/", {"title": "Mine", "version": 1, "topics": ["9" * 30, "²"]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Proposal.objects.get(group=group).title == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/accounts/signup/"), ("post", "/calendar/reset/"),
     ("post", "/accounts/verify/resend/")],
)  # fmt: skip
@pytest.mark.parametrize("target", ["zz", "me", "student:courses", "//evil.example/"])
def test_a_next_that_is_no_path_goes_to_the_default(client, student, method, path, target):
    client.force_login(student)
    response = getattr(client, method)(f"{path}?next={target}", {"next": target})
    assert response.status_code == 302
    assert response["Location"] in ("/me/", "/", "/me/#calendar")


def test_reminder_on_an_archived_offering_is_explained(client, offering, ta):
    EnrolmentFactory(offering=offering, status="accepted")  # without a group
    offering.status = "archived"
    offering.save()
    client.force_login(ta)
    page = client.get(f"{BASE}/staff/projects/").content.decode()
    assert "Mail them a reminder" not in page
    response = client.post(f"{BASE}/staff/projects/", follow=True)
    assert "is archived and can no longer be changed" in response.content.decode()
    assert not OutgoingMail.objects.exists()


def test_an_archived_submission_is_read_only_in_the_admin(client, offering, enrolment, ta):
    group = group_create(enrolment=enrolment, by=enrolment.student)
    report = DeliverableFactory(offering=offering)
    submission = Submission(
        deliverable=report, group=group, version=1, original_name="r.pdf", size=1, pages=1,
        sha256="0" * 64,
    )  # fmt: skip
    submission.file.save("r.pdf", ContentFile(b"%PDF"), save=False)
    submission.save()
    offering.status = "archived"
    offering.save()
    url = reverse("admin:projects_submission_change", args=[submission.pk])
    client.force_login(ta)
    assert 'name="feedback"' not in client.get(url).content.decode()
    assert client.post(url, {"feedback": "New"}).status_code == 403
    submission.refresh_from_db()
    assert submission.feedback == ""


@pytest.mark.parametrize("model", ["proposal", "presentationslot"])
def test_records_made_by_the_site_are_not_added_in_the_admin(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:projects_{model}_add")
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x"}).status_code == 403
    changelist = client.get(reverse(f"admin:projects_{model}_changelist")).content.decode()
    assert f"/admin/projects/{model}/add/" not in changelist


@pytest.mark.parametrize("selected", ["abc", "9" * 30])
def test_an_admin_action_on_a_selection_that_is_no_ids_is_refused(
    client, offering, superuser, selected
):
    applied = EnrolmentFactory(offering=offering)
    client.force_login(superuser)
    for url in (reverse("admin:accounts_enrolment_changelist"),
                reverse("admin:accounts_user_changelist"),
                reverse("admin:auth_group_changelist")):  # fmt: skip
        response = client.post(
            url, {"action": "delete_selected", "_selected_action": [selected], "index": 0},
            follow=True,
        )  # fmt: skip
        assert response.status_code == 200
        assert "The selection was not understood." in response.content.decode()
    assert Enrolment.objects.filter(pk=applied.pk, status="applied").exists()


def test_a_nul_character_in_a_grading_text_is_refused_with_a_message(
    client, offering, ta, superuser
):
    enrolment = build_class(offering, 1, ta=ta, phd_every=0)[0]
    client.force_login(ta)
    response = client.post(
        f"{BASE}/staff/grades/students/{enrolment.pk}/", {"grade": "5", "reason": "ill\x00"}
    )
    assert response.status_code == 400
    assert "The reason contains a NUL character" in response.content.decode()
    assert not FinalGrade.objects.exists()
    data = {f"criterion-{c}": lv for c, lv in levels_for(offering, 3).items()}
    response = client.post(f"{BASE}/staff/grades/projects/1/", data | {"comment": "a\x00"})
    assert "The comment contains a NUL character" in response.content.decode()
    assert ProjectAssessment.objects.get().grade == 4  # build_class's, unchanged
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=superuser)
    with pytest.raises(ValidationError, match="NUL character"):
        grading_services.results_unlock(offering=offering, by=superuser, reason="\x00")
    assert grading_sheet.current_results_state(offering).locked
