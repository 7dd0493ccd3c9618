"""The workflows of issue 19 in a browser: a one-person group confirms its first upload; a
TA reads an acceptance mail on the application and sends it in one step (screenshots)."""

import pytest
from playwright.sync_api import expect

from accounts.enums import EnrolmentStatus as S
from accounts.models import Enrolment, OutgoingMail
from projects.models import Submission
from projects.services import group_create
from tests.factories import DeliverableFactory, EnrolmentFactory
from tests.projects.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_person_group_confirms_its_first_upload(login, offering, screenshot_dir, tmp_path):
    offering.group_size = 2
    offering.save()
    DeliverableFactory(offering=offering, title="Project report", slug="project-report")
    ada = EnrolmentFactory(offering=offering, status=S.ACCEPTED, student__full_name="Ada Byron")
    group_create(enrolment=ada, by=ada.student)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes(1))
    for width in (375, 1280):
        page = login(ada.student, "/me/deep-learning/2016/group/",
                     viewport={"width": width, "height": 900})  # fmt: skip
        report = page.locator("#deliverable-project-report")
        expect(report).to_contain_text("Your group has 1 member; groups have 2.")
        # The page's own content (the navbar is issue 18's, which overflows by a few pixels
        # at 1280 for a reason of its own).
        assert page.evaluate("document.querySelector('main').scrollWidth") <= width
        page.screenshot(path=screenshot_dir / f"workflows-small-group-{width}.png", full_page=True)
    report.get_by_label("PDF for Project report").set_input_files(pdf)
    report.get_by_label("I understand: nobody can join our group after this upload.").check()
    report.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Project report: version 1 uploaded")
    assert Submission.objects.count() == 1


def test_ta_reads_the_mail_and_accepts_in_one_step(login, offering, ta, screenshot_dir):
    offering.decisions_need_review = True
    offering.enrollment_key = "KEY-42"
    offering.platform_instructions = "Come to the **first session** on Monday."
    offering.save()
    bo = EnrolmentFactory(offering=offering, student__full_name="Bo Ek")
    page = login(ta, f"/admin/accounts/enrolment/{bo.pk}/change/")
    page.get_by_role("link", name="Accepted…").click()
    expect(page.locator("#decide")).to_contain_text("Dear Bo Ek")
    expect(page.locator("#decide strong", has_text="first session")).to_be_visible()
    page.screenshot(path=screenshot_dir / "workflows-decide-and-send.png", full_page=True)
    page.get_by_role("button", name="Accepted: decide and send this mail").click()
    expect(page.locator(".messagelist")).to_contain_text("Bo Ek is now accepted")
    assert Enrolment.objects.get(pk=bo.pk).status == S.ACCEPTED
    assert OutgoingMail.objects.get().status == "queued"
    page.screenshot(path=screenshot_dir / "workflows-decided.png", full_page=True)
