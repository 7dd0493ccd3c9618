"""Schedule, calendar feeds, the register, self check-in and attendance pages."""

from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from accounts.pages import PersonalPageMixin
from course.caching import CachedPublicPageMixin, fragment_key, scopes_of, serve_secret
from course.http import safe_next
from course.models import Quiz
from course.pages import OfferingPageMixin, OfferingStaffMixin

from . import calendar, selectors, services
from .enums import AttendanceStatus
from .exports import write_attendance_csv
from .forms import CheckInForm, parse_register
from .models import Attendance
from .progress import progress_for

ICS = "text/calendar; charset=utf-8"


class ScheduleView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    template_name = "sessions/schedule.html"
    section = "schedule"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        sessions = list(selectors.schedule_sessions(offering))
        # The project presentations are on the schedule too, as in the calendar feed.
        presentations = list(offering.presentation_sessions.order_by("starts_at", "pk"))
        for presentation in presentations:
            presentation.is_presentation = True
        items = sorted(sessions + presentations, key=lambda item: item.starts_at)
        return super().get_context_data(
            weeks=selectors.sessions_by_week(items),
            series=list(self.get_offering().session_series.all()),
            now=timezone.now(),
            **kwargs,
        )


class ScheduleCalendarView(CachedPublicPageMixin, OfferingPageMixin, View):
    def get(self, request, *args, **kwargs):
        offering = self.get_offering()
        response = HttpResponse(calendar.offering_calendar(offering), content_type=ICS)
        response["Content-Disposition"] = (
            f'inline; filename="{offering.course.slug}-{offering.slug}.ics"'
        )
        return response


class PersonalCalendarView(View):
    """The feed at a secret address: calendar apps fetch it without logging in, every few
    minutes, so it comes from the shared cache until one of the person's offerings changes
    (course/caching.py), with an ETag for 304s."""

    secret_page = True  # kept pages are served by the page-cache middleware

    def get(self, request, token):
        def find():
            user = User.objects.filter(calendar_token=token, is_active=True).first()
            if user is None or not token:
                raise Http404(gettext("No such calendar."))
            offerings = selectors.calendar_offerings(user)
            return user, [
                scope
                for course_slug, offering_slug in offerings
                for scope in scopes_of({"course_slug": course_slug, "offering_slug": offering_slug})
            ]

        def make(user):
            # In the owner's language (calendar apps rarely say which they want).
            with translation.override(user.language or translation.get_language()):
                return HttpResponse(calendar.personal_calendar(user), content_type=ICS)

        return serve_secret(request, find, make)


class CalendarTokenResetView(LoginRequiredMixin, View):
    def post(self, request):
        had_one = bool(request.user.calendar_token)
        calendar.calendar_token_reset(request.user)
        if had_one:
            messages.success(
                request, gettext("Your calendar has a new address; the old one no longer works.")
            )
        else:
            messages.success(
                request, gettext("Your calendar has an address: subscribe to it below.")
            )
        return redirect(safe_next(request, reverse("student:courses")))


def scanned_code(value: str | None) -> str | None:
    """The code of a scanned QR link: six ASCII digits, else nothing (never echoed)."""
    value = "".join((value or "").split())[:12]
    return value if len(value) == 6 and value.isascii() and value.isdigit() else None


def check_in_qr(url: str) -> SafeString:
    """The QR code of the check-in address, as inline SVG (no style attributes: the CSP)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=8, border=2, svgclass="checkin-qr", lineclass=None, dark="#000", light="#fff"
    )
    label = escape(gettext("QR code: scan it to open the check-in page with the code filled in"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


class CheckInView(LoginRequiredMixin, OfferingPageMixin, TemplateView):
    """Students type the code shown in the room to mark themselves present."""

    template_name = "sessions/check_in.html"
    section = "check_in"

    def get_context_data(self, form=None, **kwargs):
        session = services.current_check_in_session(self.get_offering())
        # The QR code of the room's code page opens this page with ?code=: the form comes
        # filled in and (with JavaScript, static/js/check_in.js) sends itself, as a POST
        # like any check-in, so the wrong-code throttle counts it as it counts a typed code.
        scanned = scanned_code(self.request.GET.get("code"))
        if form is None:
            form = CheckInForm(initial={"code": scanned} if scanned else None)
        return super().get_context_data(
            form=form, session=session, scanned=bool(scanned and session), **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = CheckInForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            session = services.check_in(
                offering=self.get_offering(), user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        local = timezone.localtime(session.starts_at)
        messages.success(
            request,
            gettext("You are marked present at the session of %(day)s, %(time)s.")
            % {
                "day": formats.date_format(local, "MONTH_DAY_FORMAT"),
                "time": formats.time_format(local),
            },
        )
        return redirect(request.path)


# Staff pages ------------------------------------------------------------------------------


class StaffSessionMixin(OfferingStaffMixin):
    permission_required = "discussions.take_register"

    def get_session(self):
        if not hasattr(self, "_session"):
            self._session = get_object_or_404(
                self.get_offering().discussion_sessions.select_related("module"),
                pk=self.kwargs["session_id"],
            )
        return self._session


class RegisterView(StaffSessionMixin, TemplateView):
    """Take attendance for one session: one control per student, saved in one POST."""

    template_name = "sessions/register.html"
    section = "staff"

    def get_context_data(self, **kwargs):
        session = self.get_session()
        students = services.register_students(session)
        records = {
            a.enrolment_id: a
            for a in Attendance.objects.filter(session=session, enrolment__in=students)
        }
        rows = [(e, records.get(e.pk)) for e in students]
        error = None
        try:
            services.check_session_open_for_attendance(session)
        except ValidationError as problem:
            error = problem.messages[0]
        return super().get_context_data(
            session=session,
            rows=rows,
            recorded=len(records),
            closed_reason=error,
            statuses=AttendanceStatus.choices,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        session = self.get_session()
        students = services.register_students(session)
        allowed = {e.pk for e in students}
        posted = set()
        for key in request.POST:
            if key.startswith(("status-", "active-")):
                try:
                    posted.add(int(key.split("-", 1)[1]))
                except ValueError:
                    posted.add(-1)
        try:
            if posted - allowed:
                raise ValidationError(
                    gettext(
                        "The form names students who are not enrolled for this session; reload "
                        "the page and try again. Nothing was saved."
                    )
                )
            entries = parse_register(request.POST, [e.pk for e in students])
            result = services.register_save(session=session, entries=entries, by=request.user)
        except (ValidationError, forms.ValidationError) as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(
            request,
            gettext(
                "Attendance saved: %(created)d new, %(changed)d changed, %(unchanged)d unchanged."
            )
            % {"created": result.created, "changed": result.changed, "unchanged": result.unchanged},
        )
        return redirect(request.path)


class CheckInCodeView(StaffSessionMixin, TemplateView):
    """The code to show on the projector; the page reloads itself every 20 seconds."""

    template_name = "sessions/check_in_code.html"
    section = "staff"

    def get_context_data(self, **kwargs):
        session = self.get_session()
        code = services.check_in_code(session) if session.self_check_in else None
        window_open = services.check_in_window_open(session)
        check_in_url = self.request.build_absolute_uri(
            reverse(
                "sessions:check_in",
                kwargs={
                    "course_slug": self.kwargs["course_slug"],
                    "offering_slug": self.kwargs["offering_slug"],
                },
            )
        )
        return super().get_context_data(
            session=session,
            code=code,
            window_open=window_open,
            check_in_url=check_in_url,
            # Rotates with the code: the page reloads itself, each time with the new code.
            qr=check_in_qr(f"{check_in_url}?{urlencode({'code': code})}")
            if code and window_open
            else None,
            **kwargs,
        )


SORTS = {
    "name": lambda row: (row.enrolment.student.full_name.lower(),),
    "rate": lambda row: (row.summary.percent if row.summary.percent is not None else 101,),
    "rate-desc": lambda row: (row.summary.percent if row.summary.percent is not None else -1,),
    "needed": lambda row: (
        row.summary.needed if row.summary.needed is not None else 10_000,
        row.enrolment.student.full_name.lower(),
    ),
}


class AttendanceOverviewView(PersonalPageMixin, OfferingStaffMixin, TemplateView):
    """Students by sessions with rates and who is at risk; sortable; CSV with ?format=csv."""

    permission_required = "discussions.view_attendance_grid"

    template_name = "sessions/attendance_overview.html"
    section = "staff"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def rows(self):
        held, rows = selectors.attendance_overview(self.get_offering())
        sort = self.request.GET.get("sort", "name")
        rows.sort(key=SORTS.get(sort, SORTS["name"]), reverse=sort == "rate-desc")
        return held, rows, sort

    def grid(self) -> dict:
        held, rows, _ = self.rows()
        at_risk = sum(1 for row in rows if row.summary.at_risk)
        return {"sessions": held, "rows": rows, "at_risk": at_risk}

    def get_context_data(self, **kwargs):
        sort = self.request.GET.get("sort", "name")
        return super().get_context_data(
            # Made only when the page's cached grid is out of date (its {% cache %} key
            # has the offering's versions: course.caching.fragment_key).
            grid=SimpleLazyObject(self.grid),
            sort=sort,
            # The language too: the grid's words are in it.
            fragment=fragment_key(self.get_offering(), "attendance-grid", sort, get_language()),
            **kwargs,
        )

    def csv_response(self):
        offering = self.get_offering()
        held, rows, _ = self.rows()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"attendance-{offering.course.slug}-{offering.slug}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_attendance_csv(response, held, rows)
        return response


class StaffProgressView(PersonalPageMixin, OfferingStaffMixin, TemplateView):
    """Students by modules: complete or not, quiz scores; links to each quiz's statistics."""

    permission_required = "discussions.view_progress_overview"

    template_name = "sessions/staff_progress.html"
    section = "staff"

    def table(self) -> dict:
        offering = self.get_offering()
        enrolments = list(selectors.accepted_enrolments(offering))
        progress = progress_for(offering, enrolments)
        rows = [(e, progress[e.pk]) for e in enrolments]
        modules = [p.module for p in progress[enrolments[0].pk]] if enrolments else []
        return {"rows": rows, "modules": modules}

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        quizzes = list(Quiz.objects.filter(module__offering=offering).select_related("module"))
        return super().get_context_data(
            table=SimpleLazyObject(self.table),  # made when the cached table is out of date
            fragment=fragment_key(offering, "staff-progress", get_language()),
            quizzes=quizzes,
            **kwargs,
        )
