"""Who asks the API (docs/ARCHITECTURE.md "The API"): a personal access token, or nobody.

`TokenAuth` reads `Authorization: Bearer <token>` (accounts.services.token_authenticate)
and makes the token's owner the request's user, so every rule asked later (django-rules,
course.selectors.visible_offerings) is the pages' own. `NoToken` lets requests without the
header through as anonymous: the site's session cookie never counts here, so the API
needs no CSRF token and a browser's log-in cannot be used by another site's script.
`ApiThrottle` limits requests per token, and per client address without one, in the
shared cache. The endpoints that need a token call `token_user()`; writes ask
`token_user(request, write=True)`.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from course import selectors as course_selectors
from course.api_base import Error, private_answer
from course.models import Offering

from .models import AccessToken, User
from .services import TokenRefused, token_authenticate
from .throttling import api_request_throttle, client_address


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's owner, or 401 saying why not."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header and not header.lower().startswith("bearer "):
            raise AuthenticationError(
                message=_("Send the token as “Authorization: Bearer <token>”.")
            )
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken:
        try:
            access = token_authenticate(token)
        except TokenRefused as refusal:
            # A refused token counts against the client's address, as a request without a
            # token would: trying tokens is limited like anything else.
            wait = address_throttle(request)
            if wait is not None:
                raise Throttled(wait=wait.total_seconds()) from None
            raise AuthenticationError(message=str(refusal)) from None
        request.user = access.user
        return access


class NoToken:
    """A request without a token: anonymous, whatever session cookie it carries."""

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization"):
            return None  # TokenAuth answered for it
        request.user = AnonymousUser()
        return "anonymous"


def address_throttle(request: HttpRequest):
    """Count a request against its client address's limit; None, or the wait."""
    return api_request_throttle(
        key=f"address:{client_address(request) or ''}",
        limit=settings.API_REQUESTS_PER_ADDRESS,
        minutes=settings.API_REQUESTS_WINDOW_MINUTES,
    )


class ApiThrottle(BaseThrottle):
    """API_REQUESTS_PER_TOKEN per token, API_REQUESTS_PER_ADDRESS per client address for
    requests without one, in windows of API_REQUESTS_WINDOW_MINUTES; the answer beyond is
    429 with Retry-After."""

    def allow_request(self, request: HttpRequest) -> bool:
        access = getattr(request, "auth", None)
        if isinstance(access, AccessToken):
            self._wait = api_request_throttle(
                key=f"token:{access.pk}",
                limit=settings.API_REQUESTS_PER_TOKEN,
                minutes=settings.API_REQUESTS_WINDOW_MINUTES,
            )
        else:
            self._wait = address_throttle(request)
        return self._wait is None

    def wait(self) -> float | None:
        wait = getattr(self, "_wait", None)
        return wait.total_seconds() if wait is not None else None


def token_user(request: HttpRequest, *, write: bool = False) -> User:
    """The owner of the request's token; 401 without one, 403 when a read-only token asks
    to write."""
    access = getattr(request, "auth", None)
    if not isinstance(access, AccessToken):
        raise AuthenticationError(
            message=_(
                "This needs a personal access token: make one on your account page and send "
                "it as “Authorization: Bearer <token>”."
            )
        )
    if write and not access.can_write:
        raise HttpError(403, _("This token may only read; make a token that may read and write."))
    return access.user


def staff_offering(
    request: HttpRequest, course_slug: str, offering_slug: str, permission: str
) -> Offering:
    """The offering of a staff endpoint, as the staff pages decide (course.pages.
    OfferingStaffMixin): 401 without a token, the offering's staff without the right 403,
    everyone else 404 (not even the offering's existence leaks)."""
    user = token_user(request)
    offering = course_selectors.offering_for_page(
        user=user, course_slug=course_slug, offering_slug=offering_slug
    )
    if not user.has_perm(permission, offering):
        if user.has_perm("course.see_offering_internals", offering):
            raise PermissionDenied(_("Your role in this offering does not allow this."))
        raise Http404(_("No such offering."))
    return offering


router = Router(tags=["You"])


class TokenOut(Schema):
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime


class MeOut(Schema):
    full_name: str
    email: str
    language: str
    token: TokenOut


@router.get("/me", response={200: MeOut, 401: Error}, url_name="me")
def me(request: HttpRequest, response: HttpResponse):
    """Who the token belongs to, and the token's scope and expiry."""
    user = token_user(request)
    private_answer(response)
    return {
        "full_name": user.full_name,
        "email": user.email,
        "language": user.language,
        "token": request.auth,  # type: ignore[attr-defined]
    }
