"""URLs of the whole site. Each app owns its own namespace; Django's default error handlers
render templates/404.html and templates/500.html."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    """For load balancers and the benchmark: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("sessions.student.urls")),
    path("", include("sessions.grading.urls")),
    path("", include("sessions.urls")),
    path("", include("projects.urls")),
    path("", include("course.urls")),
]
