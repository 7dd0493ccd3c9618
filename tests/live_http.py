"""A tiny browser for tests that go through a real HTTP server: keeps cookies, sends the
CSRF token with forms, follows redirects, and returns 4xx/5xx answers instead of raising."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    url: str
    text: str


class Visitor:
    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def open(self, path: str, data: dict | None = None) -> Answer:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookie("csrftoken"),
                                           **data}).encode()  # fmt: skip
        request = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.url, error.read().decode(errors="replace"))

    def get(self, path: str) -> Answer:
        return self.open(path)

    def post(self, path: str, data: dict) -> Answer:
        """A form sent from its page: the page is opened first for the CSRF cookie."""
        if not self.cookie("csrftoken"):
            self.get(path)
        return self.open(path, data)

    def log_in(self, email: str, password: str) -> Answer:
        self.get("/accounts/login/")
        return self.open("/accounts/login/", {"username": email, "password": password})
