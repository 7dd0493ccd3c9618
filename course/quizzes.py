"""Taking quizzes and ticking watched lectures: the writes, and the rules they follow."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, DecimalException, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from course.archive import ensure_writable

from .enums import AttemptCounting, QuestionKind
from .models import (
    LecturePart,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    VideoLecture,
    WatchedPart,
)


def validate_question(kind: str, correct_choices: int, total_choices: int, numeric_answer) -> None:
    """A question needs a right answer: single choice exactly one, multiple at least one."""
    if kind == QuestionKind.SINGLE and correct_choices != 1:
        raise ValidationError(_("A single-choice question needs exactly one correct choice."))
    if kind == QuestionKind.MULTIPLE and correct_choices < 1:
        raise ValidationError(_("A multiple-choice question needs at least one correct choice."))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and total_choices < 2:
        raise ValidationError(_("Give at least two choices."))
    if kind == QuestionKind.NUMERIC and numeric_answer is None:
        raise ValidationError(_("A numeric question needs its answer."))


def parse_number(text: str) -> Decimal:
    """A number as students type it: a point or a comma as decimal mark, spaces allowed."""
    cleaned = "".join((text or "").split()).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if not value.is_finite():
        raise ValidationError(_("“%(text)s” is not a number.") % {"text": text})
    # Answers are stored with 8 digits before and 6 after the point (QuizAnswer).
    try:
        if abs(value) >= Decimal("1e8"):
            raise DecimalException
        return value.quantize(Decimal("0.000001"))
    except DecimalException:
        raise ValidationError(
            _("“%(text)s” is too large: answers are below 100 000 000.") % {"text": text}
        ) from None


def quiz_questions(quiz: Quiz) -> list[QuizQuestion]:
    return list(quiz.questions.prefetch_related("choices").order_by("order", "pk"))


@dataclass
class ParsedAnswer:
    question: QuizQuestion
    choices: list
    number: Decimal | None
    correct: bool


def parse_answers(questions: list[QuizQuestion], data) -> list[ParsedAnswer]:
    """Read the quiz form: q-<question id> for each question, nothing else.

    Refuses (ValidationError) a missing answer, an answer to a question not in the quiz, a
    choice of another question, two choices for a single-choice question, a bad number.
    """
    known = {f"q-{q.pk}" for q in questions}
    posted = {key for key in data if key.startswith("q-")}
    if posted - known:
        raise ValidationError(_("The form names questions that are not in this quiz; reload it."))
    answers = []
    for question in questions:
        values = [v for v in data.getlist(f"q-{question.pk}") if v != ""]
        if not values:
            raise ValidationError(_("Answer every question before submitting."))
        if question.kind == QuestionKind.NUMERIC:
            if len(values) != 1:
                raise ValidationError(_("Give one number per numeric question."))
            number = parse_number(values[0])
            if question.numeric_answer is None:
                # QuizQuestion.clean() asks for the answer, but the database does not.
                raise ValidationError(
                    _("A numeric question of this quiz has no answer set; tell the teaching staff.")
                )
            correct = abs(number - question.numeric_answer) <= question.tolerance
            answers.append(ParsedAnswer(question, [], number, correct))
            continue
        by_id = {str(c.pk): c for c in question.choices.all()}
        if any(v not in by_id for v in values) or len(set(values)) != len(values):
            raise ValidationError(
                _("A choice in the form does not belong to its question; reload it.")
            )
        if question.kind == QuestionKind.SINGLE and len(values) != 1:
            raise ValidationError(_("Choose one answer for a single-choice question."))
        chosen = [by_id[v] for v in values]
        right = {c.pk for c in by_id.values() if c.is_correct}
        answers.append(ParsedAnswer(question, chosen, None, {c.pk for c in chosen} == right))
    return answers


def attempts_of(quiz: Quiz, enrolment) -> list[QuizAttempt]:
    return list(QuizAttempt.objects.filter(quiz=quiz, enrolment=enrolment).order_by("number"))


def counted_attempt(quiz: Quiz, attempts: list[QuizAttempt]) -> QuizAttempt | None:
    """The attempt that counts: the best (the earliest of equals) or the last."""
    if not attempts:
        return None
    if quiz.counting == AttemptCounting.LAST:
        return attempts[-1]
    return max(attempts, key=lambda a: (a.score, -a.number))


def _moment(moment) -> str:
    """A date and time as the pages write it, in the site's time zone."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


#: What a quiz form carries when it was not made by the quiz page (no attempt number).
FORM_WITHOUT_ATTEMPT = 0


def parse_attempt_number(value) -> int:
    """The attempt number a quiz form was made for; FORM_WITHOUT_ATTEMPT when missing or
    not a small number (quiz_submit refuses it)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 4:
        return FORM_WITHOUT_ATTEMPT
    return int(value)


@transaction.atomic
def quiz_submit(*, quiz: Quiz, enrolment, data, now=None, attempt_number=None) -> QuizAttempt:
    """Grade and store one attempt. Refused (nothing stored) when the quiz is closed or not
    yet open, no attempts are left, the student is not accepted in the quiz's offering, or
    the form is incomplete or tampered with.

    attempt_number is the form's one-time token: the quiz page says which attempt a
    submission will use and sends its number. It is consumed when that attempt is stored
    (under the enrolment's row lock), so the same form sent again (the back button, a
    second tab, a double click) is refused instead of silently using the next attempt.
    None: the next attempt (scripts and the demo, which make no form)."""
    ensure_writable(quiz.module.offering)
    now = now or timezone.now()
    if not enrolment.is_accepted or (enrolment.offering_id != quiz.module.offering_id):
        raise ValidationError(_("Only students enrolled in the course take its quizzes."))
    if now < quiz.opens_at:
        raise ValidationError(_("The quiz opens %(when)s.") % {"when": _moment(quiz.opens_at)})
    if now > quiz.closes_at:
        raise ValidationError(
            _("The quiz closed %(when)s: answers are no longer accepted.")
            % {"when": _moment(quiz.closes_at)}
        )
    questions = quiz_questions(quiz)
    answers = parse_answers(questions, data)
    # One attempt at a time per student: the next attempt's number is counted under this
    # lock, so a double submit becomes attempt 2 (or is refused), never a crash.
    type(enrolment).objects.select_for_update().filter(pk=enrolment.pk).first()
    done = (
        QuizAttempt.objects.filter(quiz=quiz, enrolment=enrolment).aggregate(n=Max("number"))["n"]
        or 0
    )
    if attempt_number is not None and attempt_number != done + 1:
        if attempt_number == FORM_WITHOUT_ATTEMPT or attempt_number > done + 1:
            raise ValidationError(
                _("This form does not say which attempt it is for: reload the quiz page.")
            )
        raise ValidationError(
            _(
                "This form was for attempt %(number)d, which was submitted already: it counts "
                "as it was graded. To use your next attempt, reload the quiz page."
            )
            % {"number": attempt_number},
            code="resubmitted",
        )
    if done >= quiz.attempts_allowed:
        raise ValidationError(
            ngettext(
                "You have used your %(count)d attempt.",
                "You have used your %(count)d attempts.",
                quiz.attempts_allowed,
            )
            % {"count": quiz.attempts_allowed}
        )
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                enrolment=enrolment,
                number=done + 1,
                submitted_at=now,
                score=sum(1 for a in answers if a.correct),
                max_score=len(questions),
            )
    except IntegrityError:  # the same form sent twice at once
        raise ValidationError(_("This attempt was submitted already.")) from None
    stored = QuizAnswer.objects.bulk_create(
        QuizAnswer(
            attempt=attempt, question=a.question, numeric_value=a.number, is_correct=a.correct
        )
        for a in answers
    )
    through = QuizAnswer.choices.through
    through.objects.bulk_create(
        through(quizanswer_id=row.pk, quizchoice_id=choice.pk)
        for row, parsed in zip(stored, answers, strict=True)
        for choice in parsed.choices
    )
    return attempt


def watched_set(*, enrolment, lecture: VideoLecture, part: LecturePart | None, watched: bool):
    """Tick (or untick) a lecture part as watched; ticking twice changes nothing."""
    ensure_writable(enrolment.offering)
    if not enrolment.is_accepted:
        raise ValidationError(_("Only students enrolled in the course keep track of lectures."))
    if lecture.module.offering_id != enrolment.offering_id:
        raise ValidationError(_("That lecture belongs to another course."))
    if part is not None and part.lecture_id != lecture.pk:
        raise ValidationError(_("That part belongs to another lecture."))
    if part is None and lecture.parts.exists():
        raise ValidationError(_("Tick the lecture's parts one by one."))
    rows = WatchedPart.objects.filter(enrolment=enrolment, lecture=lecture, part=part)
    if watched:
        if not rows.exists():
            try:
                with transaction.atomic():
                    WatchedPart.objects.create(enrolment=enrolment, lecture=lecture, part=part)
            except IntegrityError:
                pass  # ticked twice at once: it is watched, which is what was asked
    else:
        rows.delete()


def quiz_statistics(quiz: Quiz):
    """Per question: answers given, share right, and the most common wrong choice.

    Counts the attempt that counts for each student only, so one student's many tries do
    not weigh more than another's one. Three queries.
    """
    attempts_by_student: dict[int, list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(quiz=quiz).order_by("enrolment_id", "number"):
        attempts_by_student.setdefault(attempt.enrolment_id, []).append(attempt)
    # Every list holds at least one attempt, so each student has one that counts.
    counted = [
        counting.pk
        for attempts in attempts_by_student.values()
        if (counting := counted_attempt(quiz, attempts)) is not None
    ]
    per_question = {
        row["question"]: row
        for row in QuizAnswer.objects.filter(attempt__in=counted)
        .values("question")
        .annotate(total=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
    }
    wrong_choices = Counter(
        QuizChoice.objects.filter(
            answers__attempt__in=counted, answers__is_correct=False, is_correct=False
        ).values_list("question_id", "text")
    )
    rows = []
    for question in quiz_questions(quiz):
        stats = per_question.get(question.pk, {"total": 0, "right": 0})
        wrong = [(text, n) for (qid, text), n in wrong_choices.most_common() if qid == question.pk]
        rows.append(
            {
                "question": question,
                "answers": stats["total"],
                "right_percent": 100 * stats["right"] / stats["total"] if stats["total"] else None,
                "common_wrong": wrong[0] if wrong else None,
            }
        )
    return len(counted), rows
