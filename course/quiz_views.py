"""Quizzes, watched lectures and progress: the student's pages and the staff overviews."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.enums import EnrolmentStatus
from accounts.selectors import own_enrolment

from . import quizzes
from .models import LecturePart, Quiz, QuizAnswer, VideoLecture
from .progress import progress_for
from .validators import parse_id
from .views import OfferingStaffMixin


class EnrolledStudentMixin(LoginRequiredMixin):
    """The logged-in student's accepted enrolment in the offering of the URL, else 404."""

    def get_enrolment(self):
        if not hasattr(self, "_enrolment"):
            enrolment = own_enrolment(
                user=self.request.user,
                course_slug=self.kwargs["course_slug"],
                offering_slug=self.kwargs["offering_slug"],
            )
            if enrolment.status != EnrolmentStatus.ACCEPTED:
                raise Http404("Only enrolled students have this page.")
            self._enrolment = enrolment
        return self._enrolment

    def base_context(self):
        enrolment = self.get_enrolment()
        return {
            "enrolment": enrolment,
            "offering": enrolment.offering,
            "course": enrolment.offering.course,
            "section": "me",
        }


class ProgressView(EnrolledStudentMixin, TemplateView):
    template_name = "course/progress.html"

    def get_context_data(self, **kwargs):
        enrolment = self.get_enrolment()
        rows = progress_for(enrolment.offering, [enrolment])[enrolment.pk]
        return super().get_context_data(**self.base_context(), rows=rows, **kwargs)


class QuizView(EnrolledStudentMixin, TemplateView):
    """One page with every question; submitting grades it and shows the result."""

    template_name = "course/quiz.html"

    def get_quiz(self):
        return get_object_or_404(
            Quiz.objects.select_related("module"),
            pk=self.kwargs["quiz_id"],
            module__offering=self.get_enrolment().offering,
        )

    def get_context_data(self, **kwargs):
        quiz = self.get_quiz()
        enrolment = self.get_enrolment()
        attempts = quizzes.attempts_of(quiz, enrolment)
        last = attempts[-1] if attempts else None
        now = timezone.now()
        chosen, numbers, correctness = set(), {}, {}
        if last:
            for answer in QuizAnswer.objects.filter(attempt=last).prefetch_related("choices"):
                chosen.update(c.pk for c in answer.choices.all())
                numbers[answer.question_id] = answer.numeric_value
                correctness[answer.question_id] = answer.is_correct
        return super().get_context_data(
            **self.base_context(),
            quiz=quiz,
            questions=quizzes.quiz_questions(quiz) if now >= quiz.opens_at else [],
            attempts=attempts,
            counted=quizzes.counted_attempt(quiz, attempts),
            last=last,
            chosen=chosen,
            numbers=numbers,
            correctness=correctness,
            # Answers at once means after the student's last attempt: showing them while
            # attempts remain would hand out the next attempt's answers.
            show_answers=bool(last)
            and quiz.answers_visible(now)
            and (len(attempts) >= quiz.attempts_allowed or now > quiz.closes_at),
            can_submit=quiz.is_open(now) and len(attempts) < quiz.attempts_allowed,
            now=now,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        quiz = self.get_quiz()
        try:
            attempt = quizzes.quiz_submit(
                quiz=quiz, enrolment=self.get_enrolment(), data=request.POST
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages) + " Nothing was saved.")
        else:
            messages.success(
                request, f"Attempt {attempt.number}: {attempt.score} of {attempt.max_score} right."
            )
        return redirect(request.path)


class WatchedView(EnrolledStudentMixin, View):
    """Tick a lecture part as watched: a plain form, or fetch() from static/js/site.js."""

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        raw_part = request.POST.get("part", "")
        lecture_id, part_id = parse_id(request.POST.get("lecture", "")), parse_id(raw_part)
        if lecture_id is None or (raw_part and part_id is None):
            raise Http404("No such lecture.")
        lecture = get_object_or_404(
            VideoLecture.objects.select_related("module"),
            pk=lecture_id,
            module__offering=enrolment.offering,
        )
        part = None
        if part_id is not None:
            part = get_object_or_404(LecturePart, pk=part_id, lecture=lecture)
        watched = request.POST.get("watched") == "1"
        try:
            quizzes.watched_set(enrolment=enrolment, lecture=lecture, part=part, watched=watched)
        except ValidationError as error:
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"error": " ".join(error.messages)}, status=400)
            messages.error(request, " ".join(error.messages))
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"watched": watched})
        offering = enrolment.offering
        return redirect(
            reverse("course:lecture_list", args=[offering.course.slug, offering.slug])
            + f"#lecture-{lecture.pk}"
        )


class StaffProgressView(OfferingStaffMixin, TemplateView):
    """Students by modules: complete or not, quiz scores; links to each quiz's statistics."""

    template_name = "course/staff_progress.html"
    section = "staff"

    def get_context_data(self, **kwargs):
        from sessions.selectors import accepted_enrolments

        offering = self.get_offering()
        enrolments = list(accepted_enrolments(offering))
        progress = progress_for(offering, enrolments)
        rows = [(e, progress[e.pk]) for e in enrolments]
        modules = [p.module for p in progress[enrolments[0].pk]] if enrolments else []
        quizzes_list = list(Quiz.objects.filter(module__offering=offering).select_related("module"))
        return super().get_context_data(rows=rows, modules=modules, quizzes=quizzes_list, **kwargs)


class QuizStatisticsView(OfferingStaffMixin, TemplateView):
    """What to discuss in the session: each question's share right, the favourite mistake."""

    template_name = "course/quiz_statistics.html"
    section = "staff"

    def get_context_data(self, **kwargs):
        quiz = get_object_or_404(
            Quiz.objects.select_related("module"),
            pk=self.kwargs["quiz_id"],
            module__offering=self.get_offering(),
        )
        students, rows = quizzes.quiz_statistics(quiz)
        return super().get_context_data(quiz=quiz, students=students, rows=rows, **kwargs)
