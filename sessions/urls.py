from django.urls import path

from . import grading_views, views

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
    path(f"{OFFERING}/staff/grades/", grading_views.GradeSheetView.as_view(), name="grade_sheet"),
    *[
        path(
            f"{OFFERING}/staff/grades/{action.replace('_', '-')}/",
            grading_views.GradeSheetActionView.as_view(action=action),
            name=f"grades_{action}",
        )
        for action in ("setup", "accept", "sign_off", "unlock")
    ],
    path(
        f"{OFFERING}/staff/grades/students/<int:enrolment_id>/",
        grading_views.StudentGradeView.as_view(),
        name="student_grade",
    ),
    path(
        f"{OFFERING}/staff/grades/projects/<int:group_number>/",
        grading_views.AssessmentView.as_view(),
        name="assessment",
    ),
    path(
        "me/<slug:course_slug>/<slug:offering_slug>/attendance/",
        views.MyAttendanceView.as_view(),
        name="my_attendance",
    ),
    path("calendar/<str:token>.ics", views.PersonalCalendarView.as_view(), name="personal_ics"),
    path("calendar/reset/", views.CalendarTokenResetView.as_view(), name="calendar_reset"),
]
