"""Grading's pages: the public examination page and the staff's grading pages."""

from django.urls import path

from . import views

app_name = "grading"

OFFERING = "courses/<slug:course_slug>/<slug:offering_slug>"

urlpatterns = [
    path(f"{OFFERING}/examination/", views.ExaminationView.as_view(), name="examination"),
    path(f"{OFFERING}/staff/grades/", views.GradeSheetView.as_view(), name="grade_sheet"),
    *[
        path(
            f"{OFFERING}/staff/grades/{action.replace('_', '-')}/",
            views.GradeSheetActionView.as_view(action=action),
            name=f"grades_{action}",
        )
        for action in ("setup", "accept", "sign_off", "unlock")
    ],
    path(
        f"{OFFERING}/staff/grades/exports/<int:export_id>/",
        views.ResultsExportView.as_view(),
        name="results_export",
    ),
    path(
        f"{OFFERING}/staff/grades/students/<int:enrolment_id>/",
        views.StudentGradeView.as_view(),
        name="student_grade",
    ),
    path(
        f"{OFFERING}/staff/grades/projects/<int:group_number>/",
        views.AssessmentView.as_view(),
        name="assessment",
    ),
]
