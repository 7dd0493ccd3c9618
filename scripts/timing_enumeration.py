#!/usr/bin/env python3
"""Does a form take longer for an address that has an account? Measured against a running
server (docs/SECURITY.md, "Logging in": no account enumeration, issue 16 item 4).

For each form, N requests with an address that has an account (--known) and N with
addresses that have none, interleaved, each from a fresh browser (the form page is fetched
first for its CSRF cookie; only the POST is timed). Prints the median time of each path
and the ratio of the slower to the faster; exits with 1 when a ratio is above
--max-ratio, or when the two paths did not answer alike (status and redirect).

    .venv/bin/python scripts/timing_enumeration.py --url http://127.0.0.1:8000 \\
        --known student@example.org [-n 30] [--forms reset,signup] [--pause 0]

- `reset`: the password-reset form (known address vs. unknown ones).
- `signup`: the sign-up form (the known address, whose owner is mailed each time, at most
  once in two minutes, vs. new ones). It MAKES AN ACCOUNT for each new address
  (timing-<random>@example.invalid): run it against a test or staging server only.

The request throttling of issue 16 item 1 answers 429 once one client address, or one
email address, has asked too often (MAIL_REQUESTS_PER_ADDRESS, MAIL_REQUESTS_PER_EMAIL):
the known address is asked for N times, the new ones once each, so raise those limits on
the test server, or the script reports the answers as different. Only the standard
library is used. Through a TLS proxy, give the https address (cookies are Secure there).
"""

import argparse
import http.cookiejar
import secrets
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

FORMS = {
    "reset": "/accounts/password/reset/",
    "signup": "/accounts/signup/",
}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the redirect is the answer: urllib raises it as an HTTPError


@dataclass
class Path:
    name: str
    seconds: list[float] = field(default_factory=list)
    answers: set[tuple[int, str]] = field(default_factory=set)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else float("nan")


def post_from_a_fresh_browser(base: str, path: str, data: dict) -> tuple[float, int, str]:
    """GET the form (untimed), POST it (timed): seconds, status and Location."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies), NoRedirects())
    url = base + path
    with opener.open(url, timeout=60) as page:
        page.read()
    token = next((c.value for c in cookies if c.name == "csrftoken"), "")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    start = time.perf_counter()
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            status, location = response.status, ""
    except urllib.error.HTTPError as answer:
        answer.read()
        status, location = answer.code, answer.headers.get("Location", "")
    return time.perf_counter() - start, status, location


def form_data(form: str, email: str, password: str) -> dict:
    if form == "reset":
        return {"email": email}
    return {"full_name": "Timing Test", "email": email, "password1": password,
            "password2": password}  # fmt: skip


def measure(base: str, form: str, known: str, n: int, pause: float) -> tuple[Path, Path]:
    """N requests each for the known address and for new ones, alternating, after one
    request of each that is not counted (connections, caches, first imports)."""
    known_path, unknown_path = (
        Path(f"{form}: address with an account"),
        Path(f"{form}: address without one"),
    )
    password = "timing " + secrets.token_urlsafe(12)
    for round_ in range(n + 1):
        for path, email in (
            (known_path, known),
            (unknown_path, f"timing-{secrets.token_hex(6)}@example.invalid"),
        ):
            seconds, status, location = post_from_a_fresh_browser(
                base, FORMS[form], form_data(form, email, password)
            )
            if round_:
                path.seconds.append(seconds)
                path.answers.add((status, location))
            if pause:
                time.sleep(pause)
    return known_path, unknown_path


def ratio(first: Path, second: Path) -> float:
    slower, faster = sorted([first.median_ms, second.median_ms], reverse=True)
    return slower / faster if faster else float("inf")


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running site")
    parser.add_argument("--known", required=True, help="an address that has an account")
    parser.add_argument("-n", type=int, default=30, help="requests per path (default 30)")
    parser.add_argument("--forms", default="reset", help="reset,signup (default: reset)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between requests")
    parser.add_argument("--max-ratio", type=float, default=1.5,
                        help="a slower/faster ratio above this fails (default 1.5)")  # fmt: skip
    args = parser.parse_args(argv)
    forms = [form.strip() for form in args.forms.split(",") if form.strip()]
    unknown = [form for form in forms if form not in FORMS]
    if unknown or args.n < 1:
        parser.error(f"--forms takes {', '.join(FORMS)}; -n at least 1")
    base = args.url.rstrip("/")
    failed = False
    for form in forms:
        known_path, unknown_path = measure(base, form, args.known, args.n, args.pause)
        for path in (known_path, unknown_path):
            answers = ", ".join(f"{status} {location}".strip() for status, location in
                                sorted(path.answers))  # fmt: skip
            print(f"{path.name:<38} median {path.median_ms:8.1f} ms over {len(path.seconds)}"
                  f"  answers: {answers}", file=out)  # fmt: skip
        value = ratio(known_path, unknown_path)
        alike = known_path.answers == unknown_path.answers and len(known_path.answers) == 1
        verdict = "ok" if value <= args.max_ratio and alike else "DIFFERENT"
        print(f"{form}: ratio slower/faster {value:.2f} (at most {args.max_ratio}); answers "
              f"{'alike' if alike else 'DIFFER'}: {verdict}", file=out)  # fmt: skip
        failed = failed or verdict != "ok"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
