from django.urls import path

from . import views

app_name = "discussions"

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
    path(
        "me/<slug:course_slug>/<slug:offering_slug>/attendance/",
        views.MyAttendanceView.as_view(),
        name="my_attendance",
    ),
    path("calendar/<str:token>.ics", views.PersonalCalendarView.as_view(), name="personal_ics"),
    path("calendar/reset/", views.CalendarTokenResetView.as_view(), name="calendar_reset"),
]
