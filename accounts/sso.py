"""Log in with the university's identity provider over OpenID Connect (issue 20).

mozilla-django-oidc speaks the protocol (accounts/backends.py, accounts/sso_views.py); this
module holds our rules:

- the provider's endpoints, read from the issuer's /.well-known/openid-configuration when
  first needed and kept in the cache for an hour (`provider_configuration`);
- who a log-in is: the verified email and name claims (`claims_from`), matched by (issuer,
  subject) to an `ExternalIdentity` (`identity_login`). A first log-in creates the account;
  an existing account with the same address is linked only once its owner proves it, with
  its password or a mailed link (`identity_link`, `link_token`, `queue_link_mail`), never
  silently;
- staff who must use the university's log-in (`password_login_refusal`), and who may give
  a linked staff account a local password (`local_password_refusal`);
- the provider's log-out (`provider_logout_url`).

Every error a person can meet is an `SsoError` whose message says what happened, in their
language; the views show it on a page (never a 500).
"""

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from course.models import Staff
from course.rules import taught_offering_ids

from .enums import MailKind
from .mail_templates import SSO_LINK_MAIL, render_account_mail
from .mailing import absolute_url, in_language_of, queue_mail
from .models import ExternalIdentity, OutgoingMail, User

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 60 * 60
#: How long a mailed link to link an account stays valid.
LINK_MAX_AGE = timedelta(hours=1)
LINK_SALT = "accounts.sso.link"
#: How long a log-in waiting for its account's owner to prove it stays in the session.
PENDING_MAX_AGE = timedelta(minutes=15)
#: At most one linking mail this often to one address.
LINK_MAIL_INTERVAL = timedelta(minutes=2)


class SsoError(Exception):
    """A log-in with the university that cannot go on; `message` is for the person."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ProviderUnreachable(SsoError):
    status = 503


@dataclass(frozen=True)
class Claims:
    """Who the provider says the person is."""

    issuer: str
    subject: str
    email: str
    full_name: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class LinkRequired(Exception):
    """An account with the provider's address exists and is not linked yet: its owner must
    prove it is theirs before the university log-in is linked to it."""

    def __init__(self, claims: Claims):
        super().__init__(claims.email)
        self.claims = claims


def enabled() -> bool:
    return bool(
        settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET
    )


def university_name() -> str:
    """The button's text, e.g. "Log in with Chalmers"."""
    return settings.OIDC_BUTTON_NAME or _("Log in with your university")


def provider_configuration() -> dict:
    """The provider's discovery document; raises ProviderUnreachable when it cannot be read."""
    issuer = settings.OIDC_ISSUER
    key = f"accounts:sso:discovery:{issuer}"
    document = cache.get(key)
    if document is not None:
        return document
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OpenID Connect discovery at %s failed: %s", url, error)
        raise ProviderUnreachable(
            _(
                "The university's log-in service does not answer at the moment. Please try "
                "again later, or log in with your password if you have one."
            )
        ) from error
    missing = {"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"}
    missing -= set(document)
    if document.get("issuer", "").rstrip("/") != issuer or missing:
        logger.error(
            "OpenID Connect discovery at %s: issuer %r (expected %r), missing %s",
            url,
            document.get("issuer"),
            issuer,
            sorted(missing),
        )
        raise ProviderUnreachable(
            _("The university's log-in service is not set up correctly. Please tell the staff.")
        )
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def claims_from(id_token: dict, userinfo: dict) -> Claims:
    """The person's claims from the verified ID token and the user info; refuses an address
    the provider has not verified and user info about someone else."""
    subject = str(id_token.get("sub") or "")
    if not subject or str(userinfo.get("sub", subject)) != subject:
        raise SsoError(_("The university's log-in service gave an answer that does not fit."))
    merged = {**id_token, **userinfo}
    email = User.objects.canonical_email(merged.get("email"))
    if not email:
        raise SsoError(
            _(
                "The university's log-in service did not tell us your email address, so no "
                "account can be made. Please tell the staff."
            )
        )
    verified = merged.get("email_verified", True)
    if verified is not True and str(verified).lower() != "true":
        raise SsoError(
            _(
                "The university has not confirmed your email address %(email)s, so you cannot "
                "log in with it here. Confirm it at the university first, or log in with a "
                "password."
            )
            % {"email": email}
        )
    name = str(merged.get("name") or "").strip() or " ".join(
        part for part in (merged.get("given_name"), merged.get("family_name")) if part
    )
    name = " ".join(name.split())[:150] or email.split("@")[0]
    return Claims(issuer=settings.OIDC_ISSUER, subject=subject, email=email, full_name=name)


def identity_login(claims: Claims) -> User:
    """The account of a person who logged in at the provider.

    A linked identity gives its account. Without one, a new account is made from the claims
    (address confirmed, no password) and linked; when an account has the address already,
    LinkRequired is raised and nothing is changed. Atomic.
    """
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            raise SsoError(_("This account is closed. Please contact the staff."))
        return identity.user
    if User.objects.filter(email=claims.email).exists():
        raise LinkRequired(claims)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                claims.email,
                None,  # no password: an unusable one
                full_name=claims.full_name,
                email_verified_at=timezone.now(),
            )
            ExternalIdentity.objects.create(user=user, issuer=claims.issuer, subject=claims.subject)
    except IntegrityError as error:  # the same person's first log-in twice at once
        raise SsoError(_("Please try to log in again.")) from error
    return user


@transaction.atomic
def identity_link(*, user: User, issuer: str, subject: str) -> ExternalIdentity:
    """Link a university log-in to an account whose owner has proved it is theirs (its
    password, or a link mailed to its address). The address counts as confirmed: the
    provider verified it too. Refused when the log-in belongs to another account or the
    account has another log-in at this provider; linking twice changes nothing."""
    existing = ExternalIdentity.objects.filter(issuer=issuer, subject=subject).first()
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise ValidationError(
            _("This university log-in is linked to another account already."), code="taken"
        )
    if ExternalIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise ValidationError(
            _("This account is linked to another university log-in already."), code="linked"
        )
    identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return identity


def link_token(*, user: User, claims: Claims) -> str:
    return signing.dumps(
        {"user": user.pk, "iss": claims.issuer, "sub": claims.subject}, salt=LINK_SALT
    )


def link_from_token(token: str) -> tuple[User, str, str]:
    """The account and the log-in a mailed link is about; ValidationError when the link is
    expired, changed or about an account that is gone."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This link has expired. Log in with the university again to get a new one."),
            code="expired",
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            _("This link is not valid. Copy the whole link from the mail."), code="invalid"
        ) from error
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        raise ValidationError(_("This link is not valid any more."), code="gone")
    return user, data["iss"], data["sub"]


def queue_link_mail(*, user: User, claims: Claims) -> OutgoingMail | None:
    """Mail the account's owner a link that links the university log-in (valid LINK_MAX_AGE).
    None when one was sent a moment ago."""
    if OutgoingMail.objects.filter(
        recipient=user,
        kind=MailKind.SSO_LINK,
        created_at__gt=timezone.now() - LINK_MAIL_INTERVAL,
    ).exists():
        return None
    link = absolute_url(
        reverse("accounts:sso_link_confirm", kwargs={"token": link_token(user=user, claims=claims)})
    )
    context = {"name": user.full_name, "email": user.email, "link": link}
    with in_language_of(user):
        subject, body = render_account_mail(SSO_LINK_MAIL, context)
    return queue_mail(
        to_email=user.email, subject=subject, body=body, kind=MailKind.SSO_LINK, recipient=user
    )


def must_use_sso(user: User) -> bool:
    """Staff who must log in with the university: while SSO is on, staff of an offering
    that asks it, and with SSO_REQUIRED_FOR_STAFF every staff member (is_staff or staff of
    any offering). Superusers are left out: they can still log in when the provider is down."""
    if not enabled() or not user.is_active or user.is_superuser:
        return False
    if settings.SSO_REQUIRED_FOR_STAFF and (user.is_staff or taught_offering_ids(user)):
        return True
    return Staff.objects.filter(user=user, offering__staff_sso_required=True).exists()


def password_login_refusal(user: User) -> str | None:
    """Why a password log-in is refused to this person (who typed the right password), or
    None when it is allowed."""
    if not must_use_sso(user):
        return None
    return _("Staff log in with the university: use the button “%(button)s”, not a password.") % {
        "button": university_name()
    }


def local_password_refusal(*, target: User, by: User) -> str | None:
    """Why `by` may not set `target`'s local password, or None: only a superuser may give a
    staff account that is linked to the university's log-in a password."""
    if by.is_superuser or not target.external_identities.exists():
        return None
    if not (target.is_staff or target.is_superuser or taught_offering_ids(target)):
        return None
    return _(
        "%(name)s is staff and logs in with the university: only an administrator may give "
        "this account a password."
    ) % {"name": target.full_name or target.email}


def provider_logout_url(*, id_token: str, return_to: str) -> str | None:
    """The provider's log-out address (RP-initiated log-out), or None when the provider has
    none or cannot be reached."""
    try:
        endpoint = provider_configuration().get("end_session_endpoint")
    except SsoError:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": return_to,
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
