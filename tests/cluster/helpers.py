"""The running cluster as the tests see it: its nodes, its database, manage.py with its
environment, and the admin forms the tests fill in (tests/cluster/conftest.py has the
fixtures)."""

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2

from scripts.site_client import ROOT, Report, Visitor, forms_of

STATE = Path(os.environ.get("CLUSTER_STATE", ROOT / ".cluster" / "state.json"))
CLUSTER_SCRIPT = ROOT / "scripts" / "cluster"
NEXT = "/courses/deep-learning/next/"
LOAD_PASSWORD = "load-student-2016"

# Run inside the cluster (`manage.py shell`): accepted students of the next offering, the
# writable one (2016 is archived), to log in with LOAD_PASSWORD. The TA enrols them as the
# admin's "Add enrolment" does; running it again changes nothing but the passwords.
ENROL_LOAD_STUDENTS = """
from django.utils import timezone
from accounts.enums import Level
from accounts.models import Enrolment, User
from accounts.services import enrolment_enrol_directly
from course.models import Offering
offering = Offering.objects.get(course__slug="deep-learning", slug="next")
ta = User.objects.get(email="mogren@example.org")
for number in range(1, {count} + 1):
    email = f"load-student-{{number}}@example.org"
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={{"full_name": f"Load Student {{number}}", "email_verified_at": timezone.now()}},
    )
    user.set_password("{password}")
    user.save()
    if not Enrolment.objects.filter(offering=offering, student=user).exists():
        enrolment_enrol_directly(
            offering=offering, email=email, full_name=user.full_name, level=Level.MSC, by=ta
        )
"""


@dataclass
class Node:
    name: str
    port: int
    log: Path


@dataclass
class Cluster:
    state: dict
    nodes: list[Node]

    @property
    def a(self) -> Node:
        return self.nodes[0]

    @property
    def b(self) -> Node:
        return self.nodes[1]

    @property
    def logs(self) -> list[Path]:
        return [node.log for node in self.nodes] + [Path(self.state["worker"]["log"])]

    @property
    def env(self) -> dict:
        """The environment the nodes run with, on top of this process's."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        return {**inherited, **self.state["env"]}

    def visitor(self, who: str, report: Report | None = None) -> Visitor:
        return Visitor(self.a.port, who, report or Report(), timeout=60)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows from the cluster's own database."""
        connection = psycopg2.connect(self.state["database_url"])
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        """manage.py with the cluster's environment, as an operator on one of its machines."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}{result.stderr}"
        return result


def admin_form(visitor: Visitor, path: str, port: int) -> dict:
    """The fields of an admin add or change form as the page fills them in."""
    response, content, _ = visitor.fetch("GET", path, port=port)
    assert response.status == 200, f"{path}: {response.status}"
    (form,) = [f for f in forms_of(content) if "title" in f["fields"]]
    return form["fields"]


def add_announcement(cluster: Cluster, ta: Visitor, title: str, body: str, port: int) -> int:
    """The TA (logged in) publishes an announcement of the next offering through the
    admin's add form on the node at `port`; returns its id."""
    ((offering_id,),) = cluster.query(
        "SELECT o.id FROM course_offering o JOIN course_course c ON c.id = o.course_id"
        " WHERE c.slug = 'deep-learning' AND o.slug = 'next'"
    )
    a_minute_ago = dt.datetime.now(ZoneInfo("Europe/Stockholm")) - dt.timedelta(minutes=1)
    add = "/admin/course/announcement/add/"
    fields = admin_form(ta, add, port)
    fields.update({
        "offering": str(offering_id),
        "title": title,
        "body": body,
        "published_at_0": a_minute_ago.strftime("%Y-%m-%d"),
        "published_at_1": a_minute_ago.strftime("%H:%M:%S"),
        "_save": "Save",
    })  # fmt: skip
    response, _, _ = ta.fetch("POST", add, fields, port=port)
    assert response.status == 302, "the admin saved the announcement"
    ((announcement_id,),) = cluster.query(
        "SELECT id FROM course_announcement WHERE title = %s", (title,)
    )
    return announcement_id
