"""The decision mails' default texts and the placeholders their templates may use, and the
fixed texts of the account mails (sign-up with a taken address, the invitation to set a
password).

Pure rules with no database: MailTemplate.clean() and the admin's help text ask them, and
accounts.mailing renders them.
"""

import string

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import EnrolmentStatus

COMMON_PLACEHOLDERS = {
    "student_name": "the student's full name",
    "student_email": "the student's email address",
    "course": "the course title",
    "offering": "the offering's name, e.g. 2016",
    "status": "the decision, e.g. Accepted",
    "my_page_url": "the student's own page for the offering",
    "offering_url": "the offering's public page",
}
ACCEPTED_PLACEHOLDERS = {
    "platform_name": "the external video platform's name",
    "platform_url": "the external video platform's address",
    "enrollment_key": "the platform's enrollment key (never shown publicly)",
    "instructions": "the offering's instructions for accepted students",
}

#: The wording of each decision mail when the offering has none of its own (MailTemplate),
#: translated into the recipient's language when the mail is queued.
DEFAULT_TEMPLATES: dict[str, tuple[Promise, Promise]] = {
    EnrolmentStatus.ACCEPTED: (
        _("${course} ${offering}: you are enrolled"),
        _(
            "Dear ${student_name},\n\n"
            "you are enrolled in ${course} ${offering}. Welcome!\n\n"
            "${instructions}\n\n"
            "The video lectures are on ${platform_name}: ${platform_url}\n"
            "Your enrollment key there: ${enrollment_key}\n\n"
            "The quizzes, your attendance, your project group and your progress are on this "
            "site, on your page for the course: ${my_page_url}\n"
        ),
    ),
    EnrolmentStatus.WAITLISTED: (
        _("${course} ${offering}: you are on the waiting list"),
        _(
            "Dear ${student_name},\n\n"
            "the course ${course} ${offering} is full, and your application is on its waiting "
            "list. Seats go to the waiting list in the order of application; we will mail you "
            "if one becomes free for you.\n\nYour application: ${my_page_url}\n"
        ),
    ),
    EnrolmentStatus.REJECTED: (
        _("${course} ${offering}: your application"),
        _(
            "Dear ${student_name},\n\n"
            "we are sorry: we cannot offer you a place in ${course} ${offering}.\n\n"
            "Your application: ${my_page_url}\n"
        ),
    ),
    EnrolmentStatus.WITHDRAWN: (
        _("${course} ${offering}: your application is withdrawn"),
        _(
            "Dear ${student_name},\n\n"
            "your application to ${course} ${offering} is withdrawn. If this is a mistake, "
            "register again while registration is open, or contact the teaching assistants."
            "\n\n${offering_url}\n"
        ),
    ),
}


def allowed_placeholders(status: str) -> dict[str, str]:
    if status == EnrolmentStatus.ACCEPTED:
        return {**COMMON_PLACEHOLDERS, **ACCEPTED_PLACEHOLDERS}
    return dict(COMMON_PLACEHOLDERS)


def validate_template(status: str, *, subject: str, body: str) -> None:
    """Refuse a template whose placeholders would fail, or leak the key, at send time."""
    allowed = allowed_placeholders(status)
    errors = {}
    for name, text in (("subject", subject), ("body", body)):
        template = string.Template(text or "")
        if not template.is_valid():
            errors[name] = gettext(
                "A $ must start a placeholder such as ${student_name}; write $$ for a dollar sign."
            )
            continue
        unknown = [p for p in template.get_identifiers() if p not in allowed]
        if unknown:
            wrong = unknown[0]
            if wrong in ACCEPTED_PLACEHOLDERS:
                errors[name] = gettext(
                    "%(placeholder)s can only be used in the mail to accepted students."
                ) % {"placeholder": f"${{{wrong}}}"}
            else:
                errors[name] = gettext(
                    "Unknown placeholder %(placeholder)s. Available: %(available)s"
                ) % {
                    "placeholder": f"${{{wrong}}}",
                    "available": ", ".join(f"${{{p}}}" for p in allowed),
                }
    if errors:
        raise ValidationError(errors)


# Account mails ------------------------------------------------------------------------------
# Fixed texts (no offering has its own wording), with ${placeholders} that accounts.mailing
# fills in. Translated when the mail is queued.

#: To the owner of an address someone tried to sign up with: sign-up answers the same
#: whether an address has an account or not, so the owner hears of it here instead.
SIGNUP_ATTEMPT_MAIL = (
    _("Someone tried to sign up with your address"),
    _(
        "Hello ${name},\n\n"
        "someone, perhaps you, just tried to create a coursesite account with this address "
        "(${email}). You have an account already, so no new one was made.\n\n"
        "Log in: ${login_url}\n"
        "Forgot your password? Choose a new one: ${reset_url}\n\n"
        "If it was not you, ignore this message: your account stays as it is.\n"
    ),
)

#: To the owner of an account whose address a university log-in has: the link links that
#: log-in to the account (accounts/sso.py); nothing happens unless they follow it.
SSO_LINK_MAIL = (
    _("Link your university log-in to your coursesite account"),
    _(
        "Hello ${name},\n\n"
        "someone, perhaps you, logged in with the university and asked to link that log-in "
        "to your coursesite account (${email}).\n\n"
        "To link it, follow this link within an hour: ${link}\n\n"
        "If it was not you, ignore this message: nothing is linked and your account stays "
        "as it is.\n"
    ),
)

#: To a student whose account staff created when enrolling them directly: the account has
#: no password yet. ${reset_link} is the outbox's password-reset reference (made into the
#: link when the mail is sent, accounts.mailing.mail_text).
INVITATION_MAIL = (
    _("${course} ${offering}: choose a password for coursesite"),
    _(
        "Hello ${name},\n\n"
        "the teachers of ${course} ${offering} have enrolled you and made you a coursesite "
        "account with this address (${email}). Choose its password here:\n\n"
        "${reset_link}\n\n"
        'The link works for a few days; after that, use "Forgot your password?" on the '
        "log-in page: ${login_url}\n"
    ),
)


def render_account_mail(
    text: tuple[str | Promise, str | Promise], context: dict[str, str]
) -> tuple[str, str]:
    """An account mail's subject (one line) and body, translated and filled in."""
    subject, body = (string.Template(str(part)).safe_substitute(context) for part in text)
    return " ".join(subject.split()), body
