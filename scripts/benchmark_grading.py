"""Benchmark: the grade sheet of a large offering, its time and its number of queries.

Creates a database of its own, fills it with one offering of 2,000 accepted students (30
discussion sessions with about 85 % attendance, 500 groups of four with deliverables,
submissions, presentations, assessments and final grades), times grading.grade_sheet()
and counts its queries, then drops the database again.

    .venv/bin/python scripts/benchmark_grading.py [--students 2000] [--sessions 30] [--runs 5]
    .venv/bin/python scripts/benchmark_grading.py --database postgresql \\
        [--database-name coursesite_bench_grading]

With --database sqlite (the default without DATABASE_URL, or with an SQLite one) the
database is an SQLite file in a fresh folder under /tmp, removed at the end. With
--database postgresql (or a PostgreSQL DATABASE_URL; without one, the server at
127.0.0.1:5432 as postgres), the database named by --database-name (its name must contain
"bench") is created on that server (replacing one of that name left by an earlier run)
and dropped at the end; the database of the URL itself is only used to connect and is
never written to. It prints the grade_sheet() time, the grade sheet page's time and the
Excel export's, each through the whole request (Django's test client).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = date(2024, 1, 15)  # a Monday; the whole offering lies in the past
NEVER_DROP = {"postgres", "template0", "template1", "test"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--group-size", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgresql"],
                        default="postgresql" if os.environ.get("DATABASE_URL", "")
                        .startswith("postgres") else "sqlite")  # fmt: skip
    parser.add_argument("--database-name", default="coursesite_bench_grading",
                        help="PostgreSQL only: the database created and dropped")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--profile", action="store_true",
                        help="print where a page made anew spends its time")  # fmt: skip
    return parser.parse_args()


def setup_django(args, workdir: Path) -> str:
    """Configure Django; returns the name of the database to create and drop."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("STATIC_ROOT", str(workdir))  # whitenoise wants the folder to exist
    url = os.environ.get("DATABASE_URL", "")
    if args.database == "sqlite" and not url.startswith("sqlite"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.db'}"
    elif args.database == "postgresql" and not url.startswith("postgres"):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"
    import django

    django.setup()
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        name = str(workdir / "bench.db")
    else:
        name = args.database_name
        if name in NEVER_DROP or name == database["NAME"] or "bench" not in name:
            sys.exit(f"Refusing to use the database “{name}”: it would be dropped at the end "
                     "(its name must contain 'bench').")  # fmt: skip
    database["TEST"]["NAME"] = name
    return name


def local(day: date, at: clock) -> datetime:
    return datetime.combine(day, at, tzinfo=STOCKHOLM)


def populate(args):
    """The offering and everything its grade sheet reads, written in bulk."""
    from accounts.enums import EnrolmentStatus, Level
    from accounts.models import Enrolment, User
    from course.enums import OfferingStatus, StaffRole
    from course.models import Course, Offering, Staff
    from projects.models import (
        Deliverable,
        Extension,
        Membership,
        PresentationSession,
        PresentationSlot,
        ProjectGroup,
        Submission,
    )
    from sessions.enums import AttendanceStatus
    from sessions.grading import rules as grading_rules
    from sessions.grading import services as grading
    from sessions.models import Attendance, DiscussionSession, ProjectAssessment, Rubric

    rng = random.Random(args.seed)
    batch = 2000
    course = Course.objects.create(code="BENCH", title="Benchmark course", slug="bench")
    weeks = args.sessions // 2 + 2
    offering = Offering.objects.create(
        course=course, slug="2024", name="2024", study_period="LP3", start_date=START,
        end_date=START + timedelta(weeks=weeks, days=4), status=OfferingStatus.RUNNING,
        attendance_threshold=80, group_size=args.group_size,
    )  # fmt: skip
    ta = User.objects.create(email="ta@example.org", full_name="Bench TA", password="!")
    reviewer = User.objects.create(email="ta2@example.org", full_name="Bench TA 2", password="!")
    for user in (ta, reviewer):
        Staff.objects.create(offering=offering, user=user, name=user.full_name,
                             role=StaffRole.TEACHING_ASSISTANT)  # fmt: skip
    User.objects.bulk_create(
        (User(email=f"student{n:05d}@example.org", full_name=f"Student {n:05d}", password="!")
         for n in range(args.students)), batch_size=batch,
    )  # fmt: skip
    users = list(User.objects.filter(email__startswith="student").order_by("email"))
    Enrolment.objects.bulk_create(
        (Enrolment(offering=offering, student=user,
                   level=Level.PHD if n % 5 == 0 else Level.MSC,
                   status=EnrolmentStatus.ACCEPTED, enrolled_on=START, decided_by=ta)
         for n, user in enumerate(users)), batch_size=batch,
    )  # fmt: skip
    enrolments = list(Enrolment.objects.filter(offering=offering).order_by("student__email"))

    # Tuesdays and Thursdays 13:15-15:00; each student has a habit, 85 % on average.
    days = [START + timedelta(weeks=w, days=d) for w in range(weeks) for d in (1, 3)]
    DiscussionSession.objects.bulk_create(
        DiscussionSession(offering=offering, starts_at=local(day, clock(13, 15)),
                          ends_at=local(day, clock(15, 0)), room="ML13")
        for day in days[: args.sessions]
    )  # fmt: skip
    sessions = list(DiscussionSession.objects.filter(offering=offering))
    habits = [min(1.0, max(0.5, rng.gauss(0.85, 0.08))) for _ in enrolments]
    records = []
    for session in sessions:
        for enrolment, habit in zip(enrolments, habits, strict=True):
            draw = rng.random()
            if draw < habit:
                status = AttendanceStatus.PRESENT
            elif draw < habit + 0.03:
                status = AttendanceStatus.EXCUSED
            else:
                status = AttendanceStatus.ABSENT
            records.append(Attendance(session=session, enrolment=enrolment, status=status,
                                      active=draw < habit / 2, updated_by=ta))  # fmt: skip
    Attendance.objects.bulk_create(records, batch_size=batch)

    # Groups of four, two required deliverables and an optional one, submissions.
    end = offering.end_date
    planning = Deliverable.objects.create(
        offering=offering, order=1, title="Planning report", slug="planning",
        due_at=local(START + timedelta(weeks=3), clock(23, 59)), required=True,
    )  # fmt: skip
    report = Deliverable.objects.create(
        offering=offering, order=2, title="Project report", slug="report",
        due_at=local(end - timedelta(days=4), clock(23, 59)), required=True,
    )  # fmt: skip
    Deliverable.objects.create(
        offering=offering, order=3, title="Slides", slug="slides",
        due_at=local(end - timedelta(days=4), clock(13, 0)), required=False,
    )  # fmt: skip
    count = len(enrolments) // args.group_size
    ProjectGroup.objects.bulk_create(
        ProjectGroup(offering=offering, number=n, created_by=ta, presented=n % 97 != 0)
        for n in range(1, count + 1)
    )  # fmt: skip
    groups = list(ProjectGroup.objects.filter(offering=offering).order_by("number"))
    Membership.objects.bulk_create(
        (Membership(group=groups[i // args.group_size], enrolment=enrolment, added_by=ta)
         for i, enrolment in enumerate(enrolments[: count * args.group_size])),
        batch_size=batch,
    )  # fmt: skip
    submissions = []
    for group in groups:
        uploads = [(planning, planning.due_at - timedelta(hours=rng.randint(1, 72)))]
        if rng.random() < 0.2:  # a second version
            uploads.append((planning, planning.due_at - timedelta(hours=rng.randint(0, 1))))
        if group.number % 53:  # a few never hand in the report
            hours = rng.randint(1, 30) if rng.random() < 0.05 else -rng.randint(1, 48)
            uploads.append((report, report.due_at + timedelta(hours=hours)))
        versions = {}
        for deliverable, at in uploads:
            versions[deliverable] = versions.get(deliverable, 0) + 1
            submissions.append(Submission(
                deliverable=deliverable, group=group, version=versions[deliverable],
                file=f"bench/{group.number}-{deliverable.slug}.pdf", original_name="x.pdf",
                size=50_000, pages=4, sha256="0" * 64, uploaded_by=ta, uploaded_at=at,
                late_by=max(at - deliverable.due_at, timedelta(0)) or None,
            ))  # fmt: skip
    Submission.objects.bulk_create(submissions, batch_size=batch)
    Extension.objects.bulk_create(
        Extension(deliverable=report, group=group, due_at=report.due_at + timedelta(days=3),
                  granted_by=ta)
        for group in groups[::50]
    )  # fmt: skip

    # Presentation afternoons of 20 slots of 15 minutes.
    per_session = 20
    for index in range(0, len(groups), per_session):
        day = end - timedelta(days=(index // per_session) % 3)
        session = PresentationSession.objects.create(
            offering=offering, starts_at=local(day, clock(8, 0)), ends_at=local(day, clock(17, 0)),
            room=f"Room {index // per_session}", slot_minutes=15,
        )  # fmt: skip
        PresentationSlot.objects.bulk_create(
            PresentationSlot(session=session, position=p, group=group, published=True,
                             starts_at=session.starts_at + timedelta(minutes=15 * p),
                             ends_at=session.starts_at + timedelta(minutes=15 * (p + 1)))
            for p, group in enumerate(groups[index : index + per_session])
        )  # fmt: skip

    # Every project assessed with the rubric, one in ten twice; then the proposed grades.
    grading.grading_setup_defaults(offering=offering)
    criteria = list(Rubric.objects.get(offering=offering).criteria.prefetch_related("levels"))
    rubric = Rubric.objects.get(offering=offering)
    chosen, assessments = [], []
    for group in groups:
        for assessor in (ta, reviewer) if group.number % 10 == 0 else (ta,):
            # Levels above the insufficient one, but now and then a failing project.
            lowest = 0 if rng.random() < 0.02 else 1
            levels = [rng.choice(list(c.levels.all())[lowest:]) for c in criteria]
            grade = grading_rules.rubric_suggest(rubric, levels)
            assessments.append(ProjectAssessment(group=group, assessor=assessor,
                                                 suggested=grade, grade=grade))  # fmt: skip
            chosen.append(levels)
    ProjectAssessment.objects.bulk_create(assessments, batch_size=batch)
    assessments = list(ProjectAssessment.objects.filter(group__offering=offering)
                       .order_by("group__number", "assessor__email"))  # fmt: skip
    through = ProjectAssessment.levels.through
    through.objects.bulk_create(
        (through(projectassessment=a, rubriclevel=level)
         for a, levels in zip(assessments, chosen, strict=True) for level in levels),
        batch_size=batch,
    )  # fmt: skip
    graded = grading.grades_accept_proposed(offering=offering, by=ta)
    return offering, len(sessions), len(groups), graded


def measure(offering, runs: int) -> tuple[int, list[float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sessions.grading.sheet import grade_sheet

    grade_sheet(offering)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        rows = len(grade_sheet(offering).rows)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        grade_sheet(offering)
        times.append(time.perf_counter() - started)
    assert rows == offering.enrolments.count()
    return len(queries), times


def measure_page(offering, runs: int) -> tuple[list[float], list[float]]:
    """The whole request through Django's test client: made anew (the cache emptied before
    each, and the process's memory of worded conditions and dates too, as in a fresh
    worker), and then kept (the teacher's own page from the cache)."""
    from django.core.cache import cache
    from django.test import Client

    from sessions.grading import eligibility

    client = Client(HTTP_HOST="localhost")
    client.force_login(offering.staff.filter(user__isnull=False).first().user)
    url = f"/courses/{offering.course.slug}/{offering.slug}/staff/grades/"
    client.get("/")  # the CSRF cookie, as a browser has it
    made, kept = [], []
    for _ in range(runs):
        cache.clear()
        eligibility.forget_wording()
        started = time.perf_counter()
        response = client.get(url)
        made.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
    client.get(url)  # kept now that the browser sends its CSRF cookie
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        kept.append(time.perf_counter() - started)
        assert response["X-Page-Cache"] == "hit"
    return made, kept


def profile_page(offering) -> None:
    """The functions the grade sheet page made anew spends its time in, most first."""
    import cProfile
    import pstats

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from sessions.grading import eligibility

    client = Client(HTTP_HOST="localhost")
    client.force_login(offering.staff.filter(user__isnull=False).first().user)
    url = f"/courses/{offering.course.slug}/{offering.slug}/staff/grades/"
    cache.clear()
    eligibility.forget_wording()
    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        profiler.enable()
        client.get(url)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).print_callers(r"translation/__init__.py.*\(gettext\)")
    queries.sort(key=lambda query: query[0], reverse=True)
    print(f"{len(queries)} queries, {sum(q[0] for q in queries) * 1000:.0f} ms in the database "
          "driver (rows not yet turned into objects), slowest first:")  # fmt: skip
    for elapsed, sql, _params in queries:
        print(f"{elapsed * 1000:7.1f} ms  {sql[:160]}")
    if connection.vendor == "postgresql":
        _elapsed, sql, params = queries[0]
        print("\nThe slowest, explained:")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n".join(line for (line,) in cursor.fetchall()))


def measure_export(offering, runs: int) -> list[float]:
    """The Excel workbook as the task worker writes it (above EXPORT_INLINE_MAX_STUDENTS the
    request only queues it)."""
    import io

    from sessions.grading.exports import write_records_xlsx
    from sessions.grading.sheet import grade_sheet

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        write_records_xlsx(io.BytesIO(), grade_sheet(offering))
        times.append(time.perf_counter() - started)
    return times


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="coursesite-bench-grading-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path) -> None:
    name = setup_django(args, workdir)
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        offering, sessions, groups, graded = populate(args)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load on a real server: the planner's
            # statistics (without them it guesses one row per table).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{connection.vendor} database {name}: {args.students} students, {sessions} "
              f"sessions, {groups} groups, {graded} final grades made in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        queries, times = measure(offering, args.runs)
        print(f"grade_sheet for {args.students} students, {sessions} sessions: {queries} "
              f"queries, median {statistics.median(times):.2f} s over {args.runs} runs "
              f"(fastest {min(times):.2f} s, slowest {max(times):.2f} s)")  # fmt: skip
        made, kept = measure_page(offering, args.runs)
        print(f"grade sheet page for {args.students} students on {connection.vendor}: made "
              f"anew median {statistics.median(made):.2f} s, from the cache median "
              f"{statistics.median(kept) * 1000:.0f} ms over {args.runs} runs")  # fmt: skip
        if args.profile:
            profile_page(offering)
        times = measure_export(offering, args.runs)
        print(f"Excel export (by the task worker) for {args.students} students: median "
              f"{statistics.median(times):.2f} s over {args.runs} runs")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
