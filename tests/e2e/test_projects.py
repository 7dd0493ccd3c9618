"""Two students form a project group, submit a proposal and upload a report in Chromium.

Each student has their own browser context; the TA decides the proposal and writes feedback.
"""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import EnrolmentStatus
from accounts.models import OutgoingMail
from projects.demo import demo_pdf
from projects.enums import ProposalStatus
from projects.models import Deliverable, ProjectGroup, Submission
from tests.e2e.helpers import field, log_in
from tests.factories import (
    EnrolmentFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERING = "/courses/deep-learning/2016"
MY_PAGE = "/me/deep-learning/2016/"
MY_GROUP = "/me/deep-learning/2016/group/"
STAFF_PROJECTS = f"{OFFERING}/staff/projects/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

ALICE, BERTIL = "Alice Andersson", "Bertil Berg"
TITLE = "Sentiment classification of film reviews"
DESCRIPTION = (
    "We classify the sentiment of film reviews with a recurrent network over word "
    "embeddings and compare it with a bag-of-words baseline, using dropout against "
    "overfitting."
)
TOPICS = ("Recurrent Neural Networks", "Regularization")
FEEDBACK = "A clear report. Add the baseline's numbers to the results table."
COMMENT = "A good plan; keep the baseline simple."


@pytest.fixture
def course(transactional_db, tmp_path):
    """Deep Learning 2016 (groups of 2) with three modules, a TA, two accepted students, the
    4-page "Project report" due in 10 days, and a 4-page and a 5-page PDF on disk."""
    offering = OfferingFactory(
        course__title="Deep Learning",
        course__slug="deep-learning",
        slug="2016",
        group_size=2,
    )
    for order, title in enumerate(
        ("Recurrent Neural Networks", "Convolutional Neural Networks", "Regularization"), 1
    ):
        ModuleFactory(
            offering=offering, order=order, title=title, slug=title.lower().replace(" ", "-")
        )
    ta = UserFactory(full_name="Tess Assistant")
    StaffFactory(offering=offering, user=ta, name=ta.full_name)

    def accepted(name):
        return EnrolmentFactory(
            offering=offering,
            status=EnrolmentStatus.ACCEPTED,
            enrolled_on=None,
            student__full_name=name,
        ).student

    report = Deliverable.objects.create(
        offering=offering,
        order=1,
        title="Project report",
        slug="project-report",
        description="A 4-page short paper, including references.",
        due_at=timezone.now() + dt.timedelta(days=10),
        max_pages=4,
        max_size_mb=10,
        accepts_late=True,
    )
    authors = (ALICE, BERTIL)
    four_pages = tmp_path / "report-4-pages.pdf"
    four_pages.write_bytes(demo_pdf(TITLE, authors, "Project report", 4))
    five_pages = tmp_path / "report-5-pages.pdf"
    five_pages.write_bytes(demo_pdf(TITLE, authors, "Project report", 5))
    return SimpleNamespace(
        offering=offering,
        ta=ta,
        alice=accepted(ALICE),
        bertil=accepted(BERTIL),
        report=report,
        four_pages=four_pages,
        five_pages=five_pages,
    )


def group_card(page):
    """The aside card with the group's number, members and invite code."""
    heading = page.get_by_role("heading", name=re.compile(r"^Group \d+$"))
    return page.locator("aside section.card", has=heading)


def deliverable(page, slug: str):
    return page.locator(f"#deliverable-{slug}")


def test_two_students_form_a_group_submit_a_proposal_and_upload_a_report(
    browser, live_server, course, screenshot_dir
):
    pages = []
    try:
        # 1. Alice creates a group and gets its invite code.
        alice = log_in(browser, live_server, course.alice, MY_GROUP)
        pages.append(alice)
        expect(alice.get_by_role("heading", name="Your project group")).to_be_visible()
        expect(alice.locator("main")).to_contain_text("Projects are done in groups of 2.")
        alice.get_by_role("button", name="Create a group").click()
        alice.wait_for_url(f"**{MY_GROUP}")
        message = alice.get_by_role("alert")
        expect(message).to_contain_text(
            re.compile(r"Group 1 created\. Send its invite code [A-Z2-9]{8} to your partner\.")
        )
        code = re.search(r"invite code ([A-Z2-9]{8})", message.inner_text()).group(1)
        card = group_card(alice)
        expect(card.get_by_role("heading", name="Group 1")).to_be_visible()
        expect(card.locator("code")).to_have_text(code)
        expect(card.locator("li")).to_have_text([f"{ALICE} (you)"])
        invite_link = card.get_by_label("Invite link")
        expect(invite_link).to_have_value(re.compile(rf"\?code={code}$"))
        invite_url = invite_link.input_value()
        assert ProjectGroup.objects.get(offering=course.offering).invite_code == code
        expect(alice.locator("#proposal .badge")).to_have_text("Draft")
        alice.screenshot(path=screenshot_dir / "projects-group-created.png", full_page=True)

        # 2. Bertil opens the invite link: the code is filled in, he joins.
        bertil = log_in(browser, live_server, course.bertil, MY_GROUP)
        pages.append(bertil)
        bertil.goto(invite_url)
        expect(bertil.get_by_role("heading", name="Join a group")).to_be_visible()
        expect(bertil.get_by_label(field("Invite code"))).to_have_value(code)
        bertil.screenshot(path=screenshot_dir / "projects-join-before.png", full_page=True)
        bertil.get_by_role("button", name="Join", exact=True).click()
        bertil.wait_for_url(f"**{MY_GROUP}")
        expect(bertil.get_by_role("alert")).to_contain_text("You joined Group 1.")
        card = group_card(bertil)
        expect(card.get_by_role("heading", name="Group 1")).to_be_visible()
        expect(card.locator("li")).to_have_text([ALICE, f"{BERTIL} (you)"])
        expect(card.get_by_label("Invite link")).to_have_count(0)  # the group is full
        bertil.screenshot(path=screenshot_dir / "projects-join-after.png", full_page=True)

        # 3. Alice sees Bertil, writes the proposal and submits it.
        alice.reload()
        expect(group_card(alice).locator("li")).to_have_text([f"{ALICE} (you)", BERTIL])
        expect(group_card(alice).locator("code")).to_have_count(0)
        proposal = alice.locator("#proposal")
        proposal.get_by_label(field("Title")).fill(TITLE)
        proposal.get_by_label(field("Description")).fill(DESCRIPTION)
        for topic in TOPICS:
            proposal.get_by_role("checkbox", name=topic).check()
        proposal.get_by_role("button", name="Save and submit for a decision").click()
        alice.wait_for_url(f"**{MY_GROUP}")
        expect(alice.get_by_role("alert")).to_contain_text(
            "Proposal submitted. You will be mailed the decision."
        )
        expect(proposal.locator(".badge")).to_have_text("Submitted")
        expect(proposal.get_by_label(field("Title"))).to_have_value(TITLE)
        expect(proposal.get_by_label(field("Title"))).to_be_disabled()
        for topic in TOPICS:
            expect(proposal.get_by_role("checkbox", name=topic)).to_be_checked()
        expect(
            proposal.get_by_role("checkbox", name="Convolutional Neural Networks")
        ).not_to_be_checked()
        expect(proposal.get_by_role("button", name="Save and submit for a decision")).to_have_count(
            0
        )
        expect(group_card(alice)).to_contain_text("Your group has handed in work")
        expect(alice.get_by_role("button", name="Leave the group")).to_have_count(0)
        alice.screenshot(path=screenshot_dir / "projects-proposal-submitted.png", full_page=True)

        # 4. Bertil uploads the report: 5 pages are refused, 4 pages are taken.
        bertil.reload()
        report = deliverable(bertil, "project-report")
        expect(report.locator(".badge")).to_have_text("Not submitted yet")
        expect(report).to_contain_text("PDF, at most 4 pages, at most 10 MB.")
        report.get_by_label("PDF for Project report").set_input_files(course.five_pages)
        report.get_by_role("button", name="Upload", exact=True).click()
        refusal = bertil.get_by_role("alert")
        expect(refusal).to_contain_text("Project report: not uploaded. 5 pages, the limit is 4.")
        expect(refusal).to_have_class(re.compile(r"\balert-(danger|error)\b"))
        expect(report.locator(".badge")).to_have_text("Not submitted yet")
        expect(report.get_by_role("link", name=re.compile(r"^Version "))).to_have_count(0)
        assert not Submission.objects.exists()
        bertil.screenshot(path=screenshot_dir / "projects-upload-refused.png", full_page=True)

        report.get_by_label("PDF for Project report").set_input_files(course.four_pages)
        report.get_by_role("button", name="Upload", exact=True).click()
        expect(bertil.get_by_role("alert")).to_contain_text(
            "Project report: version 1 uploaded (4 pages)."
        )
        expect(report.locator(".badge")).to_have_text("Submitted on time")
        expect(report.locator("li")).to_contain_text("4 pages")
        expect(report.locator("li")).to_contain_text(f"by {BERTIL}")
        expect(report.get_by_role("button", name="Upload a new version")).to_be_visible()
        bertil.screenshot(path=screenshot_dir / "projects-upload-done.png", full_page=True)

        with bertil.expect_download() as download_info:
            report.get_by_role("link", name="Version 1").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        assert download.suggested_filename == "deep-learning-2016-group1-project-report-v1.pdf"
        content = Path(download.path()).read_bytes()
        assert content.startswith(b"%PDF")
        assert content == course.four_pages.read_bytes()

        # 5. Alice's page of the offering shows the group, the proposal and the report.
        alice.goto(f"{live_server.url}{MY_PAGE}")
        project = alice.locator(
            "section", has=alice.get_by_role("heading", name="Project", exact=True)
        )
        expect(project).to_contain_text(f"Group 1: {ALICE}, {BERTIL}.")
        expect(project).to_contain_text(f"Proposal “{TITLE}”: submitted.")
        expect(project.locator("strong")).to_have_text("submitted")
        row = project.locator("li.list-group-item", has_text="Project report")
        expect(row.locator(".badge")).to_have_text("Submitted on time")
        expect(project.get_by_role("link", name="Proposal and uploads")).to_be_visible()
        alice.screenshot(path=screenshot_dir / "projects-my-offering.png", full_page=True)

        # 6. The TA sees the group, accepts the proposal and writes feedback on the report.
        teacher = log_in(browser, live_server, course.ta, STAFF_PROJECTS)
        pages.append(teacher)
        expect(teacher.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
        expect(teacher.locator("main")).to_contain_text(
            "1 group, 0 accepted students without a group."
        )
        expect(teacher.locator("main")).to_contain_text("Every accepted student is in a group.")
        table = teacher.locator("main table")
        expect(table.locator("thead th")).to_have_text(
            ["Group", "Members", "Proposal", "Project report"]
        )
        group_row = table.locator("tbody tr")
        expect(group_row).to_have_count(1)
        expect(group_row.locator("td")).to_have_text(
            [
                "Group 1",
                f"{ALICE}, {BERTIL}",
                re.compile(rf"^{re.escape(TITLE)}\s+Submitted$"),
                re.compile(r"^v1\s+on time$"),
            ]
        )
        teacher.screenshot(path=screenshot_dir / "projects-staff-overview.png", full_page=True)

        group_row.get_by_role("link", name="Group 1").click()
        teacher.wait_for_url(f"**{STAFF_PROJECTS}1/")
        expect(teacher.get_by_role("heading", name=f"Group 1: {TITLE}")).to_be_visible()
        main = teacher.locator("main")
        expect(main).to_contain_text(course.alice.email)
        expect(main).to_contain_text(course.bertil.email)
        expect(main).to_contain_text(DESCRIPTION)
        teacher.screenshot(path=screenshot_dir / "projects-staff-group.png", full_page=True)

        decision = teacher.locator("form", has=teacher.get_by_role("heading", name="Decision"))
        decision.get_by_role("radio", name="Accept").check()
        decision.get_by_label(field("Comment")).fill(COMMENT)
        decision.get_by_role("button", name="Decide and notify the group").click()
        teacher.wait_for_url(f"**{STAFF_PROJECTS}1/")
        expect(teacher.get_by_role("alert")).to_contain_text(
            "Proposal accepted; the group's mail is in the outbox."
        )
        expect(teacher.get_by_role("button", name="Decide and notify the group")).to_have_count(0)
        expect(main.locator("ul.small li")).to_have_text(
            [
                re.compile(rf"Submitted by {ALICE}$"),
                re.compile(rf"Accepted by Tess Assistant: {re.escape(COMMENT)}$"),
            ]
        )
        mails = OutgoingMail.objects.filter(subject__endswith="proposal accepted")
        assert sorted(mail.to_email for mail in mails) == sorted(
            [course.alice.email, course.bertil.email]
        )

        feedback = teacher.get_by_label("Feedback on version 1")
        feedback.fill(FEEDBACK)
        feedback.locator("xpath=..").get_by_role("button", name="Save feedback").click()
        teacher.wait_for_url(f"**{STAFF_PROJECTS}1/")
        expect(teacher.get_by_role("alert")).to_contain_text(
            "Feedback saved on Project report v1 (Group 1)."
        )
        expect(teacher.get_by_label("Feedback on version 1")).to_have_value(FEEDBACK)
        teacher.mouse.move(0, 0)
        teacher.screenshot(path=screenshot_dir / "projects-staff-group-decided.png", full_page=True)

        # Alice sees the decision and the feedback on her group page.
        alice.goto(f"{live_server.url}{MY_GROUP}")
        proposal = alice.locator("#proposal")
        expect(proposal.locator(".badge")).to_have_text("Accepted")
        expect(proposal.locator(".alert")).to_contain_text(f"Comment from the teachers: {COMMENT}")
        report = deliverable(alice, "project-report")
        expect(report.locator(".alert")).to_contain_text(f"Feedback: {FEEDBACK}")
        alice.screenshot(path=screenshot_dir / "projects-feedback.png", full_page=True)
        assert course.alice.enrolments.get().membership.group.proposal.status == (
            ProposalStatus.ACCEPTED
        )

        # The same page on a phone.
        phone = browser.new_context(
            viewport=PHONE, is_mobile=True, storage_state=alice.context.storage_state()
        )
        mobile = phone.new_page()
        pages.append(mobile)
        mobile.goto(f"{live_server.url}{MY_GROUP}")
        expect(mobile.locator("#proposal .badge")).to_have_text("Accepted")
        expect(deliverable(mobile, "project-report").locator(".alert")).to_contain_text(FEEDBACK)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the group page scrolls sideways on a phone ({width}px)"
        mobile.screenshot(path=screenshot_dir / "projects-group-phone.png", full_page=True)
    finally:
        for opened in pages:
            opened.context.close()
