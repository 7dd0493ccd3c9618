"""Sign-up, email verification, registration for an offering and the student's own pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from course import selectors as course_selectors
from course.models import Offering
from course.views import OfferingPageMixin
from sessions.calendar import calendar_token
from sessions.grading import signed_off_grades

from . import selectors, services
from .enums import EnrolmentStatus, MailKind
from .forms import ApplicationForm, OutboxPasswordResetForm, SignupForm
from .models import OutgoingMail


def safe_next(request, default: str) -> str:
    """The `next` address if it is a path on this site, else `default`.

    Only paths: redirect() would take a bare word such as "me" for the name of a view.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(safe_next(request, reverse("accounts:me")))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        try:
            user = services.user_signup(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            f"Welcome, {user.full_name}! We have mailed a link to {user.email}.",
        )
        return redirect(safe_next(self.request, reverse("accounts:me")))


class VerifyEmailView(View):
    def get(self, request, token):
        try:
            user = services.user_verify_email(token=token)
        except ValidationError as error:
            return render(
                request, "accounts/verify_failed.html", {"error": error.messages[0]}, status=400
            )
        messages.success(request, f"Thank you: {user.email} is confirmed.")
        if request.user.is_authenticated:
            return redirect("accounts:me")
        return redirect(f"{reverse('accounts:login')}?next={reverse('accounts:me')}")


class ResendVerificationView(LoginRequiredMixin, View):
    # One mail every few minutes is enough; more only fills the student's inbox.
    INTERVAL = timezone.timedelta(minutes=2)

    def post(self, request):
        user = request.user
        if user.email_verified:
            messages.info(request, "Your address is confirmed already.")
        elif OutgoingMail.objects.filter(
            recipient=user,
            kind=MailKind.VERIFICATION,
            created_at__gt=timezone.now() - self.INTERVAL,
        ).exists():
            messages.warning(
                request, "A link was sent a moment ago. Check your inbox and spam folder."
            )
        else:
            services.queue_verification_mail(user)
            messages.success(request, f"A new link is on its way to {user.email}.")
        return redirect(safe_next(request, reverse("accounts:me")))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm


class RegisterView(OfferingPageMixin, TemplateView):
    """Register for an offering: the application form while registration is open."""

    template_name = "accounts/register.html"
    section = "register"

    def get_context_data(self, form=None, **kwargs):
        offering = self.get_offering()
        state, when = offering.registration_state()
        enrolment = selectors.enrolment_of(user=self.request.user, offering=offering)
        if form is None and state == "open" and self.request.user.is_authenticated:
            form = ApplicationForm(offering=offering)
        return super().get_context_data(
            registration_state=state,
            registration_when=when,
            enrolment=enrolment,
            can_apply=state == "open"
            and (enrolment is None or enrolment.status == EnrolmentStatus.WITHDRAWN),
            form=form,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        offering = self.get_offering()
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        form = ApplicationForm(request.POST, offering=offering)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.enrolment_apply(
                offering=offering,
                student=request.user,
                level=form.cleaned_data["level"],
                programme=form.cleaned_data.get("programme", ""),
                motivation=form.cleaned_data.get("motivation", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        if request.user.email_verified:
            messages.success(request, "Application received. You will be mailed the decision.")
        else:
            messages.warning(
                request,
                "Application received. It counts once you confirm your email address with the "
                "link we mailed you.",
            )
        return redirect(my_offering_url(offering))


def my_offering_url(offering: Offering) -> str:
    return reverse(
        "accounts:my_offering",
        kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
    )


class MyCoursesView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/me.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        enrolments = list(selectors.student_enrolments(user))
        accepted = any(e.is_accepted for e in enrolments)
        results = signed_off_grades(e for e in enrolments if e.is_accepted)
        for enrolment in enrolments:
            enrolment.result = results.get(enrolment.pk)
        return super().get_context_data(
            enrolments=enrolments,
            calendar_url=(
                self.request.build_absolute_uri(
                    reverse("discussions:personal_ics", kwargs={"token": calendar_token(user)})
                )
                if accepted
                else None
            ),
            taught=list(
                Offering.objects.filter(Q(staff__user=user))
                .select_related("course")
                .order_by("-start_date")
                .distinct()
            ),
            **kwargs,
        )


def project_summary(enrolment):
    """The student's group and deliverables for their page (projects app)."""
    from projects.selectors import deliverable_rows, group_of

    group = group_of(enrolment)
    return {"group": group, "rows": deliverable_rows(enrolment.offering, group)}


def examination_summary(enrolment):
    """The student's conditions and, once signed off, their result (sessions.grading)."""
    from sessions.grading import grade_sheet

    sheet = grade_sheet(enrolment.offering, enrolments=[enrolment])
    row = sheet.rows[0]
    return {"row": row, "state": sheet.state, "result": sheet.published_result(row)}


class MyOfferingView(LoginRequiredMixin, TemplateView):
    """A student's own page for one offering: status, key, instructions, news, progress."""

    template_name = "accounts/my_offering.html"

    def get_context_data(self, **kwargs):
        enrolment = selectors.own_enrolment(
            user=self.request.user,
            course_slug=self.kwargs["course_slug"],
            offering_slug=self.kwargs["offering_slug"],
        )
        offering = enrolment.offering
        examination = examination_summary(enrolment) if enrolment.is_accepted else None
        return super().get_context_data(
            enrolment=enrolment,
            offering=offering,
            course=offering.course,
            section="me",
            announcements=list(course_selectors.published_announcements(offering)[:5]),
            waiting_position=selectors.waiting_position(enrolment),
            attendance=examination["row"].attendance if examination else None,
            project=project_summary(enrolment) if enrolment.is_accepted else None,
            examination=examination,
            **kwargs,
        )


class WithdrawView(LoginRequiredMixin, View):
    def post(self, request, course_slug, offering_slug):
        enrolment = selectors.own_enrolment(
            user=request.user, course_slug=course_slug, offering_slug=offering_slug
        )
        try:
            services.enrolment_withdraw(enrolment=enrolment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your application is withdrawn.")
        return HttpResponseRedirect(my_offering_url(enrolment.offering))
