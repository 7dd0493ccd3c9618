"""Middleware of the site as a whole."""

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
    the session, the user, the CSRF check and the view: a hit is two cache reads. A page
    made anew is kept with every header the middleware below gave it (cookies excepted:
    a page that sets one is not kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = caching.public_page(request) if caching.may_use_cache(request) else None
        if page is None:
            return self.get_response(request)
        scopes, kwargs = page
        key = caching.page_key(request, scopes)
        response = caching.cached_response(key)
        if response is None:
            response = self.get_response(request)
            caching.keep_public(request, key, kwargs, response)
        return response
