"""Files every machine sees: a report uploaded through one node is downloaded through the
other, and the book of abstracts asked for on both nodes at the same moment is built once
by the worker, then both serve the same file. The files are in the cluster's bucket (moto's
S3 server, an emulator of the S3 API)."""

import datetime as dt
import threading
import urllib.request
from zoneinfo import ZoneInfo

import pytest

from scripts.site_client import TA, Report, Visitor
from tests.cluster.helpers import LOAD_PASSWORD, NEXT, admin_form
from tests.projects.conftest import pdf_bytes

pytestmark = pytest.mark.cluster
BOOK_2016 = "/courses/deep-learning/2016/projects/abstracts.pdf"


def follow_to_bucket(cluster, response) -> bytes:
    """A download is a redirect to a presigned address of the object in the bucket."""
    assert response.status == 302, response.status
    location = response.headers["Location"]
    env = cluster.env
    assert location.startswith(f"{env['S3_ENDPOINT_URL']}/{env['S3_BUCKET']}/"), location
    assert "X-Amz-Signature=" in location
    with urllib.request.urlopen(location, timeout=30) as stored:
        return stored.read()


def test_a_report_uploaded_on_node_a_is_downloaded_on_node_b(cluster, load_students):
    ta = Visitor(cluster.a.port, "ta", Report(), timeout=60)
    assert ta.log_in(*TA, next_path="/admin/")
    ((offering_id,),) = cluster.query(
        "SELECT o.id FROM course_offering o JOIN course_course c ON c.id = o.course_id"
        " WHERE c.slug = 'deep-learning' AND o.slug = 'next'"
    )
    slug = f"report-{dt.datetime.now():%H%M%S%f}"
    due = dt.datetime.now(ZoneInfo("Europe/Stockholm")) + dt.timedelta(days=14)
    add = "/admin/projects/deliverable/add/"
    fields = admin_form(ta, add, cluster.a.port)
    fields.update({
        "offering": str(offering_id), "title": "Cluster report", "slug": slug,
        "due_at_0": due.strftime("%Y-%m-%d"), "due_at_1": "23:59:00", "max_pages": "4",
        "max_size_mb": "10", "_save": "Save",
    })  # fmt: skip
    response, _, _ = ta.fetch("POST", add, fields, port=cluster.a.port)
    assert response.status == 302, "the TA added the deliverable"

    email = load_students[-1]
    student = Visitor(cluster.a.port, "student", Report(), timeout=60)
    assert student.log_in(email, LOAD_PASSWORD, next_path="/me/")
    group = f"/me/{NEXT.removeprefix('/courses/')}group/"
    _, page, _ = student.fetch("GET", group)
    if b"Create a group" in page:  # not in one yet (the load test does not make groups)
        response, _, _ = student.fetch("POST", f"{group}create/", {})
        assert response.status == 302
    report = pdf_bytes(2)
    response, _, _ = student.fetch(
        "POST", f"{group}deliverables/{slug}/", {"close_group": "on"}, port=cluster.a.port,
        files={"file": ("ours.pdf", report, "application/pdf")},
    )  # fmt: skip
    assert response.status == 302, "uploaded through node A"
    ((submission_id, name),) = cluster.query(
        "SELECT s.id, s.file FROM projects_submission s JOIN projects_deliverable d"
        " ON d.id = s.deliverable_id WHERE d.slug = %s",
        (slug,),
    )
    # The student and the TA download it through node B: the same bytes, from the bucket.
    for visitor in (student, ta):
        response, _, _ = visitor.fetch(
            "GET", f"/files/submissions/{submission_id}/", port=cluster.b.port
        )
        assert follow_to_bucket(cluster, response) == report
    assert name.startswith("submissions/")


def test_the_book_asked_for_on_both_nodes_at_once_is_built_once(cluster):
    # As if the book had never been built (the demo builds it when it is loaded).
    forget = "from projects.models import AbstractBook; AbstractBook.objects.all().delete()"
    cluster.manage("shell", "-c", forget)
    ((before,),) = cluster.query("SELECT now()")
    start, answers = threading.Barrier(2), {}

    def ask(node):
        visitor = Visitor(node.port, "public", Report(), timeout=60)
        start.wait(10)
        response, content, _ = visitor.fetch("GET", BOOK_2016)
        answers[node.name] = (response.status, content)

    threads = [threading.Thread(target=ask, args=(node,)) for node in (cluster.a, cluster.b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in answers.values()] == [202, 202], answers  # being built
    editions = cluster.query("SELECT id, status FROM projects_abstractbook")
    assert len(editions) == 1  # one edition for both nodes
    tasks = cluster.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s"
        " AND enqueued_at > %s",
        ("projects.book.build_book", before),
    )
    assert tasks == [(1,)]  # one build queued
    # The worker builds it; then both nodes hand out the same file.
    for _ in range(120):
        if cluster.query("SELECT status FROM projects_abstractbook") == [("ready",)]:
            break
        threading.Event().wait(0.5)
    else:
        pytest.fail("the worker did not build the book within a minute")
    books = []
    for node in (cluster.a, cluster.b):
        response, _, _ = Visitor(node.port, "public", Report(), timeout=60).fetch("GET", BOOK_2016)
        books.append(follow_to_bucket(cluster, response))
    assert books[0] == books[1] and books[0].startswith(b"%PDF")
