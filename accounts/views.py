"""Sign-up, email verification, the account page with its API tokens, registration for an
offering and withdrawing from it.

The student's own pages (/me/) gather from every app and live in sessions/student/."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from course.http import safe_next
from course.models import Offering
from course.pages import OfferingPageMixin

from . import selectors, services, throttling
from .enums import EnrolmentStatus, MailKind
from .forms import AccessTokenForm, ApplicationForm, OutboxPasswordResetForm, SignupForm
from .models import AccessToken, OutgoingMail, User


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(safe_next(request, reverse("student:courses")))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        refused = mail_request_refused(
            self, form, kind=throttling.MailRequestKind.SIGNUP, email=form.cleaned_data["email"]
        )
        if refused:
            return refused
        # The same answer whether the address is new or has an account (whose owner is
        # mailed instead): nobody learns which addresses have accounts. So nobody is logged
        # in here; the new account's owner logs in with the password just chosen.
        services.user_signup(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            language=translation.get_language(),
        )
        messages.success(
            self.request,
            _(
                "Thank you. We have sent a mail to %(email)s: follow the link in it to "
                "confirm your address. Log in with your email address and password."
            )
            % {"email": User.objects.canonical_email(form.cleaned_data["email"])},
        )
        next_url = safe_next(self.request, reverse("student:courses"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


class VerifyEmailView(View):
    def get(self, request, token):
        try:
            user = services.user_verify_email(token=token)
        except ValidationError as error:
            return render(
                request, "accounts/verify_failed.html", {"error": error.messages[0]}, status=400
            )
        messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": user.email})
        if request.user.is_authenticated:
            return redirect("student:courses")
        return redirect(f"{reverse('accounts:login')}?next={reverse('student:courses')}")


class ResendVerificationView(LoginRequiredMixin, View):
    # One mail every few minutes is enough; more only fills the student's inbox.
    INTERVAL = timezone.timedelta(minutes=2)

    def post(self, request):
        user = request.user
        if user.email_verified:
            messages.info(request, _("Your address is confirmed already."))
        elif OutgoingMail.objects.filter(
            recipient=user,
            kind=MailKind.VERIFICATION,
            created_at__gt=timezone.now() - self.INTERVAL,
        ).exists():
            messages.warning(
                request, _("A link was sent a moment ago. Check your inbox and spam folder.")
            )
        elif wait := throttling.mail_request_throttle(
            request, kind=throttling.MailRequestKind.VERIFY_RESEND, email=user.email
        ):
            messages.error(
                request, throttled_message(throttling.MailRequestKind.VERIFY_RESEND, wait)
            )
        else:
            services.queue_verification_mail(user)
            messages.success(
                request, _("A new link is on its way to %(email)s.") % {"email": user.email}
            )
        return redirect(safe_next(request, reverse("student:courses")))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        refused = mail_request_refused(
            self,
            form,
            kind=throttling.MailRequestKind.PASSWORD_RESET,
            email=form.cleaned_data["email"],
        )
        return refused or super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        """A new password chosen through the mailed link proves the address is theirs: the
        account's wrong passwords are forgotten, so a locked-out person can log in at once."""
        response = super().form_valid(form)
        throttling.login_unlock(username=form.user.email, by=form.user)
        return response


#: What a refused request that sends mail says first (accounts/throttling.py).
MAIL_REQUEST_REFUSALS = {
    throttling.MailRequestKind.SIGNUP: gettext_lazy(
        "Too many accounts were asked for from your network or with this email address."
    ),
    throttling.MailRequestKind.PASSWORD_RESET: gettext_lazy(
        "Too many password resets were asked for from your network or for this email address."
    ),
    throttling.MailRequestKind.VERIFY_RESEND: gettext_lazy(
        "Too many confirmation links were asked for from your network or for your address."
    ),
}


def throttled_message(kind: str, wait) -> str:
    minutes = throttling.wait_minutes(wait)
    then = ngettext(
        "Nothing was sent. Please try again in %(minutes)d minute.",
        "Nothing was sent. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return f"{MAIL_REQUEST_REFUSALS[kind]} {then}"


def mail_request_refused(view, form, *, kind: str, email: str):
    """The form page again with the refusal (status 429) when a request that sends mail is
    over its limit (accounts/throttling.py); None when it may go ahead."""
    wait = throttling.mail_request_throttle(view.request, kind=kind, email=email)
    if wait is None:
        return None
    form.add_error(None, throttled_message(kind, wait))
    return view.render_to_response(view.get_context_data(form=form), status=429)


def login_locked_out(request, original_response=None, credentials=None):
    """The answer to a log-in refused by django-axes (AXES_LOCKOUT_CALLABLE), on both log-in
    pages: why, and how long to wait (status 429)."""
    wait = throttling.login_lockout_wait(request, credentials)
    return render(
        request,
        "accounts/locked_out.html",
        {
            "minutes": throttling.wait_minutes(wait),
            "until": timezone.localtime() + wait,
            "cool_off_minutes": settings.LOGIN_COOL_OFF_MINUTES,
        },
        status=429,
    )


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
            messages.success(request, _("Application received. You will be mailed the decision."))
        else:
            messages.warning(
                request,
                _(
                    "Application received. It counts once you confirm your email address with "
                    "the link we mailed you."
                ),
            )
        return redirect(my_offering_url(offering))


def my_offering_url(offering: Offering) -> str:
    return reverse(
        "student:offering",
        kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
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
            messages.success(request, _("Your application is withdrawn."))
        return HttpResponseRedirect(my_offering_url(enrolment.offering))


class AccountView(LoginRequiredMixin, TemplateView):
    """/accounts/: the logged-in person's account (name, email, language, links to the
    password and their data) and their personal access tokens of the API: listed with a
    revoke button each, and a form to make one. A new token is shown once, in the answer to
    the form (never stored, never kept by a cache)."""

    template_name = "accounts/account.html"

    def get_context_data(self, form=None, new_token=None, **kwargs):
        user = self.request.user
        if form is None:
            expires = timezone.localdate() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
            form = AccessTokenForm(initial={"expires_on": expires})
        return super().get_context_data(
            form=form,
            new_token=new_token,
            tokens=list(AccessToken.objects.filter(user=user)),
            now=timezone.now(),
            api_docs=reverse("api:openapi-view"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = AccessTokenForm(request.POST)
        new_token = None
        if form.is_valid():
            day = form.cleaned_data["expires_on"]
            # The end of the chosen day, in the site's time zone.
            expires_at = timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
            try:
                new_token = services.token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_at=expires_at,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form = None  # a fresh form under the new token
        response = self.render_to_response(self.get_context_data(form=form, new_token=new_token))
        response["Cache-Control"] = "private, no-store"  # the token is in this page only
        return response


class TokenRevokeView(LoginRequiredMixin, View):
    """Revoke one of the person's own tokens; someone else's is 404."""

    def post(self, request, token_id):
        try:
            token = services.token_revoke(user=request.user, token_id=token_id)
        except AccessToken.DoesNotExist:
            raise Http404(_("No such token.")) from None
        messages.success(
            request,
            _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name},
        )
        return redirect("accounts:account")
