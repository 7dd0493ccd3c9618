"""Account pages, registration for an offering and withdrawing from it.

Mounted at the site root: the paths name their own prefixes (accounts/, me/, courses/).
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import sso_views, views
from .forms import LoginForm

app_name = "accounts"

OFFERING = "<slug:course_slug>/<slug:offering_slug>"

urlpatterns = [
    path("accounts/", views.AccountView.as_view(), name="account"),
    path(
        "accounts/tokens/<int:token_id>/revoke/",
        views.TokenRevokeView.as_view(),
        name="token_revoke",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", sso_views.LogoutView.as_view(), name="logout"),
    # Log in with the university (OpenID Connect, accounts/sso.py): 404 while it is not set up.
    path("accounts/sso/login/", sso_views.SsoLoginView.as_view(), name="sso_login"),
    path("accounts/sso/callback/", sso_views.SsoCallbackView.as_view(), name="sso_callback"),
    path("accounts/sso/link/", sso_views.SsoLinkView.as_view(), name="sso_link"),
    path("accounts/sso/link/mail/", sso_views.SsoLinkMailView.as_view(), name="sso_link_mail"),
    path(
        "accounts/sso/link/<str:token>/",
        sso_views.SsoLinkConfirmView.as_view(),
        name="sso_link_confirm",
    ),
    path("accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("accounts/verify/resend/", views.ResendVerificationView.as_view(), name="verify_resend"),
    path("accounts/verify/<str:token>/", views.VerifyEmailView.as_view(), name="verify_email"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(f"me/{OFFERING}/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path(f"courses/{OFFERING}/register/", views.RegisterView.as_view(), name="register"),
]
