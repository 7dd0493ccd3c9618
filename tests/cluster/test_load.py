"""A bounded load across both nodes: no errors, no lost writes.

32 browsers (CLUSTER_LOAD_CONNECTIONS) for 30 seconds (CLUSTER_LOAD_SECONDS), each request
to node A or node B in turn: 12 anonymous visitors on the public pages, 16 students of the
next offering on their own pages who also tick lectures as watched and untick them (a
quarter of their requests, through the lectures page's form), and 4 TAs on the staff pages
and the admin. Every answer must be the one a browser expects (200, or the redirect after a
tick), with no connection error; afterwards every student's watched lectures in the
database must be exactly what their clicks left. Prints requests per second and the 50th
and 99th percentile of the response time per node.
"""

import http.client
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

from scripts.site_client import TA, Report, Visitor, forms_of
from tests.cluster.helpers import LOAD_PASSWORD

pytestmark = pytest.mark.cluster

SECONDS = float(os.environ.get("CLUSTER_LOAD_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("CLUSTER_LOAD_CONNECTIONS", "32"))
OFFERING = "/courses/deep-learning/2016/"
NEXT = "/courses/deep-learning/next/"
MY_NEXT = "/me/deep-learning/next/"
PUBLIC_PAGES = [
    "/", "/courses/deep-learning/", OFFERING, f"{OFFERING}modules/", f"{OFFERING}lectures/",
    f"{OFFERING}announcements/", f"{OFFERING}announcements/feed/", f"{OFFERING}schedule/",
    f"{OFFERING}projects/", f"{OFFERING}presentations/", NEXT, f"{NEXT}modules/",
]  # fmt: skip
STUDENT_PAGES = [
    "/me/",
    MY_NEXT,
    f"{NEXT}lectures/",
    f"{MY_NEXT}progress/",
    f"{MY_NEXT}attendance/",
]
TA_PAGES = [
    f"{OFFERING}staff/attendance/", f"{OFFERING}staff/projects/", f"{OFFERING}staff/grades/",
    f"{OFFERING}staff/progress/", f"{NEXT}staff/attendance/", "/admin/",
    "/admin/accounts/enrolment/", "/admin/course/announcement/",
]  # fmt: skip


@dataclass
class Browser:
    visitor: Visitor
    pages: list[str]
    email: str = ""
    # (lecture id, part id or None) -> watched, as the student's clicks left it.
    watched: dict[tuple[int, int | None], bool] = field(default_factory=dict)
    writes: int = 0
    errors: list[str] = field(default_factory=list)


def watched_forms(content: bytes) -> dict[tuple[int, int | None], bool]:
    """The lectures page's tick buttons: what each one would send tells what is watched."""
    toggles = {}
    for form in forms_of(content):
        if form["action"].endswith("/watched/"):
            fields = form["fields"]
            key = (int(fields["lecture"]), int(fields["part"]) if fields["part"] else None)
            toggles[key] = fields["watched"] == "0"  # "0" unticks: it is watched now
    return toggles


def browse(browser: Browser, ports: list[int], start: int, deadline: float) -> None:
    visitor, chance = browser.visitor, random.Random(start)
    number = start
    while time.monotonic() < deadline:
        number += 1
        port = ports[number % len(ports)]
        try:
            if browser.watched and chance.random() < 0.25:
                lecture, part = chance.choice(sorted(browser.watched, key=str))
                now_watched = browser.watched[lecture, part]
                form = {
                    "lecture": lecture,
                    "part": part or "",
                    "watched": "0" if now_watched else "1",
                }
                response, _, row = visitor.fetch(
                    "POST", f"{MY_NEXT}watched/", form, referer=f"{NEXT}lectures/", port=port
                )
                if response.status == 302:
                    browser.watched[lecture, part] = not now_watched
                    browser.writes += 1
                else:
                    browser.errors.append(f"{row.method} {row.path} on {port}: {row.status}")
                continue
            path = chance.choice(browser.pages)
            response, _, row = visitor.fetch("GET", path, port=port)
            if response.status != 200:
                browser.errors.append(f"GET {path} on {port}: {response.status}")
        except (OSError, http.client.HTTPException) as error:
            browser.errors.append(f"{browser.visitor.who} on {port}: {error!r}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_load_across_both_nodes_has_no_errors_and_loses_no_writes(cluster, load_students, capsys):
    ports = [cluster.a.port, cluster.b.port]
    report = Report()
    browsers: list[Browser] = []
    students = min(len(load_students), CONNECTIONS // 2)
    tas = max(1, CONNECTIONS // 8)
    for number, email in enumerate(load_students[:students]):
        visitor = Visitor(ports[number % 2], "student", report, timeout=60)
        assert visitor.log_in(email, LOAD_PASSWORD, next_path="/me/"), email
        response, content, _ = visitor.fetch(
            "GET", f"{NEXT}lectures/", port=ports[(number + 1) % 2]
        )
        assert response.status == 200
        browser = Browser(visitor, STUDENT_PAGES, email, watched_forms(content))
        assert browser.watched, "the lectures page offers the student lectures to tick"
        browsers.append(browser)
    for number in range(tas):
        visitor = Visitor(ports[number % 2], "ta", report, timeout=60)
        assert visitor.log_in(*TA, next_path="/admin/")
        browsers.append(Browser(visitor, TA_PAGES))
    for _ in range(CONNECTIONS - len(browsers)):
        browsers.append(Browser(Visitor(ports[0], "public", report, timeout=60), PUBLIC_PAGES))
    report.rows.clear()  # the log-ins are not part of the load

    started = time.monotonic()
    threads = [
        threading.Thread(target=browse, args=(browser, ports, number, started + SECONDS))
        for number, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    errors = [error for browser in browsers for error in browser.errors]
    writes = sum(browser.writes for browser in browsers)
    lines = [
        f"\nLoad: {len(browsers)} connections for {elapsed:.0f} s across both nodes, "
        f"{len(report.rows)} requests ({writes} writes), {len(errors)} errors"
    ]
    for name, port in zip(["A", "B"], ports, strict=True):
        times = [row.ms for row in report.rows if row.port == port]
        lines.append(
            f"  node {name}: {len(times)} requests, {len(times) / elapsed:.1f} req/s, "
            f"p50 {statistics.median(times):.0f} ms, p99 {percentile(times, 0.99):.0f} ms"
        )
    with capsys.disabled():
        print("\n".join(lines))

    assert not errors, f"{len(errors)} errors, e.g.:\n" + "\n".join(errors[:20])
    assert all(row.port in ports for row in report.rows)
    assert min(sum(row.port == port for row in report.rows) for port in ports) > 50
    assert writes >= students, "the students ticked lectures: there are writes to check"
    lost = []
    for browser in browsers:
        if not browser.email:
            continue
        stored = {
            (lecture, part)
            for lecture, part in cluster.query(
                "SELECT w.lecture_id, w.part_id FROM course_watchedpart w"
                " JOIN accounts_enrolment e ON e.id = w.enrolment_id"
                " JOIN accounts_user u ON u.id = e.student_id WHERE u.email = %s",
                (browser.email,),
            )
        }
        clicked = {key for key, watched in browser.watched.items() if watched}
        if stored != clicked:
            lost.append(f"{browser.email}: clicked {sorted(clicked, key=str)}, "
                        f"stored {sorted(stored, key=str)}")  # fmt: skip
    assert not lost, "writes lost or made up:\n" + "\n".join(lost)
