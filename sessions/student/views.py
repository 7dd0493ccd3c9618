"""The student's own pages. Every page resolves the student's own enrolment from the URL:
someone else's is never shown (404). The pages of a person's own data (a copy, erasure)
ask sessions/privacy.py about the logged-in person only."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views import View
from django.views.generic import TemplateView

from accounts import selectors as accounts_selectors
from accounts.enums import DataRequestKind, DataRequestStatus
from accounts.models import DataRequest, Enrolment
from accounts.pages import PersonalPageMixin
from course import quizzes
from course import selectors as course_selectors
from course.archive import is_archived
from course.caching import offering_cached, records_cached
from course.models import LecturePart, Module, Quiz, QuizAnswer, VideoLecture
from course.pages import OfferingStaffMixin
from course.validators import parse_id
from projects import selectors as projects_selectors
from projects.models import ProjectGroup

from .. import privacy
from .. import selectors as sessions_selectors
from ..attendance import AttendanceSummary, attendance_summaries
from ..calendar import personal_feed_url
from ..grading.sheet import grade_sheet, signed_off_grades
from ..models import DiscussionSession, HomeVisit
from ..progress import progress_for
from ..services import home_visit_record


def personal_context(view) -> dict:
    """What a logged-in student sees of their own on the public offering pages: their
    ticks and quizzes on the module and lecture pages, their progress on the outline.
    Registered in course.pages.PERSONAL_CONTEXT; one query for someone not enrolled."""
    offering = view.get_offering()
    enrolment = accounts_selectors.accepted_enrolment(view.request.user, offering)
    if enrolment is None:
        return {}
    page = view.personal_page
    if page == "module_list":
        rows = progress_for(offering, [enrolment])[enrolment.pk]
        return {"progress": {row.module.pk: row for row in rows}}
    context = {"enrolment": enrolment, "watched": course_selectors.watched_units(enrolment)}
    if page == "module_detail":
        context["quizzes"] = list(view.module.quizzes.order_by("opens_at"))
    return context


@dataclass
class HomeCard:
    """What a student sees of one of their current courses on their home (/me/)."""

    enrolment: Enrolment
    starts_later: bool  # the course has not started yet
    next_session: DiscussionSession | None
    next_module: Module | None  # with its lectures and their parts
    watched: set
    attendance: AttendanceSummary
    group: ProjectGroup | None
    deadline: projects_selectors.DeliverableRow | None
    open_quizzes: list  # (quiz, counted attempt or None)
    announcements: list
    announcements_since: datetime | None  # None: never visited, the latest are shown
    progress: list  # [ModuleProgress]

    @property
    def offering(self):
        return self.enrolment.offering

    @property
    def modules_complete(self) -> int:
        return sum(1 for row in self.progress if row.complete)

    @property
    def lectures_to_watch(self) -> list[tuple[VideoLecture, list[tuple[str, bool]]]]:
        """The next session's module's lectures, each with its parts (or the whole
        lecture) and whether the student has ticked them."""
        if self.next_module is None:
            return []
        lectures = []
        for lecture in self.next_module.lectures.all():
            parts = list(lecture.parts.all())
            units = [(str(part), ("part", part.pk) in self.watched) for part in parts] or [
                (gettext("Whole lecture"), ("lecture", lecture.pk) in self.watched)
            ]
            lectures.append((lecture, units))
        return lectures

    @property
    def all_watched(self) -> bool:
        return all(seen for _, units in self.lectures_to_watch for _, seen in units)


def is_current(enrolment: Enrolment, today) -> bool:
    """An accepted student's course that is on or still to come: their home shows it."""
    offering = enrolment.offering
    return enrolment.is_accepted and not offering.is_archive and offering.end_date >= today


def home_cards(enrolments: list[Enrolment], now) -> list[HomeCard]:
    """One card per current course; a fixed number of queries per course, whatever the
    number of sessions, modules, deliverables or announcements. Showing a course's new
    announcements records that they were seen (sessions.services.home_visit_record)."""
    today = timezone.localdate(now)
    current = [e for e in enrolments if is_current(e, today)]
    if not current:
        return []
    visits = {
        visit.enrolment_id: visit
        for visit in HomeVisit.objects.filter(enrolment__in=[e.pk for e in current])
    }
    cards = []
    for enrolment in current:
        offering = enrolment.offering
        sessions = list(
            offering.discussion_sessions.select_related("module").order_by("starts_at", "pk")
        )
        attendance = attendance_summaries(offering, [enrolment], now=now, sessions=sessions)
        progress = records_cached(
            offering,
            f"progress:{enrolment.pk}",
            lambda o=offering, e=enrolment: progress_for(o, [e])[e.pk],
        )
        modules = {row.module.pk: row.module for row in progress}
        session = sessions_selectors.next_session(sessions, now)
        group = projects_selectors.group_of(enrolment)
        rows = projects_selectors.deliverable_rows(offering, group, now=now)
        visit = visits.get(enrolment.pk)
        since = visit.announcements_seen_until if visit else None
        announcements = course_selectors.announcements_since(offering, since)
        if announcements:
            home_visit_record(enrolment=enrolment, seen_until=announcements[0].published_at)
        cards.append(
            HomeCard(
                enrolment=enrolment,
                starts_later=offering.start_date > today,
                next_session=session,
                next_module=modules.get(session.module_id) if session else None,
                watched=course_selectors.watched_units(enrolment),
                attendance=attendance[enrolment.pk],
                group=group,
                deadline=projects_selectors.next_deadline_row(rows),
                open_quizzes=[
                    (quiz, attempt)
                    for row in progress
                    for quiz, attempt in row.quizzes
                    if quiz.is_open(now)
                ],
                announcements=announcements,
                announcements_since=since,
                progress=progress,
            )
        )
    return cards


class MyCoursesView(PersonalPageMixin, LoginRequiredMixin, TemplateView):
    """/me/: a student's home. For each current course (accepted, not archived, not over):
    the next session and what to watch before it, attendance against the threshold, the
    group's next deadline, open quizzes, announcements new since the last visit, progress
    through the modules. Then every offering the person applied to, with the signed-off
    results, the personal calendar feed and the offerings they teach."""

    template_name = "sessions/student/courses.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        enrolments = list(accounts_selectors.student_enrolments(user))
        results = signed_off_grades(e for e in enrolments if e.is_accepted)
        for enrolment in enrolments:
            enrolment.result = results.get(enrolment.pk)
        now = timezone.now()
        return super().get_context_data(
            cards=home_cards(enrolments, now),
            now=now,
            enrolments=enrolments,
            accepted=any(e.is_accepted for e in enrolments),
            calendar_url=(
                self.request.build_absolute_uri(personal_feed_url(user))
                if user.calendar_token
                else None
            ),
            taught=course_selectors.taught_offerings(user),
            **kwargs,
        )


class StaffTodayView(OfferingStaffMixin, TemplateView):
    """A teacher's "today" for one offering: the session going on or next with its
    register, applications to decide, mails held for review, projects still to assess.
    Not kept in the page cache: the counts change with writes no version watches (mail)."""

    permission_required = "course.see_offering_internals"
    template_name = "sessions/student/staff_today.html"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        now = timezone.now()
        sessions = list(
            offering.discussion_sessions.select_related("module").order_by("starts_at", "pk")
        )
        session = sessions_selectors.next_session(sessions, now)
        return super().get_context_data(
            now=now,
            next_session=session,
            session_number=sessions.index(session) + 1 if session else None,
            sessions_left=sum(1 for s in sessions if not s.is_cancelled and s.ends_at > now),
            waiting=accounts_selectors.waiting_work(offering),
            to_assess=sessions_selectors.groups_to_assess(offering),
            deadline=projects_selectors.next_deadline_row(
                projects_selectors.deliverable_rows(offering, None, now=now)
            ),
            **kwargs,
        )


class OwnEnrolmentMixin(LoginRequiredMixin):
    """The logged-in person's enrolment in the offering of the URL, else 404."""

    def get_enrolment(self) -> Enrolment:
        if not hasattr(self, "_enrolment"):
            self._enrolment = accounts_selectors.own_enrolment(
                user=self.request.user,
                course_slug=self.kwargs["course_slug"],
                offering_slug=self.kwargs["offering_slug"],
            )
        return self._enrolment

    def base_context(self) -> dict:
        enrolment = self.get_enrolment()
        return {
            "enrolment": enrolment,
            "offering": enrolment.offering,
            "course": enrolment.offering.course,
            "section": "me",
        }


class EnrolledStudentMixin(OwnEnrolmentMixin):
    """As OwnEnrolmentMixin, for pages only accepted students have."""

    def get_enrolment(self) -> Enrolment:
        enrolment = super().get_enrolment()
        if not enrolment.is_accepted:
            raise Http404(gettext("Only enrolled students have this page."))
        return enrolment


class MyOfferingView(PersonalPageMixin, OwnEnrolmentMixin, TemplateView):
    """A student's own page for one offering: status, key, instructions, news, their
    project and their examination conditions (and, once signed off, their result)."""

    template_name = "sessions/student/offering.html"

    def get_context_data(self, **kwargs):
        enrolment = self.get_enrolment()
        offering = enrolment.offering
        examination = project = None
        if enrolment.is_accepted:
            # From the cache while nothing of the offering's content and records changed;
            # per language, for the conditions are worded in it.
            examination, project = records_cached(
                offering,
                f"my-offering:{enrolment.pk}:{get_language()}",
                lambda: self.cards(enrolment),
            )
        return super().get_context_data(
            **self.base_context(),
            announcements=offering_cached(
                offering,
                "latest-announcements",
                lambda: list(course_selectors.published_announcements(offering)[:5]),
            ),
            waiting_position=accounts_selectors.waiting_position(enrolment),
            attendance=examination["row"].attendance if examination else None,
            project=project,
            examination=examination,
            **kwargs,
        )

    @staticmethod
    def cards(enrolment: Enrolment) -> tuple[dict, dict]:
        """The examination card (the student's row of the grade sheet: conditions and,
        once signed off, the result) and the project card (group and deliverables)."""
        offering = enrolment.offering
        sheet = grade_sheet(offering, enrolments=[enrolment])
        row = sheet.rows[0]
        examination = {"row": row, "state": sheet.state, "result": sheet.published_result(row)}
        group = projects_selectors.group_of(enrolment)
        project = {"group": group, "rows": projects_selectors.deliverable_rows(offering, group)}
        return examination, project


class MyAttendanceView(PersonalPageMixin, OwnEnrolmentMixin, TemplateView):
    """A student's own attendance in one offering, with the projection to the threshold."""

    template_name = "sessions/student/attendance.html"

    def get_context_data(self, **kwargs):
        summary, rows = sessions_selectors.own_attendance(self.get_enrolment())
        return super().get_context_data(**self.base_context(), summary=summary, rows=rows, **kwargs)


class ProgressView(PersonalPageMixin, EnrolledStudentMixin, TemplateView):
    template_name = "sessions/student/progress.html"

    def get_context_data(self, **kwargs):
        enrolment = self.get_enrolment()
        rows = records_cached(
            enrolment.offering,
            f"progress:{enrolment.pk}",
            lambda: progress_for(enrolment.offering, [enrolment])[enrolment.pk],
        )
        return super().get_context_data(**self.base_context(), rows=rows, **kwargs)


class QuizView(EnrolledStudentMixin, TemplateView):
    """One page with every question; submitting grades it and shows the result."""

    template_name = "sessions/student/quiz.html"

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
            can_submit=quiz.is_open(now)
            and len(attempts) < quiz.attempts_allowed
            and not is_archived(enrolment.offering),
            next_attempt=len(attempts) + 1,
            now=now,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        quiz = self.get_quiz()
        try:
            attempt = quizzes.quiz_submit(
                quiz=quiz,
                enrolment=self.get_enrolment(),
                data=request.POST,
                attempt_number=quizzes.parse_attempt_number(request.POST.get("attempt")),
            )
        except ValidationError as error:
            messages.error(
                request,
                gettext("%(problem)s Nothing was saved.") % {"problem": " ".join(error.messages)},
            )
        else:
            messages.success(
                request,
                gettext("Attempt %(number)d: %(score)s of %(max_score)s right.")
                % {
                    "number": attempt.number,
                    "score": attempt.score,
                    "max_score": attempt.max_score,
                },
            )
        return redirect(request.path)


class WatchedView(EnrolledStudentMixin, View):
    """Tick a lecture part as watched: a plain form, or fetch() from static/js/site.js."""

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        raw_part = request.POST.get("part", "")
        lecture_id, part_id = parse_id(request.POST.get("lecture", "")), parse_id(raw_part)
        if lecture_id is None or (raw_part and part_id is None):
            raise Http404(gettext("No such lecture."))
        lecture = get_object_or_404(
            VideoLecture.objects.select_related("module"),
            pk=lecture_id,
            module__offering=enrolment.offering,
        )
        part = None
        if part_id is not None:
            part = get_object_or_404(LecturePart, pk=part_id, lecture=lecture)
        watched = request.POST.get("watched") == "1"
        wants_json = request.headers.get("Accept") == "application/json"
        try:
            quizzes.watched_set(enrolment=enrolment, lecture=lecture, part=part, watched=watched)
        except ValidationError as error:
            if wants_json:
                return JsonResponse({"error": " ".join(error.messages)}, status=400)
            messages.error(request, " ".join(error.messages))
        if wants_json:
            return JsonResponse({"watched": watched})
        offering = enrolment.offering
        return redirect(
            reverse("course:lecture_list", args=[offering.course.slug, offering.slug])
            + f"#lecture-{lecture.pk}"
        )


class MyDataView(LoginRequiredMixin, TemplateView):
    """/accounts/data/: what the site holds about the logged-in person, the download of a
    copy, and their erasure request with what it would do now."""

    template_name = "sessions/student/my_data.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        requests = list(DataRequest.objects.filter(person=user))
        return super().get_context_data(
            data=privacy.person_data(user),
            plan=privacy.erasure_plan(user),
            erasure_rule=privacy.ERASURE_RULE,
            requests=requests,
            erasure_open=any(
                r.kind == DataRequestKind.ERASURE and r.status == DataRequestStatus.OPEN
                for r in requests
            ),
            **kwargs,
        )


class MyDataDownloadView(LoginRequiredMixin, View):
    """A copy of everything held about the logged-in person: a zip (data.json and their
    groups' files), or data.json alone with ?format=json. Each download is recorded."""

    def get(self, request):
        user = request.user
        privacy.export_record(person=user, by=user)
        if request.GET.get("format") == "json":
            text = json.dumps(
                privacy.person_data(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False
            )
            response: HttpResponse = HttpResponse(
                text, content_type="application/json; charset=utf-8"
            )
            filename = "coursesite-my-data.json"
        else:
            response = FileResponse(privacy.person_export_zip(user), content_type="application/zip")
            filename = "coursesite-my-data.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class ErasureRequestView(LoginRequiredMixin, View):
    """The logged-in person asks for the erasure of their data; administrators carry it out."""

    def post(self, request):
        try:
            privacy.data_request_make(
                person=request.user, kind=DataRequestKind.ERASURE, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                gettext(
                    "Your request is recorded. An administrator carries it out; until then this "
                    "page shows it, and you can keep using the site."
                ),
            )
        return redirect("student:my_data")
