"""URLs of the whole site. Each app owns its own namespace; Django's default error handlers
render templates/404.html and templates/500.html; a request body beyond the limit gets
templates/413.html (config.views.bad_request)."""

from django.contrib import admin
from django.urls import include, path

from config import api, views

handler400 = "config.views.bad_request"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("language/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls()),
    path("api/v1/<path:rest>", api.not_found),  # JSON, like every error of the API
    path("", include("accounts.urls")),
    path("", include("sessions.student.urls")),
    path("", include("sessions.grading.urls")),
    path("", include("sessions.urls")),
    path("", include("projects.urls")),
    path("", include("course.urls")),
]
