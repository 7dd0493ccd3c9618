"""Quizzes of a module, students' attempts, and the lecture parts they have watched.

Imported into course.models so that Django finds them.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import AnswersShown, AttemptCounting, QuestionKind
from .rendering import MarkdownModel


class Quiz(MarkdownModel):
    markdown_fields = ("introduction",)
    module = models.ForeignKey(
        "course.Module", on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("module")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    introduction = models.TextField(
        blank=True, help_text=_("Markdown."), verbose_name=_("introduction")
    )
    opens_at = models.DateTimeField(verbose_name=_("opens at"))
    closes_at = models.DateTimeField(
        help_text=_("E.g. the evening before the module's first discussion session."),
        verbose_name=_("closes at"),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=1, verbose_name=_("attempts allowed")
    )
    counting = models.CharField(
        max_length=10,
        choices=AttemptCounting.choices,
        default=AttemptCounting.BEST,
        verbose_name=_("counting"),
    )
    answers_shown = models.CharField(
        _("show answers and explanations"),
        max_length=12,
        choices=AnswersShown.choices,
        default=AnswersShown.AT_ONCE,
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["module", "opens_at", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The quiz must close after it opens.")})
        if self.attempts_allowed == 0:
            raise ValidationError({"attempts_allowed": _("Allow at least one attempt.")})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def answers_visible(self, now=None) -> bool:
        now = now or timezone.now()
        return self.answers_shown == AnswersShown.AT_ONCE or now > self.closes_at


class QuizQuestion(MarkdownModel):
    markdown_fields = ("text", "explanation")
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, verbose_name=_("kind"))
    text = models.TextField(help_text=_("Markdown."), verbose_name=_("text"))
    explanation = models.TextField(
        blank=True, help_text=_("Shown with the answers. Markdown."), verbose_name=_("explanation")
    )
    numeric_answer = models.DecimalField(
        max_digits=14, decimal_places=6, null=True, blank=True, verbose_name=_("numeric answer")
    )
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal("0"),
        help_text=_("Numeric answers within this distance of the answer count as right."),
        verbose_name=_("tolerance"),
    )

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["quiz", "order", "pk"]

    def __str__(self):
        return self.text[:60]

    def clean(self):
        super().clean()
        if self.kind == QuestionKind.NUMERIC and self.numeric_answer is None:
            raise ValidationError({"numeric_answer": _("A numeric question needs its answer.")})


class QuizChoice(models.Model):
    question = models.ForeignKey(
        QuizQuestion, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    text = models.CharField(max_length=300, verbose_name=_("text"))
    is_correct = models.BooleanField(default=False, verbose_name=_("is correct"))

    class Meta:
        verbose_name = _("quiz choice")
        verbose_name_plural = _("quiz choices")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.text


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("quiz")
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("enrolment"),
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("submitted at"))
    score = models.PositiveSmallIntegerField(verbose_name=_("score"))
    max_score = models.PositiveSmallIntegerField(verbose_name=_("max score"))

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["quiz", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrolment", "number"], name="course_one_attempt_number"
            ),
        ]

    def __str__(self):
        return gettext("Attempt %(number)s: %(score)s/%(max_score)s") % {
            "number": self.number,
            "score": self.score,
            "max_score": self.max_score,
        }

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


class QuizAnswer(models.Model):
    attempt = models.ForeignKey(
        QuizAttempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("attempt")
    )
    question = models.ForeignKey(
        QuizQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    choices = models.ManyToManyField(
        QuizChoice, blank=True, related_name="answers", verbose_name=_("choices")
    )
    numeric_value = models.DecimalField(
        max_digits=14, decimal_places=6, null=True, blank=True, verbose_name=_("numeric value")
    )
    is_correct = models.BooleanField(verbose_name=_("is correct"))

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="course_one_answer_per_question"
            ),
        ]

    def __str__(self):
        if self.is_correct:
            return gettext("right: %(question)s") % {"question": self.question}
        return gettext("wrong: %(question)s") % {"question": self.question}


class WatchedPart(models.Model):
    """A student ticked a lecture part (or a lecture without parts) as watched."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        on_delete=models.CASCADE,
        related_name="watched",
        verbose_name=_("enrolment"),
    )
    lecture = models.ForeignKey(
        "course.VideoLecture",
        on_delete=models.CASCADE,
        related_name="watched",
        verbose_name=_("lecture"),
    )
    part = models.ForeignKey(
        "course.LecturePart",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watched",
        verbose_name=_("part"),
    )
    watched_at = models.DateTimeField(default=timezone.now, verbose_name=_("watched at"))

    class Meta:
        verbose_name = _("watched part")
        verbose_name_plural = _("watched parts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "part"],
                condition=models.Q(part__isnull=False),
                name="course_watched_part_once",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "lecture"],
                condition=models.Q(part__isnull=True),
                name="course_watched_lecture_once",
            ),
        ]

    def __str__(self):
        return gettext("%(enrolment)s watched %(unit)s") % {
            "enrolment": self.enrolment_id,
            "unit": self.part or self.lecture,
        }


__all__ = ["Quiz", "QuizAnswer", "QuizAttempt", "QuizChoice", "QuizQuestion", "WatchedPart"]
