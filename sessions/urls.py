"""Discussion sessions and attendance: the schedule, calendars, check-in, the register and
the staff overviews. Grading has its own URLs (grading/urls.py), the student's pages theirs
(student/urls.py)."""

from django.urls import path

from . import views

app_name = "sessions"

OFFERING = "courses/<slug:course_slug>/<slug:offering_slug>"

urlpatterns = [
    path(f"{OFFERING}/schedule/", views.ScheduleView.as_view(), name="schedule"),
    path(f"{OFFERING}/schedule.ics", views.ScheduleCalendarView.as_view(), name="schedule_ics"),
    path(f"{OFFERING}/check-in/", views.CheckInView.as_view(), name="check_in"),
    path(
        f"{OFFERING}/staff/attendance/",
        views.AttendanceOverviewView.as_view(),
        name="attendance_overview",
    ),
    path(
        f"{OFFERING}/staff/sessions/<int:session_id>/register/",
        views.RegisterView.as_view(),
        name="register",
    ),
    path(
        f"{OFFERING}/staff/sessions/<int:session_id>/code/",
        views.CheckInCodeView.as_view(),
        name="check_in_code",
    ),
    path(f"{OFFERING}/staff/progress/", views.StaffProgressView.as_view(), name="staff_progress"),
    path("calendar/<str:token>.ics", views.PersonalCalendarView.as_view(), name="personal_ics"),
    path("calendar/reset/", views.CalendarTokenResetView.as_view(), name="calendar_reset"),
]
