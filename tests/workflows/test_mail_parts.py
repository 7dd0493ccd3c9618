"""Mails go out as plain text and HTML; the text part carries no Markdown syntax, and the
default enrolment mail says what the site does (issue 19)."""

import pytest
from django.core import mail

from accounts.enums import EnrolmentStatus as S
from accounts.enums import MailKind
from accounts.mailing import announcement_mail_students, queue_mail, send_due_mail
from accounts.models import OutgoingMail
from accounts.services import enrolment_decide
from course.rendering import markdown_to_text
from tests.factories import AnnouncementFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_announcement_is_sent_as_text_and_html_without_markdown_markers(offering, ta):
    EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__email="ada@example.org")
    announcement = AnnouncementFactory(
        offering=offering,
        title="Room change",
        body="Come **the day before** to _room 3_.\nBring [the slides](https://example.org/s).",
    )
    announcement_mail_students(announcement=announcement, by=ta)
    send_due_mail()
    (sent,) = mail.outbox
    assert "Come the day before to room 3.\nBring the slides (https://example.org/s)." in sent.body
    assert "**" not in sent.body and "_room" not in sent.body
    ((html, mimetype),) = sent.alternatives
    assert mimetype == "text/html"
    assert "<strong>the day before</strong>" in html
    assert '<a href="https://example.org/s"' in html
    # The address of the announcements, written as text, is a link in the HTML part.
    assert '<a href="http://testserver/courses/deep-learning/2016/announcements/"' in html
    assert sent.message().is_multipart()


def test_html_part_carries_no_script_from_the_body(offering):
    queue_mail(
        to_email="x@example.org",
        subject="<b>Hi</b>",
        body="Hello <script>alert(1)</script> **there**",
        kind=MailKind.ANNOUNCEMENT,
    )
    send_due_mail()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script" not in html and "alert" not in html
    assert "<title>&lt;b&gt;Hi&lt;/b&gt;</title>" in html
    assert "<strong>there</strong>" in html
    assert mail.outbox[0].body.split() == ["Hello", "there"]


def test_plain_text_keeps_lists_lines_and_code():
    text = "Steps:\n\n- one *item*\n- two\n\n1. first\n2. second\n\n```\nkeep  **this**\n```\n"
    assert markdown_to_text(text) == (
        "Steps:\n\n- one item\n- two\n\n1. first\n2. second\n\nkeep  **this**\n"
    )
    assert markdown_to_text("") == ""


def test_default_acceptance_mail_sends_students_to_this_site_for_quizzes(offering, ta):
    offering.video_platform_name = "Scalable Learning"
    offering.decisions_need_review = False
    offering.save()
    enrolment = EnrolmentFactory(offering=offering)
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    body = OutgoingMail.objects.get().body
    assert "quizzes are on Scalable Learning" not in body
    assert "The video lectures are on Scalable Learning" in body
    assert "The quizzes, your attendance, your project group and your progress" in body


def test_default_acceptance_mail_in_swedish(offering, ta):
    offering.video_platform_name = "Scalable Learning"
    offering.decisions_need_review = False
    offering.save()
    enrolment = EnrolmentFactory(offering=offering, student__language="sv")
    enrolment_decide(enrolment=enrolment, status=S.ACCEPTED, by=ta)
    body = OutgoingMail.objects.get().body
    assert "Videoföreläsningarna finns på Scalable Learning" in body
    assert "Quizzarna, din närvaro" in body
