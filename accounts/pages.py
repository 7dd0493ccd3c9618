"""The base of the pages that show a logged-in person their own things."""

from course import caching

from .selectors import personal_offerings


class PersonalPageMixin:
    """A logged-in person's own page (their courses, progress, attendance, group; a
    teacher's grade sheet, attendance grid, projects overview), from the shared cache while
    nothing it could show has changed (course/caching.py): no write to the person's account,
    enrolments or teaching (which decide what they may see), and none to the content or
    records of any of their offerings. Put it first among the view's bases: the login and
    permission checks and the view run only when the page is made anew for this person.
    Exports (`?format=`) are made for each request."""

    def dispatch(self, request, *args, **kwargs):
        parent = super().dispatch  # type: ignore[misc]
        if not request.user.is_authenticated or "format" in request.GET:
            return parent(request, *args, **kwargs)
        user = request.user
        return caching.serve_personal(
            request, lambda: personal_offerings(user), lambda: parent(request, *args, **kwargs)
        )
