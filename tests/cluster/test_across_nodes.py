"""What one node does, the other shows at once: sessions, log-in throttling and the admin's
changes.

Each request goes to the node a load balancer might pick, node A or node B, as a browser
behind the TLS proxy (Host, X-Forwarded-Proto: https, Secure cookies).

The storage and book tests live next to these (tests/cluster/, the files in the cluster's
S3 bucket): a report uploaded through node A downloads, byte for byte, through node B for
the student and the TA; the book of abstracts asked of A and B at the same moment is built
once by the worker and both serve the same file.
"""

import re
import secrets
import urllib.parse

import pytest

from scripts.site_client import ADMIN, ORIGIN, STUDENT, TA
from tests.cluster.helpers import add_announcement, admin_form

pytestmark = pytest.mark.cluster

NEXT = "/courses/deep-learning/next/"


def text(content: bytes) -> str:
    return content.decode("utf-8")


def test_a_student_logged_in_on_node_a_is_logged_in_on_node_b(cluster):
    student = cluster.visitor("student")
    assert student.log_in(*STUDENT, next_path="/me/", port=cluster.a.port)

    response, content, _ = student.fetch("GET", "/me/", port=cluster.b.port)

    assert response.status == 200
    assert "Demo Student" in text(content)
    assert "/me/deep-learning/2016/" in text(content), "the student's course is listed"
    # The CSRF token set by A is good on B: log out there...
    session_cookies = dict(student.cookies)
    response, _, _ = student.fetch("POST", "/accounts/logout/", {}, port=cluster.b.port)
    assert response.status == 302
    # ...and the session is over on A too, even for someone who kept the old cookie.
    student.cookies = session_cookies
    response, _, _ = student.fetch("GET", "/me/", port=cluster.a.port)
    assert response.status == 302
    assert urllib.parse.urlsplit(response.headers["Location"]).path == "/accounts/login/"


def test_a_wrong_password_on_node_a_and_the_right_one_on_node_b(cluster):
    """The login form's CSRF cookie from one node is accepted by the other."""
    visitor = cluster.visitor("admin")
    response, _, _ = visitor.fetch("GET", "/accounts/login/", port=cluster.a.port)
    assert response.status == 200
    response, content, _ = visitor.fetch(
        "POST", "/accounts/login/", {"username": ADMIN[0], "password": "wrong"},
        port=cluster.a.port,
    )  # fmt: skip
    assert response.status == 200
    assert "sessionid" not in visitor.cookies
    response, _, _ = visitor.fetch(
        "POST", "/accounts/login/", {"username": ADMIN[0], "password": ADMIN[1]},
        port=cluster.b.port, referer="/accounts/login/",
    )  # fmt: skip
    assert response.status == 302
    response, content, _ = visitor.fetch("GET", "/admin/", port=cluster.a.port)
    assert response.status == 200
    assert re.search(r"Welcome,\s*<strong>Course</strong>", text(content)), "the admin's name"


def test_wrong_passwords_on_node_a_lock_the_log_in_on_node_b(cluster):
    """Log-in throttling holds across app servers: django-axes keeps the failures in the
    shared database. (An address without an account, so no demo login is locked; it is
    counted and locked as any other.)"""
    visitor = cluster.visitor("guesser")
    email = f"nobody-{secrets.token_hex(4)}@example.org"
    response, _, _ = visitor.fetch("GET", "/accounts/login/", port=cluster.a.port)
    statuses = []
    for _ in range(5):  # LOGIN_FAILURES_PER_ACCOUNT
        response, content, _ = visitor.fetch(
            "POST", "/accounts/login/", {"username": email, "password": "wrong"},
            port=cluster.a.port, referer="/accounts/login/",
        )  # fmt: skip
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 200, 429]
    response, content, _ = visitor.fetch(
        "POST", "/accounts/login/", {"username": email.upper(), "password": "another"},
        port=cluster.b.port, referer="/accounts/login/",
    )  # fmt: skip
    assert response.status == 429
    assert "Logging in is paused" in text(content)


def test_an_announcement_changed_on_node_a_shows_on_node_b_at_once(cluster):
    ta = cluster.visitor("ta")
    assert ta.log_in(*TA, next_path="/admin/", port=cluster.a.port)
    marker = secrets.token_hex(4)
    first, second = f"Room change {marker}", f"Room change {marker}: now in EA"

    # Node A: the admin's add form, as the TA fills it in.
    announcement_id = add_announcement(
        cluster, ta, first, "The discussion session on Tuesday is in room **EL43**.",
        port=cluster.a.port,
    )  # fmt: skip
    page = f"{NEXT}announcements/"
    public = cluster.visitor("public")
    response, content, _ = public.fetch("GET", page, port=cluster.b.port)
    assert response.status == 200
    assert first in text(content)
    assert "EL43" in text(content)

    # Node A: the change form; node B shows the change on the very next request.
    change = f"/admin/course/announcement/{announcement_id}/change/"
    fields = admin_form(ta, change, cluster.a.port)
    assert fields["title"] == first
    fields.update({
        "title": second,
        "body": "The discussion session on Tuesday is in room **EA**, not EL43.",
        "_save": "Save",
    })  # fmt: skip
    response, _, _ = ta.fetch("POST", change, fields, port=cluster.a.port)
    assert response.status == 302, "the admin saved the change"

    response, content, _ = public.fetch("GET", page, port=cluster.b.port)
    assert response.status == 200
    assert second in text(content)
    assert "room <strong>EA</strong>" in text(content)
    response, content, _ = public.fetch("GET", f"{page}feed/", port=cluster.b.port)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    assert f"<title>{second}</title>" in text(content)
    assert f"<title>{first}</title>" not in text(content)
    assert f"{ORIGIN}{NEXT}" in text(content), "the feed links to the https address"
    assert cluster.query(
        "SELECT title FROM course_announcement WHERE id = %s", (announcement_id,)
    ) == [(second,)]
