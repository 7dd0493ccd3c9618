"""Check-in from a phone, in a browser: the TA's code page shows the QR code; a student who
opens its address on a phone logs in, lands on the check-in page and is checked in without
typing (the form sends itself); no CSP violation on either page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.enums import EnrolmentStatus
from sessions.models import Attendance
from sessions.services import check_in_code
from tests.e2e.helpers import PHONE, field
from tests.factories import DiscussionSessionFactory, EnrolmentFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_student_scans_the_qr_code_and_is_checked_in(
    browser, live_server, login, offering, ta, screenshot_dir
):
    start = timezone.now() - dt.timedelta(minutes=10)
    session = DiscussionSessionFactory(
        offering=offering, starts_at=start, ends_at=start + dt.timedelta(minutes=105),
        self_check_in=True,
    )  # fmt: skip
    student = EnrolmentFactory(offering=offering, status=EnrolmentStatus.ACCEPTED).student
    violations = []
    teacher = login(ta, f"/courses/deep-learning/2016/staff/sessions/{session.pk}/code/")
    teacher.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    assert teacher.locator("svg.checkin-qr").is_visible()
    teacher.screenshot(path=screenshot_dir / "check-in-code-qr.png", full_page=True)

    code = check_in_code(session)
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    phone.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    phone.goto(f"{live_server.url}/courses/deep-learning/2016/check-in/?code={code}")
    phone.get_by_label(field("Email address")).fill(student.email)
    phone.get_by_label(field("Password")).fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_text(re.compile("You are marked present")).wait_for()
    phone.screenshot(path=screenshot_dir / "check-in-scanned-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    assert Attendance.objects.get(enrolment__student=student).status == "present"
    assert violations == []
