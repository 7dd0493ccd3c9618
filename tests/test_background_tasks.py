"""Slow work runs on the task worker, not in requests: the book of abstracts, the outbox,
link checks. These tests commit for real and run the real worker (django-tasks-db's
`db_worker --batch`) against the test database, as a worker machine would."""

import threading
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from accounts.enums import EnrolmentStatus as S
from accounts.mailing import mail_approve, queue_mail
from accounts.models import OutgoingMail
from course.models import VideoLecture
from projects.enums import BookStatus
from projects.models import AbstractBook
from projects.services import proposal_save
from sessions.models import ResultsExport
from tests.factories import (
    EnrolmentFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
    VideoLectureFactory,
)
from tests.projects.test_presentations import accepted_groups

pytestmark = pytest.mark.django_db(transaction=True)
BOOK = "/courses/deep-learning/2016/projects/abstracts"


def run_worker() -> str:
    """Every task that is due, run by the worker command, then it exits."""
    out = StringIO()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", "--no-reload",
        stdout=out, stderr=out,
    )  # fmt: skip
    return out.getvalue()


def queued(task_path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_path, status="READY"))


@pytest.fixture
def published(offering):
    offering.publish_book = True
    offering.save()
    accepted_groups(offering, 2)
    return offering


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.getvalue()  # streamed or whole, the same bytes


def test_the_book_is_built_by_the_worker_once_however_many_ask(client, published):
    first = client.get(f"{BOOK}.pdf")
    assert first.status_code == 202  # a page saying it is being built, not a PDF
    assert "The PDF is being built" in first.content.decode()
    assert first["Retry-After"] == "30"
    client.get(f"{BOOK}.pdf")
    client.get(f"{BOOK}/")
    assert AbstractBook.objects.count() == 1
    assert len(queued("projects.book.build_book")) == 1  # one build for three requests
    run_worker()
    edition = AbstractBook.objects.get()
    assert edition.status == BookStatus.READY
    assert pdf_of(client.get(f"{BOOK}.pdf")).startswith(b"%PDF-")
    assert not queued("projects.book.build_book")


def test_two_servers_asking_at_the_same_moment_queue_one_build(published):
    """Two app servers asking at once (threads with their own database connections)."""
    start, answers = threading.Barrier(2), []

    def ask():
        from django.test import Client

        try:
            start.wait(10)
            answers.append(Client().get(f"{BOOK}.pdf").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert answers == [202, 202]
    assert AbstractBook.objects.count() == 1
    assert len(queued("projects.book.build_book")) == 1


def test_while_the_book_is_rebuilt_the_last_version_is_served(client, published):
    client.get(f"{BOOK}.pdf")
    run_worker()
    old = AbstractBook.objects.get()
    old_pdf = pdf_of(client.get(f"{BOOK}.pdf"))
    group = published.project_groups.order_by("number").first()
    student = group.memberships.first().enrolment.student
    proposal = group.proposal
    proposal_save(
        proposal=proposal, by=student, version=proposal.version, title=proposal.title,
        description=proposal.description, topics=[], abstract="A new abstract.",
    )  # fmt: skip
    page = client.get(f"{BOOK}/").content.decode()
    assert "being rebuilt with the latest changes" in page
    assert pdf_of(client.get(f"{BOOK}.pdf")) == old_pdf  # the last built version meanwhile
    run_worker()
    new_pdf = pdf_of(client.get(f"{BOOK}.pdf"))
    assert new_pdf != old_pdf
    (current,) = AbstractBook.objects.all()  # the superseded edition is gone ...
    assert current.pk != old.pk
    assert not default_storage.exists(old.file)  # ... and so is its file
    assert "being rebuilt" not in client.get(f"{BOOK}/").content.decode()


def test_a_failed_build_says_so_and_is_tried_again_later(client, published):
    client.get(f"{BOOK}.pdf")
    with override_settings(TEMPLATES=[]):  # the book's template cannot be found
        run_worker()
    edition = AbstractBook.objects.get()
    assert edition.status == BookStatus.FAILED
    assert edition.error
    page = client.get(f"{BOOK}.pdf")
    assert page.status_code == 202
    assert "Building the book of abstracts failed" in page.content.decode()
    assert not queued("projects.book.build_book")  # not at once: after a few minutes
    AbstractBook.objects.update(requested_at=timezone.now() - timedelta(minutes=6))
    client.get(f"{BOOK}.pdf")
    run_worker()
    assert AbstractBook.objects.get().status == BookStatus.READY


def test_a_queued_mail_is_sent_by_its_task(db):
    sent = queue_mail(to_email="a@example.org", subject="Welcome", body="B", kind="other")
    held = queue_mail(to_email="b@example.org", subject="Held", body="B", kind="other", review=True)
    assert len(queued("accounts.mailing.deliver_mail")) == 1  # not for the held one
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Welcome"]
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert mail_approve(mails=OutgoingMail.objects.filter(pk=held.pk), by=UserFactory()) == 1
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Welcome", "Held"]


def test_a_failed_mail_gets_its_next_attempt_queued_for_later(db):
    with override_settings(EMAIL_BACKEND="tests.mail_backends.BrokenServerBackend"):
        failing = queue_mail(to_email="a@example.org", subject="S", body="B", kind="other")
        run_worker()
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == ("queued", 1)
    assert "SMTPServerDisconnected" in failing.last_error
    (retry,) = DBTaskResult.objects.filter(
        task_path="accounts.mailing.deliver_mail", status="READY"
    )
    assert retry.run_after == failing.next_attempt_at  # the back-off decides when
    run_worker()  # not due yet: nothing is sent
    assert mail.outbox == [] and retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    OutgoingMail.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
    run_worker()
    failing.refresh_from_db()
    assert failing.status == "sent"
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_periodic_jobs_send_mail_whose_task_was_lost_and_queue_link_checks(db):
    lost = queue_mail(to_email="a@example.org", subject="Lost", body="B", kind="other")
    DBTaskResult.objects.all().delete()  # e.g. the queue was emptied by hand
    out = StringIO()
    call_command("run_periodic_jobs", "--frequent", stdout=out)
    assert "outbox sweep: 1 sent" in out.getvalue()
    lost.refresh_from_db()
    assert lost.status == "sent"
    today = timezone.localdate()
    running = OfferingFactory(
        slug="now", start_date=today - timedelta(days=10), end_date=today + timedelta(days=30)
    )
    OfferingFactory(slug="over", start_date=today - timedelta(days=300),
                    end_date=today - timedelta(days=200))  # fmt: skip
    call_command("run_periodic_jobs", "--nightly", stdout=out)
    assert "link checks: 1 offering(s) queued" in out.getvalue()
    (check,) = queued("course.links.check_offering_links")
    assert check.args_kwargs["args"] == [running.pk]


def test_the_admin_queues_a_link_check_and_the_worker_records_it(client):
    offering = OfferingFactory()
    ta = UserFactory()
    StaffFactory(offering=offering, user=ta)
    lecture = VideoLectureFactory(
        module=ModuleFactory(offering=offering), url="http://127.0.0.1:9/"
    )
    client.force_login(ta)
    page = client.post(
        "/admin/course/offering/",
        {"action": "check_links_now", "_selected_action": [offering.pk]},
        follow=True,
    ).content.decode()
    assert "Link checks queued for 1 offering(s)" in page
    assert VideoLecture.objects.get(pk=lecture.pk).link_checked_at is None  # not in the request
    run_worker()
    lecture.refresh_from_db()
    assert lecture.link_checked_at is not None
    assert lecture.link_status != "ok"  # nothing listens on port 9


@override_settings(EXPORT_INLINE_MAX_STUDENTS=2)
def test_a_large_export_is_made_by_the_worker_and_offered_on_the_sheet(
    client, offering, ta, other_ta
):
    EnrolmentFactory.create_batch(3, offering=offering, status=S.ACCEPTED)
    client.force_login(ta)
    sheet = "/courses/deep-learning/2016/staff/grades/"
    asked = client.get(f"{sheet}?format=xlsx", follow=True).content.decode()
    assert "The export is large: it is being prepared" in asked
    assert "being prepared (reload the page in a minute)" in asked
    export = ResultsExport.objects.get()
    assert export.status == "preparing"  # nothing made within the request
    run_worker()
    export.refresh_from_db()
    assert (export.status, export.students) == ("ready", 3)
    page = client.get(sheet).content.decode()
    link = f"{sheet}exports/{export.pk}/"
    assert link in page and export.filename in page
    response = client.get(link)
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook["Results"].max_row == 4  # the header and three students
    client.force_login(other_ta)
    assert client.get(link).status_code == 404
    # A week later the nightly jobs remove it, file and all.
    ResultsExport.objects.update(requested_at=timezone.now() - timedelta(days=8))
    call_command("run_periodic_jobs", "--nightly", stdout=StringIO())
    assert not ResultsExport.objects.exists()
    assert not default_storage.exists(export.file)
