"""Building the book of abstracts fetches nothing from the network."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from projects.book import book_pdf
from projects.services import proposal_save
from tests.projects.test_presentations import accepted_groups

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def test_the_book_fetches_nothing_from_the_network(offering, alice):
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (group,) = accepted_groups(offering, 1)
        proposal = group.proposal
        url = f"http://127.0.0.1:{server.server_port}/internal?leak=1"
        proposal_save(proposal=proposal, by=alice.student, version=proposal.version,
                      title=proposal.title, description="", topics=[],
                      abstract=f"![x]({url}) Text stays.")  # fmt: skip
        reader = PdfReader(io.BytesIO(book_pdf(offering)))
    finally:
        server.shutdown()
    assert requests == []
    assert "Text stays." in reader.pages[2].extract_text()
