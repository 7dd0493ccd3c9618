"""The pages of the university's log-in (OpenID Connect, accounts/sso.py).

- `SsoLoginView` (/accounts/sso/login/): sends the person to the provider (mozilla-django-oidc
  makes the state, nonce and PKCE challenge).
- `SsoCallbackView` (/accounts/sso/callback/): the provider sends them back here; logged in,
  or on to linking, or a page saying what went wrong (refused, provider down, stale state).
- `SsoLinkView` (/accounts/sso/link/): an account has the address already: its owner logs
  in with its password once, or asks for a link by mail (`SsoLinkMailView`), and the link
  (`SsoLinkConfirmView`) links it.
- `LogoutView`: ends the session here and offers the provider's log-out.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import sso
from .forms import SsoLinkPasswordForm
from .models import User

BACKEND = "accounts.backends.UniversityBackend"
#: The session's key for a log-in waiting for its account's owner to prove it.
PENDING = "sso_pending_link"


def error_page(request, message: str, *, status: int = 400, title: str | None = None):
    return render(
        request,
        "accounts/sso_error.html",
        {
            "title": title or _("Logging in with the university did not work"),
            "message": message,
            "university": sso.university_name(),
        },
        status=status,
    )


class SsoLoginView(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # Not the library's __init__: it reads the endpoints from settings; they are
        # discovered here when a log-in starts.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not sso.enabled():
            raise Http404
        try:
            configuration = sso.provider_configuration()
        except sso.SsoError as error:
            return error_page(request, error.message, status=error.status)
        self.OIDC_OP_AUTH_ENDPOINT = configuration["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not sso.enabled():
            raise Http404
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            states.pop(state, None)  # a refused log-in's state is not used again
            request.session.modified = True
            if request.GET["error"] == "access_denied":
                return error_page(
                    request,
                    _(
                        "The log-in was cancelled at the university, so you are not logged in "
                        "here. Nothing has changed."
                    ),
                    status=403,
                    title=_("Log-in cancelled"),
                )
            sso.logger.warning("OpenID Connect provider answered %s", request.GET["error"])
            return error_page(request, _("The university's log-in service could not log you in."))
        if not request.GET.get("code") or state not in states:
            # No state of this browser's: a page opened twice, an old tab, or a forged link.
            return error_page(
                request,
                _(
                    "This log-in has expired or was started in another browser window. "
                    "Please start again from the log-in page."
                ),
            )
        try:
            return super().get(request)
        except sso.LinkRequired as link:
            request.session[PENDING] = {
                **link.claims.as_dict(),
                "id_token": request.session.pop("oidc_id_token", ""),
                "at": time.time(),
                "next": request.session.get("oidc_login_next") or "",
            }
            return redirect("accounts:sso_link")
        except sso.SsoError as error:
            request.session.pop("oidc_id_token", None)
            return error_page(request, error.message, status=error.status)

    def login_failure(self):
        return error_page(self.request, _("The university's log-in service did not log you in."))


def pending_claims(request) -> tuple[sso.Claims, dict] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > sso.PENDING_MAX_AGE.total_seconds():
        request.session.pop(PENDING, None)
        return None
    claims = sso.Claims(
        issuer=pending["issuer"],
        subject=pending["subject"],
        email=pending["email"],
        full_name=pending["full_name"],
    )
    return claims, pending


class SsoLinkView(View):
    """An account has the address the university gave: its owner proves it is theirs."""

    template_name = "accounts/sso_link.html"

    def dispatch(self, request, *args, **kwargs):
        if not sso.enabled():
            raise Http404
        found = pending_claims(request)
        if found is None:
            messages.info(
                request, _("Please log in with the university again: that log-in has expired.")
            )
            return redirect("accounts:login")
        self.claims, self.pending = found
        return super().dispatch(request, *args, **kwargs)

    def page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "email": self.claims.email, "university": sso.university_name()},
            status=status,
        )

    def get(self, request):
        return self.page(SsoLinkPasswordForm())

    def post(self, request):
        form = SsoLinkPasswordForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        # Through authenticate(), so wrong passwords count against the account (django-axes)
        # and a locked-out account is refused here as on the log-in page.
        user = authenticate(
            request, username=self.claims.email, password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(
                "password",
                _("That is not the password of the account %(email)s.")
                % {"email": self.claims.email},
            )
            return self.page(form, status=400)
        try:
            sso.identity_link(user=user, issuer=self.claims.issuer, subject=self.claims.subject)
        except ValidationError as error:
            return error_page(request, " ".join(error.messages))
        pending = request.session.pop(PENDING)
        login(request, user, backend=BACKEND)
        if pending.get("id_token"):
            request.session["oidc_id_token"] = pending["id_token"]
        messages.success(
            request,
            _("Your university log-in is linked to your account: use it to log in from now on."),
        )
        return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


class SsoLinkMailView(SsoLinkView):
    """The owner asks for a link by mail instead of typing the password."""

    http_method_names = ["post"]

    def post(self, request):
        user = User.objects.filter(email=self.claims.email, is_active=True).first()
        if user is not None:
            sso.queue_link_mail(user=user, claims=self.claims)
        messages.success(
            request,
            _(
                "We have sent a link to %(email)s. Follow it within an hour to link your "
                "university log-in; then log in with the university again."
            )
            % {"email": self.claims.email},
        )
        return redirect("accounts:sso_link")


class SsoLinkConfirmView(View):
    """The mailed link: a page with a button (mail scanners that open links change nothing)."""

    def dispatch(self, request, *args, **kwargs):
        if not sso.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        try:
            user, _issuer, _subject = sso.link_from_token(token)
        except ValidationError as error:
            return error_page(request, " ".join(error.messages))
        return render(
            request,
            "accounts/sso_link_confirm.html",
            {"email": user.email, "university": sso.university_name()},
        )

    def post(self, request, token):
        try:
            user, issuer, subject = sso.link_from_token(token)
            sso.identity_link(user=user, issuer=issuer, subject=subject)
        except ValidationError as error:
            return error_page(request, " ".join(error.messages))
        messages.success(
            request,
            _("Your university log-in is linked to %(email)s. Log in with the university now.")
            % {"email": user.email},
        )
        return redirect("accounts:login")


class LogoutView(auth_views.LogoutView):
    """Ends the session here; after a university log-in, a page offers the provider's
    log-out too (the person may still be logged in there, on a shared computer)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not sso.enabled():
            return response
        logout_url = sso.provider_logout_url(
            id_token=id_token, return_to=request.build_absolute_uri("/")
        )
        if logout_url is None:
            return response
        return render(
            request,
            "accounts/sso_logged_out.html",
            {"provider_logout_url": logout_url, "university": sso.university_name()},
        )
