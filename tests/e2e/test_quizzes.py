"""A student ticks lectures as watched, takes a module's quiz and sees their progress in Chromium.

The ticks are sent with fetch() (static/js/site.js) and update the button in place; the quiz
is graded at once and shows its answers; a tampered form is refused; the TA sees the share
of right answers per question.
"""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import EnrolmentStatus
from course.enums import AnswersShown, QuestionKind
from course.models import Quiz, QuizAttempt, QuizChoice, QuizQuestion, WatchedPart
from course.services import lecture_set_parts
from tests.e2e.helpers import log_in
from tests.factories import (
    EnrolmentFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
    VideoLectureFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERING = "/courses/deep-learning/2016"
LECTURES = f"{OFFERING}/lectures/"
PROGRESS = "/me/deep-learning/2016/progress/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

MODULE = "Recurrent Neural Networks"
QUIZ_TITLE = "Recurrent Neural Networks: check your understanding"
SINGLE = "Which problem do LSTM units mainly address?"
SINGLE_RIGHT = "Vanishing gradients over long sequences"
MULTIPLE = "Which tasks suit sequence models?"
MULTIPLE_RIGHT = ("Machine translation", "Speech recognition")
MULTIPLE_WRONG = "Classifying one still image"
NUMERIC = (
    "A language model gives the right next word probability 0.83. What probability is left "
    "for all the other words together? (two decimals; a comma works too)"
)
EXPLANATIONS = (
    "The cell state lets gradients flow over many time steps.",
    "A single image has no sequence to model, unless you make one.",
    "The probabilities of all words add up to 1: 1 − 0.83 = 0.17.",
)


@pytest.fixture
def course(transactional_db):
    """Deep Learning 2016 with one module: a lecture in two parts, a lecture without parts, and
    a quiz open now (two attempts, answers shown at once) with a single-choice, a
    multiple-choice and a numeric question. An accepted student and a TA; no sessions."""
    offering = OfferingFactory(
        course__title="Deep Learning",
        course__slug="deep-learning",
        slug="2016",
        quiz_pass_percent=50,
        attendance_threshold=80,
    )
    module = ModuleFactory(
        offering=offering, order=1, title=MODULE, slug="recurrent-neural-networks"
    )
    in_parts = VideoLectureFactory(
        module=module, order=1, speaker="Andrej Karpathy", title="Recurrent neural networks"
    )
    parts = lecture_set_parts(lecture=in_parts, notation="Lec1, Lec2:1-2:11")
    whole = VideoLectureFactory(
        module=module, order=2, speaker="Nando de Freitas", title="Long short-term memory"
    )
    ta = UserFactory(full_name="Tess Assistant")
    StaffFactory(offering=offering, user=ta, name=ta.full_name)
    student = EnrolmentFactory(
        offering=offering,
        status=EnrolmentStatus.ACCEPTED,
        enrolled_on=None,
        student__full_name="Alice Andersson",
    )

    now = timezone.now()
    quiz = Quiz.objects.create(
        module=module,
        title=QUIZ_TITLE,
        introduction="Three questions on the module's lectures. You have two attempts.",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        attempts_allowed=1,  # answers show after the last attempt
        answers_shown=AnswersShown.AT_ONCE,
    )
    single = QuizQuestion.objects.create(
        quiz=quiz, order=1, kind=QuestionKind.SINGLE, text=SINGLE, explanation=EXPLANATIONS[0]
    )
    for order, (text, right) in enumerate(
        ((SINGLE_RIGHT, True), ("Overfitting", False), ("Slow inference", False)), 1
    ):
        QuizChoice.objects.create(question=single, order=order, text=text, is_correct=right)
    multiple = QuizQuestion.objects.create(
        quiz=quiz, order=2, kind=QuestionKind.MULTIPLE, text=MULTIPLE, explanation=EXPLANATIONS[1]
    )
    for order, (text, right) in enumerate(
        ((MULTIPLE_RIGHT[0], True), (MULTIPLE_RIGHT[1], True), (MULTIPLE_WRONG, False)), 1
    ):
        QuizChoice.objects.create(question=multiple, order=order, text=text, is_correct=right)
    numeric = QuizQuestion.objects.create(
        quiz=quiz,
        order=3,
        kind=QuestionKind.NUMERIC,
        text=NUMERIC,
        explanation=EXPLANATIONS[2],
        numeric_answer=Decimal("0.17"),
        tolerance=Decimal("0.01"),
    )
    return SimpleNamespace(
        offering=offering,
        module=module,
        lecture=in_parts,
        parts=parts,
        whole=whole,
        ta=ta,
        enrolment=student,
        student=student.student,
        quiz=quiz,
        single=single,
        multiple=multiple,
        numeric=numeric,
    )


def toggle(page, lecture, part=None):
    """The watched button of a lecture part (or of a lecture without parts)."""
    form = page.locator(f"#lecture-{lecture.pk} form.js-watched").filter(
        has=page.locator(f"input[name=part][value='{part.pk if part else ''}']")
    )
    return form.get_by_role("button")


def module_row(page):
    return page.locator("main table tbody tr", has=page.get_by_role("link", name=MODULE))


def question(page, number: int):
    return page.locator("main form fieldset").nth(number - 1)


def test_student_ticks_lectures_takes_the_quiz_and_sees_progress(
    browser, live_server, course, screenshot_dir
):
    pages = []
    lec1, lec2 = course.parts
    try:
        # 1. The student ticks "Lec1": the button changes in place, without a page load.
        student = log_in(browser, live_server, course.student, LECTURES)
        pages.append(student)
        expect(student.get_by_role("heading", name="Video lectures")).to_be_visible()
        lectures_url = student.url
        expect(toggle(student, course.lecture, lec1)).to_have_text("Lec1")
        expect(toggle(student, course.lecture, lec2)).to_have_text("Lec2:1-2:11")
        expect(toggle(student, course.whole)).to_have_text("Whole lecture")
        for button in (
            toggle(student, course.lecture, lec1),
            toggle(student, course.lecture, lec2),
            toggle(student, course.whole),
        ):
            expect(button).to_have_attribute("aria-pressed", "false")
        student.evaluate("window.notReloaded = true")

        button = toggle(student, course.lecture, lec1)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_text("✓ Lec1")
        expect(button).to_have_class(re.compile(r"\bbtn-success\b"))
        assert student.url == lectures_url
        assert student.evaluate("window.notReloaded === true"), "ticking reloaded the page"
        assert list(
            WatchedPart.objects.filter(enrolment=course.enrolment).values_list("part", flat=True)
        ) == [lec1.pk]

        student.reload()
        button = toggle(student, course.lecture, lec1)
        expect(button).to_have_text("✓ Lec1")
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_attribute("title", "Watched: click to undo")
        expect(toggle(student, course.lecture, lec2)).to_have_attribute("aria-pressed", "false")

        # The other part and the lecture without parts.
        for button, label in (
            (toggle(student, course.lecture, lec2), "✓ Lec2:1-2:11"),
            (toggle(student, course.whole), "✓ Whole lecture"),
        ):
            button.click()
            expect(button).to_have_attribute("aria-pressed", "true")
            expect(button).to_have_text(label)
        assert student.url == lectures_url
        assert WatchedPart.objects.filter(enrolment=course.enrolment).count() == 3
        student.mouse.move(0, 0)
        student.screenshot(
            path=screenshot_dir / "quizzes-lectures-ticked.png",
            full_page=True,
            animations="disabled",
        )

        # 2. The progress page: every lecture watched, the quiz still to take.
        student.goto(f"{live_server.url}{PROGRESS}")
        expect(student.get_by_role("heading", name="My progress")).to_be_visible()
        row = module_row(student)
        expect(row).to_have_count(1)
        expect(row.locator("td")).to_have_text(
            [re.compile(r"^3 of 3\s+tick$"), "take it", "–", "Not yet"]
        )
        student.screenshot(
            path=screenshot_dir / "quizzes-progress-before.png",
            full_page=True,
            animations="disabled",
        )

        # 3. The quiz: the single choice right, one of the two right choices, "0,17".
        row.get_by_role("link", name="take it").click()
        quiz_path = f"/me/deep-learning/2016/quizzes/{course.quiz.pk}/"
        student.wait_for_url(f"**{quiz_path}")
        expect(student.get_by_role("heading", name=QUIZ_TITLE)).to_be_visible()
        expect(student.locator("main")).to_contain_text("1 attempt, the best attempt counts")
        expect(student.locator("main form fieldset")).to_have_count(3)
        expect(question(student, 1).locator("legend")).to_contain_text(SINGLE)
        expect(student.locator(".alert-info")).to_have_count(0)  # no answers before trying
        student.get_by_role("radio", name=SINGLE_RIGHT).check()
        student.get_by_role("checkbox", name=MULTIPLE_RIGHT[0]).check()
        student.get_by_label("Answer to question 3").fill("0,17")
        student.get_by_role("button", name="Submit", exact=True).click()
        student.wait_for_url(f"**{quiz_path}")
        expect(student.get_by_role("alert")).to_contain_text("Attempt 1: 2 of 3 right.")
        expect(student.get_by_role("alert")).to_have_class(re.compile(r"\balert-success\b"))
        expect(student.locator("main")).to_contain_text("Attempt 1: 2 of 3 (counts)")

        # Right and wrong questions are marked, the right choices ticked, explanations shown.
        expect(question(student, 1)).to_have_class(re.compile(r"\bborder-success\b"))
        expect(question(student, 2)).to_have_class(re.compile(r"\bborder-danger\b"))
        expect(question(student, 3)).to_have_class(re.compile(r"\bborder-success\b"))
        for number, explanation in enumerate(EXPLANATIONS, 1):
            expect(question(student, number).locator(".alert-info")).to_have_text(explanation)
        right_labels = student.locator("main form label.text-success")
        expect(right_labels).to_have_text(
            [f"{SINGLE_RIGHT} ✓", f"{MULTIPLE_RIGHT[0]} ✓", f"{MULTIPLE_RIGHT[1]} ✓"]
        )
        expect(student.get_by_role("radio", name=SINGLE_RIGHT)).to_be_checked()
        expect(student.get_by_role("checkbox", name=MULTIPLE_RIGHT[0])).to_be_checked()
        expect(student.get_by_role("checkbox", name=MULTIPLE_RIGHT[1])).not_to_be_checked()
        expect(student.get_by_role("checkbox", name=MULTIPLE_WRONG)).not_to_be_checked()
        expect(question(student, 3)).to_contain_text("The answer: 0.17 (± 0.01)")
        expect(student.get_by_role("button", name=re.compile("^Submit"))).to_have_count(0)
        attempt = QuizAttempt.objects.get(quiz=course.quiz, enrolment=course.enrolment)
        assert (attempt.number, attempt.score, attempt.max_score) == (1, 2, 3)
        student.mouse.move(0, 0)
        student.screenshot(
            path=screenshot_dir / "quizzes-attempt-1.png", full_page=True, animations="disabled"
        )

        # 4. A tampered form (a choice of another question) is refused and nothing is stored.
        token = student.locator("main form input[name=csrfmiddlewaretoken]").input_value()
        # page.request shares the context's cookies: the session and the CSRF cookie.
        cookies = {c["name"] for c in student.context.cookies()}
        assert {"sessionid", "csrftoken"} <= cookies, cookies
        other_question_choice = course.multiple.choices.get(text=MULTIPLE_RIGHT[0])
        response = student.request.post(
            f"{live_server.url}{quiz_path}",
            form={
                "csrfmiddlewaretoken": token,
                f"q-{course.single.pk}": str(other_question_choice.pk),
                f"q-{course.multiple.pk}": str(other_question_choice.pk),
                f"q-{course.numeric.pk}": "0.17",
            },
            headers={"Referer": f"{live_server.url}{quiz_path}"},
        )
        assert response.ok, response.status
        assert response.url.endswith(quiz_path)
        body = response.text()
        assert "A choice in the form does not belong to its question; reload it." in body
        assert "Nothing was saved." in body
        assert "Attempt 2" not in body
        assert QuizAttempt.objects.filter(quiz=course.quiz, enrolment=course.enrolment).count() == 1
        student.reload()
        expect(student.locator("main .alert-light")).to_contain_text("Attempt 1: 2 of 3")
        expect(student.locator("main .alert-light")).not_to_contain_text("Attempt 2")
        expect(student.get_by_role("button", name=re.compile("^Submit"))).to_have_count(0)

        # 5. The progress page: 67 %, and the module complete (no sessions held, 67 ≥ 50).
        student.get_by_role("navigation", name="breadcrumb").get_by_role(
            "link", name="Progress"
        ).click()
        student.wait_for_url(f"**{PROGRESS}")
        row = module_row(student)
        expect(row.locator("td")).to_have_text(
            [re.compile(r"^3 of 3\s+tick$"), "67 %", "–", "Complete"]
        )
        expect(row.locator(".badge")).to_have_class(re.compile(r"\btext-bg-success\b"))
        expect(row.get_by_role("link", name="67 %")).to_have_attribute(
            "href", re.compile(rf"{re.escape(quiz_path)}$")
        )
        student.screenshot(
            path=screenshot_dir / "quizzes-progress-after.png",
            full_page=True,
            animations="disabled",
        )

        # The quiz page on a phone.
        phone = browser.new_context(
            viewport=PHONE, is_mobile=True, storage_state=student.context.storage_state()
        )
        mobile = phone.new_page()
        pages.append(mobile)
        mobile.goto(f"{live_server.url}{quiz_path}")
        expect(mobile.get_by_role("heading", name=QUIZ_TITLE)).to_be_visible()
        expect(question(mobile, 2)).to_have_class(re.compile(r"\bborder-danger\b"))
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the quiz page scrolls sideways on a phone ({width}px)"
        mobile.screenshot(
            path=screenshot_dir / "quizzes-quiz-phone.png", full_page=True, animations="disabled"
        )

        # 6. The TA's statistics: nobody got the multiple choice right, everybody the number.
        statistics = f"{OFFERING}/staff/quizzes/{course.quiz.pk}/"
        teacher = log_in(browser, live_server, course.ta, statistics)
        pages.append(teacher)
        expect(teacher.get_by_role("heading", name=QUIZ_TITLE)).to_be_visible()
        expect(teacher.locator("main")).to_contain_text("1 student answered")
        cards = teacher.locator("main article.card")
        expect(cards).to_have_count(3)
        expect(cards.nth(0)).to_contain_text(SINGLE)
        expect(cards.nth(0)).to_contain_text("100 % right")
        expect(cards.nth(1)).to_contain_text(MULTIPLE)
        expect(cards.nth(1)).to_contain_text("0 % right")
        expect(cards.nth(1)).to_have_class(re.compile(r"\bborder-danger\b"))
        expect(cards.nth(2)).to_contain_text("A language model gives the right next word")
        expect(cards.nth(2)).to_contain_text("100 % right")
        teacher.screenshot(
            path=screenshot_dir / "quizzes-staff-statistics.png",
            full_page=True,
            animations="disabled",
        )
    finally:
        for opened in pages:
            opened.context.close()
