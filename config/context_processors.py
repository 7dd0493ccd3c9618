from config.admin import may_use_admin


def navigation(request):
    """What the navigation bar needs on every page.

    `can_use_admin` is a callable so the query behind it runs only where the template asks,
    and at most once a request (course.rules caches the taught offerings on the user).
    """
    user = getattr(request, "user", None)
    return {"can_use_admin": (lambda: may_use_admin(user)) if user else False}
