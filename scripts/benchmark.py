#!/usr/bin/env python3
"""Benchmark: each page's throughput next to a hello-world view's, under concurrency.

1. a database of its own: SQLite in a folder under /tmp, or PostgreSQL in a database that
   is dropped and created anew (default coursesite_bench_<scale>; the name must contain
   "bench"); migrate, collectstatic, load_demo --force, and at university scale
   generate_load_data (300 courses, 900 offerings, 30,000 students unless told otherwise);
2. each page's SQL counted once through Django's test client (CaptureQueriesContext, in
   this process, against the same database and settings; the count of a warm request);
3. gunicorn with production settings (config.settings.production) on a free loopback port,
   without an access log; the demo student and TA log in through the real form, and every
   request carries the pretend TLS proxy's headers (scripts/site_client.py);
4. for every page, in turns: the page for duration/rounds seconds, then /healthz (the
   hello-world view, which touches nothing) as long, `rounds` times, so that whatever else
   the machine does weighs on both alike. 16 keep-alive connections by default, with wrk
   (Debian: apt-get install wrk) or, without it, the asyncio client below.

Prints a table: page, rps, hello rps, ratio (page rps / hello rps: 1.0 would be a page as
cheap as the framework's floor), p50 and p99 in ms, the queries of one request; the load
average at the start and the end. REDIS_URL, when set, is passed on (cache key prefix
coursesite-bench). --json writes the same as JSON. Ratios, not rps, are what to compare
between machines; compare runs made at a similar load.

    .venv/bin/python scripts/benchmark.py --database sqlite --scale demo
    .venv/bin/python scripts/benchmark.py --database postgresql --scale university \\
        [--courses 300 --offerings-per-course 3 --students 30000 --sessions 20] \\
        [--connections 16] [--duration 6] [--rounds 2] [--workers 2] [--pages REGEX] \\
        [--reuse-database] [--json FILE] [--compare EARLIER.json]

--reuse-database keeps the database of an earlier run (and its files): no drop, migrate
and load_demo again, generate_load_data only checks that the generated data is there with
the sizes asked. --compare prints an earlier --json run's ratio beside each page.
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
if (
    __name__ == "__main__"
    and VENV_PYTHON.exists()
    and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve()
):
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # psycopg2, gunicorn

# scripts/site_client.py and scripts/bench_pages.py, beside this file (also when the tests
# import this one as scripts.benchmark).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import (  # noqa: E402
    PAGES,
    UNIVERSITY_PAGES,
    Page,
    capture,
    placeholders,
    resolve,
    site_environment,
)
from bench_pages import setup_django as django_in_this_process  # noqa: E402
from site_client import (  # noqa: E402
    ADMIN,
    HOST,
    STUDENT,
    TA,
    Report,
    Visitor,
    free_port,
    gunicorn_command,
    log_errors,
    recreate_database,
    run,
    wait_until_serving,
)

HELLO = "/healthz"
LOGINS = {"student": STUDENT, "ta": TA, "admin": ADMIN}

# wrk's report, read by parse_wrk(): the totals, then every latency (µs) with its count,
# so that the rounds of a page can be merged into one distribution.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("TOTAL %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("LATENCY %d %d\\n", value, count))
  end
end
"""


@dataclass
class Run:
    """Requests of one target over some seconds, and their latencies (µs → count)."""

    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies: dict[int, int] = field(default_factory=dict)

    def add(self, other: "Run") -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.errors += other.errors
        for value, count in other.latencies.items():
            self.latencies[value] = self.latencies.get(value, 0) + count

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in ms."""
        total = sum(self.latencies.values())
        if not total:
            return 0.0
        seen = 0
        for value in sorted(self.latencies):
            seen += self.latencies[value]
            if seen >= total * p / 100:
                return value / 1000
        return max(self.latencies) / 1000


@dataclass
class Result:
    who: str
    name: str
    path: str
    rps: float
    hello_rps: float
    ratio: float
    p50_ms: float
    p99_ms: float
    queries: int
    requests: int
    errors: int
    load: float  # the machine's 1-minute load average when the page was done


# -- load generators -----------------------------------------------------------------------


def wrk_run(port: int, path: str, headers: dict, connections: int, seconds: int,
            script: Path) -> Run:  # fmt: skip
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", str(script)]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Run:
    result = Run()
    for line in output.splitlines():
        parts = line.split()
        if parts[:1] == ["TOTAL"]:
            numbers = [int(x) for x in parts[1:]]
            result.requests, result.seconds = numbers[0], numbers[1] / 1e6
            result.errors = sum(numbers[3:])
        elif parts[:1] == ["LATENCY"]:
            result.latencies[int(parts[1])] = result.latencies.get(int(parts[1]), 0) + int(parts[2])
    return result


async def _connection_loop(port, request: bytes, deadline: float, run: Run) -> None:
    """One keep-alive connection: requests one after the other until the deadline,
    reconnecting whenever the server closes (gunicorn's sync workers close every time)."""
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.monotonic()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            closing = re.search(rb"(?i)\r\nconnection:\s*close", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            else:
                await reader.read()
                closing = True
            micros = int((time.monotonic() - started) * 1e6)
            run.requests += 1
            run.latencies[micros] = run.latencies.get(micros, 0) + 1
            if status >= 400:
                run.errors += 1
            if closing:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            run.errors += 1
            writer = None
    if writer is not None:
        writer.close()


def python_run(port: int, path: str, headers: dict, connections: int, seconds: int) -> Run:
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    result = Run()

    async def main():
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *(_connection_loop(port, request, deadline, result) for _ in range(connections))
        )
        result.seconds = time.monotonic() - started

    asyncio.run(main())
    return result


# -- the benchmark -------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL: the database to (re)create; its "
                        "name must contain 'bench' (default coursesite_bench_<scale>)")  # fmt: skip
    parser.add_argument("--scale", choices=["demo", "university"], default="demo")
    parser.add_argument("--courses", type=int, default=300)
    parser.add_argument("--offerings-per-course", type=int, default=3)
    parser.add_argument("--students", type=int, default=30_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=6,
                        help="seconds of each page, and as many of hello-world")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2,
                        help="page and hello-world alternate this many times")  # fmt: skip
    parser.add_argument("--warmup", type=int, default=1, help="seconds per page, not counted")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's sync workers")
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")  # fmt: skip
    parser.add_argument("--pages", default="", help="only pages whose name or path matches")
    parser.add_argument(
        "--university-pages",
        action="store_true",
        help="also the generated data's pages (busy offering, admin lists)",
    )
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--compare", type=Path, help="an earlier --json file to compare with")
    args = parser.parse_args()
    if args.duration % args.rounds:
        parser.error("--duration must be a multiple of --rounds (wrk counts whole seconds)")
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        parser.error("the database's name must contain 'bench'")
    return args


def environment(args, work: Path) -> dict[str, str]:
    if args.database == "sqlite":
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        database_url = args.database_url or (
            f"postgres://postgres@127.0.0.1:5432/coursesite_bench_{args.scale}"
        )
    return site_environment(database_url, work)


def prepare(args, env: dict, work: Path) -> None:
    """The database with the demo (and the generated data), the static files."""
    report = Report()
    manage = [sys.executable, "manage.py"]
    if not args.reuse_database:
        if args.database == "postgresql":
            recreate_database(env["DATABASE_URL"], must_contain="bench")
        else:
            (work / "bench.sqlite3").unlink(missing_ok=True)
        shutil.rmtree(work / "media", ignore_errors=True)
    steps = [
        (["migrate", "--noinput"], "migrate"),
        (["collectstatic", "--noinput"], "collectstatic"),
        (["load_demo", "--force"], "load_demo --force"),
    ]
    for command, title in steps:
        if not run([*manage, *command], env, report, title):
            sys.exit("Preparing the database failed: " + "; ".join(report.problems))
    if args.scale == "university":
        sizes = ["--courses", str(args.courses), "--offerings-per-course",
                 str(args.offerings_per_course), "--students", str(args.students),
                 "--sessions", str(args.sessions)]  # fmt: skip
        # --database-check: generates into a fresh database; with --reuse-database it only
        # checks that the data there has these sizes.
        started = time.monotonic()
        result = subprocess.run(
            [*manage, "generate_load_data", "--force", "--database-check", *sizes],
            cwd=ROOT, env=env,
        )  # fmt: skip
        if result.returncode:
            sys.exit("generate_load_data failed (with --reuse-database: other sizes?)")
        print(f"  generate_load_data: {time.monotonic() - started:.0f} s")
    if args.database == "postgresql":
        vacuum_analyze(env["DATABASE_URL"])


def vacuum_analyze(url: str) -> None:
    """VACUUM (ANALYZE) after loading: the planner then knows the tables' sizes, and
    autovacuum does not start on the fresh rows while the pages are measured."""
    import psycopg2  # the project's dependency, as in site_client.recreate_database

    started = time.monotonic()
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()
    print(f"  VACUUM (ANALYZE): {time.monotonic() - started:.0f} s")


def clear_cache(env: dict[str, str]) -> None:
    """With REDIS_URL: the benchmark's keys of an earlier run deleted, so that no page of
    another database is served from the cache."""
    if not env.get("REDIS_URL"):
        return
    import redis  # the project's dependency; only needed with a Redis cache

    client = redis.Redis.from_url(env["REDIS_URL"])
    stale = list(client.scan_iter(f"{env['CACHE_KEY_PREFIX']}:*"))
    if stale:
        client.delete(*stale)
    print(f"  Redis {env['REDIS_URL']}: {len(stale)} keys of an earlier run deleted")


def without_access_log(command: list[str]) -> list[str]:
    """gunicorn as the smoke runs it, but without its access log: writing a line for every
    request would be measured too."""
    index = command.index("--access-logfile")
    return command[:index] + command[index + 2 :]


def measure(args, port: int, page: Page, headers: dict, script: Path) -> tuple[Run, Run]:
    seconds = args.duration // args.rounds

    def once(path: str, duration: int) -> Run:
        if args.client == "wrk":
            return wrk_run(port, path, headers, args.connections, duration, script)
        return python_run(port, path, headers, args.connections, duration)

    if args.warmup:
        once(page.path, args.warmup)
        settle(port)
    page_run, hello_run = Run(), Run()
    for _ in range(args.rounds):
        page_run.add(once(page.path, seconds))
        settle(port)
        hello_run.add(once(HELLO, seconds))
        settle(port)
    return page_run, hello_run


def settle(port: int) -> None:
    """Waits until gunicorn has worked off what the load generator left queued when it
    stopped (up to a request per connection, each as slow as the page), so that it does
    not weigh on the next run: one more request waits behind them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", HELLO, headers={"Host": HOST})
        connection.getresponse().read()
    finally:
        connection.close()


def noisy(results: list[Result], tolerance: float = 0.25) -> set[str]:
    """The pages whose hello-world rate strays more than `tolerance` from the run's median:
    something else was using the machine then, so their ratio is less sure."""
    rates = sorted(r.hello_rps for r in results)
    if not rates:
        return set()
    median = rates[len(rates) // 2]
    return {r.path for r in results if abs(r.hello_rps - median) > tolerance * median}


def print_table(results: list[Result], earlier: dict[str, float]) -> None:
    unsure = noisy(results)
    before = f"{'before':>8}" if earlier else ""
    print(f"\n{'who':<13}{'page':<30}{'rps':>8}{'hello rps':>11}{'ratio':>8}{before}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'queries':>9}")  # fmt: skip
    for r in results:
        before = ""
        if earlier:
            before = f"{earlier[r.path]:>8.3f}" if r.path in earlier else f"{'':>8}"
        flag = f"  <-- {r.errors} errors" if r.errors else ""
        flag += "  ~ hello-world strays: the machine was busier" if r.path in unsure else ""
        print(f"{r.who:<13}{r.name[:29]:<30}{r.rps:>8.1f}{r.hello_rps:>11.1f}{r.ratio:>8.3f}"
              f"{before}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}{r.queries:>9}{flag}")  # fmt: skip


def main() -> int:
    args = parse_args()
    work = Path(tempfile.gettempdir()) / "coursesite-bench" / f"{args.database}-{args.scale}"
    work.mkdir(parents=True, exist_ok=True)
    env = environment(args, work)
    load_at_start = os.getloadavg()
    started = time.monotonic()
    print(f"Benchmark: {args.database}, {args.scale} scale, {args.workers} gunicorn workers, "
          f"{args.connections} connections, {args.client}; cache: "
          f"{'Redis' if env.get('REDIS_URL') else 'local memory'}; in {work}")  # fmt: skip
    prepare(args, env, work)
    clear_cache(env)

    django_in_this_process(env)
    from sessions.demo.load_data import PASSWORD as GENERATED_PASSWORD

    values = placeholders()
    pages = PAGES + (UNIVERSITY_PAGES if args.university_pages else [])
    pages = [p for p in resolve(pages, values)
             if re.search(args.pages, p.name) or re.search(args.pages, p.path)]  # fmt: skip
    captured = capture(pages, values)
    from django.db import connections

    connections.close_all()
    wrong = [f"{p.path} ({c.status})" for p, c in captured.items() if c.status != 200]
    if wrong:
        sys.exit("These pages do not answer 200 through the test client: " + ", ".join(wrong))

    port, log_path = free_port(), work / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    results, report = [], Report()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            without_access_log(gunicorn_command(gunicorn, port, args.workers)),
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        if not wait_until_serving(port, server):
            sys.exit(f"gunicorn did not start serving; see {log_path}")
        cookies = {}
        for who in sorted({p.who for p in pages} - {"public"}):
            visitor = Visitor(port, who, report)
            email, password = LOGINS.get(who) or (values[who], GENERATED_PASSWORD)
            if not visitor.log_in(email, password, next_path="/me/"):
                sys.exit(f"Logging in as {email} failed")
            cookies[who] = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
        for page in pages:
            headers = {"Host": HOST, "X-Forwarded-Proto": "https",
                       "X-Forwarded-For": "203.0.113.7"}  # fmt: skip
            if page.who in cookies:
                headers["Cookie"] = cookies[page.who]
            page_run, hello_run = measure(args, port, page, headers, script)
            result = Result(
                who=page.who, name=page.name, path=page.path, rps=round(page_run.rps, 1),
                hello_rps=round(hello_run.rps, 1),
                ratio=round(page_run.rps / hello_run.rps, 4) if hello_run.rps else 0.0,
                p50_ms=round(page_run.percentile(50), 1), p99_ms=round(page_run.percentile(99), 1),
                queries=len(captured[page].queries), requests=page_run.requests,
                errors=page_run.errors + hello_run.errors, load=round(os.getloadavg()[0], 2),
            )  # fmt: skip
            results.append(result)
            print(f"  {page.name:<30} {result.rps:8.1f} rps, hello {result.hello_rps:8.1f}, "
                  f"ratio {result.ratio:.3f}", flush=True)  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()

    load_at_end = os.getloadavg()
    earlier = {}
    if args.compare:
        earlier = {r["path"]: r["ratio"] for r in json.loads(args.compare.read_text())["pages"]}
    print_table(results, earlier)
    errors = log_errors(log_path.read_text())
    print(
        f"\n{platform.node()}: {os.cpu_count()} cores; load average at the start "
        f"{' '.join(f'{x:.2f}' for x in load_at_start)}, at the end "
        f"{' '.join(f'{x:.2f}' for x in load_at_end)}; {time.monotonic() - started:.0f} s; "
        f"gunicorn's log: {len(errors)} error lines"
    )
    if args.json:
        args.json.write_text(json.dumps({
            "database": args.database, "scale": args.scale, "workers": args.workers,
            "connections": args.connections, "duration": args.duration, "rounds": args.rounds,
            "client": args.client, "cores": os.cpu_count(), "cache": "redis"
            if env.get("REDIS_URL") else "locmem",
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                     capture_output=True, text=True).stdout.strip(),
            "load_start": load_at_start, "load_end": load_at_end,
            "pages": [asdict(r) for r in results], "noisy": sorted(noisy(results)),
        }, indent=2))  # fmt: skip
        print(f"Results written to {args.json}")
    if errors or any(r.errors for r in results):
        print("\n".join(errors[:20]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
