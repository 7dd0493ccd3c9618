from django.urls import include, path

from . import quiz_views, views

app_name = "course"

offering_patterns = [
    path("", views.OfferingHomeView.as_view(), name="offering_home"),
    path("modules/", views.ModuleListView.as_view(), name="module_list"),
    path("modules/<slug:module_slug>/", views.ModuleDetailView.as_view(), name="module_detail"),
    path("lectures/", views.LectureListView.as_view(), name="lecture_list"),
    path("examination/", views.ExaminationView.as_view(), name="examination"),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcement_list"),
    path("announcements/feed/", views.AnnouncementFeed(), name="announcement_feed"),
    path("staff/progress/", quiz_views.StaffProgressView.as_view(), name="staff_progress"),
    path(
        "staff/quizzes/<int:quiz_id>/",
        quiz_views.QuizStatisticsView.as_view(),
        name="quiz_statistics",
    ),
]

student_patterns = [
    path("progress/", quiz_views.ProgressView.as_view(), name="progress"),
    path("quizzes/<int:quiz_id>/", quiz_views.QuizView.as_view(), name="quiz"),
    path("watched/", quiz_views.WatchedView.as_view(), name="watched"),
]

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("courses/<slug:course_slug>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<slug:course_slug>/<slug:offering_slug>/", include(offering_patterns)),
    path("me/<slug:course_slug>/<slug:offering_slug>/", include(student_patterns)),
]
