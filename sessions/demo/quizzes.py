"""One short quiz per regular 2016 module, written for the demo, with students' attempts.

The 2016 quizzes lived on Scalable Learning and are not preserved; these questions are
INVENTED for the demo, on each module's topic.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from course.enums import QuestionKind
from course.models import Quiz, QuizAttempt, QuizChoice, QuizQuestion, WatchedPart
from course.quizzes import quiz_submit

S, M, N = QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.NUMERIC

QUIZZES = {
    "preliminaries": [
        (S, "Which activation function do most modern networks use in their hidden layers?",
         [("The logistic sigmoid", False), ("The rectified linear unit (ReLU)", True),
          ("The step function", False)],
         "ReLU keeps gradients alive for positive inputs and is cheap to compute."),
        (N, "A fully connected layer maps 100 inputs to 50 outputs, with one bias per output. "
            "How many parameters does it have?", ("5050", "0"),
         "100 × 50 weights plus 50 biases."),
        (M, "Which of these reduce overfitting?",
         [("More training data", True), ("Weight decay", True), ("Many more parameters", False)],
         "More parameters make overfitting easier, not harder."),
    ],
    "recurrent-neural-networks": [
        (S, "Which problem do LSTM units mainly address?",
         [("Vanishing gradients over long sequences", True), ("Overfitting", False),
          ("Slow inference", False)],
         "The cell state lets gradients flow over many time steps."),
        (M, "Which tasks suit sequence models?",
         [("Machine translation", True), ("Speech recognition", True),
          ("Classifying one still image", False)],
         "A single image has no sequence to model, unless you make one."),
        (N, "An RNN unrolled over 20 time steps shares its weights. How many distinct "
            "hidden-to-hidden weight matrices does it have?", ("1", "0"),
         "The same matrix is used at every step."),
    ],
    "convolutional-neural-networks": [
        (S, "What does a max-pooling layer do?",
         [("It reduces the spatial resolution", True), ("It adds parameters", False),
          ("It normalizes activations", False)],
         "It keeps the largest value of each window."),
        (N, "A 32×32 image is convolved with a 5×5 filter, stride 1, no padding. How wide is "
            "the output?", ("28", "0"), "32 − 5 + 1 = 28."),
        (M, "Which are true of convolutional layers?",
         [("Weights are shared across positions", True),
          ("Each output depends on a local patch", True),
          ("They have more parameters than a dense layer on the same input", False)],
         "Weight sharing is why they have far fewer parameters."),
    ],
    "unsupervised-and-semi-supervised-methods": [
        (S, "An autoencoder is trained to …",
         [("reconstruct its input", True), ("predict a class label", False),
          ("generate adversarial examples", False)],
         "The bottleneck forces it to learn a compact code."),
        (M, "Which methods learn from unlabelled data?",
         [("Autoencoders", True), ("Ladder networks", True), ("Logistic regression", False)],
         "Ladder networks combine a supervised and an unsupervised cost."),
        (N, "100 of 60 000 training images are labelled. What percentage is that? "
            "(two decimals; a comma works too)", ("0.17", "0.01"), "100 / 60 000 = 0.1667 %."),
    ],
    "regularization": [
        (S, "During training, dropout with p = 0.5 …",
         [("drops each unit with probability 0.5", True), ("halves the learning rate", False),
          ("removes half of the training data", False)],
         "At test time all units are kept and activations scaled."),
        (M, "Batch normalization …",
         [("normalizes activations over a mini-batch", True),
          ("has a learnable scale and shift", True), ("is used only at test time", False)],
         "At test time it uses running averages instead of batch statistics."),
        (N, "With the L2 penalty λ/2·‖w‖², λ = 0.1 and w = (3, 4), what is the penalty?",
         ("1.25", "0.001"), "0.05 × (9 + 16) = 1.25."),
    ],
}  # fmt: skip


def load(offering, ta) -> None:
    """Create the quizzes (idempotent) and some attempts and watched lectures for 2016."""
    quizzes = []
    for module in offering.modules.filter(slug__in=QUIZZES):
        first = offering.discussion_sessions.filter(module=module).order_by("starts_at").first()
        if first is None:
            continue
        first_day = timezone.localtime(first.starts_at).date()
        closes = timezone.make_aware(datetime.combine(first_day - timedelta(days=1), time(23, 59)))
        quiz, created = Quiz.objects.update_or_create(
            module=module,
            title=f"{module.title}: check your understanding",
            defaults={"opens_at": closes - timedelta(days=7), "closes_at": closes,
                      "attempts_allowed": 2, "introduction": "Three questions on the module's "
                      "lectures. Take it after watching them; you have two attempts."},
        )  # fmt: skip
        if created:
            for order, (kind, text, answer, explanation) in enumerate(QUIZZES[module.slug], 1):
                question = QuizQuestion.objects.create(
                    quiz=quiz, order=order, kind=kind, text=text, explanation=explanation,
                    numeric_answer=Decimal(answer[0]) if kind == N else None,
                    tolerance=Decimal(answer[1]) if kind == N else Decimal(0),
                )  # fmt: skip
                if kind != N:
                    QuizChoice.objects.bulk_create(
                        QuizChoice(question=question, order=i, text=t, is_correct=c)
                        for i, (t, c) in enumerate(answer, 1)
                    )
        quizzes.append(quiz)
    for enrolment in offering.enrolments.accepted().select_related("student"):
        rng = random.Random(enrolment.student.email)
        skill = rng.uniform(0.55, 0.95)
        for quiz in quizzes:
            if QuizAttempt.objects.filter(quiz=quiz, enrolment=enrolment).exists():
                continue
            data = MultiValueDict()
            for question in quiz.questions.prefetch_related("choices"):
                right = rng.random() < skill
                if question.kind == N:
                    value = question.numeric_answer if right else question.numeric_answer + 7
                    data.setlist(f"q-{question.pk}", [str(value).replace(".", ",")])
                else:
                    choices = list(question.choices.all())
                    correct = [c for c in choices if c.is_correct]
                    picked = correct if right else [next(c for c in choices if not c.is_correct)]
                    data.setlist(f"q-{question.pk}", [str(c.pk) for c in picked])
            quiz_submit(
                quiz=quiz, enrolment=enrolment, data=data, now=quiz.closes_at - timedelta(hours=5)
            )
        for module in offering.modules.all():
            for lecture in module.lectures.prefetch_related("parts"):
                parts = list(lecture.parts.all()) or [None]
                for part in parts:
                    if rng.random() < skill + 0.1:
                        WatchedPart.objects.get_or_create(
                            enrolment=enrolment, lecture=lecture, part=part
                        )
