"""A person's data: the copy of everything held about them (and nothing about anybody else),
and its erasure, carried out by administrators in the admin (sessions/privacy.py)."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.enums import DataRequestKind, DataRequestStatus, EnrolmentStatus
from accounts.mailing import queue_mail
from accounts.models import DataRequest, Enrolment, EnrolmentDecision, OutgoingMail, User
from course.enums import StaffRole
from course.models import Quiz, QuizAttempt, QuizChoice, QuizQuestion, WatchedPart
from course.quizzes import quiz_submit, watched_set
from projects.models import Membership, ProjectGroup, Submission
from projects.services import submission_upload
from sessions import privacy
from sessions.enums import AttendanceStatus
from sessions.grading import services as grading_services
from sessions.grading.exports import records_rows
from sessions.grading.sheet import grade_sheet
from sessions.models import Attendance, CheckInFailure, FinalGrade, GradeChange
from sessions.services import register_save
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    StaffFactory,
    UserFactory,
    VideoLectureFactory,
)
from tests.factories.classroom import build_class
from tests.factories.projects import DeliverableFactory, ProjectGroupFactory
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def upload(group, deliverable, by, name):
    return submission_upload(
        group=group, deliverable=deliverable, by=by,
        uploaded=SimpleUploadedFile(name, pdf_bytes(1), content_type="application/pdf"),
    )  # fmt: skip


def take_quiz(quiz, enrolment, choice):
    question = quiz.questions.get()
    data = QueryDict(mutable=True)
    data.setlist(f"q-{question.pk}", [str(question.choices.get(text=choice).pk)])
    return quiz_submit(quiz=quiz, enrolment=enrolment, data=data)


@pytest.fixture
def world(offering, other_offering, ta):
    """Ann has something in every app; Per, her partner, has the same kinds of things, and
    so does Otto in another course. Names and texts are unique, to be looked for."""
    ann = EnrolmentFactory(
        offering=offering, status=EnrolmentStatus.ACCEPTED, student__full_name="Ann Own",
        student__email="ann.own@example.org", programme="Ann-programme",
        motivation="Ann-motivation", enrolled_on=dt.date(2016, 3, 1),
    )  # fmt: skip
    per = EnrolmentFactory(
        offering=offering, status=EnrolmentStatus.ACCEPTED, student__full_name="Per Peer",
        student__email="per.peer@example.org", programme="Per-programme",
        motivation="Per-motivation",
    )  # fmt: skip
    otto = EnrolmentFactory(
        offering=other_offering, status=EnrolmentStatus.ACCEPTED,
        student__full_name="Otto Other", student__email="otto@example.org",
        motivation="Otto-motivation",
    )  # fmt: skip
    rejected = EnrolmentFactory(
        offering=other_offering, student=ann.student, status=EnrolmentStatus.REJECTED,
        motivation="Ann-second-motivation",
    )  # fmt: skip
    ann.student.calendar_token = "secret-calendar-token"
    ann.student.save()
    for enrolment in (ann, per, rejected):
        EnrolmentDecision.objects.create(
            enrolment=enrolment, old_status="applied", new_status=enrolment.status,
            decided_by=ta, note=f"note-{enrolment.student.full_name}",
        )  # fmt: skip
    # sessions: attendance with its change log, a wrong check-in code
    session = DiscussionSessionFactory(
        offering=offering, starts_at=NOW - dt.timedelta(days=2),
        ends_at=NOW - dt.timedelta(days=2, hours=-2), room="Room-ML13",
    )  # fmt: skip
    entries = {ann.pk: (AttendanceStatus.PRESENT, True), per.pk: (AttendanceStatus.ABSENT, False)}
    register_save(session=session, by=ta, entries=entries)
    CheckInFailure.objects.create(session=session, user=ann.student)
    CheckInFailure.objects.create(session=session, user=per.student)
    # course: a quiz and a watched lecture
    module = ModuleFactory(offering=offering, title="Convolutions")
    quiz = Quiz.objects.create(
        module=module, title="Convolution quiz", opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=1),
    )  # fmt: skip
    question = QuizQuestion.objects.create(quiz=quiz, kind="single", text="Kernel-question?")
    QuizChoice.objects.create(question=question, text="Ann-choice", is_correct=True)
    QuizChoice.objects.create(question=question, text="Per-choice", is_correct=False)
    take_quiz(quiz, ann, "Ann-choice")
    take_quiz(quiz, per, "Per-choice")
    lecture = VideoLectureFactory(module=module, title="Lecture-seen")
    watched_set(enrolment=ann, lecture=lecture, part=None, watched=True)
    # projects: Ann and Per in group 1 with a proposal and uploads by each
    group = ProjectGroupFactory(offering=offering, number=1)
    group.proposal.title = "Group-one-project"
    group.proposal.save()
    for enrolment in (ann, per):
        Membership.objects.create(group=group, enrolment=enrolment)
    report = DeliverableFactory(offering=offering, title="Project report", slug="report")
    upload(group, report, ann.student, "ann.pdf")
    upload(group, report, per.student, "per.pdf")
    # grading: grades and their history
    for enrolment, grade in ((ann, "4"), (per, "3")):
        FinalGrade.objects.create(enrolment=enrolment, grade=grade, proposed=grade, set_by=ta)
        GradeChange.objects.create(enrolment=enrolment, new_grade=grade, changed_by=ta,
                                   reason=f"reason-{enrolment.student.full_name}")  # fmt: skip
    # accounts: mails
    for enrolment in (ann, per, otto):
        queue_mail(
            to_email=enrolment.student.email, subject=f"Mail-to-{enrolment.student.full_name}",
            body=f"Body-for-{enrolment.student.full_name}", kind="other",
            recipient=enrolment.student,
        )  # fmt: skip
    return {"ann": ann, "per": per, "otto": otto, "group": group, "report": report}


SECTIONS = ["account", "enrolments", "mails", "check_in_failures", "data_requests", "teaching"]


def test_the_copy_holds_every_part_of_ann_and_nothing_of_anybody_else(world):
    ann = world["ann"].student
    DataRequest.objects.create(person=ann, person_ref=f"account {ann.pk}", kind="erasure")
    data = privacy.person_data(ann)
    text = json.dumps(data, default=str)

    assert data["account"]["email"] == "ann.own@example.org"
    assert data["account"]["personal_calendar_feed"] is True
    assert "secret-calendar-token" not in text  # that it exists, not the secret itself
    (current, second) = sorted(data["enrolments"], key=lambda e: e["status"])
    assert (current["programme"], current["motivation"]) == ("Ann-programme", "Ann-motivation")
    assert second["motivation"] == "Ann-second-motivation"
    assert current["decisions"][0]["note"] == "note-Ann Own"
    (attendance,) = current["attendance"]
    assert attendance["room"] == "Room-ML13" and attendance["status"] == "Present"
    assert attendance["changes"][0]["to"] == "present"
    (attempt,) = current["quiz_attempts"]
    assert attempt["answers"][0]["choices"] == ["Ann-choice"]
    assert current["lectures_watched"][0]["lecture"].endswith("Lecture-seen")
    group = current["group"]
    assert group["proposal"]["title"] == "Group-one-project" and group["members"] == 2
    assert [s["uploaded_by_you"] for s in group["submissions"]] == [True, False]
    assert current["grade"]["grade"] == "4"
    assert current["grade_changes"][0]["reason"] == "reason-Ann Own"
    assert [m["subject"] for m in data["mails"]] == ["Mail-to-Ann Own"]
    assert len(data["check_in_failures"]) == 1
    assert data["data_requests"][0]["kind"] == "Erasure of their data"

    for someone_else in ("Per Peer", "per.peer@example.org", "Per-programme", "Per-motivation",
                         "Per-choice", "Otto", "otto@example.org", "Tess Assistant",
                         ta_email(world)):  # fmt: skip
        assert someone_else not in text, someone_else


def ta_email(world):
    return User.objects.get(full_name="Tess Assistant").email


def test_ann_downloads_her_copy_with_her_groups_files(client, world):
    ann = world["ann"].student
    client.force_login(ann)
    page = client.get("/accounts/data/").content.decode()
    assert "Your data" in page and "Ann-motivation" not in page  # a summary, not the copy
    assert "Deep Learning 2016 (TST" in page

    response = client.get("/accounts/data/download/")
    assert response["Content-Disposition"] == 'attachment; filename="coursesite-my-data.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    names = sorted(archive.namelist())
    assert names == [
        "README.txt",
        "data.json",
        "files/deep-learning-2016/group1/report-v1.pdf",
        "files/deep-learning-2016/group1/report-v2.pdf",
    ]
    assert archive.read(names[2]).startswith(b"%PDF")
    # The README sends the person to the page where erasure is asked for.
    assert "http://testserver/accounts/data/ ;" in archive.read("README.txt").decode()
    assert json.loads(archive.read("data.json"))["account"]["full_name"] == "Ann Own"

    as_json = client.get("/accounts/data/download/?format=json")
    assert json.loads(as_json.content)["account"]["email"] == "ann.own@example.org"
    # Every copy handed out is recorded.
    assert DataRequest.objects.filter(person=ann, kind="export", status="done").count() == 2

    client.force_login(world["per"].student)
    per_copy = json.loads(client.get("/accounts/data/download/?format=json").content)
    assert per_copy["account"]["full_name"] == "Per Peer"
    assert "Ann" not in json.dumps(per_copy)


def test_the_data_pages_need_a_log_in(client, world):
    for url in ("/accounts/data/", "/accounts/data/download/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/data/erasure/")["Location"].startswith("/accounts/login/")
    assert not DataRequest.objects.exists()


def test_every_reference_to_a_person_is_accounted_for():
    """A model that gains a reference to an account or an enrolment must say what the copy
    and the erasure do with it (privacy.PERSON_REFERENCES)."""
    person_models = {User, Enrolment}
    found = set()
    for app in ("accounts", "course", "projects", "discussions"):
        for model in apps.get_app_config(app).get_models():
            for f in model._meta.get_fields():
                if f.is_relation and not f.auto_created and f.related_model in person_models:
                    found.add(f"{model._meta.app_label}.{model.__name__}.{f.name}")
    assert found - set(privacy.PERSON_REFERENCES) == set()
    assert set(privacy.PERSON_REFERENCES) - found == set()  # nothing stale listed


# Erasure -----------------------------------------------------------------------------------


def ask_and_carry_out(client, person, superuser):
    """The person asks on their page; an administrator carries it out in the admin."""
    client.force_login(person)
    client.post("/accounts/data/erasure/")
    data_request = DataRequest.objects.get(kind="erasure", status="open")
    assert data_request.person == person
    # The administrators are told by mail that a request waits.
    assert OutgoingMail.objects.filter(
        recipient=superuser, subject__startswith="Data protection request"
    ).exists()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_datarequest_changelist"),
        {"action": "carry_out_erasure", "_selected_action": [data_request.pk]},
        follow=True,
    )
    data_request.refresh_from_db()
    return data_request, response.content.decode()


def test_a_student_without_grades_is_deleted(
    client, world, superuser, django_capture_on_commit_callbacks
):
    """Per's grade is not signed off: the course is over (finished), nothing must be kept."""
    offering = world["ann"].offering
    offering.status = "finished"
    offering.save()
    ann = world["ann"].student
    ann_pk = ann.pk
    own_group = ProjectGroupFactory(offering=world["otto"].offering, number=7)
    rejected = Enrolment.objects.get(student=ann, status="rejected")
    rejected.status = "accepted"
    rejected.save()  # Ann alone in a group of the other course, finished too
    Membership.objects.create(group=own_group, enrolment=rejected)
    other_report = DeliverableFactory(offering=world["otto"].offering, slug="report")
    alone = upload(own_group, other_report, ann, "alone.pdf")
    world["otto"].offering.status = "archived"
    world["otto"].offering.save()
    shared_files = list(
        Submission.objects.filter(group=world["group"]).values_list("file", flat=True)
    )

    with django_capture_on_commit_callbacks(execute=True):
        data_request, page = ask_and_carry_out(client, ann, superuser)

    assert "The account and everything in it deleted." in page
    assert not User.objects.filter(pk=ann_pk).exists()
    assert not Enrolment.objects.filter(student_id=ann_pk).exists()
    assert not OutgoingMail.objects.filter(to_email="ann.own@example.org").exists()
    assert not CheckInFailure.objects.filter(user_id=ann_pk).exists()
    assert not QuizAttempt.objects.filter(enrolment__student_id=ann_pk).exists()
    assert not WatchedPart.objects.exists()
    # Her group of one is gone with its upload; the group she shared with Per stays, his.
    assert not ProjectGroup.objects.filter(pk=own_group.pk).exists()
    assert not default_storage.exists(alone.file.name)
    assert ProjectGroup.objects.filter(pk=world["group"].pk).exists()
    assert list(world["group"].memberships.values_list("enrolment", flat=True)) == [world["per"].pk]
    assert all(default_storage.exists(name) for name in shared_files)
    assert Submission.objects.filter(group=world["group"], uploaded_by__isnull=True).count() == 1
    # Per keeps everything of his.
    per = world["per"]
    assert Attendance.objects.filter(enrolment=per).exists()
    assert FinalGrade.objects.filter(enrolment=per).exists()
    assert OutgoingMail.objects.filter(recipient=per.student).exists()
    # The request stays as the record, without the account.
    assert data_request.status == DataRequestStatus.DONE and data_request.person is None
    assert data_request.person_ref == f"account {ann_pk}"
    assert data_request.handled_by == superuser


@pytest.fixture
def signed_off(offering, ta):
    """Two graded students, the results signed off by the course responsible."""
    responsible = UserFactory(full_name="Rita Responsible")
    StaffFactory(offering=offering, user=responsible, role=StaffRole.RESPONSIBLE)
    first, second = build_class(offering, 2, ta=ta)
    grading_services.grades_accept_proposed(offering=offering, by=ta)
    grading_services.results_sign_off(offering=offering, by=responsible)
    return first, second, responsible


def test_a_student_with_signed_off_grades_keeps_only_the_results_record(
    client, offering, signed_off, superuser
):
    first, second, responsible = signed_off
    person = first.student
    grade = FinalGrade.objects.get(enrolment=first).grade
    name, email = person.full_name, person.email
    queue_mail(to_email=email, subject="Hello", body="Key", kind="other", recipient=person)

    data_request, page = ask_and_carry_out(client, person, superuser)

    assert "Reduced to the results record" in page
    person.refresh_from_db()
    assert person.full_name == name  # the records office's results list names the student
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert not person.is_active and not person.has_usable_password()
    first.refresh_from_db()
    assert first.status == EnrolmentStatus.ACCEPTED and first.motivation == ""
    assert FinalGrade.objects.get(enrolment=first).grade == grade
    assert GradeChange.objects.filter(enrolment=first, reason__contains="erased").exists()
    assert not Attendance.objects.filter(enrolment=first).exists()
    assert not Membership.objects.filter(enrolment=first).exists()
    assert not OutgoingMail.objects.filter(to_email=email).exists()
    assert not OutgoingMail.objects.filter(recipient=person).exists()
    # The results record: name, level, course code, grade, examination date.
    sheet = grade_sheet(offering)
    (row,) = [r for r in records_rows(sheet) if r[0] == name]
    assert row[1:] == [person.email, first.get_level_display(), offering.course.code, grade,
                       row[5]] and row[5] is not None  # fmt: skip
    # The kept grade does not block signing off again after an unlock.
    grading_services.results_unlock(offering=offering, by=responsible, reason="A typo")
    grading_services.results_sign_off(offering=offering, by=responsible)
    # Nothing of the other student changed.
    assert Attendance.objects.filter(enrolment=second).exists()
    assert data_request.status == DataRequestStatus.DONE
    # The email address is free again.
    client.logout()
    password = "a-long-pass-99"
    client.post("/accounts/signup/", {"full_name": "New", "email": email, "password1": password,
                                      "password2": password})  # fmt: skip
    assert User.objects.filter(email=email).exists()


def test_erasure_is_refused_while_the_students_examination_is_open(client, world, superuser):
    """Ann is accepted in a running offering whose results are not signed off: her group,
    attendance and grade are still being decided. The request stays open until then."""
    ann = world["ann"].student
    data_request, page = ask_and_carry_out(client, ann, superuser)
    assert "the examination of Deep Learning 2016 is still open" in page
    assert data_request.status == DataRequestStatus.OPEN
    assert User.objects.get(pk=ann.pk).email == "ann.own@example.org"
    assert Attendance.objects.filter(enrolment=world["ann"]).exists()
    client.force_login(ann)
    page = client.get("/accounts/data/").content.decode()
    assert "Not now: the examination of Deep Learning 2016 is still open" in page
    assert "Your erasure request is open" in page


def test_staff_accounts_are_not_erased_here(ta, superuser):
    data_request = privacy.data_request_make(person=ta, kind=DataRequestKind.ERASURE, by=ta)
    with pytest.raises(ValidationError, match="teaches or assessed projects"):
        privacy.person_erase(data_request=data_request, by=superuser)
    assert User.objects.filter(pk=ta.pk).exists()


def test_a_second_open_request_is_refused(client, student):
    client.force_login(student)
    client.post("/accounts/data/erasure/")
    response = client.post("/accounts/data/erasure/", follow=True)
    assert "This request is open already" in response.content.decode()
    assert DataRequest.objects.filter(person=student).count() == 1


def test_only_administrators_see_the_requests(client, world, ta, superuser):
    ann = world["ann"].student
    data_request = privacy.data_request_make(person=ann, kind="erasure", by=ann)
    changelist = reverse("admin:accounts_datarequest_changelist")
    change = reverse("admin:accounts_datarequest_change", args=[data_request.pk])
    client.force_login(ta)
    assert client.get(changelist).status_code == 403
    assert client.get(change).status_code in (302, 403)
    response = client.post(changelist, {"action": "carry_out_erasure",
                                        "_selected_action": [data_request.pk]})  # fmt: skip
    assert response.status_code == 403
    assert User.objects.filter(pk=ann.pk).exists()
    client.force_login(superuser)
    page = client.get(change).content.decode()
    assert "Not now: the examination of Deep Learning 2016 is still open" in page


def test_an_administrator_records_a_request_by_letter_and_downloads_a_copy(
    client, world, superuser
):
    ann = world["ann"].student
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_datarequest_add"), {"person": ann.pk, "kind": "export"}
    )
    assert response.status_code == 302
    data_request = DataRequest.objects.get(kind="export")
    assert data_request.requested_by == superuser and data_request.status == "open"
    response = client.post(
        reverse("admin:accounts_datarequest_changelist"),
        {"action": "download_copy", "_selected_action": [data_request.pk]},
    )
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert json.loads(archive.read("data.json"))["account"]["email"] == "ann.own@example.org"
    data_request.refresh_from_db()
    assert data_request.status == "done" and data_request.handled_by == superuser


def test_an_erasure_in_an_archived_offering_goes_ahead(world, superuser):
    """Archives are read-only for the course's work, not for the right to erasure."""
    otto = world["otto"]
    otto.offering.status = "archived"
    otto.offering.save()
    data_request = privacy.data_request_make(person=otto.student, kind="erasure", by=otto.student)
    privacy.person_erase(data_request=data_request, by=superuser)
    assert not User.objects.filter(full_name="Otto Other").exists()
