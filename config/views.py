"""The site's own views: health checks for load balancers, the language switch and the 400
handler."""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import check_for_language
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import services as accounts_services
from course.http import safe_next

from .limits import too_large_response
from .middleware import set_language_cookie

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness, for load balancers and the benchmark: answers without touching the
    database, the cache or the files."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # for anonymous visitors only: see below
@require_POST
def set_language(request):
    """The language switch in the header and footer: remembers the choice (a cookie; on the
    account too once logged in, for pages and mails) and goes back to the same page.

    Anonymous visitors' pages come from the shared page cache and cannot carry a CSRF
    token; all a forged switch could do to them is change the language of their own
    browser. A logged-in person's choice is stored on the account, so the CSRF check
    applies to them.
    """
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, "/"))
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        accounts_services.choose_language(request.user, language)
    set_language_cookie(response, language)
    return response


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key, token = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, timeout=30)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the value written was not read back")
    finally:
        cache.delete(key)


def _storage():
    name = default_storage.save(f"readyz/{secrets.token_hex(8)}.probe", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


@never_cache
def readyz(request):
    """Readiness: 200 when this process can reach the database, the cache and the file
    storage (each is used for real: a query, a cache write and read, a file written and
    deleted); 503 naming what failed otherwise. The reason says what kind of error it was,
    never its message (which may name hosts or users); the log has the whole error."""
    lines, ready = [], True
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            ready = False
            logger.warning("Readiness: the %s check failed", name, exc_info=True)
            lines.append(f"{name}: unavailable ({type(error).__name__})")
        else:
            lines.append(f"{name}: ok")
    body = "\n".join(["ready" if ready else "not ready", *lines]) + "\n"
    return HttpResponse(body, content_type="text/plain", status=200 if ready else 503)


def bad_request(request, exception):
    """A body beyond the limit that Django or our upload handler noticed while reading it
    gets the same 413 page as one announced too large; anything else Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    return defaults.bad_request(request, exception)
