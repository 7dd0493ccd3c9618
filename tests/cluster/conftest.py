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
from pathlib import Path

import pytest

from scripts.site_client import Report, Visitor, log_errors
from tests.cluster.helpers import (
    CLUSTER_SCRIPT,
    ENROL_LOAD_STUDENTS,
    LOAD_PASSWORD,
    STATE,
    Cluster,
    Node,
)


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
