"""What scripts/production_smoke, scripts/cluster and the cluster tests share: a browser
behind a pretend TLS proxy, link and form parsing, a crawl, and starting the site.

A `Visitor` is one browser behind the proxy: it sends the proxy's headers (Host,
X-Forwarded-Proto: https, X-Forwarded-For) and keeps cookies by hand, since they are Secure
and http.cookiejar would not send them over plain http. It can talk to any node (`port`), so
one browser can log in on one node and go on on another, as behind a load balancer.

Only the standard library and psycopg2 (for dropping and creating a database of its own).
"""

import http.client
import http.cookies
import json
import re
import secrets
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "course.example.org"
ORIGIN = f"https://{HOST}"
STUDENT = ("student@example.org", "demo-student-2016")
TA = ("mogren@example.org", "demo-ta-2016")
ADMIN = ("admin@example.org", "demo-admin-2016")
ERRORS_IN_LOG = re.compile(
    r"Traceback \(most recent call last\)|\[(ERROR|CRITICAL)\]|Internal Server Error"
    r"|Service Unavailable|^(ERROR|CRITICAL)\b",
    re.MULTILINE,
)


@dataclass
class Row:
    who: str
    method: str
    path: str
    status: int
    ms: float
    size: int
    kind: str
    problem: str = ""
    port: int = 0


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.problems.append(message)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"a", "link"} and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag in {"script", "img"} and attrs.get("src"):
            self.found.append(attrs["src"])
        elif tag == "input" and re.match(r"https?://", attrs.get("value") or ""):
            self.found.append(attrs["value"])  # addresses to copy: calendar feed, invite


class Forms(HTMLParser):
    """The forms of a page, each as its action and the values a browser would send without
    the user touching anything: inputs, checked boxes, textareas and selected options."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            fields[name] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            fields[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def multipart(fields: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser's file upload sends it."""
    boundary = f"----coursesite{secrets.token_hex(12)}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, data, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def forms_of(content: bytes) -> list[dict]:
    parser = Forms()
    parser.feed(content.decode("utf-8", "replace"))
    parser.close()
    for form in parser.forms:  # the textarea's first newline is not part of its value
        for name, value in form["fields"].items():
            if value.startswith("\n"):
                form["fields"][name] = value[1:]
    return parser.forms


class Visitor:
    """One browser behind the TLS proxy: the proxy's headers, and cookies kept by hand
    (the cookies are Secure, which http.cookiejar would not send over plain http).

    `port` is the node it talks to unless a request names another. Every request is a row
    of the report (thread-safe: rows are only appended)."""

    def __init__(self, port: int, who: str, report: Report, timeout: float = 120):
        self.port, self.who, self.report, self.timeout = port, who, report, timeout
        self.cookies: dict[str, str] = {}

    def fetch(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        referer: str = "",
        port: int | None = None,
        headers: dict | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        json_body: object = None,
    ):
        """One request as a browser behind the proxy sends it. `form` is sent url-encoded,
        or, with `files` ({field: (file name, bytes, type)}), as multipart/form-data;
        `json_body` as JSON (a program using the API: no CSRF token, no Origin)."""
        port = port or self.port
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "User-Agent": "coursesite-production-smoke",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None or files:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **(form or {})}
            if files:
                body, content_type = multipart(form, files)
            else:
                body = urllib.parse.urlencode(form).encode()
                content_type = "application/x-www-form-urlencoded"
            headers.update({
                "Content-Type": content_type,
                "Origin": ORIGIN,
                "Referer": ORIGIN + (referer or path),
            })  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        ms = (time.monotonic() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            self.keep_cookie(header, path)
        kind = (response.headers.get("Content-Type") or "").split(";")[0]
        row = Row(self.who, method, path, response.status, ms, len(content), kind, port=port)
        self.report.rows.append(row)
        hsts = response.headers.get("Strict-Transport-Security") or ""
        if not path.startswith("/static/") and "max-age=" not in hsts:
            row.problem = "no HSTS header: the proxy's X-Forwarded-Proto was not trusted"
        return response, content, row

    def keep_cookie(self, header: str, path: str) -> None:
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or (morsel["expires"] or "").endswith("1970 00:00:00 GMT"):
                # A deletion carries no value (Django deletes the messages cookie without
                # the Secure flag), so only cookies that are set must be Secure.
                self.cookies.pop(name, None)
                continue
            if not morsel["secure"]:
                self.report.fail(f"{path}: cookie {name} is not Secure")
            self.cookies[name] = morsel.value

    def log_in(self, email: str, password: str, next_path: str, port: int | None = None) -> bool:
        """Logs in through the real form (CSRF cookie and token, Origin); True when the site
        answered with the one redirect expected, to `next_path`, and a session cookie."""
        login = f"/accounts/login/?next={urllib.parse.quote(next_path)}"
        response, _, row = self.fetch("GET", login, port=port)
        if response.status != 200 or "csrftoken" not in self.cookies:
            row.problem = row.problem or f"login page: {response.status}, or no CSRF cookie"
            return False
        response, _, row = self.fetch(
            "POST", "/accounts/login/",
            {"username": email, "password": password, "next": next_path}, referer=login,
            port=port,
        )  # fmt: skip
        target = urllib.parse.urljoin(ORIGIN + "/", response.headers.get("Location") or "")
        if (
            response.status != 302
            or target != ORIGIN + next_path
            or "sessionid" not in self.cookies
        ):
            row.problem = f"log-in as {email} failed (status {response.status}, to {target})"
            return False
        return True


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(visitor: Visitor, plan: dict, report: Report, per_kind: int = 3) -> None:
    """Fetches the plan's seeds and every link they lead to within the plan, breadth first;
    `per_kind` pages of one kind (numbers aside) are enough: 3 project pages, not 10.

    A plan: "seeds" (paths), "follow" and "skip" (regular expressions over the path) and
    "required" (a pattern per page that must have been reached)."""
    follow, skip = re.compile(plan["follow"]), re.compile(plan["skip"])
    queue, seen, kinds = list(plan["seeds"]), set(plan["seeds"]), {}
    while queue:
        path = queue.pop(0)
        response, content, row = visitor.fetch("GET", path)
        if response.status != 200:
            row.problem = row.problem or f"answered {response.status}" + (
                f" -> {response.headers.get('Location')}"
                if response.headers.get("Location")
                else ""
            )
        if not row.kind.startswith("text/html"):
            continue
        parser = Links()
        parser.feed(content.decode("utf-8", "replace"))
        for link in parser.found:
            url = urllib.parse.urlsplit(urllib.parse.urljoin(ORIGIN + path, link))
            if url.netloc != HOST or url.scheme not in {"http", "https"}:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.scheme == "http":
                report.fail(f"{path} links to {link} over plain http")
            if target in seen or not follow.search(url.path) or skip.search(url.path):
                continue
            if url.query and "format=" not in url.query:
                continue  # sorted and filtered lists: the same page again; exports are not
            seen.add(target)
            kinds[kind_of(url.path)] = kinds.get(kind_of(url.path), 0) + 1
            if kinds[kind_of(url.path)] <= per_kind:
                queue.append(target)
    fetched = [r.path.split("?")[0] for r in report.rows if r.who == visitor.who]
    for pattern in plan["required"]:
        if not any(re.search(pattern, path) for path in fetched):
            report.fail(f"{visitor.who}: no page matching {pattern} was reached by its links")


def run(command: list[str], env: dict, report: Report, title: str) -> bool:
    """Runs a command in the project's folder; prints its time, and its output when it
    fails (then also a problem of the report)."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    print(f"  {title}: exit {result.returncode} in {time.monotonic() - started:.1f} s")
    if result.returncode != 0:
        print(result.stdout[-3000:] + result.stderr[-5000:])
        report.fail(f"{title} failed")
    return result.returncode == 0


def database_name(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))


def server_url(url: str) -> str:
    """The same server's maintenance database, to create and drop others from."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def recreate_database(url: str, must_contain: str) -> None:
    """Drops and creates the database of `url`, refusing a name without `must_contain`, so
    an operator's database is never dropped by mistake."""
    import psycopg2  # the project's virtualenv; the scripts re-execute themselves in it

    name = database_name(url)
    if must_contain not in name:
        raise SystemExit(
            f"Refusing to drop the database {name!r}: its name must contain {must_contain!r}."
        )
    connection = psycopg2.connect(server_url(url))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 60) -> bool:
    """True once the node answers /healthz, False when it died or the time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def gunicorn_command(gunicorn: Path, port: int, workers: int) -> list[str]:
    """gunicorn as the smoke and the cluster run it: loopback, logs to its output."""
    return [
        str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--access-logfile", "-", "--error-logfile", "-",
        "--capture-output", "--timeout", "120",
    ]  # fmt: skip


def log_errors(text: str) -> list[str]:
    """The lines of a server's log that tell of an error or a traceback."""
    return [line for line in text.splitlines() if ERRORS_IN_LOG.search(line)]
