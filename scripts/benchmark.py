"""Benchmark: how much slower each page is than a trivial view, on the same server.

Serves the demo (SQLite, production-like settings: DEBUG off) with gunicorn on a free
loopback port, requests every page N times in turn with the trivial /healthz in between,
and prints the median time of each page and its ratio to /healthz. Ratios, not seconds,
are what to compare between machines and commits.

    .venv/bin/python scripts/benchmark.py [--requests 50]
"""

import argparse
import http.cookiejar
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/courses/deep-learning/2016/",
    "/courses/deep-learning/2016/modules/",
    "/courses/deep-learning/2016/examination/",
    "/courses/deep-learning/2016/lectures/",
    "/courses/deep-learning/2016/schedule/",
    "/courses/deep-learning/2016/schedule.ics",
    "/courses/deep-learning/2016/projects/",
    "/courses/deep-learning/2016/presentations/",
    "/courses/deep-learning/2016/projects/abstracts.pdf",
]
STUDENT_PAGES = ["/me/", "/me/deep-learning/2016/", "/me/deep-learning/2016/progress/"]
STAFF_PAGES = [
    "/courses/deep-learning/2016/staff/attendance/",
    "/courses/deep-learning/2016/staff/projects/",
    "/courses/deep-learning/2016/staff/progress/",
    "/courses/deep-learning/2016/staff/grades/",
    "/courses/deep-learning/2016/staff/grades/?format=xlsx",
    "/courses/deep-learning/2016/staff/grades/projects/8/",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(opener, url) -> float:
    started = time.perf_counter()
    with opener.open(url, timeout=30) as response:
        response.read()
    return time.perf_counter() - started


def logged_in(base, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data)
    request.add_header("Referer", f"{base}/accounts/login/")
    opener.open(request).read()
    return opener


def measure(opener, base, paths, requests) -> None:
    for path in paths:
        timed(opener, base + path)  # warm-up: caches, the book's first build
        page, trivial = [], []
        for _ in range(requests):
            page.append(timed(opener, base + path))
            trivial.append(timed(opener, base + "/healthz"))
        page_ms, trivial_ms = statistics.median(page) * 1000, statistics.median(trivial) * 1000
        print(f"{path:<55} {page_ms:7.1f} ms  {page_ms / trivial_ms:6.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="coursesite-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--env", "DJANGO_SETTINGS_MODULE=config.settings.development"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        print(f"median of {args.requests} requests each; ratio to /healthz on the same server")
        measure(urllib.request.build_opener(), base, PAGES, args.requests)
        measure(logged_in(base, "student@example.org", "demo-student-2016"), base,
                STUDENT_PAGES, args.requests)  # fmt: skip
        measure(logged_in(base, "mogren@example.org", "demo-ta-2016"), base, STAFF_PAGES,
                args.requests)  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
