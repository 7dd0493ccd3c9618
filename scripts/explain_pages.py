#!/usr/bin/env python3
"""EXPLAIN (ANALYZE) of every query the main pages run, flagging sequential scans of big
tables: which indexes the pages need at university scale.

Each page of scripts/bench_pages.py (the demo's public, student and staff pages; the
generated data's busiest offering, a busy student, the admin's changelists of enrolments,
the outbox and users) is fetched twice through Django's test client as its visitor, with
production settings against the given PostgreSQL database; the SQL of the second request
is captured (CaptureQueriesContext) and each distinct SELECT is run again as
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) through psycopg2, inside a transaction that is
rolled back. The database is ANALYZEd first, so that the planner knows the tables' sizes.

It also explains queries no page view runs but that run often: finding the account when
someone logs in, asks for a password reset or signs up; the outbox sweep; a waiting list.

Flags, per query: a sequential scan of a table with more than --big rows (default 10,000),
with the filter it applied and how many rows it threw away; a match on UPPER(email)
(Django's __iexact, which no plain index serves); a sort that spilled to disk. Prints
every page (queries, time in the database, flags) and then every flagged query once, with
the pages that run it. Meant for the database of `scripts/benchmark.py --database
postgresql --scale university` (coursesite_bench_university; its name must contain
"bench").

    .venv/bin/python scripts/explain_pages.py [--database-url URL] [--pages REGEX]
        [--big 10000] [--slow-ms 20] [--show-sql] [--json FILE]
"""

import argparse
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
if (
    __name__ == "__main__"
    and VENV_PYTHON.exists()
    and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve()
):
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])

# scripts/site_client.py and scripts/bench_pages.py, beside this file (also when the tests
# import this one as scripts.explain_pages).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import (  # noqa: E402
    PAGES,
    UNIVERSITY_PAGES,
    capture,
    placeholders,
    resolve,
    setup_django,
    site_environment,
)
from site_client import database_name  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/coursesite_bench_university"


@dataclass
class Flag:
    kind: str  # "seq scan", "upper()", "disk sort", "slow"
    table: str = ""
    detail: str = ""


@dataclass
class Explained:
    sql: str
    ms: float
    flags: list[Flag] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    plan: dict = field(default_factory=dict)


def normalise(sql: str) -> str:
    """The query with its literal values taken out: one entry for "the same query"."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\(\?(?:, \?)*\)", "(?...)", sql)


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def table_sizes(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT c.relname, c.reltuples::bigint FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = 'public'"
    )
    return dict(cursor.fetchall())


def plan_flags(plan: dict, sql: str, ms: float, sizes: dict[str, int], big: int,
               slow_ms: float) -> list[Flag]:  # fmt: skip
    """What is worth a look in one query's plan (EXPLAIN's JSON "Plan")."""
    flags = []
    for node in nodes(plan):
        table = node.get("Relation Name", "")
        if node["Node Type"] == "Seq Scan" and sizes.get(table, 0) > big:
            detail = f"{sizes[table]:,} rows in the table"
            if node.get("Filter"):
                detail += f"; Filter: {node['Filter']}"
                detail += f"; {node.get('Rows Removed by Filter', 0):,} rows removed"
            flags.append(Flag("seq scan", table, detail))
        if node.get("Sort Space Type") == "Disk":
            flags.append(Flag("disk sort", table, f"{node.get('Sort Space Used')} kB"))
    if re.search(r'UPPER\("accounts_user"\."email"', sql):
        flags.append(Flag("upper()", "accounts_user", "email matched with __iexact"))
    if ms > slow_ms:
        flags.append(Flag("slow", "", f"{ms:.1f} ms"))
    return flags


def explain(cursor, sql: str, sizes: dict[str, int], big: int, slow_ms: float) -> Explained:
    cursor.execute("SAVEPOINT explain_one")
    try:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        result = cursor.fetchone()[0][0]
    finally:
        cursor.execute("ROLLBACK TO SAVEPOINT explain_one")
    ms = result["Execution Time"]
    flags = plan_flags(result["Plan"], sql, ms, sizes, big, slow_ms)
    return Explained(sql=sql, ms=ms, flags=flags, plan=result["Plan"])


def lookups(values: dict[str, str]) -> dict[str, list[str]]:
    """The SQL of queries that no page view runs but that run often: logging in, asking for
    a password reset, signing up, the outbox sweep, the waiting list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Enrolment, OutgoingMail, User

    email = (values.get("busy_student") or "student@example.org").title()  # as typed
    waiting = Enrolment.objects.filter(status="waitlisted").values_list("offering", flat=True)
    steps = {
        "log-in: the account by email": lambda: User.objects.get_by_natural_key(email),
        # As accounts.mailing.password_reset_mail and accounts.services.user_signup ask.
        "password reset: accounts by email": lambda: list(
            User.objects.filter(email=User.objects.canonical_email(email), is_active=True)[:1]
        ),
        "sign-up: is the address taken": lambda: list(
            User.objects.filter(email=User.objects.canonical_email(email))[:1]
        ),
        "outbox sweep: due mails": lambda: list(OutgoingMail.objects.due()[:100]),
        "waiting list of an offering": lambda: list(
            Enrolment.objects.filter(offering=waiting.first()).waiting_list()
        ),
    }
    sql = {}
    for name, step in steps.items():
        with CaptureQueriesContext(connection) as queries:
            step()
        sql[name] = [query["sql"] for query in queries.captured_queries]
    return sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--pages", default="", help="only pages whose name or path matches")
    parser.add_argument("--big", type=int, default=10_000, help="rows that make a table big")
    parser.add_argument("--slow-ms", type=float, default=20.0)
    parser.add_argument("--show-sql", action="store_true", help="print each flagged query")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if "bench" not in database_name(args.database_url):
        sys.exit("The database's name must contain 'bench' (this script writes log-in sessions).")
    if not args.database_url.startswith("postgres"):
        sys.exit("EXPLAIN (ANALYZE, BUFFERS) needs PostgreSQL.")

    work = Path(tempfile.gettempdir()) / "coursesite-bench" / "postgresql-university"
    setup_django(site_environment(args.database_url, work))
    from django.db import connection, transaction

    values = placeholders()
    pages = [
        p
        for p in resolve(PAGES + UNIVERSITY_PAGES, values)
        if re.search(args.pages, p.name) or re.search(args.pages, p.path)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    captured = {page.name: (result.status, result.queries)
                for page, result in capture(pages, values).items()}  # fmt: skip
    if not args.pages:
        captured.update({name: (0, sql) for name, sql in lookups(values).items()})

    explained: dict[str, Explained] = {}
    per_page = []
    with transaction.atomic(), connection.cursor() as cursor:
        sizes = table_sizes(cursor)
        for name, (status, queries) in captured.items():
            total_ms, flagged, selects = 0.0, 0, 0
            for sql in queries:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                selects += 1
                key = normalise(sql)
                if key not in explained:
                    explained[key] = explain(cursor, sql, sizes, args.big, args.slow_ms)
                entry = explained[key]
                if name not in entry.pages:
                    entry.pages.append(name)
                total_ms += entry.ms
                flagged += bool(entry.flags)
            per_page.append((name, status or "", len(queries), selects, total_ms, flagged))
        transaction.set_rollback(True)

    print(f"\n{'page':<36}{'status':>7}{'queries':>9}{'selects':>9}{'db ms':>9}{'flagged':>9}")
    for name, status, queries, selects, ms, flagged in per_page:
        print(f"{name[:35]:<36}{status:>7}{queries:>9}{selects:>9}{ms:>9.1f}{flagged:>9}")

    flagged_queries = sorted(
        (e for e in explained.values() if e.flags), key=lambda e: e.ms, reverse=True
    )
    print(f"\n{len(flagged_queries)} of {len(explained)} distinct queries flagged (big table: "
          f"more than {args.big:,} rows; slow: over {args.slow_ms:g} ms):")  # fmt: skip
    for entry in flagged_queries:
        print(f"\n* {entry.ms:.1f} ms, on: {', '.join(entry.pages)}")
        for flag in entry.flags:
            print(f"    {flag.kind}: {flag.table} {flag.detail}".rstrip())
        sql = (
            entry.sql if args.show_sql else entry.sql[:300] + ("…" if len(entry.sql) > 300 else "")
        )
        print(f"    {sql}")
    if args.json:
        args.json.write_text(json.dumps([asdict(e) for e in flagged_queries], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
