"""The student's own pages under /me/ (the group page is projects', withdrawing accounts'),
and everyone's own data under /accounts/data/ (a copy, erasure: sessions/privacy.py)."""

from django.urls import path

from . import views

app_name = "student"

OFFERING = "me/<slug:course_slug>/<slug:offering_slug>"

urlpatterns = [
    path("accounts/data/", views.MyDataView.as_view(), name="my_data"),
    path("accounts/data/download/", views.MyDataDownloadView.as_view(), name="my_data_download"),
    path("accounts/data/erasure/", views.ErasureRequestView.as_view(), name="erasure_request"),
    path("me/", views.MyCoursesView.as_view(), name="courses"),
    path(f"{OFFERING}/", views.MyOfferingView.as_view(), name="offering"),
    path(f"{OFFERING}/attendance/", views.MyAttendanceView.as_view(), name="attendance"),
    path(f"{OFFERING}/progress/", views.ProgressView.as_view(), name="progress"),
    path(f"{OFFERING}/quizzes/<int:quiz_id>/", views.QuizView.as_view(), name="quiz"),
    path(f"{OFFERING}/watched/", views.WatchedView.as_view(), name="watched"),
    # A teacher's "today" of one offering, among the offering's other staff pages.
    path(
        "courses/<slug:course_slug>/<slug:offering_slug>/staff/today/",
        views.StaffTodayView.as_view(),
        name="staff_today",
    ),
]
