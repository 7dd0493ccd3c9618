"""The link checker, against a local HTTP server: working, redirecting, missing, hanging."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from course.links import check_links
from course.models import VideoLecture
from tests.factories import ModuleFactory, VideoLectureFactory

pytestmark = pytest.mark.django_db


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.answer()

    def do_GET(self):
        self.answer()

    def answer(self):
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/hang":
            time.sleep(3)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def lectures(offering, server):
    module = ModuleFactory(offering=offering)
    made = {}
    for name in ("ok", "moved", "missing", "hang"):
        made[name] = VideoLectureFactory(module=module, title=name, url=f"{server}/{name}")
    made["refused"] = VideoLectureFactory(module=module, title="refused", url="http://127.0.0.1:9/")
    return made


def test_links_are_checked_concurrently_and_marked(offering, lectures):
    started = time.monotonic()
    results = {r.label.split(", ")[1]: r for r in check_links(offering, timeout=1, workers=8)}
    assert time.monotonic() - started < 3  # the hanging link did not hold up the others
    assert results["ok"].status == "ok"
    assert results["moved"].status == "ok"
    assert "redirected to" in results["moved"].detail
    assert (results["missing"].status, results["missing"].detail) == ("broken", "HTTP 404")
    assert results["hang"].status == "unreachable"
    assert results["refused"].status == "unreachable"
    statuses = dict(VideoLecture.objects.values_list("title", "link_status"))
    assert statuses == {"ok": "ok", "moved": "ok", "missing": "broken", "hang": "unreachable",
                        "refused": "unreachable"}  # fmt: skip


def test_lectures_page_warns_about_broken_links(client, offering, lectures):
    check_links(offering, timeout=1)
    page = client.get("/courses/deep-learning/2016/lectures/").content.decode()
    assert page.count("possibly unavailable") == 3


def test_command_reports_every_link_and_does_not_fail(offering, lectures):
    out = StringIO()
    call_command("check_links", "deep-learning/2016", "--timeout", "1", stdout=out)
    text = out.getvalue()
    assert "5 link(s) checked, 3 not working." in text
    assert "broken" in text and "/missing (HTTP 404)" in text
