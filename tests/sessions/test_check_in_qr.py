"""Check-in from a phone: the code page's QR code opens the check-in page with the code
filled in; a student who is not logged in logs in and lands back on it; the form sends
itself (a POST, counted by the wrong-code throttle like a typed code)."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
import segno
from django.utils import timezone

from sessions.models import Attendance, CheckInFailure
from sessions.services import MAX_FAILURES, check_in_code
from tests.factories import DiscussionSessionFactory

pytestmark = pytest.mark.django_db
CHECK_IN = "/courses/deep-learning/2016/check-in/"


@pytest.fixture
def running(offering):
    start = timezone.now() - dt.timedelta(minutes=10)
    return DiscussionSessionFactory(
        offering=offering, starts_at=start, ends_at=start + dt.timedelta(minutes=105),
        self_check_in=True,
    )  # fmt: skip


def qr_path(url: str) -> str:
    """The drawing of a QR code as the page draws it (segno's SVG path)."""
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, lineclass=None)
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_the_code_page_shows_a_qr_code_of_the_check_in_address_with_the_code(
    client, running, ta, django_assert_max_num_queries
):
    client.force_login(ta)
    url = f"/courses/deep-learning/2016/staff/sessions/{running.pk}/code/"
    response = client.get(url)
    html = response.content.decode()
    code = check_in_code(running)
    # The QR code is the page's one picture (the icons are decorative: aria-hidden).
    svg = re.search(r'<svg [^>]*role="img"[^>]*>.*?</svg>', html, re.DOTALL).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "style=" not in svg and "<script" not in svg
    assert qr_path(f"http://testserver{CHECK_IN}?code={code}") in svg
    assert "Or scan the QR code" in html
    # The code rotates; so does the QR code (the page reloads itself every 20 seconds).
    assert '<meta http-equiv="refresh" content="20">' in html
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp


def test_no_qr_code_outside_the_check_in_window(client, offering, ta):
    later = DiscussionSessionFactory(offering=offering, days_ago=-2, self_check_in=True)
    client.force_login(ta)
    html = client.get(f"/courses/deep-learning/2016/staff/sessions/{later.pk}/code/").content
    assert not re.search(rb'<svg [^>]*role="img"', html)


def test_a_scan_asks_for_the_log_in_and_lands_back_checked_in(
    client, running, accepted_student, password
):
    code = check_in_code(running)
    scanned = f"{CHECK_IN}?code={code}"
    response = client.get(scanned)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(scanned, safe='/')}"
    response = client.post(
        "/accounts/login/",
        {"username": accepted_student.email, "password": password, "next": scanned},
    )
    assert response["Location"] == scanned
    page = client.get(scanned).content.decode()
    assert f'value="{code}"' in page
    assert "data-autosubmit" in page and "js/check_in.js" in page
    form = re.search(
        r'<form method="post" action="([^"]+)" class="card card-body" data-autosubmit', page
    )
    assert form.group(1) == CHECK_IN  # the form posts without the code: sent once
    response = client.post(CHECK_IN, {"code": code}, follow=True)
    assert "You are marked present" in response.content.decode()
    assert Attendance.objects.get().status == "present"


def test_a_scanned_link_with_anything_but_a_code_fills_in_nothing(
    client, running, accepted_student
):
    client.force_login(accepted_student)
    page = client.get(CHECK_IN + "?code=<b>12</b>").content.decode()
    assert "data-autosubmit" not in page and "<b>12" not in page


def test_the_wrong_code_throttle_applies_to_scanned_codes(client, running, accepted_student):
    client.force_login(accepted_student)
    for _ in range(MAX_FAILURES):
        client.post(CHECK_IN, {"code": "000000"})
    response = client.post(CHECK_IN, {"code": check_in_code(running)}, follow=True)
    assert "Too many wrong codes" in response.content.decode()
    assert not Attendance.objects.exists()
    assert CheckInFailure.objects.count() == MAX_FAILURES
