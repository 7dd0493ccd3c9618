"""Quizzes of a module, students' attempts, and the lecture parts they have watched.

Imported into course.models so that Django finds them.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .enums import AnswersShown, AttemptCounting, QuestionKind
from .rendering import MarkdownModel


class Quiz(MarkdownModel):
    markdown_fields = ("introduction",)
    module = models.ForeignKey("course.Module", on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="Markdown.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(
        help_text="E.g. the evening before the module's first discussion session."
    )
    attempts_allowed = models.PositiveSmallIntegerField(default=1)
    counting = models.CharField(
        max_length=10, choices=AttemptCounting.choices, default=AttemptCounting.BEST
    )
    answers_shown = models.CharField(
        "show answers and explanations",
        max_length=12,
        choices=AnswersShown.choices,
        default=AnswersShown.AT_ONCE,
    )

    class Meta:
        verbose_name_plural = "quizzes"
        ordering = ["module", "opens_at", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The quiz must close after it opens."})
        if self.attempts_allowed == 0:
            raise ValidationError({"attempts_allowed": "Allow at least one attempt."})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def answers_visible(self, now=None) -> bool:
        now = now or timezone.now()
        return self.answers_shown == AnswersShown.AT_ONCE or now > self.closes_at


class QuizQuestion(MarkdownModel):
    markdown_fields = ("text", "explanation")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.TextField(help_text="Markdown.")
    explanation = models.TextField(blank=True, help_text="Shown with the answers. Markdown.")
    numeric_answer = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal("0"),
        help_text="Numeric answers within this distance of the answer count as right.",
    )

    class Meta:
        ordering = ["quiz", "order", "pk"]

    def __str__(self):
        return self.text[:60]

    def clean(self):
        super().clean()
        if self.kind == QuestionKind.NUMERIC and self.numeric_answer is None:
            raise ValidationError({"numeric_answer": "A numeric question needs its answer."})


class QuizChoice(models.Model):
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.text


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["quiz", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrolment", "number"], name="course_one_attempt_number"
            ),
        ]

    def __str__(self):
        return f"Attempt {self.number}: {self.score}/{self.max_score}"

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


class QuizAnswer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="answers")
    choices = models.ManyToManyField(QuizChoice, blank=True, related_name="answers")
    numeric_value = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="course_one_answer_per_question"
            ),
        ]

    def __str__(self):
        return f"{'right' if self.is_correct else 'wrong'}: {self.question}"


class WatchedPart(models.Model):
    """A student ticked a lecture part (or a lecture without parts) as watched."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.CASCADE, related_name="watched"
    )
    lecture = models.ForeignKey(
        "course.VideoLecture", on_delete=models.CASCADE, related_name="watched"
    )
    part = models.ForeignKey(
        "course.LecturePart",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watched",
    )
    watched_at = models.DateTimeField(default=timezone.now)

    class Meta:
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
        return f"{self.enrolment_id} watched {self.part or self.lecture}"


__all__ = ["Quiz", "QuizAnswer", "QuizAttempt", "QuizChoice", "QuizQuestion", "WatchedPart"]
