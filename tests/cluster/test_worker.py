"""The background worker: mail a page queues on one node is sent by the worker, and its
link works on the other node.

The cluster's worker is `manage.py db_worker`: every mail put in the outbox gets a task
that sends it. There is no mail server: the worker writes each mail to its log.
"""

import re
import secrets
import time
import urllib.parse
from pathlib import Path

import pytest

from scripts.site_client import ORIGIN

pytestmark = pytest.mark.cluster

# A student whom staff enrolled without a password: "forgot password" is how they set one.
CREATE_STUDENT = """
from accounts.models import User
User.objects.create_user("{email}", None, full_name="Reset Student")
"""


def mail_to(log: Path, offset: int, email: str, seconds: float = 30) -> str:
    """The mail to `email` that the worker writes to its log after `offset`, waiting for
    the worker's next round."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with log.open("rb") as file:
            file.seek(offset)
            text = file.read().decode("utf-8", "replace")
        start = text.find(f"To: {email}")
        if start >= 0 and "-" * 79 in text[start:]:
            return text[start : text.index("-" * 79, start)]
        time.sleep(0.5)
    raise AssertionError(f"The worker sent no mail to {email} within {seconds:.0f} s")


def test_a_password_reset_asked_on_node_a_is_mailed_by_the_worker_and_works_on_node_b(
    cluster,
):
    email = f"reset-{secrets.token_hex(4)}@example.org"
    cluster.manage("shell", "-c", CREATE_STUDENT.format(email=email))
    worker_log = Path(cluster.state["worker"]["log"])
    offset = worker_log.stat().st_size
    student = cluster.visitor("student")

    response, _, _ = student.fetch("GET", "/accounts/password/reset/", port=cluster.a.port)
    assert response.status == 200
    response, _, _ = student.fetch(
        "POST", "/accounts/password/reset/", {"email": email}, port=cluster.a.port
    )
    assert response.status == 302
    assert response.headers["Location"] == "/accounts/password/reset/sent/"

    mail = mail_to(worker_log, offset, email)
    # One link, in the text part and again in the HTML part of the mail.
    (link,) = set(re.findall(rf"{re.escape(ORIGIN)}/accounts/password/reset/[\w-]+/[\w-]+/", mail))
    assert cluster.query(
        "SELECT status FROM accounts_outgoingmail WHERE to_email = %s", (email,)
    ) == [("sent",)]

    # The link opens on node B (the token is signed with the shared SECRET_KEY), which
    # keeps it in the session and sends on to the form; the form is filled in on node A.
    response, _, _ = student.fetch("GET", urllib.parse.urlsplit(link).path, port=cluster.b.port)
    assert response.status == 302
    form_path = response.headers["Location"]
    assert form_path.endswith("/set-password/")
    response, content, _ = student.fetch("GET", form_path, port=cluster.a.port)
    assert response.status == 200
    assert b'name="new_password1"' in content, "the form, not 'the link was invalid'"
    new_password = secrets.token_urlsafe(12)
    response, _, _ = student.fetch(
        "POST", form_path, {"new_password1": new_password, "new_password2": new_password},
        port=cluster.a.port,
    )  # fmt: skip
    assert response.status == 302
    assert response.headers["Location"] == "/accounts/password/reset/complete/"

    assert cluster.visitor("again").log_in(email, new_password, "/me/", port=cluster.b.port)
