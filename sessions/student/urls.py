"""The student's own pages under /me/ (the group page is projects', withdrawing accounts')."""

from django.urls import path

from . import views

app_name = "student"

OFFERING = "me/<slug:course_slug>/<slug:offering_slug>"

urlpatterns = [
    path("me/", views.MyCoursesView.as_view(), name="courses"),
    path(f"{OFFERING}/", views.MyOfferingView.as_view(), name="offering"),
    path(f"{OFFERING}/attendance/", views.MyAttendanceView.as_view(), name="attendance"),
    path(f"{OFFERING}/progress/", views.ProgressView.as_view(), name="progress"),
    path(f"{OFFERING}/quizzes/<int:quiz_id>/", views.QuizView.as_view(), name="quiz"),
    path(f"{OFFERING}/watched/", views.WatchedView.as_view(), name="watched"),
]
