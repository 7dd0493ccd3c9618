from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SiteConfig(AppConfig):
    """The project package as an app, so that its system checks are registered."""

    name = "config"
    verbose_name = "Site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the checks
        from .middleware import mark_staff_session

        # A staff member's session starts its idle clock at log-in (config/middleware.py).
        user_logged_in.connect(mark_staff_session, dispatch_uid="config.mark_staff_session")


class CourseAdminConfig(AdminConfig):
    default_site = "config.admin.CourseAdminSite"
