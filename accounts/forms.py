from datetime import timedelta
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    UserChangeForm,
    UserCreationForm,
)
from django.template import loader
from django.utils import timezone

from course.enums import Question

from .enums import Level, MailKind
from .mailing import password_reset_reference, queue_mail
from .models import OutgoingMail, User


def validate_one_line(value: str) -> None:
    """Names end up in mail headers: line breaks and other control characters are refused."""
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise forms.ValidationError("Write the name on one line, without control characters.")


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True})
    )


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name", validators=[validate_one_line])
    email = forms.EmailField(
        label="Email address", max_length=254, help_text="We send a link to confirm it."
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose mail goes through the outbox, so a mail server failure cannot
    break the page; `send_queued_mail` sends it."""

    email = forms.EmailField(label="Email", max_length=254)

    def save(self, *args, **kwargs):
        # Links in the mail point at SITE_URL, not at whatever Host header the request had.
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        return super().save(*args, **kwargs)

    def get_users(self, email):
        """Active accounts with this address, including those staff created without a
        password (direct enrolment): "forgot password" is how those people set one."""
        return User.objects.filter(email=User.objects.canonical_email(email), is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context.get("user")
        recent = OutgoingMail.objects.filter(
            recipient=user,
            kind=MailKind.PASSWORD_RESET,
            created_at__gt=timezone.now() - timedelta(minutes=2),
        )
        if recent.exists():
            return  # one link every two minutes is enough; more would flood the inbox
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        queue_mail(
            to_email=to_email,
            subject=subject,
            # The outbox stores a reference, never the link: the link is made at sending.
            body=loader.render_to_string(
                email_template_name, {**context, "reset_link": password_reset_reference(user)}
            ),
            kind=MailKind.PASSWORD_RESET,
            recipient=context.get("user"),
        )


class ApplicationForm(forms.Form):
    """The registration form; the offering decides which questions it asks."""

    level = forms.ChoiceField(label="I study at", choices=Level.choices, widget=forms.RadioSelect)
    programme = forms.CharField(label="Programme or department", max_length=200)
    motivation = forms.CharField(
        label="Why do you want to take this course?", widget=forms.Textarea(attrs={"rows": 5})
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

    offering = forms.ModelChoiceField(queryset=None)
    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=150, validators=[validate_one_line])
    level = forms.ChoiceField(choices=Level.choices)
    programme = forms.CharField(max_length=200, required=False)
    enrolled_on = forms.DateField(
        help_text="First day the student takes part; sessions before it do not count "
        "against them. Format: YYYY-MM-DD."
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
