"""A quiz form says which attempt it uses; the same form sent again (the back button) is
refused instead of silently using the next attempt (issue 19)."""

import re

import pytest
from django.core.exceptions import ValidationError

from course.models import QuizAttempt
from course.quizzes import quiz_submit
from tests.course.test_quizzes import answers

pytestmark = pytest.mark.django_db


def page_of(quiz):
    return f"/me/deep-learning/2016/quizzes/{quiz.pk}/"


def form_attempt(page: str) -> str:
    return re.search(r'name="attempt" value="(\d+)"', page)[1]


def test_back_button_resubmission_is_refused_and_changes_nothing(client, quiz, student_enrolment):
    client.force_login(student_enrolment.student)
    page = client.get(page_of(quiz)).content.decode()
    assert "Submitting uses your attempt 1 of 2." in page
    form = answers(quiz, single="Overfitting")
    form["attempt"] = form_attempt(page)
    done = client.post(page_of(quiz), dict(form.lists()), follow=True).content.decode()
    assert "Attempt 1: 2 of 3 right." in done
    # The back button shows the old page; its form, for attempt 1, is sent again (with
    # better answers, as a student who has seen the result would).
    better = answers(quiz)
    better["attempt"] = "1"
    again = client.post(page_of(quiz), dict(better.lists()), follow=True).content.decode()
    assert "This form was for attempt 1, which was submitted already" in again
    assert "Nothing was saved." in again
    assert list(QuizAttempt.objects.values_list("number", "score")) == [(1, 2)]
    # Reloading offers attempt 2, which goes through.
    page = client.get(page_of(quiz)).content.decode()
    assert "Submitting uses your attempt 2 of 2." in page
    better["attempt"] = form_attempt(page)
    assert (
        "Attempt 2: 3 of 3 right."
        in client.post(page_of(quiz), dict(better.lists()), follow=True).content.decode()
    )
    assert QuizAttempt.objects.count() == 2


@pytest.mark.parametrize("value", ["", "x", "٣", "99999", "-1", "3"])
def test_form_without_a_valid_attempt_is_refused(client, quiz, student_enrolment, value):
    client.force_login(student_enrolment.student)
    form = answers(quiz, attempt=value)
    if not value:
        del form["attempt"]
    page = client.post(page_of(quiz), dict(form.lists()), follow=True).content.decode()
    assert "This form does not say which attempt it is for: reload the quiz page." in page
    assert not QuizAttempt.objects.exists()


def test_service_consumes_the_attempt_number_once(quiz, student_enrolment):
    quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz), attempt_number=1)
    with pytest.raises(ValidationError) as refused:
        quiz_submit(quiz=quiz, enrolment=student_enrolment, data=answers(quiz), attempt_number=1)
    assert refused.value.error_list[0].code == "resubmitted"
    assert QuizAttempt.objects.count() == 1
