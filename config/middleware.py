"""Middleware of the site as a whole."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import ngettext

from course import caching
from course.caching import request_versions


class RequestVersionsMiddleware:
    """Content versions are read from the cache once per request (course/caching.py): a
    fresh memo for each request, dropped at its end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_versions.set({})
        try:
            return self.get_response(request)
        finally:
            request_versions.reset(token)


class PublicPageCacheMiddleware:
    """An anonymous visitor's public page from the shared cache (course/caching.py), before
    the session, the user, the CSRF check and the view: a hit is one round trip to the
    cache (the page and the versions it was made under, read together). A page
    made anew is kept with every header the middleware below gave it (cookies excepted:
    a page that sets one is not kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = caching.public_page(request) if caching.may_use_cache(request) else None
        if page is None:
            return self.get_response(request)
        if page == caching.SECRET:  # a calendar feed at its secret address
            return caching.secret_hit(request) or self.get_response(request)
        scopes, kwargs = page
        return caching.serve_public(request, scopes, kwargs, lambda: self.get_response(request))


class AccountLanguageMiddleware:
    """A logged-in person reads the site in the language stored on their account (chosen
    with the language switch, or the one they signed up in), whatever the browser says;
    the language cookie is set to it, so the pages after logging out stay in it.
    Anonymous visitors keep what LocaleMiddleware chose (the cookie, else the browser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = ""
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            language = getattr(request.user, "language", "")
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# Staff sessions end after a while without a request -----------------------------------------

#: The session key holding when a staff session was last used (seconds since the epoch).
STAFF_LAST_SEEN = "staff_last_seen"
#: The time is written at most this often, so that a working session is not saved on every
#: request: a session ends between STAFF_SESSION_IDLE_TIMEOUT less this and that timeout
#: after its last request.
STAFF_LAST_SEEN_PRECISION = 60


def is_staff_user(user) -> bool:
    """Administrators, `is_staff` accounts and teaching staff (whom config/admin.py lets
    into the admin). Asked afresh, not from what taught_offering_ids() keeps on the user:
    the caller's user object may live on after its rights change."""
    return user.is_staff or user.is_superuser or user.staff_roles.exists()


def mark_staff_session(sender, request, user, **kwargs):
    """At log-in (the user_logged_in signal, connected in config/apps.py): a staff member's
    session starts its idle clock. Other people's sessions get nothing."""
    if is_staff_user(user):
        request.session[STAFF_LAST_SEEN] = time.time()


class StaffSessionIdleTimeoutMiddleware:
    """Logs a staff session out after STAFF_SESSION_IDLE_TIMEOUT seconds without a request.

    Staff can change what many students see; a session left open on a shared computer
    should not stay usable for the two weeks a session lives. Only sessions marked as staff
    (at log-in, or by a request that found staff rights) are looked at and written: an
    anonymous visitor's session is never opened, and a student's never written, so their
    pages still come from the page cache (course/caching.py) without a new cookie.
    Needs the session, the user and messages: after MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # no session to look at (anonymous)
        last_seen = request.session.get(STAFF_LAST_SEEN)
        if last_seen is not None:
            self.check(request, last_seen)
        response = self.get_response(request)
        if last_seen is None and self.found_staff_rights(request):
            # A session from before this middleware, or rights given since the log-in.
            request.session[STAFF_LAST_SEEN] = time.time()
        return response

    def check(self, request, last_seen: float) -> None:
        timeout = settings.STAFF_SESSION_IDLE_TIMEOUT
        idle = time.time() - last_seen
        if idle > timeout:
            logout(request)
            hours = max(round(timeout / 3600), 1)
            messages.info(
                request,
                ngettext(
                    "You were logged out after an hour without activity. Log in again.",
                    "You were logged out after %(hours)d hours without activity. Log in again.",
                    hours,
                )
                % {"hours": hours},
            )
        elif idle >= min(STAFF_LAST_SEEN_PRECISION, timeout / 4):
            request.session[STAFF_LAST_SEEN] = time.time()

    @staticmethod
    def found_staff_rights(request) -> bool:
        """Whether this request, as it was answered, showed the user to be staff, without
        a query of its own: only a user the request loaded, and teaching rights only when
        the request asked for them (taught_offering_ids keeps them on the user)."""
        user = getattr(request, "user", None)
        if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
            return False
        if not user.is_authenticated:
            return False
        return bool(
            user.is_staff or user.is_superuser or getattr(user, "_taught_offering_ids", None)
        )
