"""The pages scripts/benchmark.py measures and scripts/explain_pages.py explains, and how
each page's SQL is captured: Django's test client with CaptureQueriesContext, in this
process, against the same database and settings the benchmark's gunicorn uses.

Paths may hold placeholders filled from the database ({calendar_token}, {busy_offering}
...). `who` is the visitor: "public" (anonymous), "student" (the demo student), "ta" (the
demo TA Olof Mogren), "admin" (the demo administrator), or for the generated data
"busy_ta" (a TA of the generated running offering with the most students) and
"busy_student" (a generated student in four offerings).
"""

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "course.example.org"  # as scripts/site_client.py: the pretend proxy's host
OFFERING = "/courses/deep-learning/2016/"
ME = "/me/deep-learning/2016/"
DEMO_EMAILS = {
    "student": "student@example.org",
    "ta": "mogren@example.org",
    "admin": "admin@example.org",
}


@dataclass(frozen=True)
class Page:
    who: str
    name: str
    path: str


# What the goals are about: public pages and feeds, a logged-in student's pages
# and the staff's pages, all of the demo's 2016 offering (at university scale the same
# pages, with the generated data around them).
PAGES = [
    Page("public", "catalogue", "/"),
    Page("public", "course page", "/courses/deep-learning/"),
    Page("public", "offering home", OFFERING),
    Page("public", "modules", f"{OFFERING}modules/"),
    Page("public", "a module", f"{OFFERING}modules/preliminaries/"),
    Page("public", "lectures", f"{OFFERING}lectures/"),
    Page("public", "schedule", f"{OFFERING}schedule/"),
    Page("public", "schedule.ics", f"{OFFERING}schedule.ics"),
    Page("public", "announcements feed", f"{OFFERING}announcements/feed/"),
    Page("public", "examination", f"{OFFERING}examination/"),
    Page("public", "projects", f"{OFFERING}projects/"),
    Page("public", "a project", f"{OFFERING}projects/1/"),
    Page("public", "presentations", f"{OFFERING}presentations/"),
    Page("public", "abstracts page", f"{OFFERING}projects/abstracts/"),
    Page("public", "abstracts.pdf", f"{OFFERING}projects/abstracts.pdf"),
    Page("student", "/me/", "/me/"),
    Page("student", "/me/<offering>/", ME),
    Page("student", "progress", f"{ME}progress/"),
    Page("student", "attendance", f"{ME}attendance/"),
    Page("student", "group", f"{ME}group/"),
    # A calendar app polls the student's secret address without the site's cookies.
    Page("public", "personal calendar", "/calendar/{calendar_token}.ics"),
    Page("ta", "attendance grid", f"{OFFERING}staff/attendance/"),
    Page("ta", "projects overview", f"{OFFERING}staff/projects/"),
    Page("ta", "grade sheet", f"{OFFERING}staff/grades/"),
    Page("ta", "staff progress", f"{OFFERING}staff/progress/"),
    Page("ta", "admin index", "/admin/"),
    Page("ta", "admin enrolments", "/admin/accounts/enrolment/"),
]

# Pages only the generated data has: the biggest running offering's staff pages and a
# busy student's pages, and the admin's changelists over every offering.
UNIVERSITY_PAGES = [
    Page("public", "busy offering home", "{busy_offering}"),
    Page("public", "busy schedule", "{busy_offering}schedule/"),
    Page("busy_student", "busy /me/", "/me/"),
    Page("busy_student", "busy /me/<offering>/", "{busy_me}"),
    Page("busy_student", "busy progress", "{busy_me}progress/"),
    Page("busy_ta", "busy attendance grid", "{busy_offering}staff/attendance/"),
    Page("busy_ta", "busy projects overview", "{busy_offering}staff/projects/"),
    Page("busy_ta", "busy grade sheet", "{busy_offering}staff/grades/"),
    Page("busy_ta", "busy staff progress", "{busy_offering}staff/progress/"),
    Page("busy_ta", "busy admin enrolments", "/admin/accounts/enrolment/"),
    Page("admin", "admin: all enrolments", "/admin/accounts/enrolment/"),
    Page("admin", "admin: accepted", "/admin/accounts/enrolment/?status__exact=accepted"),
    Page("admin", "admin: outbox", "/admin/accounts/outgoingmail/"),
    Page("admin", "admin: outbox for review", "/admin/accounts/outgoingmail/?status__exact=review"),
    Page("admin", "admin: users", "/admin/accounts/user/"),
]  # fmt: skip


@dataclass
class Captured:
    status: int
    queries: list[str] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)


def site_environment(database_url: str, work: Path) -> dict[str, str]:
    """Production settings behind the pretend TLS proxy, as scripts/production_smoke runs
    them, with the files of `work` (static files collected there, uploads in media/)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "coursesite-bench"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, with the environment the benchmark's gunicorn gets."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def placeholders() -> dict[str, str]:
    """The values the page paths need, read from the database (Django must be set up)."""
    from django.db.models import Count

    from accounts.models import Enrolment, User
    from course.models import Offering

    values = {}
    token = User.objects.filter(email=DEMO_EMAILS["student"]).values_list(
        "calendar_token", flat=True
    )
    values["calendar_token"] = token.first() or "missing"
    busy = (
        Offering.objects.filter(course__code__startswith="LOAD-", status="running")
        .annotate(students=Count("enrolments"))
        .order_by("-students", "pk")
        .select_related("course")
        .first()
    )
    if busy is not None:
        values["busy_offering"] = busy.get_absolute_url()
        values["busy_me"] = f"/me/{busy.course.slug}/{busy.slug}/"
        values["busy_ta"] = busy.staff.filter(role="ta", user__isnull=False)[0].user.email
        student = (
            Enrolment.objects.accepted()
            .filter(offering=busy)
            .values("student")
            .annotate(n=Count("student__enrolments"))
            .order_by("-n", "student")
            .values_list("student__email", flat=True)
            .first()
        )
        values["busy_student"] = student
    return values


def resolve(pages: list[Page], values: dict[str, str]) -> list[Page]:
    """The pages with their placeholders filled; pages whose values or visitor are missing
    (the generated data's, without it) left out."""
    resolved = []
    for page in pages:
        if page.who != "public" and email_of(page.who, values) is None:
            continue
        try:
            resolved.append(Page(page.who, page.name, page.path.format(**values)))
        except KeyError:
            continue
    return resolved


def email_of(who: str, values: dict[str, str]) -> str | None:
    return DEMO_EMAILS.get(who) or values.get(who)


def capture(pages: list[Page], values: dict[str, str], runs: int = 2) -> dict[Page, Captured]:
    """Each page fetched `runs` times through the test client as its visitor (logged in with
    force_login, behind the pretend TLS proxy); the SQL and status of the last run, which
    finds whatever the first has warmed (caches, connections)."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    clients: dict[str, Client] = {}
    captured = {}
    for page in pages:
        client = clients.get(page.who)
        if client is None:
            client = Client(HTTP_HOST=HOST, headers={"X-Forwarded-Proto": "https"})
            email = email_of(page.who, values)
            if page.who != "public":
                client.force_login(User.objects.get(email=email))
            clients[page.who] = client
        result = Captured(status=0)
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(page.path)
                result.times_ms.append((time.perf_counter() - started) * 1000)
            result.status = response.status_code
            if response.streaming:  # read to the end: the test client then closes the file
                b"".join(response.streaming_content)
            result.queries = [query["sql"] for query in queries.captured_queries]
        captured[page] = result
    return captured
