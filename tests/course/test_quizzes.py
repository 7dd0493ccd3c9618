"""Quizzes: validation, taking them, tampering, attempts; watched lectures; progress."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from accounts.enums import EnrolmentStatus as S
from course.models import Quiz, QuizAttempt, QuizChoice, QuizQuestion, WatchedPart
from course.quizzes import (
    counted_attempt,
    parse_number,
    quiz_statistics,
    quiz_submit,
    validate_question,
    watched_set,
)
from course.services import lecture_set_parts
from sessions.progress import progress_for
from sessions.services import register_save
from tests.factories import (
    DiscussionSessionFactory,
    EnrolmentFactory,
    ModuleFactory,
    VideoLectureFactory,
)
from tests.page_keeping import KEEPING

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def module(offering):
    return ModuleFactory(offering=offering, title="Recurrent Neural Networks", slug="rnn")


@pytest.fixture
def quiz(module):
    quiz = Quiz.objects.create(
        module=module, title="RNN quiz", opens_at=NOW - dt.timedelta(hours=1),
        closes_at=NOW + dt.timedelta(days=1), attempts_allowed=2,
    )  # fmt: skip
    single = QuizQuestion.objects.create(quiz=quiz, order=1, kind="single", text="LSTM fixes?",
                                         explanation="Gradients.")  # fmt: skip
    for order, (text, right) in enumerate([("Vanishing gradients", True), ("Overfitting", False),
                                           ("Speed", False)]):  # fmt: skip
        QuizChoice.objects.create(question=single, order=order, text=text, is_correct=right)
    multiple = QuizQuestion.objects.create(quiz=quiz, order=2, kind="multiple", text="Sequences?")
    for order, (text, right) in enumerate([("Translation", True), ("Speech", True),
                                           ("One image", False)]):  # fmt: skip
        QuizChoice.objects.create(question=multiple, order=order, text=text, is_correct=right)
    QuizQuestion.objects.create(quiz=quiz, order=3, kind="numeric", text="Percent?",
                                numeric_answer="0.17", tolerance="0.01")  # fmt: skip
    return quiz


@pytest.fixture
def student_enrolment(offering):
    return EnrolmentFactory(offering=offering, status=S.ACCEPTED)


def answers(
    quiz, single="Vanishing gradients", multiple=("Translation", "Speech"), number="0.17",
    attempt="1",
):  # fmt: skip
    questions = {q.kind: q for q in quiz.questions.all()}
    data = QueryDict(mutable=True)
    data["attempt"] = attempt  # the attempt the quiz page's form is for
    pick = {c.text: c.pk for c in QuizChoice.objects.filter(question__quiz=quiz)}
    data.setlist(f"q-{questions['single'].pk}", [str(pick[single])])
    data.setlist(f"q-{questions['multiple'].pk}", [str(pick[m]) for m in multiple])
    data.setlist(f"q-{questions['numeric'].pk}", [number])
    return data


@pytest.mark.parametrize(
    ("kind", "correct", "total", "number", "message"),
    [
        ("single", 2, 3, None, "exactly one correct choice"),
        ("single", 0, 3, None, "exactly one correct choice"),
        ("multiple", 0, 3, None, "at least one correct choice"),
        ("single", 1, 1, None, "at least two choices"),
        ("numeric", 0, 0, None, "needs its answer"),
    ],
)
def test_questions_need_a_right_answer(kind, correct, total, number, message):
    with pytest.raises(ValidationError, match=message):
        validate_question(kind, correct, total, number)


@pytest.mark.parametrize(("text", "value"), [("0,17", "0.17"), (" 1 000,5 ", "1000.5"), ("3", "3")])
def test_numbers_parse_with_comma_or_point(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1e20", "123456789.5", "1e999999999"])
def test_numbers_too_large_to_store_are_refused(text):
    with pytest.raises(ValidationError, match="is too large"):
        parse_number(text)


@pytest.mark.parametrize("text", ["abc", "1,2,3", "NaN", "inf", ""])
def test_bad_numbers_are_refused(text):
    with pytest.raises(ValidationError, match="is not a number"):
        parse_number(text)


def test_grading_counts_right_answers(quiz, student_enrolment):
    data = answers(quiz, multiple=("Translation",), number="0,175")
    attempt = quiz_submit(quiz=quiz, enrolment=student_enrolment, data=data)
    assert (attempt.score, attempt.max_score) == (2, 3)
    assert [a.is_correct for a in attempt.answers.order_by("question__order")] == [
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(
    "tamper",
    ["other_question_choice", "missing_question", "extra_question", "two_single_choices"],
)
def test_tampered_forms_are_refused_and_store_nothing(quiz, module, student_enrolment, tamper):
    data = answers(quiz)
    single = quiz.questions.get(kind="single")
    multiple = quiz.questions.get(kind="multiple")
    if tamper == "other_question_choice":
        data.setlist(f"q-{single.pk}", [str(multiple.choices.first().pk)])
    elif tamper == "missing_question":
        del data[f"q-{multiple.pk}"]
    elif tamper == "extra_question":
        other = Quiz.objects.create(module=module, title="x", opens_at=NOW, closes_at=NOW)
        stray = QuizQuestion.objects.create(quiz=other, kind="numeric", text="?", numeric_answer=1)
        data.setlist(f"q-{stray.pk}", ["1"])
    else:
        data.setlist(f"q-{single.pk}", [str(c.pk) for c in single.choices.all()[:2]])
    with pytest.raises(ValidationError):
        quiz_submit(quiz=quiz, enrolment=student_enrolment, data=data)
    assert not QuizAttempt.objects.exists()


def test_closed_quiz_refuses_answers(quiz, student_enrolment):
    with pytest.raises(ValidationError, match="answers are no longer accepted"):
        quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz),
                    now=quiz.closes_at + dt.timedelta(minutes=1))  # fmt: skip
    assert not QuizAttempt.objects.exists()


def test_attempts_are_limited_and_the_best_or_last_counts(quiz, student_enrolment):
    good = quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz))
    worse = quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz, number="5"))
    with pytest.raises(ValidationError, match="You have used your 2 attempts"):
        quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz))
    attempts = [good, worse]
    assert counted_attempt(quiz, attempts) == good
    quiz.counting = "last"
    assert counted_attempt(quiz, attempts) == worse


def test_only_accepted_students_of_the_offering_take_the_quiz(quiz, offering, other_offering):
    for enrolment in (EnrolmentFactory(offering=offering, status=S.APPLIED),
                      EnrolmentFactory(offering=other_offering, status=S.ACCEPTED)):  # fmt: skip
        with pytest.raises(ValidationError, match="Only students enrolled"):
            quiz_submit(quiz=quiz, enrolment=enrolment, data=answers(quiz))
    assert not QuizAttempt.objects.exists()


def test_answers_wait_for_the_last_attempt(client, quiz, student_enrolment):
    client.force_login(student_enrolment.student)
    url = f"/me/deep-learning/2016/quizzes/{quiz.pk}/"
    page = client.post(url, answers(quiz, multiple=("Translation",)), follow=True).content.decode()
    assert "after your last attempt or when the quiz closes" in page
    assert "Gradients." not in page
    assert "Submit attempt 2" in page


def test_quiz_page_shows_explanations_after_the_last_attempt(client, quiz, student_enrolment):
    quiz.attempts_allowed = 1
    quiz.save()
    client.force_login(student_enrolment.student)
    url = f"/me/deep-learning/2016/quizzes/{quiz.pk}/"
    response = client.post(url, answers(quiz, multiple=("Translation",)), follow=True)
    page = response.content.decode()
    assert "Attempt 1: 2 of 3 right." in page
    assert "Gradients." in page
    assert "The answer: 0.17 (± 0.01)" in page


def test_answers_wait_until_closing_when_the_quiz_says_so(client, quiz, student_enrolment):
    quiz.answers_shown = "after_close"
    quiz.save()
    client.force_login(student_enrolment.student)
    url = f"/me/deep-learning/2016/quizzes/{quiz.pk}/"
    page = client.post(url, answers(quiz), follow=True).content.decode()
    assert "Answers and explanations are shown after the quiz closes." in page
    assert "Gradients." not in page


def test_questions_stay_hidden_until_the_quiz_opens(client, quiz, student_enrolment):
    quiz.opens_at = NOW + dt.timedelta(days=5)
    quiz.closes_at = NOW + dt.timedelta(days=6)
    quiz.save()
    client.force_login(student_enrolment.student)
    page = client.get(f"/me/deep-learning/2016/quizzes/{quiz.pk}/").content.decode()
    assert "The quiz opens" in page
    assert "LSTM fixes?" not in page


@pytest.mark.parametrize("who", ["student", "other_student", "ta", "other_ta"])
def test_quiz_and_progress_pages_are_404_for_others(client, quiz, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/me/deep-learning/2016/quizzes/{quiz.pk}/").status_code == 404
    assert client.get("/me/deep-learning/2016/progress/").status_code == 404


def test_quiz_statistics_find_the_question_most_got_wrong(client, quiz, offering, ta):
    for index in range(4):
        enrolment = EnrolmentFactory(offering=offering, status=S.ACCEPTED)
        multiple = ("Translation", "One image") if index < 3 else ("Translation", "Speech")
        quiz_submit(quiz=quiz, enrolment=enrolment, data=answers(quiz, multiple=multiple))
    students, rows = quiz_statistics(quiz)
    assert students == 4
    by_kind = {row["question"].kind: row for row in rows}
    assert by_kind["multiple"]["right_percent"] == 25
    assert by_kind["multiple"]["common_wrong"] == ("One image", 3)
    assert by_kind["single"]["right_percent"] == 100
    client.force_login(ta)
    page = client.get(f"/courses/deep-learning/2016/staff/quizzes/{quiz.pk}/").content.decode()
    assert "25 % right" in page
    assert "Most common wrong choice: “One image” (3)" in page


@pytest.mark.parametrize("who", ["student", "accepted_student", "other_ta"])
def test_staff_quiz_pages_are_404_for_others(client, quiz, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/courses/deep-learning/2016/staff/quizzes/{quiz.pk}/").status_code == 404
    assert client.get("/courses/deep-learning/2016/staff/progress/").status_code == 404


# Watched lectures and progress ------------------------------------------------------------------


@pytest.fixture
def lectures(module):
    with_parts = VideoLectureFactory(module=module, speaker="Hugo Larochelle")
    lecture_set_parts(lecture=with_parts, notation="Lec1, Lec2:1-2:11")
    whole = VideoLectureFactory(module=module, speaker="Alex Graves")
    return with_parts, whole


def test_ticking_watched_parts_is_idempotent_and_reversible(lectures, student_enrolment):
    with_parts, whole = lectures
    part = with_parts.parts.first()
    for _ in range(2):
        watched_set(enrolment=student_enrolment, lecture=with_parts, part=part, watched=True)
    watched_set(enrolment=student_enrolment, lecture=whole, part=None, watched=True)
    assert WatchedPart.objects.count() == 2
    watched_set(enrolment=student_enrolment, lecture=whole, part=None, watched=False)
    assert WatchedPart.objects.count() == 1
    with pytest.raises(ValidationError, match="parts one by one"):
        watched_set(enrolment=student_enrolment, lecture=with_parts, part=None, watched=True)


def test_watched_form_works_without_javascript(client, lectures, student_enrolment):
    with_parts, _ = lectures
    client.force_login(student_enrolment.student)
    part = with_parts.parts.first()
    response = client.post("/me/deep-learning/2016/watched/",
                           {"lecture": with_parts.pk, "part": part.pk, "watched": "1"})  # fmt: skip
    assert response.status_code == 302
    page = client.get("/courses/deep-learning/2016/lectures/").content.decode()
    assert "✓ Lec1" in page
    response = client.post("/me/deep-learning/2016/watched/",
                           {"lecture": with_parts.pk, "part": part.pk, "watched": "0"},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.json() == {"watched": False}
    assert not WatchedPart.objects.filter(part=part).exists()
    page = client.get("/courses/deep-learning/2016/lectures/").content.decode()
    assert "✓ Lec1" not in page


def test_watched_lecture_of_another_offering_is_404(client, other_offering, student_enrolment):
    theirs = VideoLectureFactory(module=ModuleFactory(offering=other_offering))
    client.force_login(student_enrolment.student)
    response = client.post(
        "/me/deep-learning/2016/watched/", {"lecture": theirs.pk, "watched": "1"}
    )
    assert response.status_code == 404
    assert not WatchedPart.objects.exists()


def test_module_complete_needs_lectures_quiz_and_sessions(
    offering, module, quiz, lectures, student_enrolment, ta
):
    held = DiscussionSessionFactory(offering=offering, module=module, days_ago=2)
    DiscussionSessionFactory(offering=offering, module=module, days_ago=-3)  # to come

    def progress():
        return progress_for(offering, [student_enrolment])[student_enrolment.pk][0]

    assert (progress().parts_total, progress().complete) == (3, False)
    for lecture in lectures:
        for part in list(lecture.parts.all()) or [None]:
            watched_set(enrolment=student_enrolment, lecture=lecture, part=part, watched=True)
    quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz, number="9"))
    assert progress().quiz_percent == pytest.approx(66.67, abs=0.01)
    assert not progress().complete  # the held session was missed
    register_save(session=held, entries={student_enrolment.pk: ("present", False)}, by=ta)
    assert progress().complete


@pytest.mark.parametrize("scale", [1, 10])
def test_progress_pages_query_counts_are_fixed(
    client, django_assert_num_queries, offering, ta, scale
):
    enrolments = EnrolmentFactory.create_batch(2 * scale, offering=offering, status=S.ACCEPTED)
    for index in range(3 * scale):
        module = ModuleFactory(offering=offering, slug=f"m{index}")
        lecture = VideoLectureFactory(module=module)
        lecture_set_parts(lecture=lecture, notation="A, B")
        quiz = Quiz.objects.create(module=module, title=f"Q{index}", opens_at=NOW,
                                   closes_at=NOW + dt.timedelta(days=1))  # fmt: skip
        QuizQuestion.objects.create(quiz=quiz, kind="numeric", text="?", numeric_answer=1)
        DiscussionSessionFactory(offering=offering, module=module, days_ago=1)
        for enrolment in enrolments:
            data = QueryDict(mutable=True)
            data.setlist(f"q-{quiz.questions.get().pk}", ["1"])
            quiz_submit(quiz=quiz, enrolment=enrolment, data=data)
            watched_set(enrolment=enrolment, lecture=lecture, part=lecture.parts.first(),
                        watched=True)  # fmt: skip
    client.force_login(enrolments[0].student)
    with django_assert_num_queries(11 + KEEPING):
        page = client.get("/me/deep-learning/2016/progress/").content.decode()
    assert page.count("100 %") >= 3 * scale  # every module's quiz, answered right
    # The public page plus the student's enrolment and what they ticked.
    with django_assert_num_queries(8):
        page = client.get("/courses/deep-learning/2016/lectures/").content.decode()
    assert page.count("✓ A") == 3 * scale  # each lecture's ticked part
    client.force_login(ta)
    # The teacher's offerings (1): how long to keep the page of them is known already.
    with django_assert_num_queries(13 + 1):
        page = client.get("/courses/deep-learning/2016/staff/progress/").content.decode()
    assert all(f"Q{index}" in page for index in range(3 * scale))


@pytest.mark.parametrize("scale", [1, 10])
def test_quiz_page_query_count_is_fixed(
    client, django_assert_num_queries, module, student_enrolment, scale
):
    quiz = Quiz.objects.create(module=module, title="Big", opens_at=NOW - dt.timedelta(hours=1),
                               closes_at=NOW + dt.timedelta(days=1),
                               attempts_allowed=1)  # fmt: skip
    for order in range(3 * scale):
        question = QuizQuestion.objects.create(quiz=quiz, order=order, kind="multiple", text="?")
        QuizChoice.objects.create(question=question, text="yes", is_correct=True)
        QuizChoice.objects.create(question=question, text="no", is_correct=False)
    data = QueryDict(mutable=True)
    for question in quiz.questions.all():
        data.setlist(f"q-{question.pk}", [str(question.choices.get(text="yes").pk)])
    quiz_submit(quiz=quiz, enrolment=student_enrolment, data=data)
    client.force_login(student_enrolment.student)
    # User, taught offerings, enrolment, quiz, attempts, the last attempt's answers
    # and their choices, questions and their choices.
    with django_assert_num_queries(9):
        page = client.get(f"/me/deep-learning/2016/quizzes/{quiz.pk}/").content.decode()
    assert page.count('for="c') == 2 * 3 * scale  # every question with its two choices
