from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SiteConfig(AppConfig):
    """The project package as an app, so that its system checks are registered."""

    name = "config"
    verbose_name = "Site"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks


class CourseAdminConfig(AdminConfig):
    default_site = "config.admin.CourseAdminSite"
