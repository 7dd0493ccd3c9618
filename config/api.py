"""The JSON API at /api/v1/ (docs/ARCHITECTURE.md "The API"), assembled from each app's
`api.py`: django-ninja, its OpenAPI schema at /api/v1/openapi.json and its documentation
page at /api/v1/docs (templates/ninja/swagger.html: no inline script, for the CSP).

Who asks: a personal access token (accounts.api.TokenAuth) or nobody (NoToken); every
request is counted by accounts.api.ApiThrottle. Every error is JSON `{"detail": "..."}`.
"""

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from accounts import api as accounts_api
from course import api as course_api
from projects import api as projects_api
from sessions import api as sessions_api

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="coursesite API",
    version="1",
    description=(
        "Public course data without a token; a person's own data and the staff's with a "
        "personal access token (`Authorization: Bearer <token>`), made on the account page. "
        'Every error is `{"detail": "..."}`.'
    ),
    urls_namespace="api",
    auth=[accounts_api.TokenAuth(), accounts_api.NoToken()],
    throttle=[accounts_api.ApiThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", accounts_api.router)
api.add_router("", course_api.router)
api.add_router("", projects_api.router)
api.add_router("", sessions_api.router)


def error(request: HttpRequest, status: int, detail: str, **headers: str) -> HttpResponse:
    response = api.create_response(request, {"detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


@api.exception_handler(Http404)
def http_404(request: HttpRequest, exc: Http404):
    message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
    return error(request, 404, message or _("Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    message = exc.message if exc.message != "Unauthorized" else _("This access token is not valid.")
    return error(request, 401, message, **{"WWW-Authenticate": "Bearer"})


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled):
    seconds = max(1, round(exc.wait or 1))
    message = _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": seconds}
    return error(request, 429, message, **{"Retry-After": str(seconds)})


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    message = str(exc)
    if message.startswith("Cannot parse request body"):  # django-ninja's own words
        message = _("The request's body is not JSON: send a JSON object. Nothing was saved.")
    return error(request, exc.status_code, message)


def _where(location) -> str:
    return ".".join(str(part) for part in location if part not in {"body", "query", "path"})


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    """422 with one sentence naming every field that is wrong and why."""
    whole = _("the request")
    problems = "; ".join(
        f"{_where(e.get('loc', ())) or whole}: {e.get('msg', '')}" for e in exc.errors
    )
    return error(
        request, 422, _("The request is not valid (%(problems)s).") % {"problems": problems}
    )


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception):
    logger.exception("The API failed on %s", request.path, exc_info=exc)
    return error(
        request, 500, _("Something went wrong on the server; it is logged. Try again later.")
    )


def _json_not_allowed(view):
    """django-ninja answers a method an endpoint does not take with a plain-text 405: here
    it is JSON like every other error, with its Allow header."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = error(
                request,
                405,
                _("This address does not take %(method)s.") % {"method": request.method},
                Allow=allowed,
            )
        return response

    return wrapper


def not_found(request: HttpRequest, rest: str = ""):
    """An address under /api/v1/ that is no endpoint."""
    return error(request, 404, _("No such endpoint; the list is at /api/v1/docs."))


def urls():
    """The API's URL patterns (for config/urls.py), every error JSON."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name == "api-root":  # django-ninja's own answers 404 in HTML
            pattern.callback = index
        else:
            pattern.callback = _json_not_allowed(pattern.callback)
    return patterns, app_name, namespace


def index(request: HttpRequest):
    """/api/v1/: where the schema and the documentation are."""
    return api.create_response(
        request,
        {
            "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
            "docs": request.build_absolute_uri(reverse("api:openapi-view")),
        },
        status=200,
    )
