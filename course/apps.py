from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourseConfig(AppConfig):
    """Courses, offerings and their content; the shared bases of every app."""

    name = "course"
    verbose_name = _("Courses")

    def ready(self):
        # The public pages' cache follows what they show (course/caching.py). Imported
        # here: the models are ready only now.
        from . import caching
        from .models import (
            Announcement,
            Course,
            LecturePart,
            Module,
            Offering,
            Quiz,
            QuizAnswer,
            QuizAttempt,
            QuizChoice,
            QuizQuestion,
            Staff,
            VideoLecture,
            WatchedPart,
        )

        caching.watch_catalogue(Course)
        caching.watch_catalogue(Offering)
        for model in (Staff, Module, Announcement):
            caching.watch(model, lambda row: row.offering_id)
        caching.watch(VideoLecture, lambda row: row.module.offering_id)
        caching.watch(LecturePart, lambda row: row.lecture.module.offering_id)
        caching.watch(Quiz, lambda row: row.module.offering_id)
        caching.watch(QuizQuestion, lambda row: row.quiz.module.offering_id)
        caching.watch(QuizChoice, lambda row: row.question.quiz.module.offering_id)
        # The students' records kept with the content: the progress pages follow them.
        caching.watch_records(QuizAttempt, lambda row: row.enrolment.offering_id)
        caching.watch_records(WatchedPart, lambda row: row.enrolment.offering_id)
        caching.watch_records(QuizAnswer, lambda row: row.attempt.enrolment.offering_id)
        # A person's own pages follow their places among the staff (the navigation).
        caching.watch_person(Staff, lambda row: row.user_id)
        # And the clock: what changes at a moment without a write.
        from .selectors import next_clock_edge

        if next_clock_edge not in caching.CLOCK_EDGES:
            caching.CLOCK_EDGES.append(next_clock_edge)
        # The placeholders of the offering's texts (course/rendering.py).
        from . import placeholders

        placeholders.register()
