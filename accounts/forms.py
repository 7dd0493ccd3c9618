from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    UserChangeForm,
    UserCreationForm,
)
from django.utils.translation import gettext_lazy as _

from course.enums import Question

from . import sso
from .enums import Level, TokenScope
from .mailing import password_reset_mail
from .models import User


def validate_one_line(value: str) -> None:
    """Names end up in mail headers: line breaks and other control characters are refused."""
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise forms.ValidationError(
            _("Write the name on one line, without control characters."), code="one_line"
        )


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # shown again with its errors: the error summary takes the focus
            self.fields["username"].widget.attrs.pop("autofocus", None)

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = sso.password_login_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="sso_required")

    def clean(self):
        """A refused log-in marks both fields invalid, described by the error summary
        (templates/accounts/includes/error_summary.html), which screen readers announce."""
        try:
            return super().clean()
        except forms.ValidationError:
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "error-summary"}
                )
            raise


class SsoLinkPasswordForm(forms.Form):
    """The password of the account a university log-in is to be linked to."""

    password = forms.CharField(
        label=_("Password of this account"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignupForm(forms.Form):
    full_name = forms.CharField(
        max_length=150, label=_("Full name"), validators=[validate_one_line]
    )
    email = forms.EmailField(
        label=_("Email address"), max_length=254, help_text=_("We send a link to confirm it.")
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error(
                "password2",
                forms.ValidationError(_("The two passwords differ."), code="password_mismatch"),
            )
        elif first:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose work is done by the task worker (accounts.mailing.
    password_reset_mail): the page queues the task for any address and answers the same,
    in the same time, whether the address has an account or not."""

    email = forms.EmailField(label=_("Email"), max_length=254)

    def save(self, *args, **kwargs):
        # Django's arguments (the request's domain, the templates) are not used: the link
        # points at SITE_URL, whatever Host header the request had.
        password_reset_mail.enqueue(self.cleaned_data["email"])


class ApplicationForm(forms.Form):
    """The registration form; the offering decides which questions it asks."""

    level = forms.ChoiceField(
        label=_("I study at"), choices=Level.choices, widget=forms.RadioSelect
    )
    programme = forms.CharField(label=_("Programme or department"), max_length=200)
    motivation = forms.CharField(
        label=_("Why do you want to take this course?"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, offering, **kwargs):
        super().__init__(*args, **kwargs)
        for name, setting in (
            ("programme", offering.programme_question),
            ("motivation", offering.motivation_question),
        ):
            if setting == Question.HIDDEN:
                del self.fields[name]
            else:
                self.fields[name].required = setting == Question.REQUIRED


class DirectEnrolmentForm(forms.Form):
    """Staff enrol a late arrival: the account is created when there is none."""

    offering = forms.ModelChoiceField(label=_("Offering"), queryset=None)
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, validators=[validate_one_line]
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    programme = forms.CharField(label=_("Programme"), max_length=200, required=False)
    enrolled_on = forms.DateField(
        label=_("Enrolled on"),
        help_text=_(
            "First day the student takes part; sessions before it do not count "
            "against them. Format: YYYY-MM-DD."
        ),
    )

    def __init__(self, *args, offerings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AccessTokenForm(forms.Form):
    """A new personal access token of the API (accounts.services.token_create checks it)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “Room ML13 card reader”."),
        validators=[validate_one_line],
    )
    scope = forms.ChoiceField(
        label=_("What it may do"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        help_text=_("At most a year from today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
