"""Middleware of the site as a whole."""

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
