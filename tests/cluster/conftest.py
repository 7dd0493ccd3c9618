"""The running cluster (scripts/cluster) for the tests marked `cluster`.

The `cluster` fixture connects to the cluster described by the state file (CLUSTER_STATE,
default .cluster/state.json) when its nodes answer, as in CI, which starts it with
`scripts/cluster start --detach` first; otherwise it starts one for the session and stops
it afterwards. Every test then checks that no node's log and not the worker's log got an
error line while it ran.

These tests speak plain HTTP to the nodes as browsers behind the TLS proxy would
(scripts/site_client.Visitor) and read the cluster's PostgreSQL database with psycopg2;
nothing here goes through Django's test client or the test database.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from scripts.site_client import ROOT, Report, Visitor, log_errors

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


def _serving(state: dict) -> bool:
    probe = Report()
    for node in state["nodes"]:
        try:
            response, _, _ = Visitor(node["port"], "probe", probe, timeout=10).fetch(
                "GET", "/readyz"
            )
        except OSError:
            return False
        if response.status != 200:
            return False
    return True


@pytest.fixture(scope="session")
def cluster():
    started_here = False
    state = json.loads(STATE.read_text()) if STATE.exists() else None
    if state is None or not _serving(state):
        if "CLUSTER_STATE" in os.environ:
            pytest.fail(f"No cluster serving as {STATE} says; start it with scripts/cluster")
        subprocess.run([sys.executable, str(CLUSTER_SCRIPT), "start", "--detach"], check=True)
        started_here = True
        state = json.loads(STATE.read_text())
    nodes = [Node(n["name"], n["port"], Path(n["log"])) for n in state["nodes"]]
    yield Cluster(state, nodes)
    if started_here:
        subprocess.run([sys.executable, str(CLUSTER_SCRIPT), "stop"], check=True)


@pytest.fixture(autouse=True)
def _no_errors_in_the_logs(cluster):
    """No node and not the worker logs an error or a traceback while a test runs."""
    sizes = {log: log.stat().st_size for log in cluster.logs}
    yield
    for log, size in sizes.items():
        with log.open("rb") as file:
            file.seek(size)
            errors = log_errors(file.read().decode("utf-8", "replace"))
        assert not errors, f"{log.name} logged errors during the test:\n" + "\n".join(errors)


@pytest.fixture(scope="session")
def load_students(cluster) -> list[str]:
    """Email addresses of 16 accepted students of the next offering (password
    LOAD_PASSWORD)."""
    count = 16
    cluster.manage("shell", "-c", ENROL_LOAD_STUDENTS.format(count=count, password=LOAD_PASSWORD))
    return [f"load-student-{number}@example.org" for number in range(1, count + 1)]
